/**
 * Rows pulled from the page arrive packed by column and are built into batches straight from their
 * columns. Property: for random rows of one shape (numbers, text with any Unicode, booleans,
 * dates, nulls and mixed columns), chunked at random, the export is byte for byte the export of
 * the same row objects streamed as objects — for every format, with and without a filter.
 */
import fc from 'fast-check';
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import type { Filter } from '../../../src/filter/ast.js';
import type { ExportFormat } from '../../../src/types.js';
import { createPageSource } from '../../../src/worker/page-source.js';
import { workerSource } from '../../../src/worker/worker-source.js';
import { FULL_PARTS } from '../../../src/engine-parts.js';
import { pulled } from '../../helpers/pulled.js';

const RUNS = Number(process.env['PACKED_PROPERTY_RUNS'] ?? 300);

async function* streamed(rows: unknown[]): AsyncGenerator<Record<string, unknown>> {
  yield* rows as Array<Record<string, unknown>>;
}

async function bytesOf(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

const text = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }), // lone surrogates included
  fc.constantFrom('', 'a,b', 'say "hi"', 'line\nbreak', '=1+1', '-5', 'café', '\uD800', '\uDC00x'),
);
const columnValues: Array<fc.Arbitrary<unknown>> = [
  fc.oneof(fc.integer({ min: -1000, max: 1000 }), fc.constant(null)),
  fc.oneof(fc.double({ noDefaultInfinity: false }), fc.integer(), fc.constant(null), fc.constant(undefined)),
  fc.oneof(text, fc.constant(null)),
  fc.oneof(fc.boolean(), fc.constant(null)),
  fc.oneof(fc.date({ min: new Date(-1e13), max: new Date(1e13), noInvalidDate: true }), fc.constant(null)),
  fc.oneof(fc.integer(), text, fc.constant(null)), // mixed: packed as plain values
];

const table = fc
  .tuple(fc.array(fc.constantFrom(0, 1, 2, 3, 4, 5), { minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 60 }))
  .chain(([kinds, count]) =>
    fc.tuple(
      fc.array(fc.tuple(...kinds.map((kind) => columnValues[kind]!)), { minLength: count, maxLength: count }),
      fc.constant(kinds),
    ),
  )
  .map(([cells, kinds]) => cells.map((values) => Object.fromEntries(kinds.map((_, c) => [`c${c}`, values[c]]))));

describe('building batches from packed rows', () => {
  it(`writes exactly what the same rows streamed as objects write (${RUNS} runs per format)`, async () => {
    for (const format of ['csv', 'ndjson', 'json'] as ExportFormat[]) {
      await fc.assert(
        fc.asyncProperty(table, fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 }), fc.constantFrom(3, 16_384), async (rows, sizes, chunkSize) => {
          const expected = await bytesOf(exportStream(streamed(rows), { format, chunkSize }));
          const actual = await bytesOf(exportStream(pulled(rows, sizes), { format, chunkSize }));
          expect(new TextDecoder().decode(actual)).toBe(new TextDecoder().decode(expected));
        }),
        { numRuns: RUNS },
      );
    }
  });

  it('writes the same Arrow file, types included', async () => {
    await fc.assert(
      fc.asyncProperty(table, fc.array(fc.integer({ min: 1, max: 25 }), { minLength: 1, maxLength: 4 }), async (rows, sizes) => {
        let expected: Uint8Array;
        try {
          expected = await bytesOf(exportStream(streamed(rows), { format: 'arrow' }));
        } catch (error) {
          // A later value that cannot join its column's locked type fails the same way on both paths.
          await expect(bytesOf(exportStream(pulled(rows, sizes), { format: 'arrow' }))).rejects.toMatchObject({ code: (error as { code: string }).code });
          return;
        }
        const actual = tableFromIPC(await bytesOf(exportStream(pulled(rows, sizes), { format: 'arrow' })));
        const reference = tableFromIPC(expected);
        expect(String(actual.schema.fields.map((f) => `${f.name}:${String(f.type)}`))).toBe(String(reference.schema.fields.map((f) => `${f.name}:${String(f.type)}`)));
        expect(JSON.stringify(actual.toArray(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v))).toBe(JSON.stringify(reference.toArray(), (_k, v: unknown) => (typeof v === 'bigint' ? String(v) : v)));
      }),
      { numRuns: Math.ceil(RUNS / 3) },
    );
  });

  it('keeps a lone high surrogate ending one text apart from a lone low one starting the next', async () => {
    // Joined, the two would read as one astral character; each must become U+FFFD on its own.
    const rows = [{ t: 'a\uD800' }, { t: '\uDC00b' }, { t: 'é' }, { t: '😀' }, { t: null }, { t: 'x\uD83D' }, { t: '\uDE00' }];
    for (const sizes of [[7], [1], [2, 3]]) {
      const expected = await bytesOf(exportStream(streamed(rows), { format: 'ndjson' }));
      const actual = await bytesOf(exportStream(pulled(rows, sizes), { format: 'ndjson' }));
      expect(new TextDecoder().decode(actual)).toBe(new TextDecoder().decode(expected));
      expect(new TextDecoder().decode(actual)).toContain('"a\uFFFD"}\n{"t":"\uFFFDb"}');
    }
  });

  it('filters packed rows term by term as it filters objects', async () => {
    const rows = Array.from({ length: 5000 }, (_, i) => ({ id: i, name: i % 7 === 0 ? null : `nom ${i} é`, amount: i % 11 === 0 ? null : i * 0.25, active: i % 3 === 0, when: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000) }));
    const filters: Filter[] = [
      { op: 'and', filters: [{ op: 'gt', field: 'amount', value: 100 }, { op: 'eq', field: 'active', value: true }, { op: 'contains', field: 'name', value: '9' }] },
      { op: 'or', filters: [{ op: 'isNull', field: 'name' }, { op: 'lt', field: 'when', value: { $date: '2024-01-03T00:00:00Z' } }] },
      { op: 'gte', field: 'id', value: 0 },
    ];
    for (const filter of filters) {
      const expected = await bytesOf(exportStream(streamed(rows), { format: 'csv', filter }));
      const actual = await bytesOf(exportStream(pulled(rows, [2000, 777]), { format: 'csv', filter }));
      expect(new TextDecoder().decode(actual)).toBe(new TextDecoder().decode(expected));
    }
  });

  it('reads what the page source sends, in order, with the total known', async () => {
    const rows = Array.from({ length: 4321 }, (_, i) => ({ id: i, label: `row ${i}` }));
    const page = createPageSource(rows);
    const source = workerSource(page.spec, () => page.pull(), FULL_PARTS);
    const progress: Array<number | undefined> = [];
    const text = new TextDecoder().decode(await bytesOf(exportStream(source, { format: 'csv', onProgress: (p) => { if (p.phase !== 'starting') progress.push(p.totalRows); } })));
    expect(text).toBe(['id,label', ...rows.map((r) => `${r.id},${r.label}`)].join('\r\n') + '\r\n');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress, 'every update knows the total').toEqual(progress.map(() => 4321));
  });
});
