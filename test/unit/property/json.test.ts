/**
 * Properties of the JSON and NDJSON writers: random rows (text with quotes, control characters,
 * U+2028, lone surrogates; doubles; integers; booleans; dates over the whole Date range; 64-bit
 * bigints; nested objects and arrays; nulls and missing keys) exported in random chunk sizes and
 * read back with JSON.parse give the same rows: keys in column order, lone surrogates as U+FFFD,
 * -0 as 0, bigints beyond ±(2^53 − 1) as strings, dates as toISOString text, nested values as
 * JSON.stringify writes them. NDJSON: one value per `\n`-terminated line, no blank lines, no BOM.
 *
 * Runs: SLUICE_PROPERTY_RUNS (default 1,000) per format.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { exportAll } from '../hostile/helpers.js';
import { RUNS, splitsSurrogatePair, text, wellFormed } from './arbitraries.js';

type Kind = 'text' | 'double' | 'int' | 'bool' | 'date' | 'bigint' | 'nested';

const VALUES: Record<Kind, fc.Arbitrary<unknown>> = {
  text,
  double: fc.double({ noNaN: true, noDefaultInfinity: true }),
  int: fc.integer(),
  bool: fc.boolean(),
  date: fc.date({ noInvalidDate: true }),
  bigint: fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }),
  nested: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }), fc.dictionary(text, fc.jsonValue({ maxDepth: 2 }), { maxKeys: 4 })),
};

interface Column {
  name: string;
  kind: Kind;
}

/** 1–5 columns of one kind each (a column mixing kinds is written as text: another test's business). */
const columns: fc.Arbitrary<Column[]> = fc.uniqueArray(
  fc.record({
    // Well-formed names: a lone surrogate in a key is a known failure (test/unit/hostile/rows.test.ts).
    // Not empty: an empty name is refused (test/unit/formats/names.test.ts).
    name: text.filter((name) => name !== '' && wellFormed(name) === name),
    kind: fc.constantFrom<Kind>('text', 'double', 'int', 'bool', 'date', 'bigint', 'nested'),
  }),
  { minLength: 1, maxLength: 5, selector: (column) => column.name },
);

/** Rows for the columns: each cell a value, null, or (sometimes) a missing key. */
const table = columns.chain((cols) =>
  fc.record({
    cols: fc.constant(cols),
    rows: fc.array(
      fc.tuple(...cols.map((col) => fc.oneof({ weight: 6, arbitrary: VALUES[col.kind] }, { weight: 2, arbitrary: fc.constant(null) }, { weight: 1, arbitrary: fc.constant(undefined) }))),
      { maxLength: 12 },
    ),
  }),
);

const SAFE = 2n ** 53n - 1n;

/** What JSON.parse should give back for a value written by the JSON encoders. */
function expected(kind: Kind, value: unknown): unknown {
  if (value === null || value === undefined) return null;
  switch (kind) {
    case 'text':
      return wellFormed(value as string);
    case 'double':
    case 'int':
      return Object.is(value, -0) ? 0 : value;
    case 'date':
      return (value as Date).toISOString();
    case 'bigint': {
      const big = value as bigint;
      return big >= -SAFE && big <= SAFE ? Number(big) : big.toString();
    }
    case 'nested':
      return JSON.parse(JSON.stringify(value)) as unknown;
    case 'bool':
      return value;
  }
}

/** -0 → 0 everywhere: JSON cannot tell them apart. */
function zeroes(value: unknown): unknown {
  if (Object.is(value, -0)) return 0;
  if (Array.isArray(value)) return value.map(zeroes);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, zeroes(v)]));
  return value;
}

function textCells(cols: Column[], rows: unknown[][]): Array<string | null> {
  return rows.flatMap((row) => row.filter((_, i) => cols[i]!.kind === 'text') as Array<string | null>);
}

