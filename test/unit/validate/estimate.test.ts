import { tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { estimateExport } from '../../../src/estimate.js';
import { withKnownTotal } from '../../../src/sources/rows.js';
import type { ExportSource, StreamOptions } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';

const makeRows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `name-${i}`, score: (i * 37) % 1000 / 10, ok: i % 3 === 0 }));
const actualBytes = async (source: ExportSource, options: StreamOptions): Promise<number> => (await readAll(exportStream(source, options))).byteLength;

describe('estimateExport', () => {
  it.each<StreamOptions>([{ format: 'csv' }, { format: 'json' }, { format: 'ndjson' }, { format: 'parquet' }, { format: 'arrow' }])(
    'is exact when the sample is the whole array (%j)',
    async (options) => {
      const rows = makeRows(300);
      const estimate = await estimateExport(rows, options);
      expect(estimate).toEqual({ rows: 300, bytes: await actualBytes(rows, options), sampledRows: 300, exact: true });
    },
  );

  it.each<[StreamOptions, number]>([
    [{ format: 'csv' }, 0.05],
    [{ format: 'ndjson' }, 0.05],
    [{ format: 'json' }, 0.05],
    [{ format: 'csv', compression: 'gzip' }, 0.5],
    [{ format: 'parquet' }, 0.5],
  ])('extrapolates bytes for 50,000 rows (%j) within the tolerance', async (options, tolerance) => {
    const rows = makeRows(50_000);
    const estimate = await estimateExport(rows, options);
    const actual = await actualBytes(rows, options);
    expect(estimate.rows).toBe(50_000);
    expect(estimate.sampledRows).toBe(1000);
    expect(estimate.exact).toBe(false);
    expect(Math.abs(estimate.bytes! - actual) / actual).toBeLessThan(tolerance);
  });

  it('samples spread along the array, so rows that grow are represented', async () => {
    const rows = Array.from({ length: 20_000 }, (_, i) => ({ text: 'x'.repeat(Math.floor(i / 100)) }));
    const estimate = await estimateExport(rows, { format: 'ndjson' });
    const actual = await actualBytes(rows, { format: 'ndjson' });
    expect(Math.abs(estimate.bytes! - actual) / actual).toBeLessThan(0.1);
  });

  it('scales rows by the share the filter keeps in the sample', async () => {
    const rows = makeRows(40_000);
    const estimate = await estimateExport(rows, { format: 'csv', filter: 'ok = true' });
    expect(estimate.rows! / 13_334).toBeGreaterThan(0.95);
    expect(estimate.rows! / 13_334).toBeLessThan(1.05);
  });

  it('applies limits.maxRows', async () => {
    const estimate = await estimateExport(makeRows(5000), { format: 'csv', limits: { maxRows: 100 } });
    expect(estimate.rows).toBe(100);
  });

  it('samples Arrow tables and IPC bytes', async () => {
    const n = 30_000;
    const table = tableFromArrays({ a: Int32Array.from({ length: n }, (_, i) => i), b: Float64Array.from({ length: n }, (_, i) => i / 3) });
    for (const source of [table, tableToIPC(table, 'stream'), table.batches[0]!]) {
      const estimate = await estimateExport(source, { format: 'csv' });
      const actual = await actualBytes(table, { format: 'csv' });
      expect(estimate.rows).toBe(n);
      expect(Math.abs(estimate.bytes! - actual) / actual).toBeLessThan(0.05);
    }
  });

  it('does not consume a one-shot iterator', async () => {
    let pulled = 0;
    function* rows() {
      for (let i = 0; i < 10; i++) {
        pulled++;
        yield { a: i };
      }
    }
    const iterator = rows();
    expect(await estimateExport(iterator, { format: 'csv' })).toEqual({ sampledRows: 0, exact: false });
    expect(pulled).toBe(0);
    expect([...iterator]).toHaveLength(10);
  });

  it('reports the known total of a marked iterable without reading it', async () => {
    const source = withKnownTotal((async function* () {
      yield { a: 1 };
    })(), 1234);
    expect(await estimateExport(source, { format: 'csv' })).toEqual({ rows: 1234, sampledRows: 0, exact: false });
  });

  it('fails on bad options as exportStream does, even without sampling', async () => {
    await expect(estimateExport([], { format: 'xml' } as unknown as StreamOptions)).rejects.toMatchObject({ code: 'unsupported_format' });
    await expect(estimateExport((function* () {})(), { format: 'csv', chunkSize: 0 })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(estimateExport([], { format: 'csv', sampleRows: 1 })).rejects.toMatchObject({ code: 'invalid_options' });
  });

  it('never calls the export callbacks', async () => {
    let calls = 0;
    await estimateExport(makeRows(10), { format: 'csv', onProgress: () => calls++, onComplete: () => calls++ });
    expect(calls).toBe(0);
  });
});
