/**
 * Integrity: an incremental SHA-256 of the bytes an export writes, and a check that rereads a
 * written file and compares its row count (and checksum) with what the export reported.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { tableFromIPC } from 'apache-arrow';
import Papa from 'papaparse';
import { ExportError, printValue } from './errors.js';
import { resolveCsvOptions } from './formats/csv.js';
import { footerLength, readFooterRowCount } from './formats/parquet/footer.js';
import type { CsvOptions, ExportFormat } from './types.js';

/** An incremental SHA-256: feed it every byte written, in order, then read the digest. */
export interface Sha256Hasher {
  /** Adds bytes. Throws once the digest has been read. */
  update(bytes: Uint8Array): void;
  /** The digest as 64 lowercase hex digits. Finalizes the hash; later calls return the same text. */
  hex(): string;
  /** Bytes hashed so far. */
  readonly byteLength: number;
}

/**
 * Creates an incremental SHA-256 hasher (@noble/hashes: synchronous, so it can sit in the byte
 * meter without an await per chunk, and the same in a worker, on the page and in Node; WebCrypto's
 * `subtle.digest` has no incremental form).
 *
 * @example
 * const hash = createSha256();
 * for (const chunk of chunks) hash.update(chunk);
 * hash.hex(); // 'e3b0c442…'
 */
export function createSha256(): Sha256Hasher {
  const state = sha256.create();
  let digest: string | null = null;
  let byteLength = 0;
  return {
    update(bytes) {
      if (digest !== null) throw new ExportError('verification_failed', 'createSha256: update() after hex(); the digest is already final');
      state.update(bytes);
      byteLength += bytes.byteLength;
    },
    hex() {
      digest ??= bytesToHex(state.digest());
      return digest;
    },
    get byteLength() {
      return byteLength;
    },
  };
}

/** What a written file should hold, for {@link verifyExport}. */
export interface ExpectedExport {
  /** Data rows the file should hold (the header row is not counted). */
  rows: number;
  /** SHA-256 of the file's bytes as written (after compression), 64 hex digits. Default: not checked. */
  sha256?: string;
  /** The CSV/TSV options the file was written with (delimiter, quote, newline, header, bom). Default: the format's defaults. */
  csv?: CsvOptions;
  /** Whether a CSV/TSV file starts with a header row; wins over `csv.header`. Default `csv.header ?? true`. */
  header?: boolean;
  /**
   * Outer compression of a text file. Default `'auto'`: gzip is recognized by its magic bytes;
   * a zlib (`'deflate'`) stream must be named, since its two-byte header can pass for text.
   */
  compression?: 'auto' | 'gzip' | 'deflate' | 'none';
}

/**
 * Rereads a written file and throws `ExportError('verification_failed')` when its row count or
 * its SHA-256 differs from `expected`, or when it does not parse.
 *
 * - CSV/TSV: parsed with papaparse with the given delimiter, quote and header (a leading BOM is
 *   skipped); every record must have as many fields as the first.
 * - JSON: `JSON.parse`, which must give an array. NDJSON: every `\n`-terminated line parsed, no
 *   blank lines.
 * - Parquet: `num_rows` from the footer (no data pages are read).
 * - Arrow IPC (stream or file): decoded with apache-arrow.
 * - Text files compressed with gzip (found by magic bytes) or deflate (named) are decompressed with
 *   `DecompressionStream` first.
 *
 * Text formats are decoded whole: files up to a few hundred MB (a JavaScript string holds at most
 * about 512 MB). Parquet reads only the footer, and Arrow IPC needs the file in memory.
 *
 * @example await verifyExport('csv', blob, { rows: result.rowsWritten, sha256: digest });
 */
export async function verifyExport(format: ExportFormat, bytes: Uint8Array | Blob, expected: ExpectedExport): Promise<void> {
  if (!Number.isSafeInteger(expected.rows) || expected.rows < 0) {
    throw new ExportError('invalid_options', `expected.rows must be a non-negative integer, got ${printValue(expected.rows)}`, { details: { path: 'rows' } });
  }
  if (expected.sha256 !== undefined) {
    if (typeof expected.sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(expected.sha256)) {
      throw new ExportError('invalid_options', `expected.sha256 must be 64 hex digits, got ${printValue(expected.sha256)}`, { details: { path: 'sha256' } });
    }
    const actual = await sha256Of(bytes);
    if (actual !== expected.sha256.toLowerCase()) {
      throw failed(format, `its SHA-256 is ${actual}, expected ${expected.sha256.toLowerCase()}`, { expected: expected.sha256.toLowerCase(), actual });
    }
  }
  const rows = await countRows(format, bytes, expected);
  if (rows !== expected.rows) throw failed(format, `it holds ${rows} rows, expected ${expected.rows}`, { expected: expected.rows, actual: rows });
}

/** SHA-256 of bytes or a Blob (read in chunks), as hex. */
export async function sha256Of(bytes: Uint8Array | Blob): Promise<string> {
  const hash = createSha256();
  if (bytes instanceof Uint8Array) hash.update(bytes);
  else {
    const reader = bytes.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      hash.update(value);
    }
  }
  return hash.hex();
}

