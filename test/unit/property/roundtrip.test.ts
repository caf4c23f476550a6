/**
 * Fuzz round trips: random small tables — from rows, and from Arrow tables with typed columns (every
 * timestamp unit, Date32/Date64, Decimal128, Dictionary, Int64/Uint64) — written to every format and
 * read back by independent readers, with 0 differences from a reference model of what each format
 * holds:
 *
 * - CSV/TSV: DuckDB (null apart from '') and papaparse;
 * - JSON/NDJSON: JSON.parse;
 * - Parquet: Polars, DuckDB and hyparquet;
 * - Arrow IPC: Polars (no code shared with apache-arrow, which wrote it).
 *
 * Runs: SLUICE_PROPERTY_RUNS (default 1,000) cases per format. fast-check prints the seed on failure.
 */
import {
  DateDay,
  DateMillisecond,
  Decimal,
  Dictionary,
  Field,
  Float64,
  Int32,
  Int64,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  Uint64,
  Utf8,
  Bool,
  makeData,
  makeVector,
  type DataType,
} from 'apache-arrow';
import fc from 'fast-check';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { afterAll, describe, expect, it } from 'vitest';
import type { ExportFormat } from '../../../src/types.js';
import { duckdb, polarsRead, tempFile } from '../../helpers/readers.js';
import { exportAll } from '../hostile/helpers.js';
import { RUNS, text, wellFormed } from './arbitraries.js';

// ───────────────────────────── the model ─────────────────────────────

const ROW_TYPES = ['int32', 'float64', 'utf8', 'bool', 'date', 'bigint'] as const;
const ARROW_TYPES = ['int32', 'float64', 'utf8', 'bool', 'ts_s', 'ts_ms', 'ts_us', 'ts_ns', 'date32', 'date64', 'decimal', 'dict', 'int64', 'uint64'] as const;
type ColumnTypeName = (typeof ROW_TYPES)[number] | (typeof ARROW_TYPES)[number];

interface ColumnSpec {
  type: ColumnTypeName;
  /** Decimal only. */
  precision: number;
  scale: number;
  /** Values as the source holds them: numbers, strings, booleans, bigint (int64, temporal counts, scaled decimals), null. */
  values: unknown[];
}

interface Case {
  mode: 'rows' | 'arrow';
  columns: ColumnSpec[];
  rows: number;
  chunkSize: number;
}

const MS_PER_YEAR = 31_556_952_000n;
const SPAN_MS = 10_000n * MS_PER_YEAR;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const clamp64 = (v: bigint): bigint => (v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : v);
/** Nanoseconds per stored unit. */
const UNIT_NS: Record<string, bigint> = { ts_s: 1_000_000_000n, ts_ms: 1_000_000n, ts_us: 1000n, ts_ns: 1n, date64: 1_000_000n, date: 1_000_000n };
const DAY_NS = 86_400_000_000_000n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Stored counts of a unit over ±10,000 years (int64 for nanoseconds). */
function temporal(unitNs: bigint): fc.Arbitrary<bigint> {
  const span = (SPAN_MS * 1_000_000n) / unitNs;
  return fc.oneof(fc.bigInt({ min: clamp64(-span), max: clamp64(span) }), fc.constantFrom(0n, -1n, 1n));
}

const float = fc.oneof(fc.double(), fc.integer({ min: -1000, max: 1000 }).map((n) => n / 8), fc.constantFrom(0, -0, 0.1, 1e21, -1e-7, Number.MAX_VALUE));

