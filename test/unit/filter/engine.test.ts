/** The filter through the export engine: rows → record batches (the schema builder) → filter → CSV. */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { where } from '../../../src/filter/index.js';
import type { StreamOptions } from '../../../src/types.js';

const rows = Array.from({ length: 50 }, (_, i) => ({
  id: i,
  name: i % 3 === 0 ? `Apple ${i}` : `pear ${i}`,
  amount: i % 7 === 0 ? null : i * 1.5,
  active: i % 2 === 0,
  when: new Date(Date.UTC(2024, 0, 1 + i)),
}));

async function exportedIds(filter: NonNullable<StreamOptions['filter']>, chunkSize = 7): Promise<number[]> {
  const text = await new Response(exportStream(rows, { format: 'csv', filter, chunkSize })).text();
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  return parsed.data.map((row) => Number(row['id']));
}

describe('filters in an export', () => {
  it('keeps the matching rows across chunks, for text, ASTs, builders and arrays', async () => {
    const expected = rows.filter((r) => r.amount !== null && r.amount > 20 && r.active && r.name.toLowerCase().includes('apple')).map((r) => r.id);
    expect(expected.length).toBeGreaterThan(2);
    expect(await exportedIds("amount > 20 and active and name icontains 'APPLE'")).toEqual(expected);
    expect(await exportedIds(where('amount', '>', 20).and(where('active', '=', true), where('name', 'contains', 'apple', { caseSensitive: false })))).toEqual(expected);
    expect(await exportedIds(['amount > 20', { op: 'eq', field: 'active', value: true }, "name icontains 'apple'"], 1)).toEqual(expected);
  });

  it('filters dates given as ISO text and drops null rows under not', async () => {
    const expected = rows.filter((r) => r.when.getTime() >= Date.UTC(2024, 1, 1) && r.amount !== null).map((r) => r.id);
    expect(await exportedIds("when >= '2024-02-01' and not amount is null")).toEqual(expected);
    const notExpected = rows.filter((r) => r.amount !== null && !(r.amount > 30)).map((r) => r.id);
    expect(await exportedIds('not amount > 30')).toEqual(notExpected);
  });

  it('follows a stream whose filtered columns widen after the first chunk (null → number, int → float)', async () => {
    async function* source() {
      for (let i = 0; i < 30; i++) yield { id: i, late: i < 10 ? null : i + 0.5, step: i === 25 ? 25.5 : i };
    }
    for (const chunkSize of [1, 7, 10]) {
      const text = await new Response(exportStream(source(), { format: 'csv', filter: 'late between 12 and 20 or step > 25', chunkSize })).text();
      const ids = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data.map((row) => Number(row['id']));
      expect(ids, `chunk size ${chunkSize}`).toEqual([12, 13, 14, 15, 16, 17, 18, 19, 25, 26, 27, 28, 29]);
    }
  });

  it('puts the terms that drop the most rows first as the export goes, with the same result', async () => {
    // `amount >= 0` is planned first (a cheap number) but keeps every row; `tag = 'keep'` keeps 10%.
    // The first chunk is filtered whole and the second term by term in the planned order; from the
    // third on, amount is read only for the rows the tag term kept.
    let amountReads = 0;
    const source = Array.from({ length: 1000 }, (_, i) => ({
      id: i,
      tag: i % 10 === 3 ? 'keep' : 'drop',
      get amount() {
        amountReads++;
        return i;
      },
    }));
    const text = await new Response(exportStream(source, { format: 'csv', filter: "amount >= 0 and tag = 'keep'", chunkSize: 100, columns: ['id'] })).text();
    const ids = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true }).data.map((row) => Number(row['id']));
    expect(ids).toEqual(source.filter((row) => row.tag === 'keep').map((row) => row.id));
    expect(amountReads).toBe(100 + 100 + 8 * 10);
  });

  it('writes no rows for a contradiction', async () => {
    expect(await exportedIds('amount > 5 and amount < 3')).toEqual([]);
  });

  it('rejects an unknown column with a suggestion', async () => {
    let caught: unknown;
    try {
      await exportedIds('amout > 1');
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught) && caught.code).toBe('unknown_column');
    expect((caught as Error).message).toMatch(/did you mean "amount"/);
  });
});
