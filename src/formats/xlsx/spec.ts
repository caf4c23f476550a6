/**
 * XLSX (Office Open XML spreadsheet): a zip written as a stream, one sheet per 1,048,575 data
 * rows. File facts, the `xlsx` option rules (options.ts), and how the encoder and the verifier load.
 */
import type { StreamOptions } from '../../types.js';
import type { FormatSpec } from '../spec.js';
import { verificationFailed } from '../verify-text.js';
import { XLSX_MAX_ROWS, xlsxOptionProblems } from './options.js';

/** XLSX, written by the worker as worksheet XML deflated into zip entries as it is produced. */
export const xlsxSpec: FormatSpec = {
  name: 'xlsx',
  label: 'Excel (XLSX)',
  extension: () => 'xlsx',
  mimeType: () => 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  // Not binary for the engine: a cell that does not fit its column's type is written as text, and
  // nested values as JSON text, as in CSV.
  binary: false,
  // Under a byte limit the encoder deflates the sheet in measured segments and cuts at the last row
  // that fits with the zip's ending (encodeWithin).
  truncatableBySize: true,
  // The file is a zip already.
  outerCompression: false,
  optionsKey: 'xlsx',
  // With `overflow: 'truncate'` the file ends at the first sheet's last row (its header is one of the rows).
  rowCap: (options: StreamOptions) => (options.xlsx?.overflow === 'truncate' ? XLSX_MAX_ROWS - 1 : undefined),
  checkOptions: (value, add) => xlsxOptionProblems(value, (path, message) => add(path, message)),
  loadEncoder: async () => (await import('./encoder.js')).createEncoder,
  countRows: async (bytes) => {
    const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(await bytes.arrayBuffer());
    const { countXlsxRows } = await import('./verify.js');
    try {
      return await countXlsxRows(data);
    } catch (error) {
      throw verificationFailed('xlsx', error instanceof Error ? error.message : String(error));
    }
  },
};
