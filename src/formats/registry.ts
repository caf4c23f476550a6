/**
 * Format names → definitions with encoders. Text formats are bundled; Parquet and Arrow IPC load
 * their code only when asked for, so a CSV-only app never ships them.
 */
import type { ExportFormat } from '../types.js';
import { FORMAT_INFO, formatInfo } from './catalog.js';
import { csvFormat, tsvFormat } from './csv.js';
import { jsonFormat, ndjsonFormat } from './json.js';
import type { FormatDefinition } from './types.js';

export { mimeTypeOf } from './catalog.js';

const lazy = (name: 'parquet' | 'arrow' | 'xlsx', load: () => Promise<FormatDefinition>): FormatDefinition => ({
  ...FORMAT_INFO[name],
  createEncoder: async (context) => (await load()).createEncoder(context),
});

const FORMATS: Record<ExportFormat, FormatDefinition> = {
  csv: csvFormat,
  tsv: tsvFormat,
  json: jsonFormat,
  ndjson: ndjsonFormat,
  parquet: lazy('parquet', async () => (await import('./parquet.js')).parquetFormat),
  arrow: lazy('arrow', async () => (await import('./arrow.js')).arrowFormat),
  xlsx: lazy('xlsx', async () => ({ ...FORMAT_INFO.xlsx, createEncoder: (await import('./xlsx/encoder.js')).createEncoder })),
};

/** The definition of a format, or `'unsupported_format'` naming the bad name. */
export function getFormat(name: unknown): FormatDefinition {
  return FORMATS[formatInfo(name).name];
}
