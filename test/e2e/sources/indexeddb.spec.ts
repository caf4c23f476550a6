/**
 * fromIndexedDB in Chromium: a million-record store exported to CSV on the main thread and in the
 * worker, and to Parquet in the worker (read back with hyparquet); ranges, directions, index reads
 * across batch boundaries, odd records, and missing databases, stores and indexes (which must
 * leave no database behind).
 */
import { parquetReadObjects } from 'hyparquet';
import type { Filter } from '../../../src/filter/ast.js';
import { expect, parseCsv, test } from './fixtures.js';

const MILLION = 1_000_000;

/** active (even ids) and group (id % 100) below 10: ids whose last two digits are 0, 2, 4, 6 or 8. */
const FILTER: Filter = {
  op: 'and',
  filters: [
    { op: 'eq', field: 'active', value: true },
    { op: 'lt', field: 'group', value: 10 },
  ],
};

function expectedFilteredIds(count: number): number[] {
  const ids: number[] = [];
  for (let i = 0; i < count; i++) if (i % 2 === 0 && i % 100 < 10) ids.push(i);
  return ids;
}

test.describe('fromIndexedDB', () => {
  test('exports a 1,000,000-record store to CSV and Parquet with a filter, on the page and in the worker', async ({ sources, pageErrors }, testInfo) => {
    test.setTimeout(900_000);
    const fillMs = await sources.evaluate((count) => window.sluiceSources!.fill('million', 'rows', count), MILLION);

    const spec = { kind: 'indexeddb' as const, options: { database: 'million', store: 'rows' } };
    const onPage = await sources.evaluate(([s, filter]) => window.sluiceSources!.exportOnPage(s, { format: 'csv', filter }), [spec, FILTER] as const);
    const expectedIds = expectedFilteredIds(MILLION);
    const rows = parseCsv(onPage.text);
    expect(Object.keys(rows[0]!)).toEqual(['id', 'name', 'group', 'amount', 'active']);
    expect(rows).toHaveLength(expectedIds.length);
    expect(rows.map((row) => Number(row['id']))).toEqual(expectedIds);
    const sample = rows[1234]!;
    const id = Number(sample['id']);
    expect(sample).toEqual({ id: String(id), name: `name ${id}`, group: String(id % 100), amount: String(id * 0.5), active: 'true' });
    expect(onPage.result).toMatchObject({ rowsRead: MILLION, rowsWritten: expectedIds.length, rowsFiltered: MILLION - expectedIds.length, issueCount: 0 });

    // Progress knows the total from the start, so it has a fraction and an ETA on the way.
    const running = onPage.progress.filter((p) => p.phase === 'running');
    expect(running.length).toBeGreaterThan(2);
    expect(running.every((p) => p.totalRows === MILLION)).toBe(true);
    expect(running.some((p) => p.fraction !== undefined && p.fraction > 0 && p.fraction < 1 && p.etaMs !== undefined)).toBe(true);
    const fractions = running.map((p) => p.fraction ?? -1);
    expect(fractions).toEqual([...fractions].sort((a, b) => a - b));
    expect(onPage.progress.at(-1)).toMatchObject({ phase: 'done', fraction: 1 });

    const inWorker = await sources.evaluate(([s, filter]) => window.sluiceSources!.exportInWorker(s, { format: 'csv', filter }), [spec, FILTER] as const);
    expect(inWorker.text).toBe(onPage.text);
    expect(inWorker.progress.some((p) => p.totalRows === MILLION && p.fraction !== undefined && p.fraction > 0 && p.fraction < 1)).toBe(true);

    // Parquet, same filter, in the worker: read back in Node by hyparquet.
    const parquet = await sources.evaluate(([s, filter]) => window.sluiceSources!.exportInWorker(s, { format: 'parquet', filter }), [spec, FILTER] as const);
    expect(parquet.result).toMatchObject({ rowsRead: MILLION, rowsWritten: expectedIds.length, rowsFiltered: MILLION - expectedIds.length, issueCount: 0 });
    const parquetBytes = Buffer.from(parquet.base64!, 'base64');
    expect(parquetBytes.byteLength).toBe(parquet.result.bytesWritten);
    const records = (await parquetReadObjects({ file: parquetBytes.buffer.slice(parquetBytes.byteOffset, parquetBytes.byteOffset + parquetBytes.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(expectedIds.length);
    expect(Object.keys(records[0]!)).toEqual(['id', 'name', 'group', 'amount', 'active']);
    expect(records.map((record) => record['id'])).toEqual(expectedIds);
    const parquetSample = records[1234]!;
    const parquetId = parquetSample['id'] as number;
    expect(parquetSample).toEqual({ id: parquetId, name: `name ${parquetId}`, group: parquetId % 100, amount: parquetId * 0.5, active: true });
    const lastId = expectedIds.at(-1)!;
    expect(records.at(-1)).toEqual({ id: lastId, name: `name ${lastId}`, group: lastId % 100, amount: lastId * 0.5, active: true });

    // Without a filter every record is written.
    const all = await sources.evaluate((s) => window.sluiceSources!.exportOnPage(s, { format: 'csv' }), spec);
    const allRows = parseCsv(all.text);
    expect(allRows).toHaveLength(MILLION);
    expect(allRows[MILLION - 1]).toEqual({ id: '999999', name: 'name 999999', group: '99', amount: '499999.5', active: 'false' });

    const figures = { fillMs: Math.round(fillMs), filteredCsvOnPageMs: Math.round(onPage.ms), filteredCsvInWorkerMs: Math.round(inWorker.ms), filteredParquetInWorkerMs: Math.round(parquet.ms), parquetBytes: parquet.result.bytesWritten, fullCsvOnPageMs: Math.round(all.ms), csvBytes: all.result.bytesWritten };
    testInfo.annotations.push({ type: 'figures', description: JSON.stringify(figures) });
    console.log(`IndexedDB 1M records: ${JSON.stringify(figures)}`);
    await sources.evaluate(() => window.sluiceSources!.deleteDatabase('million'));
    expect(pageErrors).toEqual([]);
  });

  for (const path of ['getAllRecords', 'cursor'] as const) {
    test(`reads a range, backwards, with a limit; the total follows the range and the limit (${path})`, async ({ sources }) => {
      if (path === 'cursor') expect(await sources.evaluate(() => window.sluiceSources!.hideGetAllRecords()), 'this Chromium has getAllRecords').toBe(true);
      await sources.evaluate(() => window.sluiceSources!.fill('ranges', 'rows', 1000));
      const run = (options: Record<string, unknown>, chunkSize = 7) =>
        sources.evaluate(([o, c]) => window.sluiceSources!.exportOnPage({ kind: 'indexeddb', options: { database: 'ranges', store: 'rows', ...o } }, { format: 'csv', chunkSize: c }), [options, chunkSize] as const);
      const ids = (text: string) => parseCsv(text).map((row) => Number(row['id']));
      const all = await run({});
      expect(ids(all.text)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
      const range = await run({ range: { lower: 100, upper: 200, upperOpen: true } });
      expect(ids(range.text)).toEqual(Array.from({ length: 100 }, (_, i) => 100 + i));
      expect(range.progress.at(-1)).toMatchObject({ phase: 'done', totalRows: 100, fraction: 1 });

      const backwards = await run({ range: { lower: 10, lowerOpen: true, upper: 30 }, direction: 'prev', limit: 15 });
      expect(ids(backwards.text)).toEqual(Array.from({ length: 15 }, (_, i) => 30 - i));
      expect(backwards.result.rowsRead).toBe(15);
      const allBackwards = await run({ direction: 'prev' });
      expect(ids(allBackwards.text)).toEqual(Array.from({ length: 1000 }, (_, i) => 999 - i));

      // Batches that end exactly on the last key of the range.
      const exact = await run({ range: { lower: 0, upper: 13 } });
      expect(ids(exact.text)).toEqual(Array.from({ length: 14 }, (_, i) => i));
      const exactBackwards = await run({ range: { lower: 986 }, direction: 'prev' });
      expect(ids(exactBackwards.text)).toEqual(Array.from({ length: 14 }, (_, i) => 999 - i));
      const only = await run({ range: { only: 500 } }, 1);
      expect(ids(only.text)).toEqual([500]);
      // No rows and no known columns: nothing to write a file of; with `columns`, the header alone.
      await expect(run({ range: { lower: 5000 } })).rejects.toThrow(/nothing to export/);
      const empty = await sources.evaluate(() =>
        window.sluiceSources!.exportOnPage({ kind: 'indexeddb', options: { database: 'ranges', store: 'rows', range: { lower: 5000 } } }, { format: 'csv', columns: ['id'] }),
      );
      expect(empty.text).toBe('id\r\n');
      expect(empty.result.rowsRead).toBe(0);
    });
  }

  test('reads through an index whose keys repeat across batch boundaries', async ({ sources }) => {
    await sources.evaluate(() => window.sluiceSources!.fill('indexed', 'rows', 200, 'index-duplicates'));
    for (const direction of ['next', 'prev'] as const) {
      for (const chunkSize of [1, 7, 64]) {
        const out = await sources.evaluate(
          ([d, c]) => window.sluiceSources!.exportOnPage({ kind: 'indexeddb', options: { database: 'indexed', store: 'rows', index: 'byGroup', direction: d } }, { format: 'csv', chunkSize: c }),
          [direction, chunkSize] as const,
        );
        const got = parseCsv(out.text).map((row) => [Number(row['group']), Number(row['id'])] as const);
        // Index order: group, then primary key (both reversed for 'prev').
        const expected = Array.from({ length: 200 }, (_, id) => [(id * 7) % 3, id] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]);
        expect(got, `${direction}, chunkSize ${chunkSize}`).toEqual(direction === 'next' ? expected : expected.reverse());
      }
    }
    const ranged = await sources.evaluate(() =>
      window.sluiceSources!.exportOnPage({ kind: 'indexeddb', options: { database: 'indexed', store: 'rows', index: 'byGroup', range: { only: 1 } } }, { format: 'csv', chunkSize: 5 }),
    );
    expect(parseCsv(ranged.text).every((row) => row['group'] === '1')).toBe(true);
    expect(parseCsv(ranged.text)).toHaveLength(Array.from({ length: 200 }, (_, id) => (id * 7) % 3).filter((g) => g === 1).length);
  });

  test('exports records that are not plain objects by the documented rules', async ({ sources }) => {
    await sources.evaluate(() => window.sluiceSources!.fill('odd', 'things', 0, 'odd-records'));
    const out = await sources.evaluate(() => window.sluiceSources!.exportOnPage({ kind: 'indexeddb', options: { database: 'odd', store: 'things' } }, { format: 'ndjson' }));
    const rows = out.text.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    const compact = rows.map((row) => Object.fromEntries(Object.entries(row).filter(([, value]) => value !== null)));
    expect(compact).toEqual([
      { id: 1, name: 'plain' },
      { value: 42 },
      { value: 'text' },
      {},
      { id: 5, name: 'has a blob' },
      { x: 1, y: 2 },
      { value: '2024-01-02T00:00:00.000Z' },
    ]);
    expect(out.result.issues.filter((issue) => issue.code === 'invalid_value').map(({ row, column }) => ({ row, column }))).toEqual([
      { row: 3, column: 'value' },
      { row: 4, column: 'file' },
    ]);
  });

  test('lets another connection upgrade the database mid-export, and fails the export', async ({ sources }) => {
    await sources.evaluate(() => window.sluiceSources!.fill('upgraded', 'rows', 1000));
    const outcome = await sources.evaluate(() => window.sluiceSources!.upgradeDuringExport('upgraded', 'rows'));
    expect(outcome.upgraded, 'the upgrade was not blocked by the export').toBe(true);
    expect(outcome.error).toEqual({ name: 'ExportError', code: 'source_failed', message: 'IndexedDB database "upgraded" was closed by a version change while it was being exported' });
    await sources.evaluate(() => window.sluiceSources!.deleteDatabase('upgraded'));
  });

  for (const where of ['page', 'worker'] as const) {
    test(`fails with source_failed on a missing database, store or index, leaving no database behind (${where})`, async ({ sources }) => {
      await sources.evaluate(() => window.sluiceSources!.fill('present', 'rows', 3));
      const fail = (options: Record<string, unknown>) =>
        sources.evaluate(([w, o]) => window.sluiceSources!.failure(w, { kind: 'indexeddb', options: o as never }, { format: 'csv' }), [where, options] as const);

      const missingDb = await fail({ database: 'no-such-db', store: 'rows' });
      expect(missingDb).toEqual({ name: 'ExportError', code: 'source_failed', message: 'IndexedDB database "no-such-db" does not exist' });
      const names = await sources.evaluate(() => window.sluiceSources!.databaseNames());
      expect(names).toContain('present');
      expect(names).not.toContain('no-such-db');

      const missingStore = await fail({ database: 'present', store: 'nope' });
      expect(missingStore).toMatchObject({ code: 'source_failed', message: 'IndexedDB store "nope" does not exist in database "present" (stores: rows)' });
      const missingIndex = await fail({ database: 'present', store: 'rows', index: 'byName' });
      expect(missingIndex).toMatchObject({ code: 'source_failed', message: 'IndexedDB index "byName" does not exist on store "rows" of database "present" (indexes: byGroup)' });

      // The connection was closed: the database can be deleted without being blocked.
      await sources.evaluate(() => window.sluiceSources!.deleteDatabase('present'));
      expect(await sources.evaluate(() => window.sluiceSources!.databaseNames())).not.toContain('present');
    });
  }
});