function failed(format: string, message: string, details: Record<string, unknown> = {}): ExportError {
  return new ExportError('verification_failed', `${format} file failed verification: ${message}`, { details });
}

async function countRows(format: ExportFormat, bytes: Uint8Array | Blob, expected: ExpectedExport): Promise<number> {
  switch (format) {
    case 'parquet':
      return parquetRows(bytes);
    case 'arrow': {
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(await bytes.arrayBuffer());
      try {
        return tableFromIPC(data).numRows;
      } catch (error) {
        throw failed(format, `it is not Arrow IPC: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
    case 'csv':
    case 'tsv':
      return csvRows(format, await textOf(format, bytes, expected.compression ?? 'auto'), expected);
    case 'json':
      return jsonRows(await textOf(format, bytes, expected.compression ?? 'auto'));
    case 'ndjson':
      return ndjsonRows(await textOf(format, bytes, expected.compression ?? 'auto'));
    case 'xlsx': {
      const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(await bytes.arrayBuffer());
      const { countXlsxRows } = await import('./formats/xlsx/verify.js');
      try {
        return await countXlsxRows(data);
      } catch (error) {
        throw failed(format, error instanceof Error ? error.message : String(error));
      }
    }
    default:
      throw new ExportError('unsupported_format', `verifyExport: unknown format ${printValue(format)}`, { details: { path: 'format' } });
  }
}

async function textOf(format: string, input: Uint8Array | Blob, compression: NonNullable<ExpectedExport['compression']>): Promise<string> {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const codec = compression === 'auto' ? (gzip ? 'gzip' : 'none') : compression;
  if (codec !== 'none') {
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(codec) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (error) {
      throw failed(format, `it does not decompress as ${codec}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    // fatal: a file that is not valid UTF-8 was not written by this library.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw failed(format, 'it is not valid UTF-8');
  }
}

function csvRows(format: 'csv' | 'tsv', text: string, expected: ExpectedExport): number {
  let options;
  try {
    options = resolveCsvOptions(expected.csv, format === 'tsv');
  } catch (error) {
    throw new ExportError('invalid_options', `verifyExport: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details: { path: 'csv' } });
  }
  const header = expected.header ?? options.header;
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text === '') return 0;
  const result = Papa.parse<string[]>(text, { delimiter: options.delimiter, quoteChar: options.quote, escapeChar: options.quote, newline: options.newline as Papa.ParseConfig['newline'], skipEmptyLines: false });
  if (result.errors.length > 0) {
    const first = result.errors[0]!;
    throw failed(format, `papaparse: ${first.message}${first.row !== undefined ? ` (record ${first.row})` : ''}`, { parseErrors: result.errors.length });
  }
  const records = result.data;
  // The last row terminator leaves one empty record after it.
  if (text.endsWith(options.newline) && records.length > 0) records.pop();
  const width = records[0]?.length ?? 0;
  for (let i = 1; i < records.length; i++) {
    if (records[i]!.length !== width) throw failed(format, `record ${i} has ${records[i]!.length} fields, the first has ${width}`);
  }
  return header ? Math.max(0, records.length - 1) : records.length;
}

function jsonRows(text: string): number {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw failed('json', `it does not parse: ${error instanceof Error ? error.message : String(error)}`);
  }
  if (!Array.isArray(value)) throw failed('json', `it is not an array but ${value === null ? 'null' : typeof value}`);
  return value.length;
}

function ndjsonRows(text: string): number {
  if (text === '') return 0;
  if (!text.endsWith('\n')) throw failed('ndjson', 'its last line has no "\\n" terminator (the file may be cut short)');
  let rows = 0;
  let start = 0;
  while (start < text.length) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end);
    if (line.trim() === '') throw failed('ndjson', `line ${rows + 1} is blank`);
    try {
      JSON.parse(line);
    } catch (error) {
      throw failed('ndjson', `line ${rows + 1} does not parse: ${error instanceof Error ? error.message : String(error)}`);
    }
    rows++;
    start = end + 1;
  }
  return rows;
}

async function parquetRows(input: Uint8Array | Blob): Promise<number> {
  const size = input instanceof Uint8Array ? input.byteLength : input.size;
  const read = async (start: number): Promise<Uint8Array> =>
    input instanceof Uint8Array ? input.subarray(start) : new Uint8Array(await input.slice(start).arrayBuffer());
  try {
    if (size < 12) throw new Error(`${size} bytes is too short for a Parquet file`);
    const head = input instanceof Uint8Array ? input.subarray(0, 4) : new Uint8Array(await input.slice(0, 4).arrayBuffer());
    if (String.fromCharCode(...head) !== 'PAR1') throw new Error('the file does not start with the Parquet magic "PAR1"');
    // Most footers fit in 64 KiB; a larger one is read again at its full length.
    let tail = await read(Math.max(0, size - 65_536));
    const needed = footerLength(tail)!;
    if (needed > size) throw new Error(`the footer claims ${needed} bytes, the file has ${size}`);
    if (needed > tail.length) tail = await read(size - needed);
    return readFooterRowCount(tail);
  } catch (error) {
    throw failed('parquet', error instanceof Error ? error.message : String(error));
  }
}
