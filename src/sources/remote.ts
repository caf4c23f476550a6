/**
 * Sources described as data and read where the export runs (usually the worker):
 * IndexedDB stores and fetched files.
 */
import { ExportError } from '../errors.js';
import type { SourceContext, SourceReader } from './rows.js';

/** Opens a reader for a remote source description. */
export async function openRemoteSource(source: { kind: string }, _context: SourceContext): Promise<SourceReader> {
  throw new ExportError('invalid_options', `unknown source kind "${source.kind}"`, { details: { path: 'source.kind', value: source.kind } });
}
