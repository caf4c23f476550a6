import { compressors as wasmCompressors } from 'hyparquet-compressors';
/**
 * Shared by the Parquet and Arrow IPC encoder tests: chunk feeding, a fake encoder context, a
 * batch with every type the binary encoders take, and independent readers (DuckDB, hyparquet).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import type { DuckDBConnection } from '@duckdb/node-api';
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  Null,
  RecordBatch,
  Schema,
  Struct,
  TimestampMicrosecond,
  TimestampMillisecond,
  Utf8,
  makeData,
  vectorFromArray,
} from 'apache-arrow';
import type { Data, DataType } from 'apache-arrow';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import type { Chunk } from '../../../src/schema/chunk.js';
import type { Emit, EncoderContext, FormatDefinition, OutputColumn } from '../../../src/formats/types.js';
import type { ExportIssue, StreamOptions } from '../../../src/types.js';

/** A fake engine context: writes `columns` (default: every batch column under its own name). */
export function fakeContext(columns: readonly OutputColumn[], options: Partial<StreamOptions> = {}): EncoderContext & { issues: ExportIssue[] } {
  const issues: ExportIssue[] = [];
  return {
    columns,
    options: { format: 'parquet', ...options } as StreamOptions,
    issues,
    report: (issue) => issues.push(issue),
    countEscapedFormula: () => {},
  };
}

/** Every column of a batch, written under its own name. */
export function allColumns(batch: RecordBatch): OutputColumn[] {
  return batch.schema.fields.map((field) => ({ field: field.name, header: field.name }));
}

/** Chunks of `size` rows cut from a batch (zero-copy slices). */
export function chunksOf(batch: RecordBatch, size: number): Chunk[] {
  const chunks: Chunk[] = [];
  for (let start = 0; start < batch.numRows; start += size) {
    chunks.push({ batch: batch.slice(start, Math.min(batch.numRows, start + size)), selection: null, firstRow: start, mismatches: null });
  }
  return chunks;
}

/** Drives a format's encoder like the engine does and returns the bytes (or the encoder's error). */
export async function encodeChunks(format: FormatDefinition, context: EncoderContext, chunks: Iterable<Chunk>): Promise<{ bytes: Uint8Array; emits: number }> {
  const parts: Uint8Array[] = [];
  const emit: Emit = (bytes) => parts.push(bytes);
  const encoder = await format.createEncoder(context);
  let last: RecordBatch | null = null;
  try {
    for (const chunk of chunks) {
      await encoder.encode(chunk, emit);
      last = chunk.batch;
    }
    await encoder.finish(emit, last?.schema ?? null);
  } catch (error) {
    encoder.abort?.(error);
    throw Object.assign(error as object, { emitted: parts.reduce((n, p) => n + p.length, 0) });
  }
  return { bytes: concat(parts), emits: parts.length };
}

export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function dataOf(values: unknown[], type: DataType): Data {
  return vectorFromArray(values as never[], type).data[0]!;
}

/** Data of a 64-bit type straight from bigints (the builders take milliseconds as numbers). */
function bigintData(values: Array<bigint | null>, type: DataType): Data {
  const n = values.length;
  const data = new BigInt64Array(n);
  const validity = new Uint8Array((n + 7) >> 3);
  let nulls = 0;
  values.forEach((value, i) => {
    if (value === null) nulls++;
    else {
      data[i] = value;
      validity[i >> 3]! |= 1 << (i & 7);
    }
  });
  return makeData({ type, length: n, nullCount: nulls, nullBitmap: validity, data } as never);
}

/** Rows of the sample batch, as JavaScript values. */
export const SAMPLE = {
  f64: [1.5, -0, null, 1e300, -2.25, 3],
  i32: [1, -2147483648, 2147483647, null, 0, 7],
  i64: [9007199254740993n, -9223372036854775808n, null, 9223372036854775807n, 0n, 42n],
  bool: [true, false, null, true, false, true],
  text: ['plain', 'ünïcødé 漢字 🚀', null, '', 'comma, "quote"\nnewline', 'x'],
  // Milliseconds since the epoch, including dates before 1970.
  ts: [0, -86_400_000 * 365 * 70 + 123, null, 1_700_000_000_123, -1, 253_402_300_799_999],
  date: [0, -25_000, null, 19_000, 1, -1],
  tsus: [0n, -1_000_001n, null, 1_700_000_000_123_456n, 1n, 2n],
  list: [[1, 2, 3], [], null, [null, 5], [6], [7, 8]],
  struct: [{ a: 1, b: 'x' }, { a: null, b: 'y' }, null, { a: 3, b: null }, { a: 4, b: 'ü' }, { a: 5, b: 'z' }],
};

