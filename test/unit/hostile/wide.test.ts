/**
 * One row with a very large number of keys: the work is linear in the number of columns (it was
 * quadratic: a `findIndex` per column, and apache-arrow's `Schema.assign` per batch), and the
 * deadline (`timeoutMs`) is checked while such a row is built, so it fires on time even though
 * every step is synchronous. Bounds are generous: they tell linear from quadratic, not speed.
 */
import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { exportAll } from './helpers.js';

function wideRow(keys: number): Record<string, number> {
  const row: Record<string, number> = {};
  for (let i = 0; i < keys; i++) row[`k${i}`] = i;
  return row;
}

describe('one row with many keys', () => {
  it('200,000 keys to CSV finish well within a generous bound, every value in place', async () => {
    const started = performance.now();
    const { bytes, result } = await exportAll([wideRow(200_000)], { format: 'csv' });
    // Quadratic, this took minutes (80,000 keys: 12 s, 1,000,000: more than 9 min).
    expect(performance.now() - started).toBeLessThan(90_000);
    const [header, values] = new TextDecoder().decode(bytes).split('\r\n');
    const names = header!.split(',');
    expect(names).toHaveLength(200_000);
    expect(names[199_999]).toBe('k199999');
    expect(values!.split(',')[123_456]).toBe('123456');
    expect(result.rowsWritten).toBe(1);
  }, 120_000);

  it('20,000 keys to Arrow IPC, two rows in two batches, read back with every column', async () => {
    const started = performance.now();
    const { bytes } = await exportAll([wideRow(20_000), wideRow(20_000)], { format: 'arrow', chunkSize: 1 });
    // Quadratic, this took 44 s.
    expect(performance.now() - started).toBeLessThan(60_000);
    const table = tableFromIPC(bytes);
    expect(table.numCols).toBe(20_000);
    expect(table.numRows).toBe(2);
    expect(table.getChild('k19999')!.get(1)).toBe(19_999);
  }, 120_000);

  it('timeoutMs fires while a row of 1,000,000 keys is built, not minutes later', async () => {
    const row = wideRow(1_000_000);
    const started = performance.now();
    const reader = exportStream([row], { format: 'csv', timeoutMs: 300 }).getReader();
    await expect(reader.read()).rejects.toMatchObject({ code: 'timeout' });
    // The deadline is checked every 256 columns: what is left is listing the keys and one step.
    expect(performance.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
