import * as arrow from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import type { Filter } from '../../../src/filter/ast.js';
import { compileFilter } from '../../../src/filter/evaluate.js';
import { parseFilter } from '../../../src/filter/parse.js';
import { keptRows, makeBatch } from './helpers.js';
import { loadRegexEngine } from '../../../src/filter/regex.js';

// compileFilter runs `matches` with RE2, which an export loads before it reads its source.
beforeAll(() => loadRegexEngine());

const ms = (iso: string): bigint => BigInt(Date.parse(iso));
const DAY = 86_400_000n;
const instants = ['2024-01-01T00:00:00Z', null, '2024-06-30T23:59:59.999Z', '2023-12-31T23:59:59.999Z', '2024-06-30T00:00:00Z', '1970-01-01T00:00:00Z', '2024-01-01T00:00:00.001Z'];
const millis = instants.map((iso) => (iso === null ? null : ms(iso)));
const texts = ['apple', null, 'Äpfel', '', 'banana', '😀x', 'Zebra'];

const batch = makeBatch({
  f: { type: 'float64', values: [1.5, null, Number.NaN, -Infinity, 0, -0, Infinity] },
  f32: { type: 'float32', values: [1.5, null, Number.NaN, 2, -1, 0, 3] },
  i8: { type: 'int8', values: [1, null, -128, 127, 0, 5, -1] },
  u32: { type: 'uint32', values: [0, 4294967295, null, 7, 1, 2, 3] },
  g: { type: 'int64', values: [9223372036854775807n, -9223372036854775808n, null, 0n, -1n, 4294967296n, 4294967295n] },
  u64: { type: 'uint64', values: [18446744073709551615n, 0n, null, 1n, 4294967296n, 9223372036854775808n, 5n] },
  s: { type: 'utf8', values: texts },
  ls: { type: 'large_utf8', values: texts },
  ds: { type: 'dict_utf8', values: texts },
  b: { type: 'bool', values: [true, null, false, true, false, null, true] },
  t: { type: 'timestamp_ms', values: millis },
  tus: { type: 'timestamp_us', values: millis.map((v, i) => (v === null ? null : v * 1000n + (i === 6 ? -999n : 0n))) },
  ts: { type: 'timestamp_s', values: millis.map((v) => (v === null ? null : v / 1000n)) },
  d32: { type: 'date32', values: millis.map((v) => (v === null ? null : Number(v / DAY))) },
  d64: { type: 'date64', values: millis },
  nul: { type: 'null', length: 7 },
});

function rows(filter: Filter | string, target = batch): number[] {
  const ast = typeof filter === 'string' ? parseFilter(filter) : filter;
  const unoptimized = keptRows(compileFilter(ast, target.schema, { optimize: false }).evaluate(target), target.numRows);
  const optimized = keptRows(compileFilter(ast, target.schema).evaluate(target), target.numRows);
  expect(optimized).toEqual(unoptimized);
  return optimized;
}