/** The sample rows repeated `times` times (6 × times rows) with every type the binary encoders take, nulls in each column. */
export function sampleBatch(times = 1): RecordBatch {
  const rep = <T>(values: T[]): T[] => Array.from({ length: times }, () => values).flat();
  const n = 6 * times;
  const decimalWords = new Uint32Array(n * 4);
  const decimalValidity = new Uint8Array((n + 7) >> 3);
  rep(SAMPLE_DECIMALS).forEach((value, i) => {
    if (value === null) return;
    decimalValidity[i >> 3]! |= 1 << (i & 7);
    const big = BigInt.asUintN(128, value);
    for (let w = 0; w < 4; w++) decimalWords[i * 4 + w] = Number((big >> BigInt(32 * w)) & 0xffffffffn);
  });
  const listType = new List(new Field('item', new Int32(), true));
  const structType = new Struct([new Field('a', new Int32(), true), new Field('b', new Utf8(), true)]);
  const children: Record<string, Data> = {
    f64: dataOf(rep(SAMPLE.f64), new Float64()),
    i32: dataOf(rep(SAMPLE.i32), new Int32()),
    i64: dataOf(rep(SAMPLE.i64), new Int64()),
    bool: dataOf(rep(SAMPLE.bool), new Bool()),
    text: dataOf(rep(SAMPLE.text), new Utf8()),
    ts: dataOf(rep(SAMPLE.ts), new TimestampMillisecond('UTC')),
    date: dataOf(rep(SAMPLE.date).map((d) => (d === null ? null : d * 86_400_000)), new DateDay()),
    tsus: bigintData(rep(SAMPLE.tsus), new TimestampMicrosecond()),
    dec: makeData({ type: new Decimal(2, 10, 128), length: n, nullCount: times, nullBitmap: decimalValidity, data: decimalWords }),
    list: dataOf(rep(SAMPLE.list), listType),
    struct: dataOf(rep(SAMPLE.struct), structType),
    nothing: makeData({ type: new Null(), length: n }),
  };
  const fields = Object.entries(children).map(([name, data]) => new Field(name, data.type, true));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, nullCount: 0, children: Object.values(children) }));
}

/** Unscaled DECIMAL(10, 2) values of the sample rows: 123.45, -0.01, null, 99999999.99, 0, 1. */
export const SAMPLE_DECIMALS: Array<bigint | null> = [12345n, -1n, null, 9999999999n, 0n, 100n];

let duck: Promise<DuckDBConnection> | null = null;

/** A shared in-memory DuckDB connection. */
export function duckdb(): Promise<DuckDBConnection> {
  duck ??= DuckDBInstance.create(':memory:').then((db) => db.connect());
  return duck;
}

/** Writes bytes to a temporary file, runs `query(path)` in DuckDB and returns the rows as JS values. */
export async function queryFile(bytes: Uint8Array, extension: string, query: (path: string) => string): Promise<Record<string, unknown>[]> {
  const dir = mkdtempSync(join(tmpdir(), 'sluice-'));
  const path = join(dir, `data.${extension}`);
  try {
    writeFileSync(path, bytes);
    const con = await duckdb();
    const reader = await con.runAndReadAll(query(path));
    return reader.getRowObjectsJS() as Record<string, unknown>[];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Decompressors hyparquet lacks, from node:zlib (ZSTD and LZ4 have none on Node 20). */
// hyparquet reads snappy itself; gzip and brotli come from node:zlib, zstd and lz4 from hyparquet-compressors.
const compressors = {
  ...wasmCompressors,
  GZIP: (input: Uint8Array) => new Uint8Array(gunzipSync(input)),
  BROTLI: (input: Uint8Array) => new Uint8Array(brotliDecompressSync(input)),
};

/** Rows read back by hyparquet. */
export async function readWithHyparquet(bytes: Uint8Array): Promise<Record<string, unknown>[]> {
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  return (await parquetReadObjects({ file, compressors })) as Record<string, unknown>[];
}

/** The footer as hyparquet reads it. */
export function hyparquetMetadata(bytes: Uint8Array): ReturnType<typeof parquetMetadata> {
  return parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
}
