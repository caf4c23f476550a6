/**
 * The CSV worker (`text-worker.ts` with `text-parts.ts`): it writes CSV, TSV, JSON and NDJSON of
 * page rows exactly as the full worker does, refuses everything else with
 * `'unsupported_environment'` (never a wrong file), and `fitsTextWorker` sends it only what it can
 * do. Outputs are compared with the full worker's and read back with papaparse.
 */
import Papa from 'papaparse';
import { tableFromArrays } from 'apache-arrow';
import { afterEach, describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { exportData } from '../../../src/export-data.js';
import type { ExportFormat, ExportOptions, ExportSource } from '../../../src/types.js';
import { fitsTextWorker, terminateWorkers } from '../../../src/worker/client.js';
import { TEXT_WORKER_PARTS } from '../../../src/worker/text-parts.js';
import { fakeWorkerFactory } from './fake-worker.js';

afterEach(() => terminateWorkers());

const rows = Array.from({ length: 3_000 }, (_, i) => ({ id: i, name: `name, "${i}"\n${'é'.repeat(i % 4)}`, score: i / 8, active: i % 3 === 0, note: i % 5 === 0 ? null : `n${i}` }));

async function textOf(source: ExportSource, options: ExportOptions): Promise<string> {
  const result = await exportData(source, { ...options, target: 'blob' });
  return result.blob!.text();
}

async function codeAndMessage(promise: PromiseLike<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isExportError(error) ? `${error.code}: ${error.message}` : `not an ExportError: ${String(error)}`;
  }
  return 'resolved';
}

describe('the CSV worker', () => {
  it.each(['csv', 'tsv', 'json', 'ndjson'] as ExportFormat[])('writes %s byte for byte as the full worker does', async (format) => {
    const text = fakeWorkerFactory(TEXT_WORKER_PARTS);
    const full = fakeWorkerFactory();
    const fromText = await textOf(rows, { format, worker: text.factory, compression: 'none' });
    const fromFull = await textOf(rows, { format, worker: full.factory, compression: 'none' });
    expect(text.workers).toHaveLength(1);
    expect(fromText).toBe(fromFull);
    if (format === 'csv') {
      const parsed = Papa.parse<Record<string, string>>(fromText, { header: true, skipEmptyLines: true });
      expect(parsed.errors).toEqual([]);
      expect(parsed.data).toHaveLength(rows.length);
      expect(parsed.data[7]).toEqual({ id: '7', name: rows[7]!.name, score: '0.875', active: 'false', note: 'n7' });
    }
  });

  it.each<[string, ExportSource | (() => ExportSource), Partial<ExportOptions>, RegExp]>([
    ['Parquet', rows, { format: 'parquet' }, /cannot write "parquet"/],
    ['Arrow IPC', rows, { format: 'arrow' }, /cannot write "arrow"/],
    ['a filter', rows, { format: 'csv', filter: 'id > 3' }, /cannot apply a filter/],
    ['a checksum', rows, { format: 'csv', checksum: true }, /cannot compute a checksum/],
    ['Arrow batches', () => tableFromArrays({ a: Int32Array.from([1, 2, 3]) }), { format: 'csv' }, /cannot read Arrow record batches/],
    ['an IndexedDB source', { kind: 'indexeddb', database: 'd', store: 's' } as unknown as ExportSource, { format: 'csv' }, /cannot read IndexedDB or URL sources/],
  ])('refuses %s with unsupported_environment instead of writing a file', async (_name, source, options, message) => {
    const { factory } = fakeWorkerFactory(TEXT_WORKER_PARTS);
    const input = typeof source === 'function' ? source() : source;
    const outcome = await codeAndMessage(exportData(input, { format: 'csv', ...options, worker: factory, target: 'blob' } as ExportOptions));
    expect(outcome).toMatch(/^unsupported_environment: the CSV export worker cannot/);
    expect(outcome).toMatch(message);
  });
});

describe('fitsTextWorker (which exports the page sends to the CSV worker)', () => {
  it('takes text formats of an array of rows', () => {
    for (const format of ['csv', 'tsv', 'json', 'ndjson']) expect(fitsTextWorker(rows, { format }), format).toBe(true);
    expect(fitsTextWorker([], { format: 'csv' })).toBe(true);
    expect(fitsTextWorker([[1, 2], [3, 4]], { format: 'csv' })).toBe(true);
    expect(fitsTextWorker(rows, { format: 'csv', checksum: false })).toBe(true);
  });

  it('leaves everything else to the full worker', () => {
    const table = tableFromArrays({ a: Int32Array.from([1]) });
    expect(fitsTextWorker(rows, { format: 'parquet' })).toBe(false);
    expect(fitsTextWorker(rows, { format: 'arrow' })).toBe(false);
    expect(fitsTextWorker(rows, { format: 'xlsx' })).toBe(false);
    expect(fitsTextWorker(rows, { format: 'csv', filter: 'id > 1' })).toBe(false);
    expect(fitsTextWorker(rows, { format: 'csv', checksum: 'sha256' })).toBe(false);
    expect(fitsTextWorker(table, { format: 'csv' })).toBe(false);
    expect(fitsTextWorker(table.batches, { format: 'csv' })).toBe(false);
    expect(fitsTextWorker(new Uint8Array(8), { format: 'csv' })).toBe(false);
    expect(fitsTextWorker((function* () { yield { a: 1 }; })(), { format: 'csv' })).toBe(false);
    expect(fitsTextWorker({ kind: 'indexeddb', database: 'd', store: 's' }, { format: 'csv' })).toBe(false);
    const revoked = Proxy.revocable({}, {});
    revoked.revoke();
    expect(fitsTextWorker([revoked.proxy], { format: 'csv' })).toBe(false);
  });
});
