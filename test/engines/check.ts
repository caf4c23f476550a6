/**
 * Checks specs run on the files the engines wrote, with readers that share no code with Sluice:
 * papaparse (CSV), DuckDB (CSV, Parquet, JSON), Node's zlib (gzip), nodejs-polars (Arrow IPC).
 */
import assert from 'node:assert/strict';
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import pl from 'nodejs-polars';
import { duckdb, tempFile } from '../helpers/readers.js';
import { engineRows, ROW_COLUMNS, type EngineRow } from './pages/rows.js';

/** Base64 from a page, as bytes. */
export function fromBase64(text: string | undefined): Buffer {
  assert.ok(text !== undefined, 'the page returned no bytes');
  return Buffer.from(text, 'base64');
}

/** A row as the CSV cells JavaScript prints (null as an empty cell). */
function cells(row: EngineRow): string[] {
  return ROW_COLUMNS.map((column) => (row[column] === null ? '' : String(row[column])));
}

/** CSV text read by papaparse must be the header and rows `from` … `from + count - 1`. */
export function expectCsvRows(text: string, count: number, options: { delimiter?: string; from?: number } = {}): void {
  const parsed = Papa.parse<string[]>(text, { delimiter: options.delimiter ?? ',', skipEmptyLines: 'greedy' });
  assert.deepEqual(parsed.errors, [], 'papaparse reports no errors');
  const [header, ...rows] = parsed.data;
  assert.deepEqual(header, [...ROW_COLUMNS]);
  assert.equal(rows.length, count, 'row count');
  assert.deepEqual(rows, engineRows(count, options.from ?? 0).map(cells));
}

const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/** Rows of a Parquet file read by DuckDB, numbers as JS numbers. */
export async function duckdbParquet(bytes: Uint8Array): Promise<{ rows: Array<Record<string, unknown>>; types: Record<string, string> }> {
  const file = tempFile(bytes, 'parquet');
  try {
    const db = await duckdb();
    const result = await db.runAndReadAll(`SELECT * FROM read_parquet(${sqlString(file.path)})`);
    const types = Object.fromEntries(result.columnNames().map((name, i) => [name, String(result.columnTypes()[i])]));
    const rows = (result.getRowObjectsJS() as Array<Record<string, unknown>>).map((row) =>
      Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value])),
    );
    return { rows, types };
  } finally {
    file.cleanup();
  }
}

/** A Parquet file must hold rows `0 … count - 1` as DuckDB reads them. */
export async function expectParquetRows(bytes: Uint8Array, count: number): Promise<void> {
  assert.equal(Buffer.from(bytes.subarray(0, 4)).toString('latin1'), 'PAR1', 'Parquet magic at the start');
  const { rows } = await duckdbParquet(bytes);
  assert.equal(rows.length, count, 'row count');
  assert.deepEqual(rows, engineRows(count));
}

/** NDJSON (gzip-compressed when `gzip`) must hold rows `from …` one JSON value a line. */
export function expectNdjsonRows(bytes: Uint8Array, count: number, options: { gzip?: boolean; from?: number; rows?: EngineRow[] } = {}): void {
  if (options.gzip === true) assert.deepEqual([...bytes.subarray(0, 2)], [0x1f, 0x8b], 'gzip magic');
  const text = (options.gzip === true ? gunzipSync(bytes) : Buffer.from(bytes)).toString('utf8');
  assert.ok(text.endsWith('\n'), 'the last line ends with a newline');
  const lines = text.slice(0, -1).split('\n');
  assert.deepEqual(lines.map((line) => JSON.parse(line) as unknown), options.rows ?? engineRows(count, options.from ?? 0));
}

/** Rows of an Arrow IPC stream read by Polars. */
export function polarsIpcRows(bytes: Uint8Array): Array<Record<string, unknown>> {
  return pl.readIPCStream(Buffer.from(bytes)).toRecords() as Array<Record<string, unknown>>;
}

export { assert };
