/**
 * Once the first chunk has settled the column kinds, CSV and TSV write rows straight from their
 * objects (`Encoder.encodeRows`), and CSV, TSV, JSON and NDJSON from the columns the page packed
 * them into (`Encoder.encodePacked`), skipping the record batch. Property: for random rows — columns
 * that mostly hold one kind and now and then something else (another kind, -0, NaN, an invalid
 * Date, a bigint, an object, a getter that throws), object or array rows, any CSV options,
 * random chunk sizes and row limits — the file and the result are byte for byte what the batch
 * path writes. The direct path must also actually run, or the comparison proves nothing.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createExport } from '../../../src/engine.js';
import { FULL_PARTS, type EngineParts } from '../../../src/engine-parts.js';
import type { Encoder, FormatDefinition } from '../../../src/formats/types.js';
import type { ExportResult, ExportSource, StreamOptions } from '../../../src/types.js';
import { pulled } from '../../helpers/pulled.js';

const RUNS = Number(process.env['DIRECT_ROWS_RUNS'] ?? 400);

/** Parts whose CSV/TSV encoders count the chunks their direct path wrote. */
function countingParts(direct: boolean, counter: { direct: number }): EngineParts {
  return {
    ...FULL_PARTS,
    writeRowsDirectly: direct,
    getFormat(name: unknown): FormatDefinition {
      const format = FULL_PARTS.getFormat(name);
      return {
        ...format,
        async createEncoder(context) {
          const encoder: Encoder = await format.createEncoder(context);
          const { encodeRows, encodePacked } = encoder;
          return {
            ...encoder,
            encode: encoder.encode,
            finish: encoder.finish,
            ...(encodeRows === undefined
              ? {}
              : {
                  encodeRows(...args: Parameters<typeof encodeRows>) {
                    const written = encodeRows(...args);
                    if (written) counter.direct++;
                    return written;
                  },
                }),
            ...(encodePacked === undefined
              ? {}
              : {
                  encodePacked(...args: Parameters<typeof encodePacked>) {
                    const written = encodePacked(...args);
                    if (written) counter.direct++;
                    return written;
                  },
                }),
          };
        },
      };
    },
  };
}

type Outcome = { text: string; result: ExportResult } | { error: string };

async function run(parts: EngineParts, rows: unknown[] | ExportSource, options: StreamOptions): Promise<Outcome> {
  try {
    const { stream, result } = createExport(parts, rows as ExportSource, options);
    const bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    // Bytes compared as Latin-1 so an invalid sequence would show, not turn into U+FFFD.
    return { text: Array.from(bytes, (b) => String.fromCharCode(b)).join(''), result: await result };
  } catch (error) {
    return { error: `${(error as { code?: string }).code}: ${(error as Error).message}` };
  }
}

/**
 * The direct path's export must be the batch path's: the same failure, or the same bytes and the
 * same result but for its duration. True when both succeeded.
 */
function expectSameExport(direct: Outcome, batch: Outcome): boolean {
  if ('error' in batch || 'error' in direct) {
    expect(direct).toEqual(batch);
    return false;
  }
  expect(direct.text).toBe(batch.text);
  const { durationMs: _a, ...directResult } = direct.result;
  const { durationMs: _b, ...batchResult } = batch.result;
  expect(directResult).toEqual(batchResult);
  return true;
}

const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ maxLength: 12 }) },
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }), // lone surrogates included
  fc.constantFrom('', 'a,b', 'a;b', 'a|b', 'tab\there', "it's", 'say "hi"', 'line\nbreak', 'cr\r', '=1+1', '-5', '+1 555 0100', '@x', '\0=1', '\uFEFFbom', 'ｱ', 'café', '\uD800', '\uDC00x', 'NULL'),
);
const rare = fc.constantFrom<unknown>('12', 7, 1.5, -0, Number.NaN, Number.POSITIVE_INFINITY, true, 10n, { a: 1 }, [1, 2], new Date(Number.NaN), new Date(0), Symbol('s'));

