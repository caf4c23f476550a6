/**
 * Rereads JSON and NDJSON files for `verifyExport` with `JSON.parse`.
 */
import type { ExpectedExport } from '../../integrity.js';
import { textOfFile, verificationFailed } from '../verify-text.js';

/** Rows in a JSON file: it must parse as one array. */
export async function countJsonRows(bytes: Uint8Array | Blob, expected: ExpectedExport): Promise<number> {
  const text = await textOfFile('json', bytes, expected.compression ?? 'auto');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw verificationFailed('json', `it does not parse: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value)) throw verificationFailed('json', `it is not an array but ${value === null ? 'null' : typeof value}`);
  return value.length;
}

/** Rows in an NDJSON file: every `\n`-terminated line parses, none is blank. */
export async function countNdjsonRows(bytes: Uint8Array | Blob, expected: ExpectedExport): Promise<number> {
  const text = await textOfFile('ndjson', bytes, expected.compression ?? 'auto');
  if (text === '') return 0;
  if (!text.endsWith('\n')) throw verificationFailed('ndjson', 'its last line has no "\\n" terminator (the file may be cut short)');
  let rows = 0;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end);
    if (line.trim() === '') throw verificationFailed('ndjson', `line ${rows + 1} is blank`);
    try {
      JSON.parse(line);
    } catch (error) {
      throw verificationFailed('ndjson', `line ${rows + 1} does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
    rows++;
    start = end + 1;
  }
  return rows;
}