const CASES: Array<[string, number[]]> = [
  // float64: NaN is above +Infinity and equal to itself; -0 = 0 (DuckDB)
  ['f > 0', [0, 2, 6]],
  ['f >= 0', [0, 2, 4, 5, 6]],
  ['f < 0', [3]],
  ['f = 0', [4, 5]],
  ['f = -0', [4, 5]],
  ['f = nan', [2]],
  ['f != nan', [0, 3, 4, 5, 6]],
  ['f > inf', [2]],
  ['f >= inf', [2, 6]],
  ['f < nan', [0, 3, 4, 5, 6]],
  ['f <= nan', [0, 2, 3, 4, 5, 6]],
  ['f > -inf', [0, 2, 4, 5, 6]],
  ['f between -inf and inf', [0, 3, 4, 5, 6]],
  ['f between 0 and nan', [0, 2, 4, 5, 6]],
  ['f between 1 and 0', []],
  ['f in (nan, 0)', [2, 4, 5]],
  ['f not in (nan, 0)', [0, 3, 6]],
  ['f in (1.5, null)', [0]],
  ['not f in (1.5, null)', []],
  ['f not in (1.5, null)', []],
  ['not f not in (1.5, null)', [0]],
  ['f in ()', []],
  ['f not in ()', [0, 1, 2, 3, 4, 5, 6]],
  ["f = '1.5'", [0]],
  ["f < ' -1e300 '", [3]],
  ["f = 'NaN'", [2]],
  ['f = 3n', []],
  ['f is null', [1]],
  ['f is not null', [0, 2, 3, 4, 5, 6]],
  ['not f > 0', [3, 4, 5]],
  ['f = null', []],
  ['not f = null', []],
  ['f between null and 1', []],
  ['not f between null and 1', [0, 2, 6]],
  ['not f between 1 and null', [3, 4, 5]],
  // float32
  ['f32 > 1', [0, 2, 3, 6]],
  ['f32 = 1.5', [0]],
  ['f32 in (2, 3)', [3, 6]],
  // int8: fractions and out-of-range literals
  ['i8 > 2.5', [3, 5]],
  ['i8 = 2.5', []],
  ['i8 != 2.5', [0, 2, 3, 4, 5, 6]],
  ['i8 < nan', [0, 2, 3, 4, 5, 6]],
  ['i8 >= -128', [0, 2, 3, 4, 5, 6]],
  ['i8 > 1000', []],
  ['i8 < -1000', []],
  ['i8 in (1, 1.5, 300, -1)', [0, 6]],
  ["i8 = '5'", [5]],
  ['i8 between -1.5 and 1', [0, 4, 6]],
  ['i8 = 9223372036854775807n', []],
  // uint32
  ['u32 > 4294967294', [1]],
  ['u32 < 1', [0]],
  ['u32 = -1', []],
  ['u32 in (4294967295, 7)', [1, 3]],
  // int64: compared on 32-bit words, exact past 2^53
  ['g = 9223372036854775807', [0]],
  ['g = -9223372036854775808', [1]],
  ['g < 0', [1, 4]],
  ['g > 4294967295', [0, 5]],
  ['g >= 4294967295', [0, 5, 6]],
  ['g > 2.5', [0, 5, 6]],
  ['g < -9223372036854775808', []],
  ['g > 9223372036854775806', [0]],
  ['g between -1 and 4294967296', [3, 4, 5, 6]],
  ['g in (-1, 4294967296, 5)', [4, 5]],
  ['g in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4294967295)', [3, 6]],
  ['g not in (0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 4294967295)', [0, 1, 4, 5]],
  ["g = '4294967296'", [5]],
  ['g < nan', [0, 1, 3, 4, 5, 6]],
  ['g = 9223372036854775808', []],
  // uint64
  ['u64 > 9223372036854775807', [0, 5]],
  ['u64 = 18446744073709551615', [0]],
  ['u64 < 2', [1, 3]],
  ['u64 in (1, 5, 18446744073709551615)', [0, 3, 6]],
  ['u64 >= 4294967296', [0, 4, 5]],
  // booleans
  ['b', [0, 3, 6]],
  ['not b', [2, 4]],
  ['b = false', [2, 4]],
  ['b != true', [2, 4]],
  ['b in (true, false)', [0, 2, 3, 4, 6]],
  ['b not in (true)', [2, 4]],
  ["b = 'true'", [0, 3, 6]],
  ['b in (true, null)', [0, 3, 6]],
  ['not b in (true, null)', []],
  ['b is null', [1, 5]],
  // timestamps (ms, µs, s) and dates: ISO text is UTC; fractions of a unit are exact
  ["t >= '2024-01-01'", [0, 2, 4, 6]],
  ["t > '2024-01-01'", [2, 4, 6]],
  ["t = '2024-01-01T00:00:00Z'", [0]],
  ["t = '2024-01-01 01:00:00+01:00'", [0]],
  ["t = timestamp '2024-01-01T00:00:00.001'", [6]],
  ["t between '2024-01-01' and '2024-06-30'", [0, 4, 6]],
  ["t < '1970-01-01T00:00:00.000001'", [5]],
  ["t = '2024-01-01T00:00:00.0005'", []],
  ['t < 1', [5]],
  ["t in ('2024-01-01', '1970-01-01')", [0, 5]],
  ["tus > '2024-01-01'", [2, 4, 6]],
  ["tus = '2024-01-01T00:00:00.000001'", [6]],
  ["ts > '2024-01-01T00:00:00.5'", [2, 4]],
  ["ts = '2024-01-01'", [0, 6]],
  ["d32 = '2024-01-01'", [0, 6]],
  ["d32 > '2024-01-01T12:00'", [2, 4]],
  ["d32 >= '2024-01-01T12:00'", [2, 4]],
  ["d32 < '2024-01-01T00:00:00.001'", [0, 3, 5, 6]],
  ["d64 = '2024-06-30T00:00:00Z'", [4]],
  ["d64 < '2000-01-01'", [5]],
  // the Null type: every comparison is unknown
  ['nul is null', [0, 1, 2, 3, 4, 5, 6]],
  ['nul is not null', []],
  ['nul = 1', []],
  ['not nul = 1', []],
  ["nul contains 'x'", []],
  ['nul in (1, 2)', []],
  // logic
  ['f > 0 or b', [0, 2, 3, 6]],
  ['not (f > 0 or b)', [4]],
  ['not (f > 0 and b)', [2, 3, 4, 5]],
  ['f = null or b', [0, 3, 6]],
  ['not (f = null or b)', []],
  ['not (f = null and b)', [2, 4]],
  ['true', [0, 1, 2, 3, 4, 5, 6]],
  ['false', []],
  ['not (f > 5 and f < 3)', [0, 2, 3, 4, 5, 6]],
];