/** A column: mostly values of one kind (and nulls), a rare other value now and then. */
const KINDS: Record<string, fc.Arbitrary<unknown>> = {
  int: fc.integer({ min: -1_000_000, max: 1_000_000 }),
  float: fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer().map((n) => n / 100)),
  text,
  bool: fc.boolean(),
  date: fc.date({ min: new Date(-6e13), max: new Date(6e13), noInvalidDate: true }),
  none: fc.constant(null),
};
const cell = (kind: string): fc.Arbitrary<unknown> =>
  fc.oneof({ weight: 40, arbitrary: KINDS[kind]! }, { weight: 4, arbitrary: fc.constantFrom(null, undefined) }, { weight: 1, arbitrary: rare });

const csvOptions = fc.record(
  {
    delimiter: fc.constantFrom(',', ';', '|', '\t'),
    quote: fc.constantFrom('"', "'"),
    newline: fc.constantFrom('\r\n', '\n', '\r'),
    nullValue: fc.constantFrom('', 'NULL', '\\N'),
    dateFormat: fc.constantFrom('iso', 'date', 'epoch'),
    escapeFormulae: fc.boolean(),
    quoteAll: fc.boolean(),
    bom: fc.boolean(),
    header: fc.boolean(),
  },
  { requiredKeys: [] },
);

const scenario = fc
  .record({
    kinds: fc.array(fc.constantFrom(...Object.keys(KINDS)), { minLength: 1, maxLength: 6 }),
    count: fc.integer({ min: 1, max: 120 }),
    chunkSize: fc.integer({ min: 1, max: 40 }),
    format: fc.constantFrom('csv' as const, 'tsv' as const),
    csv: csvOptions,
    arrays: fc.boolean(),
    pick: fc.boolean(),
    // Now and then an object row whose keys differ from the first row's: in another order, one more
    // key, one key fewer (the direct path reads rows of the first row's keys in one for…in pass).
    variant: fc.constantFrom('none', 'reordered', 'extra', 'missing'),
    variantEvery: fc.integer({ min: 2, max: 9 }),
    maxRows: fc.option(fc.integer({ min: 0, max: 130 }), { nil: undefined }),
    throwingRow: fc.option(fc.integer({ min: 0, max: 119 }), { nil: undefined }),
  })
  .chain((s) =>
    fc.record({
      s: fc.constant(s),
      cells: fc.array(fc.tuple(...s.kinds.map(cell)), { minLength: s.count, maxLength: s.count }),
    }),
  );

