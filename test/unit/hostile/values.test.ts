/**
 * Hostile cell values through every text format and Parquet: each is either converted in a
 * documented way (with an issue where information is lost) or fails with a typed error — never a
 * crash, a hang or a polluted prototype. Outputs are read back by papaparse, JSON.parse and hyparquet.
 *
 * Cases the engine's own tests already cover for one format (circular values, throwing getters,
 * symbols/functions/invalid Dates in NDJSON, NaN in JSON) are covered here for the other formats.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ExportIssueCode } from '../../../src/types.js';
import { duckdb, tempFile } from '../../helpers/readers.js';
import { exportAll, FORMATS, prototypeSnapshot, readBack, type HostileFormat } from './helpers.js';

interface ValueCase {
  name: string;
  values: unknown[];
  /** What each format's reader gives back for the column, row by row. */
  read: Record<HostileFormat, unknown[]>;
  /** Issue codes each format reports (in order); default none. */
  issues?: Partial<Record<HostileFormat, ExportIssueCode[]>>;
  /** Formats tested apart, as known failures. */
  skip?: HostileFormat[];
}

const circular: Record<string, unknown> = { x: 1 };
circular.self = circular;
const circularArray: unknown[] = [1];
circularArray.push(circularArray);
const polluting = JSON.parse('{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}') as unknown;
const FFFD = '\ufffd';
// Parquet's nested builder reports misfits once per chunk, counting them in the message.
const PARQUET_CIRCULAR_ISSUES: ExportIssueCode[] = ['type_mismatch'];

