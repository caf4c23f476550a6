/**
 * Integrity: an incremental SHA-256 of the bytes an export writes, and a check that rereads a
 * written file and compares its row count (and checksum) with what the export reported.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { ExportError, printValue } from './errors.js';
import { formatSpec } from './formats/registry.js';
import { verificationFailed } from './formats/verify-text.js';
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
      throw verificationFailed(format, `its SHA-256 is ${actual}, expected ${expected.sha256.toLowerCase()}`, { expected: expected.sha256.toLowerCase(), actual });
    }
  }
  const rows = await formatSpec(format).countRows(bytes, expected);
  if (rows !== expected.rows) throw verificationFailed(format, `it holds ${rows} rows, expected ${expected.rows}`, { expected: expected.rows, actual: rows });
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