describe.each(['ndjson', 'json'] as const)('%s properties', (format) => {
  it(`JSON.parse gives back the rows (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.constantFrom(1, 7, 16_384), async ({ cols, rows }, chunkSize) => {
        fc.pre(!splitsSurrogatePair(textCells(cols, rows)));
        // A -2^53 bigint is a known failure (pinned below); fast-check reaches it only by chance.
        fc.pre(!rows.some((row) => row.some((value) => value === -(2n ** 53n))));
        const source = rows.map((row, r) => {
          const object: Record<string, unknown> = {};
          cols.forEach((col, i) => {
            // The first row names every column: a listed column absent from the first chunk is a known failure (below).
            const value = r === 0 && row[i] === undefined ? null : row[i];
            if (value !== undefined) Object.defineProperty(object, col.name, { value, enumerable: true, writable: true, configurable: true });
          });
          return object;
        });
        const { bytes } = await exportAll(source, { format, chunkSize, columns: cols.map((col) => col.name) });
        const output = new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
        expect(output.startsWith('\ufeff')).toBe(false);
        expect(output.endsWith('\n') || (format === 'ndjson' && output === '' && rows.length === 0)).toBe(true);
        let back: unknown[];
        if (format === 'ndjson') {
          const lines = output.slice(0, -1).split('\n');
          if (rows.length === 0) expect(output).toBe('');
          else {
            expect(lines).toHaveLength(rows.length);
            expect(lines.every((line) => line.length > 0)).toBe(true);
          }
          back = rows.length === 0 ? [] : lines.map((line) => JSON.parse(line) as unknown);
        } else {
          back = JSON.parse(output) as unknown[];
        }
        const want = rows.map((row) => Object.fromEntries(cols.map((col, i) => [col.name, expected(col.kind, row[i])])));
        expect(back.map((row) => Object.keys(row as object))).toEqual(want.map((row) => Object.keys(row)));
        expect(zeroes(back)).toEqual(zeroes(want));
      }),
      { numRuns: RUNS },
    );
  });
});

describe('JSON bigints at ±2^53', () => {
  it('2^53 − 1 and −(2^53 − 1) are numbers, 2^53 a string', async () => {
    const { bytes } = await exportAll([{ v: SAFE }, { v: -SAFE }, { v: 2n ** 53n }], { format: 'ndjson' });
    expect(new TextDecoder().decode(bytes)).toBe('{"v":9007199254740991}\n{"v":-9007199254740991}\n{"v":"9007199254740992"}\n');
  });

  /*
   * Known failure: json.bigint 'auto' writes −2^53 as a number but 2^53 as a string. A reader cannot
   * tell −2^53 from −2^53 − 1 once parsed, so both should be strings (the safe-integer rule).
   * Fix in formats/columns.ts int64NeedsBigInt: also true for high === −0x200000 && low === 0.
   */
  it('−2^53 is a string like 2^53', async () => {
    const { bytes } = await exportAll([{ v: -(2n ** 53n) }], { format: 'ndjson' });
    expect(new TextDecoder().decode(bytes)).toBe('{"v":"-9007199254740992"}\n');
  });
});

describe('columns named in options but absent from the first chunk', () => {
  // APIs often omit null fields, so a listed column may first appear after the first chunk.
  it.each(['csv', 'ndjson'] as const)('a listed column first seen in a later chunk of an array is exported (%s)', async (format) => {
    const { result } = await exportAll([{ a: 1 }, { a: 2, b: 3 }], { format, chunkSize: 1, columns: ['a', 'b'] });
    expect(result.rowsWritten).toBe(2);
  });

  it('a listed column first seen in a later chunk of a stream is exported', async () => {
    async function* rows() {
      yield { a: 1 };
      yield { a: 2, b: 3 };
    }
    const { bytes } = await exportAll(rows(), { format: 'ndjson', chunkSize: 1, columns: ['a', 'b'] });
    expect(new TextDecoder().decode(bytes)).toBe('{"a":1,"b":null}\n{"a":2,"b":3}\n');
  });

  it('a listed column no row of an array holds fails with unknown_column', async () => {
    await expect(exportAll([{ a: 1 }, { a: 2, b: 3 }], { format: 'csv', chunkSize: 1, columns: ['a', 'c'] })).rejects.toMatchObject({ code: 'unknown_column' });
  });
});

