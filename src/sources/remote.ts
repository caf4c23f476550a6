/**
 * Sources described as data and read where the export runs (usually the worker):
 * IndexedDB stores and fetched files.
 */
import { ExportError, printValue } from '../errors.js';
import type { IndexedDBSourceDescriptor } from './indexeddb.js';
import { openIndexedDBSource } from './indexeddb-reader.js';
import type { SourceContext, SourceReader } from './rows.js';
import type { UrlSourceDescriptor } from './url.js';
import { openUrlSource } from './url-reader.js';

/** Opens a reader for a remote source description (`fromIndexedDB`, `fromURL`). */
export async function openRemoteSource(source: { kind: string }, context: SourceContext): Promise<SourceReader> {
  switch (source.kind) {
    case 'indexeddb':
      return openIndexedDBSource(source as IndexedDBSourceDescriptor, context);
    case 'url':
      return openUrlSource(source as UrlSourceDescriptor, context);
    default:
      throw new ExportError('invalid_options', `unknown source kind ${printValue(source.kind)}: expected 'indexeddb' (fromIndexedDB) or 'url' (fromURL)`, {
        details: { path: 'source.kind', value: printValue(source.kind) },
      });
  }
}