const CASES: ValueCase[] = [
  {
    name: 'NaN, ±Infinity and -0 in a float column',
    values: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5],
    read: {
      csv: ['NaN', 'Infinity', '-Infinity', '0', '1.5'],
      ndjson: [null, null, null, 0, 1.5],
      json: [null, null, null, 0, 1.5],
      // Parquet doubles hold them all, -0 included.
      parquet: [Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -0, 1.5],
    },
    issues: { ndjson: ['non_finite_number', 'non_finite_number', 'non_finite_number'], json: ['non_finite_number', 'non_finite_number', 'non_finite_number'] },
  },
  {
    name: '-0 in an integer column',
    values: [-0, 1],
    read: { csv: ['0', '1'], ndjson: [0, 1], json: [0, 1], parquet: [0, 1] },
  },
  {
    name: 'an invalid Date among dates',
    values: [new Date(0), new Date(Number.NaN), new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))],
    read: {
      csv: ['1970-01-01T00:00:00.000Z', '', '2026-01-02T03:04:05.006Z'],
      ndjson: ['1970-01-01T00:00:00.000Z', null, '2026-01-02T03:04:05.006Z'],
      json: ['1970-01-01T00:00:00.000Z', null, '2026-01-02T03:04:05.006Z'],
      parquet: [new Date(0), null, new Date(Date.UTC(2026, 0, 2, 3, 4, 5, 6))],
    },
    issues: { csv: ['invalid_value'], ndjson: ['invalid_value'], json: ['invalid_value'], parquet: ['invalid_value'] },
  },
  {
    name: 'bigints beyond 64 bits in an inferred int64 column',
    values: [1n, 2n ** 70n, -(2n ** 64n), 2n ** 63n - 1n],
    read: {
      csv: ['1', '1180591620717411303424', '-18446744073709551616', '9223372036854775807'],
      // Beyond ±2^53 a JSON number would lose digits: written as a string.
      ndjson: [1, '1180591620717411303424', '-18446744073709551616', '9223372036854775807'],
      json: [1, '1180591620717411303424', '-18446744073709551616', '9223372036854775807'],
      parquet: [1n, null, null, 2n ** 63n - 1n],
    },
    issues: Object.fromEntries(FORMATS.map((f) => [f, ['type_mismatch', 'type_mismatch']])),
  },
  {
    name: 'symbols and functions as values',
    values: [Symbol('s'), () => 1, 'ok'],
    read: { csv: ['', '', 'ok'], ndjson: [null, null, 'ok'], json: [null, null, 'ok'], parquet: [null, null, 'ok'] },
    issues: Object.fromEntries(FORMATS.map((f) => [f, ['invalid_value', 'invalid_value']])),
  },
  {
    name: 'lone surrogates',
    values: ['a\ud800b', '\udc00', 'pair 😀 ok', 'end\ud83d'],
    read: Object.fromEntries(FORMATS.map((f) => [f, [`a${FFFD}b`, FFFD, 'pair 😀 ok', `end${FFFD}`]])) as ValueCase['read'],
  },
  {
    name: 'sparse arrays as nested values',
    // eslint-disable-next-line no-sparse-arrays
    values: [[1, , 3], [, 'x']],
    read: {
      csv: ['[1,null,3]', '[null,"x"]'],
      ndjson: [[1, null, 3], [null, 'x']],
      json: [[1, null, 3], [null, 'x']],
      // A list whose elements mix types keeps each element as JSON text; holes are nulls.
      parquet: [['1', null, '3'], [null, '"x"']],
    },
  },
  {
    name: 'circular nested values (object and array)',
    values: [circular, circularArray, { ok: true }],
    read: {
      csv: ['', '', '{"ok":true}'],
      ndjson: [null, null, { ok: true }],
      json: [null, null, { ok: true }],
      // A cycle gives the column no finite shape: Parquet keeps it as JSON text.
      parquet: [null, null, '{"ok":true}'],
    },
    issues: { csv: ['invalid_value', 'invalid_value'], ndjson: ['invalid_value', 'invalid_value'], json: ['invalid_value', 'invalid_value'], parquet: PARQUET_CIRCULAR_ISSUES },
  },
  {
    name: 'a nested value whose toJSON throws',
    values: [{ toJSON: () => { throw new Error('no JSON for you'); } }, { a: 1 }],
    read: { csv: ['', '{"a":1}'], ndjson: [null, { a: 1 }], json: [null, { a: 1 }], parquet: [null, { a: 1 }] },
    issues: { csv: ['invalid_value'], ndjson: ['invalid_value'], json: ['invalid_value'] },
    skip: ['parquet'],
  },
  {
    name: 'nested __proto__ and constructor keys (from JSON.parse)',
    values: [polluting],
    read: {
      csv: ['{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
      ndjson: [polluting],
      json: [polluting],
      // hyparquet drops a "__proto__" key when it builds objects; the file holds it (checked with DuckDB below).
      parquet: [{ constructor: { prototype: { polluted: true } } }],
    },
  },
];