const TEXT_CASES: Array<[string, number[]]> = [
  ["= 'apple'", [0]],
  ["!= 'apple'", [2, 3, 4, 5, 6]],
  ["< 'b'", [0, 3, 6]],
  ["> 'z'", [2, 5]],
  // Code point order: U+1F600 sorts above U+FFFD (in UTF-16 order it would sort below).
  ["> '\uFFFD'", [5]],
  ["<= ''", [3]],
  ["between 'a' and 'b'", [0]],
  ["in ('apple', 'banana', 'x')", [0, 4]],
  ["in ('a', 'b', 'c', 'd', 'e', 'f', 'apple', '😀x')", [0, 5]],
  ["not in ('apple', null)", []],
  ["contains 'an'", [4]],
  ["contains ''", [0, 2, 3, 4, 5, 6]],
  ["startswith 'ap'", [0]],
  ["endswith 'x'", [5]],
  ["endswith '😀x'", [5]],
  ["icontains 'PFEL'", [2]],
  ["istartswith 'ä'", [2]],
  ["iendswith 'EBRA'", [6]],
  ["icontains 'APP'", [0]],
  ["icontains ''", [0, 2, 3, 4, 5, 6]],
  ["matches '^[a-z]+$'", [0, 4]],
  ["matches '/^z/i'", [6]],
  // RE2 reads code points with or without the u flag, as DuckDB does.
  ["matches '^.x$'", [5]],
  ["matches '/^.x$/u'", [5]],
  ["not contains 'a'", [2, 3, 5]],
  ["= ''", [3]],
  ['is null', [1]],
];

describe('compileFilter → evaluate', () => {
  it.each(CASES)('%s', (text, expected) => {
    expect(rows(text)).toEqual(expected);
  });

  for (const column of ['s', 'ls', 'ds']) {
    it.each(TEXT_CASES)(`${column} %s`, (text, expected) => {
      expect(rows(`${column} ${text}`)).toEqual(expected);
    });
  }

  it('evaluates slices (bitmap and offset positions are relative to data.offset)', () => {
    const all = ['f > 0 or b', "s contains 'a'", "ds in ('apple', 'Zebra')", 'g >= 0', 'not b', 'nul is null', "t > '2024-01-01'"];
    for (const text of all) {
      const whole = rows(text);
      for (let cut = 1; cut < 7; cut++) {
        const head = rows(text, batch.slice(0, cut));
        const tail = rows(text, batch.slice(cut)).map((r) => r + cut);
        expect([...head, ...tail], `${text} cut at ${cut}`).toEqual(whole);
      }
    }
  });

  it('evaluates only the candidate rows it is given', () => {
    const compiled = compileFilter(parseFilter('f >= 0 or b'), batch.schema);
    expect(compiled.evaluate(batch)).toEqual(new Uint32Array([0, 2, 3, 4, 5, 6]));
    expect(compiled.evaluate(batch, new Uint32Array([1, 2, 3]))).toEqual(new Uint32Array([2, 3]));
    expect(compiled.evaluate(batch, new Uint32Array([]))).toEqual(new Uint32Array([]));
  });

  it('returns null when every row is kept, and lists the fields it reads', () => {
    const compiled = compileFilter(parseFilter("s is not null or b is null or f = 1 or s contains 'x'"), batch.schema);
    expect(compiled.evaluate(batch)).toBeNull();
    expect([...compiled.fields].sort()).toEqual(['b', 'f', 's']);
  });

  it('follows columns by name when a later batch orders them differently', () => {
    const first = makeBatch({ a: { type: 'int32', values: [1, 2, 3] }, b: { type: 'utf8', values: ['x', 'y', 'z'] } });
    const second = makeBatch({ b: { type: 'utf8', values: ['y', 'y', 'x'] }, a: { type: 'int32', values: [5, 2, 2] } });
    const compiled = compileFilter(parseFilter("a = 2 and b = 'y'"), first.schema);
    expect(compiled.evaluate(first)).toEqual(new Uint32Array([1]));
    expect(compiled.evaluate(second)).toEqual(new Uint32Array([1]));
    const changed = makeBatch({ a: { type: 'utf8', values: ['2'] }, b: { type: 'utf8', values: ['y'] } });
    expect(() => compiled.evaluate(changed)).toThrow(/"a" \(Utf8\) is text; compare it with a string, not 2/);
  });

  it('compiles again for a later batch that widened a column (a stream that was null, or int32 until a fraction)', () => {
    const compiled = compileFilter(parseFilter('a = 2 and b between 1 and 3'), makeBatch({ a: { type: 'int32', values: [2] }, b: { type: 'null', length: 1 } }).schema);
    expect(compiled.evaluate(makeBatch({ a: { type: 'int32', values: [2] }, b: { type: 'null', length: 1 } }))).toEqual(new Uint32Array([]));
    const widened = makeBatch({ a: { type: 'float64', values: [2, 2.5, 2] }, b: { type: 'float64', values: [1.5, 2, 4] } });
    expect(compiled.evaluate(widened)).toEqual(new Uint32Array([0]));
  });

  it('reuses a dictionary shared by several batches', () => {
    const one = makeBatch({ d: { type: 'dict_utf8', values: ['a', 'b', null, 'a'] } });
    const compiled = compileFilter(parseFilter("d != 'a'"), one.schema);
    expect(compiled.evaluate(one)).toEqual(new Uint32Array([1]));
    expect(compiled.evaluate(one.slice(1))).toEqual(new Uint32Array([0]));
  });

  it('evaluates an empty batch', () => {
    const empty = batch.slice(0, 0);
    expect(compileFilter(parseFilter('f > 0'), batch.schema).evaluate(empty)).toBeNull();
  });
});

