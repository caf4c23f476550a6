/**
 * Property: for random filter trees (depth ≤ 4, every operator) over random data with nulls in
 * every column type, the rows the filter keeps are exactly the rows DuckDB's WHERE keeps for the
 * same filter, translated to SQL by the small independent translator below. Runs:
 * FILTER_PROPERTY_RUNS (default 2000); fast-check prints the seed and the shrunk filter on failure.
 */
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Filter, Scalar } from '../../../src/filter/ast.js';
import { exportStream } from '../../../src/engine.js';
import { compileFilter, formatFilter, parseFilter, planFilter } from '../../../src/filter/index.js';
import { keptRows, makeBatch, seededRandom } from './helpers.js';
import { loadRegexEngine } from '../../../src/filter/regex.js';

// compileFilter runs `matches` with RE2, which an export loads before it reads its source.
beforeAll(() => loadRegexEngine());

const RUNS = Number(process.env['FILTER_PROPERTY_RUNS'] ?? 2000);
const ROWS = 240;

// Characters whose lower-casing JS and DuckDB agree on (no İ, Σ: their rules differ).
const ALPHABET = ['a', 'b', 'c', 'A', 'B', 'C', 'é', 'É', 'ü', 'Ü', '日', '😀', ' ', "'", 'z', '\u00ff', '\uFFFD'];

const random = seededRandom(20240601);
const pick = <T,>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
const maybeNull = <T,>(make: () => T): T | null => (random() < 0.15 ? null : make());

function randomText(): string {
  const length = Math.floor(random() * 5);
  let text = '';
  for (let i = 0; i < length; i++) text += pick(ALPHABET);
  return text;
}

const BASE_MS = 1_704_067_200_000; // 2024-01-01
const floats = Array.from({ length: ROWS }, () =>
  maybeNull(() => pick([Number.NaN, Infinity, -Infinity, 0, -0, 1.5, -2, 3, Math.round(random() * 200 - 100) / 4])),
);
const ints = Array.from({ length: ROWS }, () => maybeNull(() => Math.floor(random() * 21) - 10));
const texts = Array.from({ length: ROWS }, () => maybeNull(randomText));
const bools = Array.from({ length: ROWS }, () => maybeNull(() => random() < 0.5));
const times = Array.from({ length: ROWS }, () => maybeNull(() => BigInt(BASE_MS + Math.floor(random() * 20) * 3_600_000 + pick([0, 1, 999]))));
const bigs = Array.from({ length: ROWS }, () =>
  maybeNull(() => pick([9_223_372_036_854_775_807n, -9_223_372_036_854_775_808n, 4_294_967_296n, -1n, 0n, BigInt(Math.floor(random() * 11) - 5) * 4_294_967_295n])),
);

const batch = makeBatch({
  f: { type: 'float64', values: floats },
  i: { type: 'int32', values: ints },
  s: { type: 'utf8', values: texts },
  d: { type: 'dict_utf8', values: texts },
  b: { type: 'bool', values: bools },
  t: { type: 'timestamp_ms', values: times },
  g: { type: 'int64', values: bigs },
});

// ---------------------------------------------------------------------------------------------
// SQL translation (independent of the code under test)

const sqlString = (text: string): string => `'${text.replaceAll("'", "''")}'`;

function sqlDouble(value: number): string {
  if (Number.isNaN(value)) return "CAST('nan' AS DOUBLE)";
  if (value === Infinity) return "CAST('inf' AS DOUBLE)";
  if (value === -Infinity) return "CAST('-inf' AS DOUBLE)";
  return `CAST(${sqlString(String(value))} AS DOUBLE)`;
}

