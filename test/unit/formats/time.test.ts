/**
 * Timestamps and dates in the text formats are exact: every unit (s, ms, µs, ns), Date32 and Date64,
 * checked against BigInt arithmetic over random values spanning ±10,000 years (and beyond, to the
 * ends of int64), in CSV, TSV, JSON and NDJSON with `dateFormat` 'iso', 'date' and 'epoch'.
 *
 * The reference is independent of the writer: milliseconds by BigInt floor division, the text by
 * `Date#toISOString` where a Date can hold the instant and by BigInt calendar arithmetic beyond.
 */
import {
  DateDay,
  DateMillisecond,
  Field,
  RecordBatch,
  Schema,
  Struct,
  Table,
  TimestampMicrosecond,
  TimestampMillisecond,
  TimestampNanosecond,
  TimestampSecond,
  makeData,
  type DataType,
} from 'apache-arrow';
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { civilFromDays } from '../../../src/formats/bytes.js';
import { CellKind, epochMsAt, epochMsBigAt, TimeScale, type ColumnState } from '../../../src/formats/columns.js';
import type { DateFormat, ExportFormat } from '../../../src/types.js';
import { exportAll } from '../hostile/helpers.js';
import { RUNS } from '../property/arbitraries.js';

const MS_PER_YEAR = 31_556_952_000n; // 365.2425 days
const SPAN_MS = 10_000n * MS_PER_YEAR;

interface Unit {
  name: string;
  type: () => DataType;
  /** Stored units per millisecond, as a fraction num/den. */
  perMs: [bigint, bigint];
  scale: number;
}

const UNITS: Unit[] = [
  { name: 'Timestamp(s)', type: () => new TimestampSecond('UTC'), perMs: [1n, 1000n], scale: TimeScale.s },
  { name: 'Timestamp(ms)', type: () => new TimestampMillisecond('UTC'), perMs: [1n, 1n], scale: TimeScale.ms },
  { name: 'Timestamp(us)', type: () => new TimestampMicrosecond('UTC'), perMs: [1000n, 1n], scale: TimeScale.us },
  { name: 'Timestamp(ns)', type: () => new TimestampNanosecond('UTC'), perMs: [1_000_000n, 1n], scale: TimeScale.ns },
  { name: 'Date64', type: () => new DateMillisecond(), perMs: [1n, 1n], scale: TimeScale.ms },
];

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** Stored int64 values of a unit spanning ±10,000 years (or int64), biased to whole milliseconds and their neighbours. */
function storedValues(unit: Unit): fc.Arbitrary<bigint> {
  const [num, den] = unit.perMs;
  const clamp = (v: bigint): bigint => (v < INT64_MIN ? INT64_MIN : v > INT64_MAX ? INT64_MAX : v);
  // Nanoseconds reach only ±292 years: their span is all of int64.
  const lo = clamp((-SPAN_MS * num) / den);
  const hi = clamp((SPAN_MS * num) / den);
  return fc.oneof(
    fc.bigInt({ min: lo, max: hi }),
    // A whole millisecond, or one unit either side of it.
    fc.tuple(fc.bigInt({ min: -SPAN_MS, max: SPAN_MS }), fc.constantFrom(-1n, 0n, 1n)).map(([ms, step]) => clamp((ms * num) / den + step)),
    fc.constantFrom(0n, -1n, 1n, lo, hi),
  );
}

/** Milliseconds of a stored value, by BigInt: the reference. */
function referenceMs(unit: Unit, stored: bigint): bigint {
  const [num, den] = unit.perMs;
  return floorDiv(stored * den, num);
}

/** ISO text of epoch ms by BigInt calendar arithmetic (Date#toISOString where a Date can hold it). */
function referenceIso(ms: bigint, dateOnly: boolean): string {
  if (ms >= -8_640_000_000_000_000n && ms <= 8_640_000_000_000_000n) {
    const text = new Date(Number(ms)).toISOString();
    return dateOnly ? text.slice(0, text.indexOf('T')) : text;
  }
  const days = floorDiv(ms, 86_400_000n);
  const rest = Number(ms - days * 86_400_000n);
  // Days → civil date by counting 400-year eras (146,097 days) from 2000-03-01, independently of the writer.
  const fromEra = days - 11_017n; // days since 2000-03-01
  const era = floorDiv(fromEra, 146_097n);
  const inEra = Number(fromEra - era * 146_097n);
  const base = new Date(Date.UTC(2000, 2, 1) + inEra * 86_400_000);
  const year = Number(era * 400n) + base.getUTCFullYear();
  const sign = year < 0 ? '-' : '+';
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : sign + String(Math.abs(year)).padStart(6, '0');
  const date = `${yearText}-${String(base.getUTCMonth() + 1).padStart(2, '0')}-${String(base.getUTCDate()).padStart(2, '0')}`;
  if (dateOnly) return date;
  const time = new Date(rest).toISOString().slice(10);
  return date + time;
}