function valueArbitrary(type: ColumnTypeName, precision: number, mode: Case['mode']): fc.Arbitrary<unknown> {
  switch (type) {
    case 'int32':
      return fc.integer({ min: -2147483648, max: 2147483647 });
    case 'float64':
      // Rows: finite numbers (a NaN among integers is a mismatch by design); Arrow: any double.
      return mode === 'rows' ? float.filter((x) => Number.isFinite(x)) : float;
    case 'utf8':
    case 'dict':
      return text;
    case 'bool':
      return fc.boolean();
    case 'date':
      return temporal(1_000_000n).map((ms) => Number(ms));
    case 'bigint':
    case 'int64':
      return fc.oneof(fc.bigInt({ min: INT64_MIN, max: INT64_MAX }), fc.bigInt({ min: -100n, max: 100n }));
    case 'uint64':
      return fc.oneof(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), fc.bigInt({ min: 0n, max: 100n }));
    case 'ts_s':
    case 'ts_ms':
    case 'ts_us':
    case 'ts_ns':
      return temporal(UNIT_NS[type]!);
    case 'date32':
      return fc.integer({ min: -4_371_953, max: 2_932_896 });
    case 'date64':
      return fc.integer({ min: -4_371_953, max: 2_932_896 }).map((days) => BigInt(days) * 86_400_000n);
    case 'decimal': {
      const limit = 10n ** BigInt(precision) - 1n;
      return fc.oneof(fc.bigInt({ min: -limit, max: limit }), fc.bigInt({ min: -limit, max: limit }).map((v) => (v < 100n && v > -100n ? v : v % 100n)));
    }
  }
}

const caseArbitrary: fc.Arbitrary<Case> = fc
  .record({
    mode: fc.constantFrom('rows', 'arrow', 'arrow') as fc.Arbitrary<Case['mode']>,
    width: fc.integer({ min: 1, max: 4 }),
    // At least one row: what an export of no rows writes is tested apart (test/unit/engine).
    rows: fc.integer({ min: 1, max: 8 }),
    chunkSize: fc.constantFrom(1, 3, 10_000),
  })
  .chain(({ mode, width, rows, chunkSize }) =>
    fc
      .array(
        fc
          .record({
            type: fc.constantFrom(...((mode === 'rows' ? ROW_TYPES : ARROW_TYPES) as readonly ColumnTypeName[])),
            precision: fc.integer({ min: 1, max: 38 }),
          })
          .chain(({ type, precision }) =>
            fc.record({
              type: fc.constant(type),
              precision: fc.constant(precision),
              scale: fc.integer({ min: 0, max: precision }),
              values: fc.array(fc.option(valueArbitrary(type, precision, mode), { nil: null, freq: 5 }), { minLength: rows, maxLength: rows }),
            }),
          ),
        { minLength: width, maxLength: width },
      )
      .map((columns) => ({ mode, columns, rows, chunkSize })),
  );

const names = (c: Case): string[] => c.columns.map((_, i) => `c${i}`);

// ───────────────────────────── building the source ─────────────────────────────

function source(c: Case): unknown {
  if (c.mode === 'rows') {
    return Array.from({ length: c.rows }, (_, r) =>
      Object.fromEntries(
        c.columns.map((column, i) => {
          const value = column.values[r];
          return [`c${i}`, value === null ? null : column.type === 'date' ? new Date(value as number) : value];
        }),
      ),
    );
  }
  const fields: Field[] = [];
  const children = c.columns.map((column, i) => {
    const type = arrowType(column);
    fields.push(new Field(`c${i}`, type, true));
    return arrowData(column, type, c.rows);
  });
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: c.rows, children }))]);
}

function arrowType(column: ColumnSpec): DataType {
  switch (column.type) {
    case 'int32':
      return new Int32();
    case 'float64':
      return new Float64();
    case 'utf8':
      return new Utf8();
    case 'bool':
      return new Bool();
    case 'ts_s':
      return new TimestampSecond('UTC');
    case 'ts_ms':
      return new TimestampMillisecond('UTC');
    case 'ts_us':
      return new TimestampMicrosecond('UTC');
    case 'ts_ns':
      return new TimestampNanosecond('UTC');
    case 'date32':
      return new DateDay();
    case 'date64':
      return new DateMillisecond();
    case 'decimal':
      return new Decimal(column.scale, column.precision, 128);
    case 'dict':
      return new Dictionary(new Utf8(), new Int32());
    case 'int64':
      return new Int64();
    case 'uint64':
      return new Uint64();
    default:
      throw new Error(`no Arrow type for ${column.type}`);
  }
}

const encoder = new TextEncoder();