function sqlLiteral(field: string, value: Scalar): string {
  if (value === null) return 'NULL';
  switch (field) {
    case 'f':
    case 'i':
      return sqlDouble(value as number);
    case 'g':
      return typeof value === 'object' && '$bigint' in value ? `CAST('${value.$bigint}' AS HUGEINT)` : `CAST(${String(value)} AS BIGINT)`;
    case 't':
      if (typeof value === 'number') return `epoch_ms(CAST(${value} AS BIGINT))`;
      return `CAST(${sqlString((value as { $date: string }).$date.replace('T', ' ').replace('Z', ''))} AS TIMESTAMP)`;
    case 'b':
      return value ? 'TRUE' : 'FALSE';
    default:
      return sqlString(value as string);
  }
}

const SQL_OPS = { eq: '=', ne: '<>', lt: '<', lte: '<=', gt: '>', gte: '>=' } as const;

function toSql(filter: Filter): string {
  switch (filter.op) {
    case 'and':
    case 'or':
      if (filter.filters.length === 0) return filter.op === 'and' ? 'TRUE' : 'FALSE';
      return `(${filter.filters.map(toSql).join(filter.op === 'and' ? ' AND ' : ' OR ')})`;
    case 'not':
      return `(NOT ${toSql(filter.filter)})`;
    case 'eq': case 'ne': case 'lt': case 'lte': case 'gt': case 'gte':
      return `(${filter.field} ${SQL_OPS[filter.op]} ${sqlLiteral(filter.field, filter.value)})`;
    case 'in':
    case 'notIn':
      if (filter.values.length === 0) return filter.op === 'in' ? 'FALSE' : 'TRUE';
      return `(${filter.field} ${filter.op === 'in' ? 'IN' : 'NOT IN'} (${filter.values.map((v) => sqlLiteral(filter.field, v)).join(', ')}))`;
    case 'between':
      return `(${filter.field} BETWEEN ${sqlLiteral(filter.field, filter.low)} AND ${sqlLiteral(filter.field, filter.high)})`;
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const fn = { contains: 'contains', startsWith: 'starts_with', endsWith: 'ends_with' }[filter.op];
      return filter.caseSensitive === false
        ? `${fn}(lower(${filter.field}), lower(${sqlString(filter.value)}))`
        : `${fn}(${filter.field}, ${sqlString(filter.value)})`;
    }
    case 'matches': {
      // 'u' (code points, as RE2 reads text) is JS-only; 'i' is an RE2 option too.
      const options = (filter.flags ?? '').replace('u', '');
      return `regexp_matches(${filter.field}, ${sqlString(filter.pattern)}${options ? `, ${sqlString(options)}` : ''})`;
    }
    case 'isNull':
      return `(${filter.field} IS NULL)`;
    case 'isNotNull':
      return `(${filter.field} IS NOT NULL)`;
  }
}

// ---------------------------------------------------------------------------------------------
// Filter generation

const sample = <T,>(values: ReadonlyArray<T | null>): T[] => values.filter((v): v is T => v !== null);
const text = fc.oneof(fc.constantFrom(...sample(texts)), fc.string({ unit: fc.constantFrom(...ALPHABET), maxLength: 3 }));
const floatValue = fc.oneof(fc.constantFrom(...sample(floats)), fc.constantFrom(Number.NaN, Infinity, -Infinity, 0, -0, 2.25), fc.double({ min: -30, max: 30, noNaN: true }));
const intValue = fc.oneof(fc.integer({ min: -12, max: 12 }), fc.constantFrom(2.5, -0.5, Number.NaN, Infinity, -Infinity, 1e10));
const bigValue = fc.oneof(
  fc.constantFrom(...sample(bigs)).map((v): Scalar => ({ $bigint: String(v) })),
  fc.constantFrom(...sample(bigs)).map((v): Scalar => ({ $bigint: String(v + 1n) })),
  fc.integer({ min: -6, max: 6 }),
);
const timeValue = fc.oneof(
  fc.constantFrom(...sample(times)).map((v): Scalar => ({ $date: new Date(Number(v)).toISOString() })),
  fc.integer({ min: -2, max: 22 }).map((h): Scalar => ({ $date: new Date(BASE_MS + h * 3_600_000).toISOString() })),
  fc.constantFrom(...sample(times)).map((v): Scalar => Number(v)),
);
const boolValue = fc.boolean();