function batchOf(type: DataType, values: BigInt64Array | Int32Array): RecordBatch {
  const field = new Field('t', type, true);
  const child = makeData({ type, length: values.length, data: values } as never);
  return new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: values.length, children: [child] }));
}

/** Cells of the one column `t` as the reader gives them back. */
async function exportedCells(table: Table, format: ExportFormat, dateFormat: DateFormat): Promise<unknown[]> {
  const options = format === 'csv' || format === 'tsv' ? { csv: { dateFormat } } : { json: { dateFormat } };
  const { bytes } = await exportAll(table, { format, ...options, chunkSize: 7 });
  const text = new TextDecoder().decode(bytes);
  if (format === 'csv' || format === 'tsv') {
    const parsed = Papa.parse<string[]>(text.replace(/\r\n$/, ''), { delimiter: format === 'tsv' ? '\t' : ',', newline: '\r\n' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data[0]).toEqual(['t']);
    return parsed.data.slice(1).map((row) => row[0]);
  }
  const rows = format === 'json' ? (JSON.parse(text) as Array<{ t: unknown }>) : text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as { t: unknown });
  return rows.map((row) => row.t);
}

/** The cell a format should hold for epoch ms. */
function expectedCell(ms: bigint, format: ExportFormat, dateFormat: DateFormat): unknown {
  if (dateFormat === 'epoch') {
    if (format === 'csv' || format === 'tsv') return ms.toString();
    // json.bigint 'auto': beyond ±(2^53 − 1) a string, as for any 64-bit integer.
    return ms >= -9_007_199_254_740_991n && ms <= 9_007_199_254_740_991n ? Number(ms) : ms.toString();
  }
  return referenceIso(ms, dateFormat === 'date');
}

const TEXT_FORMATS: ExportFormat[] = ['csv', 'tsv', 'json', 'ndjson'];
const DATE_FORMATS: DateFormat[] = ['iso', 'date', 'epoch'];

