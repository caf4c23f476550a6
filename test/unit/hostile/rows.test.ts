/**
 * Hostile rows: prototype keys, Proxies (with traps that throw), getters, missing, extra and
 * symbol keys, sparse array rows. Through CSV, NDJSON, JSON and Parquet, read back independently.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportAll, FORMATS, prototypeSnapshot, readBack } from './helpers.js';

let before: ReturnType<typeof prototypeSnapshot>;
beforeAll(() => {
  before = prototypeSnapshot();
});
afterAll(() => {
  expect(prototypeSnapshot()).toEqual(before);
  expect(({} as Record<string, unknown>).polluted).toBeUndefined();
});

/** CSV cells come back as text; the other formats keep numbers. */
const cell = (format: string, value: number | string | null): unknown => (format === 'csv' ? (value === null ? '' : String(value)) : value);

describe('prototype keys are data', () => {
  it.each(FORMATS)('__proto__, constructor, prototype, toString and hasOwnProperty keys (%s)', async (format) => {
    const row = JSON.parse('{"__proto__":"p","constructor":"c","prototype":"q","toString":"t","hasOwnProperty":"h","polluted":"x"}') as Record<string, unknown>;
    const plain = { constructor: 'c2' };
    const { bytes } = await exportAll([row, plain], { format });
    const back = await readBack(format, bytes);
    const keys = ['__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'polluted'];
    if (format === 'parquet') {
      // hyparquet drops a "__proto__" key when it builds row objects; the other five must be there.
      expect(back[0]).toMatchObject({ constructor: 'c', prototype: 'q', toString: 't', hasOwnProperty: 'h', polluted: 'x' });
      // The plain row's inherited constructor (Object) is not read as its value.
      expect(back[1]).toMatchObject({ constructor: 'c2', prototype: null, toString: null });
    } else {
      expect(Object.keys(back[0]!)).toEqual(keys);
      expect(Object.values(back[0]!)).toEqual(['p', 'c', 'q', 't', 'h', 'x']);
      expect(Object.values(back[1]!)).toEqual(['', 'c2', '', '', '', ''].map((v) => (format === 'csv' ? v : v === '' ? null : v)));
    }
  });

  it.each(FORMATS)('rows made with Object.create(null) (%s)', async (format) => {
    const row = Object.assign(Object.create(null) as Record<string, unknown>, { a: 1, valueOf: 'v' });
    const { bytes } = await exportAll([row], { format });
    expect(await readBack(format, bytes)).toEqual([{ a: cell(format, 1), valueOf: 'v' }]);
  });
});

describe('missing, extra and symbol keys', () => {
  it.each(FORMATS)('a key missing from some rows is null there (%s)', async (format) => {
    const { bytes } = await exportAll([{ a: 1, b: 2 }, { a: 3 }, { b: 4 }], { format });
    expect(await readBack(format, bytes)).toEqual([
      { a: cell(format, 1), b: cell(format, 2) },
      { a: cell(format, 3), b: cell(format, null) },
      { a: cell(format, null), b: cell(format, 4) },
    ]);
  });

  it.each(FORMATS)('a key first seen later in the first chunk becomes a column (%s)', async (format) => {
    const { bytes } = await exportAll([{ a: 1 }, { a: 2, b: 3 }], { format });
    expect(await readBack(format, bytes)).toEqual([
      { a: cell(format, 1), b: cell(format, null) },
      { a: cell(format, 2), b: cell(format, 3) },
    ]);
  });

  /*
   * Known failure: columns are decided from the first chunk, and a key first seen in a later chunk
   * is dropped with no issue at all (ExportIssueCode has 'extra_column' for this, but nothing
   * reports it): silent data loss. Expected: one 'extra_column' issue per new key, naming the key
   * and the first row it appears in. Fix: see the report.
   */
  it.each(FORMATS)('a key first seen in a later chunk is reported as extra_column (%s)', async (format) => {
    const { result } = await exportAll([{ a: 1 }, { a: 2, b: 3 }], { format, chunkSize: 1 });
    expect(result.issues).toContainEqual(expect.objectContaining({ code: 'extra_column', column: 'b', row: 1 }));
  });

  it.each(FORMATS)('symbol keys are not exported (%s)', async (format) => {
    const { bytes, result } = await exportAll([{ a: 1, [Symbol('hidden')]: 2, [Symbol.iterator]: 3 }], { format });
    expect(await readBack(format, bytes)).toEqual([{ a: cell(format, 1) }]);
    expect(result.issueCount).toBe(0);
  });

  it.each(FORMATS)('blank keys are columns like any other; an empty key is refused (%s)', async (format) => {
    const { bytes } = await exportAll([{ ' ': 2, 'a,b': 3, 'q"uote': 4, 'line\nbreak': 5 }], { format });
    const back = await readBack(format, bytes);
    expect(Object.keys(back[0]!)).toEqual([' ', 'a,b', 'q"uote', 'line\nbreak']);
    // Readers cannot take an empty name (see test/unit/formats/names.test.ts).
    await expect(exportAll([{ '': 1, ' ': 2 }], { format })).rejects.toMatchObject({ code: 'invalid_value' });
  });
});

describe('array rows', () => {
  // eslint-disable-next-line no-sparse-arrays
  const sparse = [[1, , 3], [, 2], [], [4, 5, 6, 7]];

  it.each(FORMATS)('sparse, short and long array rows with columns (%s)', async (format) => {
    const { bytes } = await exportAll(sparse, { format, columns: ['a', 'b', 'c'] });
    expect(await readBack(format, bytes)).toEqual([
      { a: cell(format, 1), b: cell(format, null), c: cell(format, 3) },
      { a: cell(format, null), b: cell(format, 2), c: cell(format, null) },
      { a: cell(format, null), b: cell(format, null), c: cell(format, null) },
      { a: cell(format, 4), b: cell(format, 5), c: cell(format, 6) },
    ]);
  });

  it('array rows without columns fail with invalid_options naming the option', async () => {
    await expect(exportAll([[1, 2]], { format: 'csv' })).rejects.toMatchObject({ code: 'invalid_options', details: { path: 'columns' } });
  });
});

describe('getters and Proxies', () => {
  it.each(FORMATS)('a getter that throws in the first row, seen during inference (%s)', async (format) => {
    const bad = { get a(): number { throw new Error('getter'); }, b: 'x' };
    const { bytes, result } = await exportAll([bad, { a: 2, b: 'y' }], { format });
    expect(await readBack(format, bytes)).toEqual([{ a: cell(format, null), b: 'x' }, { a: cell(format, 2), b: 'y' }]);
    expect(result.issues).toEqual([expect.objectContaining({ code: 'invalid_value', row: 0, column: 'a' })]);
  });

  it.each(FORMATS)('a getter that throws on every other read (%s)', async (format) => {
    let reads = 0;
    const flaky = { get a(): number { if (++reads % 2 === 1) throw new Error('flaky'); return 7; } };
    const { bytes, result } = await exportAll([{ a: 1 }, flaky, { a: 3 }], { format });
    const back = await readBack(format, bytes);
    expect(back).toHaveLength(3);
    // The value is either read on a retry (7) or written as null with an issue; never a crash.
    const middle = back[1]!.a;
    if (middle === cell(format, null)) expect(result.issues[0]).toMatchObject({ code: 'invalid_value', row: 1 });
    else expect(middle).toEqual(cell(format, 7));
  });

  it.each(FORMATS)('a Proxy row whose get trap throws: each cell null with an issue (%s)', async (format) => {
    const proxy = new Proxy({ a: 1, b: 2 }, { get: () => { throw new Error('get trap'); } });
    const { bytes, result } = await exportAll([{ a: 0, b: 0 }, proxy, { a: 5, b: 6 }], { format });
    expect(await readBack(format, bytes)).toEqual([
      { a: cell(format, 0), b: cell(format, 0) },
      { a: cell(format, null), b: cell(format, null) },
      { a: cell(format, 5), b: cell(format, 6) },
    ]);
    expect(result.issues.map((issue) => [issue.code, issue.row, issue.column])).toEqual([
      ['invalid_value', 1, 'a'],
      ['invalid_value', 1, 'b'],
    ]);
  });

  // Known failure, the same bug as below: Object.keys(row) asks getOwnPropertyDescriptor of each key.
  it.each(FORMATS)('a Proxy row whose has/getOwnPropertyDescriptor traps throw, with a prototype key (%s)', async (format) => {
    // Reading "constructor" checks own-ness first, which goes through getOwnPropertyDescriptor.
    const proxy = new Proxy({ constructor: 'x' }, { getOwnPropertyDescriptor: () => { throw new Error('gopd trap'); }, has: () => { throw new Error('has trap'); } });
    const { bytes, result } = await exportAll([{ constructor: 'a' }, proxy], { format });
    expect((await readBack(format, bytes)).map((row) => row.constructor)).toEqual(['a', cell(format, null)]);
    expect(result.issues).toContainEqual(expect.objectContaining({ code: 'invalid_value', row: 1, column: 'constructor' }));
  });

  /*
   * Known failures: a row whose key listing throws (a Proxy's ownKeys trap, a revoked Proxy) fails
   * the whole export with code 'sink_failed' ("the export failed: …"): typed, but the wrong code
   * (nothing failed in a sink), and one bad row loses the file. ExportRun.planRowColumns calls
   * Object.keys(row) outside any guard. Expected: the row is exported with null cells and an
   * 'invalid_value' issue (as a throwing getter is). Fix: see the report.
   */
  const revocable = Proxy.revocable({ a: 1 }, {});
  revocable.revoke();
  const keysThrow = new Proxy({ a: 1 }, { ownKeys: () => { throw new Error('ownKeys trap'); } });
  const hostileRows: Array<[string, unknown[]]> = [
    ['an ownKeys trap that throws, first row', [keysThrow, { a: 2 }]],
    ['an ownKeys trap that throws, later row', [{ a: 2 }, keysThrow]],
    ['a revoked Proxy, first row', [revocable.proxy, { a: 2 }]],
    ['a revoked Proxy, later row', [{ a: 2 }, revocable.proxy]],
  ];
  for (const [name, rows] of hostileRows) {
    it.each(FORMATS)(`${name}: exported with an invalid_value issue (%s)`, async (format) => {
      const { bytes, result } = await exportAll(rows, { format });
      expect(await readBack(format, bytes)).toHaveLength(2);
      expect(result.issues.map((issue) => issue.code)).toContain('invalid_value');
    });
  }
});

describe('lone surrogates in keys', () => {
  it.each(['csv', 'parquet'] as const)('%s writes them as U+FFFD, like values', async (format) => {
    const { bytes } = await exportAll([{ 'k\ud800': 1 }], { format });
    expect(Object.keys((await readBack(format, bytes))[0]!)).toEqual(['k\ufffd']);
  });

  /*
   * Known failure: the JSON encoders write keys with JSON.stringify, which escapes a lone surrogate
   * as "\ud800" instead of writing U+FFFD as every value and the CSV/Parquet headers do. JSON.parse
   * gives the lone surrogate back, but strict readers refuse such a key. Fix: encode the header with
   * `header.toWellFormed()` before JSON.stringify in formats/json.ts (the `keys` line).
   */
  it.each(['ndjson', 'json'] as const)('%s writes them as U+FFFD, like values', async (format) => {
    const { bytes } = await exportAll([{ 'k\ud800': 1 }], { format });
    expect(Object.keys((await readBack(format, bytes))[0]!)).toEqual(['k\ufffd']);
  });
});
