/**
 * Independent readers for tests: DuckDB (@duckdb/node-api) and papaparse, plus stream helpers.
 */
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import Papa from 'papaparse';

let connection: Promise<DuckDBConnection> | null = null;

/** One in-memory DuckDB connection per test file. */
export function duckdb(): Promise<DuckDBConnection> {
  connection ??= DuckDBInstance.create(':memory:').then((instance) => instance.connect());
  return connection;
}

/** Reads a whole byte stream. */
export async function readAll(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** Reads a whole byte stream as UTF-8 text (keeping a BOM, if any, visible). */
export async function readText(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(await readAll(stream));
}

/** Writes bytes to a fresh temporary file; returns its path and a cleanup function. */
export function tempFile(bytes: Uint8Array | string, extension: string): { path: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-test-'));
  const path = join(dir, `data.${extension}`);
  writeFileSync(path, bytes);
  return { path, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

/**
 * Reads CSV with DuckDB, every column as text and quoted empty strings kept apart from nulls.
 * Returns the header and rows (null for SQL NULL).
 */
export async function duckdbReadCsv(
  bytes: Uint8Array | string,
  options: { delimiter?: string; quote?: string; nullValue?: string; header?: boolean; compression?: 'gzip' } = {},
): Promise<{ columns: string[]; rows: Array<Array<string | null>> }> {
  const file = tempFile(bytes, options.compression === 'gzip' ? 'csv.gz' : 'csv');
  try {
    const db = await duckdb();
    const delimiter = options.delimiter ?? ',';
    const quote = options.quote ?? '"';
    const sql = `SELECT * FROM read_csv(${sqlString(file.path)}, all_varchar=true, allow_quoted_nulls=false, header=${options.header ?? true}, delim=${sqlString(delimiter)}, quote=${sqlString(quote)}, escape=${sqlString(quote)}, comment='', strict_mode=true, nullstr=${sqlString(options.nullValue ?? '')}, auto_detect=false, columns=${await sniffColumns(file.path, delimiter, quote, options.header ?? true)}${options.compression ? `, compression='gzip'` : ''})`;
    const result = await db.runAndReadAll(sql);
    return { columns: result.columnNames(), rows: result.getRows().map((row) => row.map((value) => (value === null ? null : String(value)))) };
  } finally {
    file.cleanup();
  }
}

/** Column list for read_csv with auto-detection off: names from the header (parsed by papaparse) as VARCHAR. */
async function sniffColumns(path: string, delimiter: string, quote: string, header: boolean): Promise<string> {
  const { readFileSync } = await import('node:fs');
  let text: string;
  if (path.endsWith('.gz')) {
    const { gunzipSync } = await import('node:zlib');
    text = gunzipSync(readFileSync(path)).toString('utf8');
  } else {
    text = readFileSync(path, 'utf8');
  }
  const first = Papa.parse<string[]>(text, { delimiter, quoteChar: quote, preview: 1 }).data[0] ?? [];
  const names = header ? first : first.map((_, index) => `column${index}`);
  return `{${names.map((name) => `${sqlString(name)}: 'VARCHAR'`).join(', ')}}`;
}

/** Reads JSON or NDJSON with DuckDB's read_json. */
export async function duckdbReadJson(bytes: Uint8Array | string, format: 'array' | 'newline_delimited'): Promise<Record<string, unknown>[]> {
  const file = tempFile(bytes, 'json');
  try {
    const db = await duckdb();
    const result = await db.runAndReadAll(`SELECT * FROM read_json(${sqlString(file.path)}, format=${sqlString(format)})`);
    return result.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    file.cleanup();
  }
}

/** Parses CSV with papaparse (no type conversion). */
export function papaParse(text: string, delimiter = ','): string[][] {
  const result = Papa.parse<string[]>(text, { delimiter, skipEmptyLines: false });
  if (result.errors.length > 0) throw new Error(`papaparse: ${result.errors.map((e) => e.message).join('; ')}`);
  const rows = result.data;
  // A trailing newline gives one empty row.
  if (rows.length > 0 && rows[rows.length - 1]!.length === 1 && rows[rows.length - 1]![0] === '') rows.pop();
  return rows;
}

/** A column as Polars reads it: its dtype (`Datetime(ns,UTC)`, `Int64`, …) and its values. */
export interface PolarsColumn {
  name: string;
  dtype: string;
  /**
   * Values, exact: Int64, UInt64, Decimal and Datetime (its stored count of units) as decimal
   * strings; Date as days since the epoch; Categorical as its text; others as Polars gives them.
   */
  values: unknown[];
}

/**
 * Reads Parquet or Arrow IPC (stream or file) with Polars (nodejs-polars, Rust: shares no code with
 * apache-arrow or parquet-wasm). Throws what Polars throws for a file it refuses.
 */
export async function polarsRead(bytes: Uint8Array, format: 'parquet' | 'arrow'): Promise<PolarsColumn[]> {
  const pl = (await import('nodejs-polars')).default;
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let frame;
  if (format === 'parquet') frame = pl.readParquet(buffer);
  else {
    // The stream format starts with a continuation marker; the file format with "ARROW1".
    const isFile = bytes.length >= 6 && new TextDecoder().decode(bytes.subarray(0, 6)) === 'ARROW1';
    frame = isFile ? pl.readIPC(buffer) : pl.readIPCStream(buffer);
  }
  return frame.getColumns().map((series) => {
    const dtype = String(series.dtype).replace(/^DataType\((.*)\)$/, '$1');
    let values: unknown[];
    if (/^(Int64|UInt64|Decimal)/.test(dtype)) values = series.cast(pl.Utf8).toArray();
    else if (dtype.startsWith('Datetime')) values = series.cast(pl.Int64).cast(pl.Utf8).toArray();
    else if (dtype === 'Date') values = series.cast(pl.Int32).toArray();
    else if (dtype === 'Categorical' || dtype.startsWith('Enum')) values = series.cast(pl.Utf8).toArray();
    else values = series.toArray();
    return { name: series.name, dtype, values };
  });
}