describe('hostile values', () => {
  let before: ReturnType<typeof prototypeSnapshot>;
  beforeAll(() => {
    before = prototypeSnapshot();
  });
  afterAll(() => {
    expect(prototypeSnapshot()).toEqual(before);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  for (const testCase of CASES) {
    describe(testCase.name, () => {
      it.each(FORMATS.filter((f) => !testCase.skip?.includes(f)))('%s', async (format) => {
        const rows = testCase.values.map((v, i) => ({ i, v }));
        const { bytes, result } = await exportAll(rows, { format, csv: format === 'csv' ? { escapeFormulae: false } : undefined } as never);
        const back = await readBack(format, bytes);
        expect(back.map((row) => row.v)).toEqual(testCase.read[format]);
        expect(result.issues.map((issue) => issue.code)).toEqual(testCase.issues?.[format] ?? []);
        for (const issue of result.issues) {
          expect(issue.column).toBe('v');
          expect(typeof issue.row).toBe('number');
        }
      });
    });
  }

  it('parquet keeps a nested "__proto__" key as a struct field (read by DuckDB)', async () => {
    const { bytes } = await exportAll([{ v: polluting }], { format: 'parquet' });
    const file = tempFile(bytes, 'parquet');
    try {
      const db = await duckdb();
      const result = await db.runAndReadAll(`SELECT typeof(v) AS t, v.__proto__.polluted AS p FROM '${file.path}'`);
      expect(result.getRowObjectsJS()).toEqual([{ t: 'STRUCT(__proto__ STRUCT(polluted BOOLEAN), constructor STRUCT(prototype STRUCT(polluted BOOLEAN)))', p: true }]);
    } finally {
      file.cleanup();
    }
  });

  /*
   * Known failure: Parquet builds plain objects as structs from their own keys and ignores an own
   * `toJSON` (JSON.stringify, used by the text formats, calls it). An object whose toJSON throws is
   * then a struct with a "toJSON" field of nulls, not a null cell with an issue. Fix: treat a plain
   * object with a callable own `toJSON` as JSON text in schema/nested.ts (typeOfValue).
   */
  it('parquet honours an own toJSON like the text formats (a throwing one gives null)', async () => {
    const { bytes } = await exportAll([{ i: 0, v: { toJSON: () => { throw new Error('x'); } } }, { i: 1, v: { a: 1 } }], { format: 'parquet' });
    expect((await readBack('parquet', bytes)).map((row) => row.v)).toEqual([null, { a: 1 }]);
  });
});

/*
 * Known failures: values whose very inspection throws. The engine asks `value instanceof Date`
 * (a Proxy's getPrototypeOf trap) and `value.getTime()` outside any guard, so these fail the whole
 * export with code 'sink_failed' ("the export failed: …") — typed, but the wrong code, and one bad
 * cell loses the file. Expected: the cell is written as null with an 'invalid_value' issue, like a
 * throwing getter is. Fix: see the report (a guarded `isDate()` in schema/infer.ts and
 * schema/builder.ts, and try/catch around `getTime()` in toEpochMs).
 */
describe('values whose inspection throws (known failures)', () => {
  const revocable = Proxy.revocable({}, {});
  revocable.revoke();
  const trapThrows = new Proxy({}, { getPrototypeOf: () => { throw new Error('getPrototypeOf trap'); } });
  const badDate = new Date(0);
  Object.defineProperty(badDate, 'getTime', { value: () => { throw new Error('getTime'); } });

  const cases: Array<[string, unknown]> = [
    ['a revoked Proxy as a nested value', revocable.proxy],
    ['a Proxy whose getPrototypeOf trap throws', trapThrows],
    ['a Date whose getTime throws', badDate],
  ];
  for (const [name, value] of cases) {
    it.each(FORMATS)(`${name} → null with an issue (%s)`, async (format) => {
      const { bytes, result } = await exportAll([{ v: value }, { v: new Date(1) }], { format });
      const back = await readBack(format, bytes);
      expect(back).toHaveLength(2);
      expect(result.issues.map((issue) => issue.code)).toContain('invalid_value');
    });
  }
});

/*
 * The row builder joins a column's texts before encoding them, so a cell ending in a lone high
 * surrogate and the next cell starting with a lone low one could pair up into one 4-byte character
 * across the boundary and shift every later cell. A text ending with a high surrogate is made
 * well-formed before joining (schema/builder.ts buildText); each lone half is U+FFFD in its own cell.
 */
describe('lone surrogates split across adjacent cells', () => {
  it.each(FORMATS)('%s', async (format) => {
    const { bytes } = await exportAll([{ v: 'a\udbff' }, { v: '\udfffb' }, { v: 'c' }], { format });
    expect((await readBack(format, bytes)).map((row) => row.v)).toEqual([`a${FFFD}`, `${FFFD}b`, 'c']);
  });

  it('the halves in one cell, or in different chunks, are fine today', async () => {
    for (const format of FORMATS) {
      const { bytes } = await exportAll([{ v: 'a\udbff\udfffb' }, { v: 'a\udbff' }, { v: '\udfffb' }], { format, chunkSize: 1 });
      expect((await readBack(format, bytes)).map((row) => row.v)).toEqual(['a\u{10ffff}b', `a${FFFD}`, `${FFFD}b`]);
    }
  });
});
