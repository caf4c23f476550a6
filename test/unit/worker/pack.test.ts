import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { unpackRows } from '../../../src/schema/packed.js';
import { packedTransferables, packRows } from '../../../src/worker/pack.js';

/** What the worker gets: the packed form through a real structured clone with transfer. */
function roundTrip(rows: unknown[]): unknown[] | null {
  const packed = packRows(rows);
  if (packed === null) return null;
  const moved = structuredClone(packed, { transfer: packedTransferables(packed) });
  return unpackRows(moved);
}

describe('packRows / unpackRows', () => {
  it('packs numbers, strings, booleans and dates into typed columns (with nulls) and keeps other values as they are', () => {
    const rows = [
      { id: 1, name: 'a', flag: true, when: new Date(0), extra: null, score: null, nothing: null },
      { id: -0, name: '', flag: false, when: new Date(Number.NaN), extra: { nested: [1] }, score: 2.5, nothing: undefined },
      { id: Number.NaN, name: 'ü 😀 "q", x\n', flag: null, when: undefined, extra: 5n, score: undefined, nothing: null },
      { id: Infinity, name: null, flag: true, when: new Date(2), extra: 'x', score: -1, nothing: null },
    ];
    const packed = packRows(rows)!;
    expect(packed.columns.map((c) => c.kind)).toEqual(['number', 'string', 'boolean', 'date', 'any', 'number', 'any']);
    const back = roundTrip(rows)!;
    expect(back).toEqual(rows);
    expect(Object.is((back[1] as { id: number }).id, -0)).toBe(true);
    expect(Object.keys(back[0] as object)).toEqual(['id', 'name', 'flag', 'when', 'extra', 'score', 'nothing']);
    expect('nothing' in (back[1] as object) && (back[1] as { nothing?: unknown }).nothing).toBeUndefined();
  });

  it('a column that starts as numbers and turns to text falls back to a plain array', () => {
    const rows = [{ v: 1 }, { v: '2' }, { v: null }];
    expect(packRows(rows)!.columns[0]!.kind).toBe('any');
    expect(roundTrip(rows)).toEqual(rows);
  });

  it.each([
    ['differing keys', [{ a: 1, b: 2 }, { a: 1, c: 2 }]],
    ['differing key order', [{ a: 1, b: 2 }, { b: 2, a: 1 }]],
    ['a missing key', [{ a: 1, b: 2 }, { a: 1 }]],
    ['an extra key', [{ a: 1 }, { a: 1, b: 2 }]],
    ['array rows', [[1, 2], [3, 4]]],
    ['class instances', [new (class Point { x = 1; })()]],
    ['no keys', [{}, {}]],
  ])('does not pack %s', (_name, rows) => {
    expect(packRows(rows as unknown[])).toBeNull();
  });

  it('does not pack rows that inherit an enumerable key (a polluted Object.prototype): they are cloned as they are', () => {
    Object.defineProperty(Object.prototype, 'polluted', { value: 1, enumerable: true, configurable: true, writable: true });
    try {
      expect(packRows([{ a: 1 }, { a: 2 }])).toBeNull();
    } finally {
      delete (Object.prototype as { polluted?: unknown }).polluted;
    }
    expect(packRows([{ a: 1 }, { a: 2 }])).not.toBeNull();
  });

  it('packs null-prototype rows and integer-like keys, in the order the rows list them', () => {
    const bare = Object.assign(Object.create(null) as Record<string, unknown>, { b: 'x', 2: 5, 1: true });
    const rows = [bare, { b: 'y', 2: 6, 1: false }];
    const packed = packRows(rows)!;
    expect(packed.keys).toEqual(['1', '2', 'b']);
    expect(packed.columns.map((c) => c.kind)).toEqual(['boolean', 'number', 'string']);
    expect(roundTrip(rows)).toEqual(rows.map((row) => ({ ...row })));
  });

  it('round-trips any same-shape rows of numbers, strings, booleans and nulls (property)', () => {
    const value = fc.oneof(fc.double(), fc.string({ unit: 'grapheme' }), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.integer(), fc.date({ noInvalidDate: false }));
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1, maxLength: 5 }).filter((k) => k !== '__proto__' && !/^\d+$/.test(k)), { minLength: 1, maxLength: 5 }), fc.nat(20), (keys, n) => {
        const rows = Array.from({ length: n + 1 }, (_, i) => Object.fromEntries(keys.map((k, j) => [k, fc.sample(value, { numRuns: 1, seed: i * 31 + j })[0]])));
        expect(roundTrip(rows)).toEqual(rows);
      }),
      { numRuns: 100 },
    );
  });
});
