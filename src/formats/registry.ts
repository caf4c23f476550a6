/**
 * Format names → definitions. Text formats are bundled; Parquet and Arrow IPC load their code
 * only when asked for, so a CSV-only app never ships them.
 */
import { ExportError, printValue } from '../errors.js';
import { EXPORT_FORMATS, type ExportFormat } from '../types.js';
import { csvFormat, tsvFormat } from './csv.js';
import { jsonFormat, ndjsonFormat } from './json.js';
import type { FormatDefinition } from './types.js';

const lazy = (
  name: ExportFormat,
  extension: FormatDefinition['extension'],
  mimeType: string,
  load: () => Promise<FormatDefinition>,
): FormatDefinition => ({
  name,
  extension,
  mimeType,
  binary: true,
  createEncoder: async (context) => (await load()).createEncoder(context),
});

const FORMATS: Record<ExportFormat, FormatDefinition> = {
  csv: csvFormat,
  tsv: tsvFormat,
  json: jsonFormat,
  ndjson: ndjsonFormat,
  parquet: lazy('parquet', () => 'parquet', 'application/vnd.apache.parquet', async () => (await import('./parquet.js')).parquetFormat),
  arrow: lazy(
    'arrow',
    (options) => (options.arrow?.ipc === 'file' ? 'arrow' : 'arrows'),
    'application/vnd.apache.arrow.stream',
    async () => (await import('./arrow.js')).arrowFormat,
  ),
};

/** The definition of a format, or `'unsupported_format'` naming the bad name. */
export function getFormat(name: unknown): FormatDefinition {
  if (typeof name === 'string' && Object.hasOwn(FORMATS, name)) return FORMATS[name as ExportFormat];
  throw new ExportError('unsupported_format', `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${printValue(name)}`, {
    details: { path: 'format', value: printValue(name) },
  });
}

/** MIME type of an export, following options such as `arrow.ipc`. */
export function mimeTypeOf(format: FormatDefinition, options: { arrow?: { ipc?: 'stream' | 'file' } }): string {
  if (format.name === 'arrow' && options.arrow?.ipc === 'file') return 'application/vnd.apache.arrow.file';
  return format.mimeType;
}
