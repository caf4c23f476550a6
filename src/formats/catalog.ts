/**
 * What the page needs to know of each format — extension, MIME type, binary or not — without the
 * encoders: file names and the save dialog's types come from here, so the main-thread bundle does
 * not carry Apache Arrow.
 */
import { ExportError, printValue } from '../errors.js';
import { EXPORT_FORMATS, type ExportFormat, type StreamOptions } from '../types.js';

/** A format's file facts. */
export interface FormatInfo {
  readonly name: ExportFormat;
  /** File extension without the dot, e.g. `arrows` or `arrow` depending on `arrow.ipc`. */
  extension(options: StreamOptions): string;
  readonly mimeType: string;
  /** Binary formats need one schema for every batch. */
  readonly binary: boolean;
}

const fixed = (name: ExportFormat, extension: string, mimeType: string, binary: boolean): FormatInfo => ({
  name,
  extension: () => extension,
  mimeType,
  binary,
});

/** Every format's file facts. */
export const FORMAT_INFO: Readonly<Record<ExportFormat, FormatInfo>> = {
  csv: fixed('csv', 'csv', 'text/csv', false),
  tsv: fixed('tsv', 'tsv', 'text/tab-separated-values', false),
  json: fixed('json', 'json', 'application/json', false),
  ndjson: fixed('ndjson', 'ndjson', 'application/x-ndjson', false),
  parquet: fixed('parquet', 'parquet', 'application/vnd.apache.parquet', true),
  arrow: {
    name: 'arrow',
    extension: (options) => (options.arrow?.ipc === 'file' ? 'arrow' : 'arrows'),
    mimeType: 'application/vnd.apache.arrow.stream',
    binary: true,
  },
  // Not binary for the engine: cells that do not fit their column's type are written as text, and
  // nested values as JSON text, as in CSV. The file is a zip, so outer compression is refused.
  xlsx: fixed('xlsx', 'xlsx', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet', false),
};

/** The file facts of a format, or `'unsupported_format'` naming the bad name. */
export function formatInfo(name: unknown): FormatInfo {
  if (typeof name === 'string' && Object.hasOwn(FORMAT_INFO, name)) return FORMAT_INFO[name as ExportFormat];
  throw new ExportError('unsupported_format', `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${printValue(name)}`, {
    details: { path: 'format', value: printValue(name) },
  });
}

/** MIME type of an export, following options such as `arrow.ipc`. */
export function mimeTypeOf(format: Pick<FormatInfo, 'name' | 'mimeType'>, options: { arrow?: { ipc?: 'stream' | 'file' } }): string {
  if (format.name === 'arrow' && options.arrow?.ipc === 'file') return 'application/vnd.apache.arrow.file';
  return format.mimeType;
}