const VALUES: Record<string, fc.Arbitrary<Scalar>> = { f: floatValue, i: intValue, s: text, d: text, t: timeValue, g: bigValue, b: boolValue };
const ORDERED = ['f', 'i', 's', 'd', 't', 'g'];
const TEXT = ['s', 'd'];
// Anchors only at the ends (RE2 and JS read a mid-pattern `$` differently), and the 'u' flag
// always (without it JS matches UTF-16 units, RE2 code points).
const PATTERN = fc
  .tuple(
    fc.constantFrom('', '^'),
    fc.array(fc.constantFrom('a', 'b', 'c', 'A', 'z', ' ', '[ab]', 'a*', 'b+', 'c?', '(a|b)', '\\w', '[^a]'), { minLength: 1, maxLength: 4 }),
    fc.constantFrom('', '$'),
  )
  .map(([start, parts, end]) => start + parts.join('') + end);

const withNull = (field: string) => fc.oneof({ weight: 9, arbitrary: VALUES[field]! }, { weight: 1, arbitrary: fc.constant<Scalar>(null) });

const leaf: fc.Arbitrary<Filter> = fc.constantFrom('f', 'i', 's', 'd', 'b', 't', 'g').chain((field): fc.Arbitrary<Filter> => {
  const options: Array<fc.Arbitrary<Filter>> = [
    fc.record({ op: fc.constantFrom('eq' as const, 'ne' as const), field: fc.constant(field), value: withNull(field) }),
    fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), field: fc.constant(field), values: fc.array(withNull(field), { maxLength: 4 }) }),
    // Long lists too: text lists of more than 16 values are matched by hash, shorter ones by a walk.
    fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), field: fc.constant(field), values: fc.array(withNull(field), { minLength: 15, maxLength: 24 }) }),
    fc.record({ op: fc.constantFrom('isNull' as const, 'isNotNull' as const), field: fc.constant(field) }),
  ];
  if (ORDERED.includes(field)) {
    options.push(
      fc.record({ op: fc.constantFrom('lt' as const, 'lte' as const, 'gt' as const, 'gte' as const), field: fc.constant(field), value: withNull(field) }),
      fc.record({ op: fc.constant('between' as const), field: fc.constant(field), low: withNull(field), high: withNull(field) }),
    );
  }
  if (TEXT.includes(field)) {
    options.push(
      fc.record(
        { op: fc.constantFrom('contains' as const, 'startsWith' as const, 'endsWith' as const), field: fc.constant(field), value: text, caseSensitive: fc.boolean() },
        { requiredKeys: ['op', 'field', 'value'] },
      ),
      fc.record({ op: fc.constant('matches' as const), field: fc.constant(field), pattern: PATTERN, flags: fc.constantFrom('u', 'iu') }),
    );
  }
  return fc.oneof(...options);
});

const tree = fc.letrec<{ node: Filter }>((tie) => ({
  node: fc.oneof(
    { depthSize: 'small', withCrossShrink: true, maxDepth: 3 },
    leaf,
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), filters: fc.array(tie('node'), { maxLength: 3 }) }),
    fc.record({ op: fc.constant('not' as const), filter: tie('node') }),
  ),
})).node;

// ---------------------------------------------------------------------------------------------

let connection: DuckDBConnection;