describe('CSV rows written straight from their objects', () => {
  it(`write the bytes and the result of the batch path (${RUNS} runs)`, async () => {
    const totals = { direct: 0, runs: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, async ({ s, cells }) => {
        const names = s.kinds.map((kind, c) => `${kind}${c}`);
        const rows: unknown[] = cells.map((values, r) => {
          if (s.arrays) return [...values];
          const row: Record<string, unknown> = {};
          const odd = s.variant !== 'none' && r % s.variantEvery === 1;
          const order = names.map((name, c) => [name, c] as const);
          if (odd && s.variant === 'reordered') order.reverse();
          if (odd && s.variant === 'missing') order.pop();
          for (const [name, c] of order) row[name] = values[c];
          if (odd && s.variant === 'extra') row['extra'] = r;
          if (r === s.throwingRow) {
            Object.defineProperty(row, names[0]!, {
              enumerable: true,
              get() {
                throw new Error('getter threw');
              },
            });
          }
          return row;
        });
        // Array rows need `columns` (all of them, in order); object rows sometimes pick and rename some.
        const renamed = names.map((name, c) => (c % 2 === 0 ? name : { field: name, header: `h ${name}` }));
        const columns = s.arrays ? renamed : s.pick ? renamed.filter((_, c) => c !== 1 || names.length === 1).reverse() : undefined;
        const options: StreamOptions = {
          format: s.format,
          chunkSize: s.chunkSize,
          csv: s.format === 'tsv' ? { ...s.csv, delimiter: '\t' } : s.csv,
          ...(columns === undefined ? {} : { columns }),
          ...(s.maxRows === undefined ? {} : { limits: { maxRows: s.maxRows, onExceed: 'truncate' as const } }),
        };
        const counter = { direct: 0 };
        const batch = await run(countingParts(false, { direct: 0 }), rows, options);
        const direct = await run(countingParts(true, counter), rows, options);
        if (expectSameExport(direct, batch)) {
          totals.direct += counter.direct;
          totals.runs++;
        }
      }),
      { numRuns: RUNS },
    );
    // Most runs have several chunks after the first: the direct path must have written many of them.
    expect(totals.direct).toBeGreaterThan(totals.runs);
  });

  it(`write the bytes and the result of the batch path from rows the page packed by column (${RUNS} runs)`, async () => {
    const totals = { direct: 0, runs: 0 };
    await fc.assert(
      fc.asyncProperty(scenario, fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1, maxLength: 4 }), fc.constantFrom('csv', 'json', 'ndjson'), async ({ s, cells }, sizes, family) => {
        // Page-held object rows, as the worker pulls them (no getters: the page's structured clone would run them).
        const names = s.kinds.map((kind, c) => `${kind}${c}`);
        const rows = cells.map((values) => Object.fromEntries(names.map((name, c) => [name, values[c]])));
        const limits = s.maxRows === undefined ? {} : { limits: { maxRows: s.maxRows, onExceed: 'truncate' as const } };
        const options: StreamOptions =
          family === 'csv'
            ? { format: s.format, chunkSize: s.chunkSize, csv: s.format === 'tsv' ? { ...s.csv, delimiter: '\t' } : s.csv, ...limits }
            : { format: family, chunkSize: s.chunkSize, json: { dateFormat: s.csv.dateFormat ?? 'iso' }, ...limits };
        const counter = { direct: 0 };
        const batch = await run(countingParts(false, { direct: 0 }), rows, options);
        let direct: Outcome;
        try {
          direct = await run(countingParts(true, counter), pulled(rows, sizes), options);
        } catch (error) {
          // A symbol cannot be cloned to the worker: the page would refuse it before.
          if (rows.some((row) => Object.values(row).some((value) => typeof value === 'symbol'))) return;
          throw error;
        }
        if ('error' in direct && rows.some((row) => Object.values(row).some((value) => typeof value === 'symbol'))) return;
        if (expectSameExport(direct, batch)) {
          totals.direct += counter.direct;
          totals.runs++;
        }
      }),
      { numRuns: RUNS },
    );
    expect(totals.direct).toBeGreaterThan(totals.runs / 2);
  });

  it('writes later chunks directly, and falls back for a chunk holding a value of another kind', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}`, at: new Date(Date.UTC(2024, 0, 1, 0, 0, i)), ok: i % 2 === 0, score: i / 4 }));
    (rows[33] as Record<string, unknown>).id = 'thirty-three';
    const counter = { direct: 0 };
    const direct = await run(countingParts(true, counter), rows, { format: 'csv', chunkSize: 10 });
    const batch = await run(countingParts(false, { direct: 0 }), rows, { format: 'csv', chunkSize: 10 });
    expect(direct).toEqual({ ...batch, result: { ...(batch as { result: ExportResult }).result, durationMs: (direct as { result: ExportResult }).result.durationMs } });
    // Chunks 1, 2, 3 and 5 directly (the first after its batch settles the kinds and writes the
    // header); the fourth holds the text in the number column.
    expect(counter.direct).toBe(4);
    expect((direct as { result: ExportResult }).result.issues).toEqual([expect.objectContaining({ code: 'type_mismatch', row: 33, column: 'id' })]);
  });

  it('writes the first chunk through its batch when the batch found a value of another kind', async () => {
    const rows = Array.from({ length: 30 }, (_, i) => ({ id: i, name: `n${i}`, score: i / 4 }));
    (rows[3] as Record<string, unknown>).id = 'three';
    const counter = { direct: 0 };
    const direct = await run(countingParts(true, counter), rows, { format: 'csv', chunkSize: 10 });
    const batch = await run(countingParts(false, { direct: 0 }), rows, { format: 'csv', chunkSize: 10 });
    expect(direct).toEqual({ ...batch, result: { ...(batch as { result: ExportResult }).result, durationMs: (direct as { result: ExportResult }).result.durationMs } });
    expect(counter.direct).toBe(2);
    expect((direct as { result: ExportResult }).result.issues).toEqual([expect.objectContaining({ code: 'type_mismatch', row: 3, column: 'id' })]);
  });
});