describe('exact timestamps in text formats', () => {
  it('writes the two reported instants exactly', async () => {
    const ns = batchOf(new TimestampNanosecond('UTC'), new BigInt64Array([1710504896789000000n]));
    const us = batchOf(new TimestampMicrosecond('UTC'), new BigInt64Array([253402300799999999n]));
    expect(await exportedCells(new Table([ns]), 'csv', 'iso')).toEqual(['2024-03-15T12:14:56.789Z']);
    expect(await exportedCells(new Table([us]), 'csv', 'iso')).toEqual(['9999-12-31T23:59:59.999Z']);
    expect(await exportedCells(new Table([ns]), 'json', 'epoch')).toEqual([1710504896789]);
    expect(await exportedCells(new Table([us]), 'ndjson', 'epoch')).toEqual([253402300799999]);
  });

  it('filters compare Timestamp(ns) exactly at a millisecond boundary (as DuckDB does)', async () => {
    const at = 1710504896789000000n;
    const batch = batchOf(new TimestampNanosecond('UTC'), new BigInt64Array([at - 1n, at, at + 1n, -1n]));
    const kept = async (filter: string): Promise<unknown[]> => {
      const { bytes } = await exportAll(new Table([batch]), { format: 'ndjson', filter });
      return new TextDecoder().decode(bytes).split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { t: unknown }).t);
    };
    expect(await kept("t >= '2024-03-15T12:14:56.789Z'")).toEqual(['2024-03-15T12:14:56.789Z', '2024-03-15T12:14:56.789Z']);
    expect(await kept("t < '2024-03-15T12:14:56.789Z'")).toEqual(['2024-03-15T12:14:56.788Z', '1969-12-31T23:59:59.999Z']);
    expect(await kept("t < '1970-01-01'")).toEqual(['1969-12-31T23:59:59.999Z']);
  });

  it('floors toward −∞ before 1970 in every unit', async () => {
    // One unit before the epoch is in the millisecond before it.
    for (const unit of UNITS.filter((u) => u.perMs[0] > 1n)) {
      const batch = batchOf(unit.type(), new BigInt64Array([-1n, -999n]));
      expect(await exportedCells(new Table([batch]), 'csv', 'iso')).toEqual(['1969-12-31T23:59:59.999Z', '1969-12-31T23:59:59.999Z']);
    }
  });

  it('writes years beyond 9999 and before 0 in the expanded form, to the ends of int64', async () => {
    const cases: Array<[Unit, bigint]> = [
      [UNITS[0]!, INT64_MAX],
      [UNITS[0]!, INT64_MIN],
      [UNITS[1]!, INT64_MAX],
      [UNITS[1]!, INT64_MIN],
      [UNITS[2]!, INT64_MAX],
      [UNITS[2]!, INT64_MIN],
      [UNITS[3]!, INT64_MAX],
      [UNITS[3]!, INT64_MIN],
      [UNITS[1]!, 253402300800000n], // 10000-01-01
      [UNITS[1]!, -62167219200001n], // -000001-12-31T23:59:59.999Z
      [UNITS[1]!, 9_007_199_254_740_991n],
      [UNITS[1]!, 9_007_199_254_740_992n],
      [UNITS[1]!, -9_007_199_254_740_992n],
    ];
    for (const [unit, stored] of cases) {
      const table = new Table([batchOf(unit.type(), new BigInt64Array([stored]))]);
      const ms = referenceMs(unit, stored);
      for (const format of TEXT_FORMATS) {
        for (const dateFormat of DATE_FORMATS) {
          expect(await exportedCells(table, format, dateFormat), `${unit.name} ${stored} ${format} ${dateFormat}`).toEqual([expectedCell(ms, format, dateFormat)]);
        }
      }
    }
    expect(referenceIso(253402300800000n, false)).toBe('+010000-01-01T00:00:00.000Z');
  });

  it('epochMsAt agrees with BigInt floor division for every unit (random int64 values)', () => {
    const state = (scale: number, values: Int32Array): ColumnState => ({
      kind: CellKind.timestamp,
      header: 't',
      values,
      offsets: null,
      validity: null,
      bitOffset: 0,
      scale,
      unsigned: false,
      vector: null,
      mismatches: null,
      words: null,
      keys: null,
    });
    for (const unit of UNITS) {
      fc.assert(
        fc.property(fc.array(fc.oneof(storedValues(unit), fc.bigInt({ min: INT64_MIN, max: INT64_MAX })), { minLength: 1, maxLength: 64 }), (stored) => {
          const halves = new Int32Array(new BigInt64Array(stored).buffer);
          const s = state(unit.scale, halves);
          stored.forEach((value, i) => {
            const expected = referenceMs(unit, value);
            const fast = epochMsAt(s, i);
            if (expected >= -9_007_199_254_740_991n && expected <= 9_007_199_254_740_991n) expect(fast).toBe(Number(expected));
            else expect(fast).toBeNaN();
            expect(epochMsBigAt(s, i)).toBe(expected);
          });
        }),
        { numRuns: RUNS },
      );
    }
    // Date32: days beyond what a safe integer of ms holds go the BigInt way too.
    const days = new Int32Array([0, -1, 104249991, 104249992, -104249992, 2147483647, -2147483648]);
    const dayState = { ...state(TimeScale.ms, days), kind: CellKind.dateDay };
    days.forEach((day, i) => {
      const expected = BigInt(day) * 86_400_000n;
      if (Math.abs(day) <= 104249991) expect(epochMsAt(dayState, i)).toBe(Number(expected));
      else expect(epochMsAt(dayState, i)).toBeNaN();
      expect(epochMsBigAt(dayState, i)).toBe(expected);
    });
  });

  it('civilFromDays agrees with Date over ±10,000 years', () => {
    fc.assert(
      fc.property(fc.integer({ min: -3_652_425 - 719_528, max: 3_652_425 }), (days) => {
        const date = new Date(days * 86_400_000);
        expect(civilFromDays(days)).toEqual({ year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() });
      }),
      { numRuns: RUNS * 10 },
    );
  });

  for (const unit of UNITS) {
    it(`${unit.name}: every text format and date format matches BigInt arithmetic over ±10,000 years`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(fc.option(storedValues(unit), { nil: null, freq: 8 }), { minLength: 1, maxLength: 40 }), async (stored) => {
          const values = new BigInt64Array(stored.map((v) => v ?? 0n));
          const type = unit.type();
          const field = new Field('t', type, true);
          const bitmap = new Uint8Array((stored.length + 7) >> 3);
          stored.forEach((v, i) => {
            if (v !== null) bitmap[i >> 3]! |= 1 << (i & 7);
          });
          const nullCount = stored.filter((v) => v === null).length;
          const child = makeData({ type, length: stored.length, nullCount, nullBitmap: bitmap, data: values } as never);
          const batch = new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: stored.length, children: [child] }));
          const table = new Table([batch]);
          const format = TEXT_FORMATS[stored.length % TEXT_FORMATS.length]!;
          for (const dateFormat of DATE_FORMATS) {
            const cells = await exportedCells(table, format, dateFormat);
            const nullCell = format === 'csv' || format === 'tsv' ? '' : null;
            expect(cells).toEqual(stored.map((v) => (v === null ? nullCell : expectedCell(referenceMs(unit, v), format, dateFormat))));
          }
        }),
        { numRuns: Math.max(50, Math.floor(RUNS / 5)) },
      );
    });
  }

  it('Date32: every text format and date format matches BigInt arithmetic over ±10,000 years', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.integer({ min: -4_371_953, max: 2_932_896 }), { minLength: 1, maxLength: 40 }), async (days) => {
        const table = new Table([batchOf(new DateDay(), new Int32Array(days))]);
        const format = TEXT_FORMATS[days.length % TEXT_FORMATS.length]!;
        for (const dateFormat of DATE_FORMATS) {
          expect(await exportedCells(table, format, dateFormat)).toEqual(days.map((d) => expectedCell(BigInt(d) * 86_400_000n, format, dateFormat)));
        }
      }),
      { numRuns: Math.max(50, Math.floor(RUNS / 5)) },
    );
  });
});