function utf8Data(texts: string[]) {
  const chunks = texts.map((t) => encoder.encode(t));
  const offsets = new Int32Array(texts.length + 1);
  chunks.forEach((chunk, i) => (offsets[i + 1] = offsets[i]! + chunk.length));
  const data = new Uint8Array(offsets[texts.length]!);
  chunks.forEach((chunk, i) => data.set(chunk, offsets[i]!));
  return { offsets, data };
}

function arrowData(column: ColumnSpec, type: DataType, length: number) {
  const values = column.values;
  const nullBitmap = new Uint8Array((length + 7) >> 3);
  values.forEach((v, i) => {
    if (v !== null) nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  const nullCount = values.filter((v) => v === null).length;
  const base = { type, length, nullCount, nullBitmap } as Record<string, unknown>;
  switch (column.type) {
    case 'int32':
      return makeData({ ...base, data: Int32Array.from(values, (v) => (v ?? 0) as number) } as never);
    case 'float64':
      return makeData({ ...base, data: Float64Array.from(values, (v) => (v ?? 0) as number) } as never);
    case 'utf8': {
      const { offsets, data } = utf8Data(values.map((v) => (v ?? '') as string));
      return makeData({ ...base, valueOffsets: offsets, data } as never);
    }
    case 'bool': {
      const data = new Uint8Array((length + 7) >> 3);
      values.forEach((v, i) => {
        if (v === true) data[i >> 3]! |= 1 << (i & 7);
      });
      return makeData({ ...base, data } as never);
    }
    case 'date32':
      return makeData({ ...base, data: Int32Array.from(values, (v) => (v ?? 0) as number) } as never);
    case 'decimal': {
      const words = new Uint32Array(length * 4);
      values.forEach((v, i) => {
        let u = BigInt.asUintN(128, (v ?? 0n) as bigint);
        for (let w = 0; w < 4; w++) {
          words[i * 4 + w] = Number(u & 0xffffffffn);
          u >>= 32n;
        }
      });
      return makeData({ ...base, data: words } as never);
    }
    case 'dict': {
      // A dictionary of the distinct texts, indexed by the rows.
      const distinct = [...new Set(values.filter((v): v is string => v !== null))];
      const { offsets, data } = utf8Data(distinct);
      const dictionary = makeData({ type: new Utf8(), length: distinct.length, nullCount: 0, valueOffsets: offsets, data });
      return makeData({ ...base, data: Int32Array.from(values, (v) => (v === null ? 0 : distinct.indexOf(v as string))), dictionary: makeVector(dictionary) } as never);
    }
    case 'uint64':
      return makeData({ ...base, data: BigUint64Array.from(values, (v) => (v ?? 0n) as bigint) } as never);
    default:
      // Int64 and every 64-bit temporal type.
      return makeData({ ...base, data: BigInt64Array.from(values, (v) => (v ?? 0n) as bigint) } as never);
  }
}

// ───────────────────────────── what each format holds ─────────────────────────────

/** Epoch ns of a temporal value, or null for a type that is not temporal. */
function epochNs(column: ColumnSpec, value: unknown): bigint | null {
  switch (column.type) {
    case 'date':
      return BigInt(value as number) * 1_000_000n;
    case 'date32':
      return BigInt(value as number) * DAY_NS;
    case 'ts_s':
    case 'ts_ms':
    case 'ts_us':
    case 'ts_ns':
    case 'date64':
      return (value as bigint) * UNIT_NS[column.type]!;
    default:
      return null;
  }
}

/** ISO text (milliseconds, floored) of epoch ns, by BigInt calendar arithmetic and Date. */
function isoOf(ns: bigint): string {
  const ms = floorDiv(ns, 1_000_000n);
  return new Date(Number(ms)).toISOString();
}

function decimalText(value: bigint, scale: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(scale + 1, '0');
  const body = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${body}` : body;
}

/** A decimal reader's text or number as the scaled integer, whatever its formatting. */
function scaled(value: unknown, scale: number): bigint {
  const textValue = typeof value === 'number' ? value.toFixed(scale) : String(value);
  const m = /^(-?)(\d*)(?:\.(\d*))?$/.exec(textValue.trim());
  if (m === null) throw new Error(`not a decimal: ${textValue}`);
  const fraction = (m[3] ?? '').padEnd(scale, '0');
  if (fraction.length > scale && /[^0]/.test(fraction.slice(scale))) throw new Error(`more decimals than the scale: ${textValue}`);
  const magnitude = BigInt((m[2] || '0') + fraction.slice(0, scale));
  return m[1] === '-' ? -magnitude : magnitude;
}

/** In rows mode a number column is Int32 when every value is an integer within ±2^31. */
function rowsInt32(column: ColumnSpec): boolean {
  return column.values.every((v) => v === null || (Number.isInteger(v) && (v as number) >= -2147483648 && (v as number) <= 2147483647));
}

/** The text of a CSV cell (null → null). */
function csvCell(column: ColumnSpec, value: unknown): string | null {
  if (value === null) return null;
  const ns = epochNs(column, value);
  if (ns !== null) return isoOf(ns);
  switch (column.type) {
    case 'int32':
    case 'float64':
      return Object.is(value, -0) ? '0' : String(value);
    case 'utf8':
    case 'dict':
      return wellFormed(value as string);
    case 'decimal':
      return decimalText(value as bigint, column.scale);
    default:
      return String(value);
  }
}

/** The value JSON.parse gives back. */
function jsonValue(column: ColumnSpec, value: unknown): unknown {
  if (value === null) return null;
  const ns = epochNs(column, value);
  if (ns !== null) return isoOf(ns);
  switch (column.type) {
    case 'int32':
    case 'float64':
      return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : null;
    case 'utf8':
    case 'dict':
      return wellFormed(value as string);
    case 'decimal':
      return Number(decimalText(value as bigint, column.scale));
    case 'bigint':
    case 'int64':
    case 'uint64': {
      const big = value as bigint;
      return big <= 9007199254740991n && big >= -9007199254740991n ? Number(big) : big.toString();
    }
    default:
      return value;
  }
}

/**
 * A binary format's value, normalized: numbers (−0 and NaN kept), text, booleans, and bigint for
 * 64-bit integers, scaled decimals and instants (epoch ns).
 */
function binaryValue(c: Case, column: ColumnSpec, value: unknown): unknown {
  if (value === null) return null;
  const ns = epochNs(column, value);
  if (ns !== null) return ns;
  switch (column.type) {
    case 'float64':
      return c.mode === 'rows' && rowsInt32(column) && Object.is(value, -0) ? 0 : value;
    case 'utf8':
    case 'dict':
      return wellFormed(value as string);
    default:
      return value;
  }
}

/** Normalizes a Polars value of a column to binaryValue's form. */
function fromPolars(column: ColumnSpec, dtype: string, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  const datetime = /^Datetime\((\w+)/.exec(dtype);
  if (datetime !== null) return BigInt(value as string) * ({ ns: 1n, us: 1000n, ms: 1_000_000n } as Record<string, bigint>)[datetime[1]!]!;
  if (dtype === 'Date') return BigInt(value as number) * DAY_NS;
  if (dtype.startsWith('Decimal')) return scaled(value, column.scale);
  if (dtype === 'Int64' || dtype === 'UInt64') return BigInt(value as string);
  if (column.type === 'decimal') return scaled(value, column.scale);
  return value;
}

const expectedBinary = (c: Case): unknown[][] => c.columns.map((column) => column.values.map((v) => binaryValue(c, column, v)));

// ───────────────────────────── reading back ─────────────────────────────

const sql = (t: string): string => `'${t.replaceAll("'", "''")}'`;

async function checkCsv(c: Case, bytes: Uint8Array, tab: boolean): Promise<void> {
  const delimiter = tab ? '\t' : ',';
  const output = new TextDecoder().decode(bytes);
  const expected = Array.from({ length: c.rows }, (_, r) => c.columns.map((column) => csvCell(column, column.values[r])));
  // papaparse: null and '' are both ''.
  const body = output.endsWith('\r\n') ? output.slice(0, -2) : output;
  const parsed = Papa.parse<string[]>(body, { delimiter, newline: '\r\n' });
  expect(parsed.errors).toEqual([]);
  expect(parsed.data).toEqual([names(c), ...expected.map((row) => row.map((cell) => cell ?? ''))]);
  // DuckDB: every column as text, null apart from ''. It drops a U+FEFF starting a field.
  const file = tempFile(bytes, 'csv');
  try {
    const columns = `{${names(c).map((n) => `${sql(n)}: 'VARCHAR'`).join(', ')}}`;
    const result = await (await duckdb()).runAndReadAll(
      `SELECT * FROM read_csv(${sql(file.path)}, header=true, delim=${sql(delimiter)}, quote='"', escape='"', comment='', strict_mode=true, allow_quoted_nulls=false, nullstr='', auto_detect=false, columns=${columns})`,
    );
    const rows = result.getRows().map((row) => row.map((v) => (v === null ? null : String(v))));
    expect(rows).toEqual(expected.map((row) => row.map((cell) => (cell === null ? null : cell.replace(/^\ufeff/, '')))));
  } finally {
    file.cleanup();
  }
}

function checkJson(c: Case, bytes: Uint8Array, lines: boolean): void {
  const output = new TextDecoder().decode(bytes);
  const rows = lines ? output.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>) : (JSON.parse(output) as Array<Record<string, unknown>>);
  const expected = Array.from({ length: c.rows }, (_, r) => Object.fromEntries(c.columns.map((column, i) => [`c${i}`, jsonValue(column, column.values[r])])));
  expect(rows).toEqual(expected);
}

async function checkPolars(c: Case, bytes: Uint8Array, format: 'parquet' | 'arrow'): Promise<void> {
  const columns = await polarsRead(bytes, format);
  expect(columns.map((column) => column.name)).toEqual(names(c));
  expect(columns.map((column, i) => column.values.map((v) => fromPolars(c.columns[i]!, column.dtype, v)))).toEqual(expectedBinary(c));
}

/** DuckDB's SQL for a column, giving text or numbers that normalize exactly. */
function duckdbColumn(c: Case, column: ColumnSpec, name: string): string {
  const col = `"${name}"`;
  // A rows column with no value is written as nullable text.
  if (c.mode === 'rows' && column.values.every((v) => v === null)) return col;
  switch (column.type) {
    case 'ts_ns':
    case 'ts_s':
    case 'ts_ms':
    case 'ts_us':
    case 'date64':
    case 'date':
      return `epoch_us(${col})::VARCHAR`;
    case 'date32':
      return `(${col} - DATE '1970-01-01')::VARCHAR`;
    case 'decimal':
    case 'dict':
    case 'bigint':
    case 'int64':
    case 'uint64':
      return `${col}::VARCHAR`;
    default:
      return col;
  }
}

function fromDuckdb(column: ColumnSpec, value: unknown): unknown {
  if (value === null) return null;
  switch (column.type) {
    case 'ts_ns':
    case 'ts_s':
    case 'ts_ms':
    case 'ts_us':
    case 'date64':
    case 'date':
      return BigInt(value as string) * 1000n;
    case 'date32':
      return BigInt(value as string) * DAY_NS;
    case 'decimal':
      return scaled(value, column.scale);
    case 'bigint':
    case 'int64':
    case 'uint64':
      return BigInt(value as string);
    default:
      return value;
  }
}

async function checkParquet(c: Case, bytes: Uint8Array): Promise<void> {
  await checkPolars(c, bytes, 'parquet');
  const expected = expectedBinary(c);
  // DuckDB (its JavaScript values lose the sign of −0).
  const file = tempFile(bytes, 'parquet');
  try {
    const select = c.columns.map((column, i) => `${duckdbColumn(c, column, `c${i}`)} AS "c${i}"`).join(', ');
    const result = await (await duckdb()).runAndReadAll(`SELECT ${select} FROM read_parquet(${sql(file.path)})`);
    const rows = result.getRows();
    const byColumn = c.columns.map((column, i) => rows.map((row) => fromDuckdb(column, row[i])));
    // It also drops a U+FEFF that starts a text (Polars reads it: the file holds it).
    const zeroless = (values: unknown[][]): unknown[][] => values.map((col) => col.map((v) => (Object.is(v, -0) ? 0 : typeof v === 'string' ? v.replace(/^\ufeff+/, '') : v)));
    // DuckDB reads TIMESTAMP(NANOS, UTC) as TIMESTAMPTZ, whose unit is the microsecond: it truncates
    // (toward zero) the nanoseconds that the file holds and Polars reads.
    // ±(2^63 − 1) ns are its ±infinity, which epoch_us gives as null.
    const toMicros = expected.map((col, i) =>
      c.columns[i]!.type === 'ts_ns' ? col.map((v) => (v === null || v === INT64_MAX || v === -INT64_MAX ? null : ((v as bigint) / 1000n) * 1000n)) : col,
    );
    expect(zeroless(byColumn)).toEqual(zeroless(toMicros));
  } finally {
    file.cleanup();
  }
  // hyparquet: instants as Dates (milliseconds; its own rounding of finer units), decimals as doubles.
  const file2 = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  // hyparquet decodes text with a TextDecoder that drops a leading U+FEFF (the file holds it).
  const objects = (await parquetReadObjects({ file: file2 })) as Array<Record<string, unknown>>;
  expect(objects).toHaveLength(c.rows);
  c.columns.forEach((column, i) => {
    const got = objects.map((row) => row[`c${i}`] ?? null);
    const want = expected[i]!;
    got.forEach((value, r) => {
      const w = want[r];
      if (w === null || value === null) {
        expect(value, `hyparquet c${i} row ${r}`).toBe(w);
      } else if (epochNs(column, column.values[r]) !== null) {
        const ms = value instanceof Date ? value.getTime() : Number(value);
        expect(Math.abs(ms - Number(floorDiv(w as bigint, 1_000_000n))), `hyparquet c${i} row ${r}`).toBeLessThanOrEqual(1);
      } else if (column.type === 'decimal') {
        // hyparquet computes a double with its own arithmetic (7e-23 as 7.000000000000001e-23).
        const want2 = Number(decimalText(w as bigint, column.scale));
        expect(Math.abs((value as number) - want2), `hyparquet c${i} row ${r}`).toBeLessThanOrEqual(Math.abs(want2) * 1e-15);
      } else if (typeof w === 'string') {
        expect(value, `hyparquet c${i} row ${r}`).toBe(w.replace(/^\ufeff/, ''));
      } else {
        expect(value, `hyparquet c${i} row ${r}`).toEqual(w);
      }
    });
  });
}

// ───────────────────────────── the properties ─────────────────────────────

const FORMATS: ExportFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow'];
const timings: string[] = [];
/** SLUICE_PROPERTY_SEED replays a run that fast-check reported. */
const SEED = process.env['SLUICE_PROPERTY_SEED'] ? Number(process.env['SLUICE_PROPERTY_SEED']) : undefined;

describe('fuzz round trips through independent readers', () => {
  afterAll(() => console.info(timings.join('\n')));

  for (const format of FORMATS) {
    it(`${format}: ${RUNS} random tables (rows and Arrow-typed columns) read back with 0 differences`, async () => {
      const started = performance.now();
      await fc.assert(
        fc.asyncProperty(caseArbitrary, async (c) => {
          const options = format === 'arrow' ? { arrow: { ipc: c.rows % 2 === 0 ? ('stream' as const) : ('file' as const) } } : format === 'csv' || format === 'tsv' ? { csv: { escapeFormulae: false } } : {};
          const { bytes } = await exportAll(source(c), { format, chunkSize: c.chunkSize, ...options });
          switch (format) {
            case 'csv':
            case 'tsv':
              return checkCsv(c, bytes, format === 'tsv');
            case 'json':
            case 'ndjson':
              return checkJson(c, bytes, format === 'ndjson');
            case 'parquet':
              return checkParquet(c, bytes);
            default:
              return checkPolars(c, bytes, 'arrow');
          }
        }),
        { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) },
      );
      timings.push(`${format}: ${RUNS} round trips in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    }, 600_000);
  }
});