function failure(filter: string | Filter, schema: arrow.Schema = batch.schema): { code: string; message: string; details: Record<string, unknown> } {
  try {
    compileFilter(typeof filter === 'string' ? parseFilter(filter) : filter, schema, { optimize: false });
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message, details: error.details };
  }
  throw new Error('expected a failure');
}

describe('compileFilter typing', () => {
  it.each<[string, RegExp, string?]>([
    ["f contains 'x'", /"contains" needs a text column; "f" is Float64/],
    ["g matches 'x'", /"matches" needs a text column/],
    ['b > true', /cannot order booleans; column "b" is Bool/],
    ['b between true and false', /cannot order booleans/],
    ["f = 'abc'", /column "f" \(Float64\) is numeric; "abc" is not a number/, 'filter.value'],
    ['f = true', /is numeric; cannot compare it with true/],
    ["f = timestamp '2024-01-01'", /is numeric; cannot compare it with \{"\$date":"2024-01-01"\}/],
    ["t = 'yesterday'", /"yesterday" is not an ISO 8601 date/],
    ["t = '2024-02-30'", /not an ISO 8601 date/],
    ['t = true', /holds dates; cannot compare it with true/],
    ['s = 5', /is text; compare it with a string, not 5/],
    ['b = 1', /is boolean; cannot compare it with 1/],
    ["i8 in (1, 'x')", /"x" is not a number/, 'filter.values[1]'],
    ["f between 1 and 'x'", /"x" is not a number/, 'filter.high'],
  ])('%s fails with invalid_filter', (text, message, path) => {
    const error = failure(text);
    expect(error.code).toBe('invalid_filter');
    expect(error.message).toMatch(message);
    if (path !== undefined) expect(error.details['path']).toBe(path);
  });

  it('fails on an unknown column with a suggestion and the available columns', () => {
    const error = failure({ op: 'and', filters: [{ op: 'isNull', field: 'f' }, { op: 'gt', field: 'tusx', value: 1 }] });
    expect(error.code).toBe('unknown_column');
    expect(error.message).toMatch(/unknown column "tusx" at filter\.filters\[1\]; did you mean "tus"\? Available columns: "f", "f32"/);
    expect(error.message).toContain('"f32"');
    expect(error.details).toMatchObject({ column: 'tusx', suggestion: 'tus' });
    expect(error.details['available']).toContain('nul');
  });

  it('suggests a column that differs only in case, and nothing for a distant name', () => {
    expect(failure('F32 > 1').details['suggestion']).toBe('f32');
    const far = failure('completely_different > 1');
    expect(far.details['suggestion']).toBeUndefined();
    expect(far.message).not.toMatch(/did you mean/);
  });

  it('rejects columns of types it cannot read, only when the filter reads them', () => {
    const schema = new arrow.Schema([new arrow.Field('price', new arrow.Decimal(2, 12, 128)), new arrow.Field('n', new arrow.Int32())]);
    expect(failure('price > 1', schema).message).toMatch(/column "price" has type Decimal.*which filters cannot read/);
    expect(() => compileFilter(parseFilter('n > 1'), schema)).not.toThrow();
  });

  it('validates the AST first', () => {
    expect(failure({ op: 'eq', field: 'f' } as unknown as Filter).message).toMatch(/needs a value/);
  });
});
