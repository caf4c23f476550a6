/**
 * Rereads a CSV or TSV file for `verifyExport`: parsed with papaparse (an independent parser),
 * every record as wide as the first.
 */
import Papa from 'papaparse';
import type { ExpectedExport } from '../../integrity.js';
import { textOfFile, verificationFailed } from '../verify-text.js';
import type { ResolvedCsvOptions } from './spec.js';

/** Data rows in a CSV/TSV file (the header row is not counted). */
export async function countCsvRows(format: 'csv' | 'tsv', bytes: Uint8Array | Blob, options: ResolvedCsvOptions, expected: ExpectedExport): Promise<number> {
  let text = await textOfFile(format, bytes, expected.compression ?? 'auto');
  const header = expected.header ?? options.header;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text === '') return 0;
  const result = Papa.parse<string[]>(text, { delimiter: options.delimiter, quoteChar: options.quote, escapeChar: options.quote, newline: options.newline as Papa.ParseConfig['newline'], skipEmptyLines: false });
  if (result.errors.length > 0) {
    const first = result.errors[0]!;
    throw verificationFailed(format, `papaparse: ${first.message}${first.row !== undefined ? ` (record ${first.row})` : ''}`, { parseErrors: result.errors.length });
  }
  const records = result.data;
  // The last row terminator leaves one empty record after it.
  if (text.endsWith(options.newline) && records.length > 0) records.pop();
  const width = records[0]?.length ?? 0;
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.length !== width) throw verificationFailed(format, `record ${i} has ${records[i]!.length} fields, the first has ${width}`);
  }
  return header ? Math.max(0, records.length - 1) : records.length;
}