beforeAll(async () => {
  const instance = await DuckDBInstance.create(':memory:');
  connection = await instance.connect();
  await connection.run('CREATE TABLE t_data (rid INTEGER, f DOUBLE, i INTEGER, s VARCHAR, d VARCHAR, b BOOLEAN, t TIMESTAMP, g BIGINT)');
  const rows = Array.from({ length: ROWS }, (_, r) => {
    const f = floats[r]!;
    const time = times[r]!;
    const big = bigs[r]!;
    return `(${r}, ${f === null ? 'NULL' : sqlDouble(f)}, ${ints[r] ?? 'NULL'}, ${texts[r] === null ? 'NULL' : sqlString(texts[r]!)}, ${texts[r] === null ? 'NULL' : sqlString(texts[r]!)}, ${bools[r] ?? 'NULL'}, ${time === null ? 'NULL' : `epoch_ms(CAST(${time} AS BIGINT))`}, ${big === null ? 'NULL' : `CAST('${big}' AS BIGINT)`})`;
  });
  await connection.run(`INSERT INTO t_data VALUES ${rows.join(', ')}`);
});

afterAll(() => {
  connection?.closeSync();
});

async function duckRows(filter: Filter): Promise<number[]> {
  const reader = await connection.runAndReadAll(`SELECT rid FROM t_data WHERE ${toSql(filter)} ORDER BY rid`);
  return reader.getRowsJS().map((row) => Number(row[0]));
}

describe('filter evaluation agrees with DuckDB', () => {
  it('the DuckDB table holds the same data as the batch', async () => {
    const reader = await connection.runAndReadAll('SELECT count(*), count(f), count(s), count(t), count(g) FROM t_data');
    const [all, f, s, t, g] = reader.getRowsJS()[0]!.map(Number);
    expect([all, f, s, t, g]).toEqual([ROWS, sample(floats).length, sample(texts).length, sample(times).length, sample(bigs).length]);
  });

  it(`random filter trees select the same rows (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (filter) => {
        const expected = await duckRows(filter);
        const plain = keptRows(compileFilter(filter, batch.schema, { optimize: false }).evaluate(batch), ROWS);
        expect(plain, `unoptimized: ${formatFilter(filter)}\nSQL: ${toSql(filter)}`).toEqual(expected);
        const plan = planFilter(filter);
        const optimized = plan.never ? [] : keptRows(compileFilter(plan.filter, batch.schema).evaluate(batch), ROWS);
        expect(optimized, `optimized: ${formatFilter(plan.filter)}`).toEqual(expected);
        // Sliced batches (offsets into the bitmaps and offsets) give the same rows.
        const cut = 37;
        const head = keptRows(compileFilter(filter, batch.schema).evaluate(batch.slice(0, cut)), cut);
        const tail = keptRows(compileFilter(filter, batch.schema).evaluate(batch.slice(cut)), ROWS - cut).map((r) => r + cut);
        expect([...head, ...tail]).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });

  it(`through the engine, row objects filtered term by term across chunks keep the same rows (${Math.ceil(RUNS / 4)} runs)`, async () => {
    // The engine builds each AND term's columns only for the rows earlier terms kept, chunk by chunk.
    const objects = Array.from({ length: ROWS }, (_, r) => ({
      rid: r,
      f: floats[r],
      i: ints[r],
      s: texts[r],
      d: texts[r],
      b: bools[r],
      t: times[r] === null ? null : new Date(Number(times[r])),
      g: bigs[r],
    }));
    await fc.assert(
      fc.asyncProperty(tree, fc.constantFrom(1, 7, 64, 1000), async (filter, chunkSize) => {
        const expected = await duckRows(filter);
        const text = await new Response(exportStream(objects, { format: 'ndjson', filter, chunkSize, columns: ['rid'] })).text();
        const kept = text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { rid: number }).rid);
        expect(kept, `chunkSize ${chunkSize}: ${formatFilter(filter)}\nSQL: ${toSql(filter)}`).toEqual(expected);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });

  it(`text round trip: parseFilter(formatFilter(ast)) keeps the same rows (${Math.ceil(RUNS / 4)} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(tree, async (filter) => {
        const reparsed = parseFilter(formatFilter(filter));
        const a = keptRows(compileFilter(filter, batch.schema).evaluate(batch), ROWS);
        const b = keptRows(compileFilter(reparsed, batch.schema).evaluate(batch), ROWS);
        expect(b).toEqual(a);
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
