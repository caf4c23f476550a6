/**
 * timeoutMs fires within its deadline plus a little, even inside one very wide row: listing a
 * million keys, planning a million columns and building the batch are long synchronous steps
 * during which no timer can fire, so each of them looks at the clock. The bound (5 s for a
 * 300 ms deadline) tells "checked inside the step" from "checked after it" (17 s on a loaded
 * machine before), not speed.
 */
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import type { ExportFormat } from '../../../src/types.js';

function wideRow(keys: number, offset = 0): Record<string, number> {
  const row: Record<string, number> = {};
  for (let i = 0; i < keys; i++) row[`k${i + offset}`] = i;
  return row;
}

const BOUND_MS = 5_000;

async function timeToFailure(rows: Record<string, number>[], format: ExportFormat, chunkSize?: number): Promise<{ code: string; elapsed: number }> {
  const started = performance.now();
  const reader = exportStream(rows, { format, timeoutMs: 300, ...(chunkSize === undefined ? {} : { chunkSize }) }).getReader();
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return { code: 'none', elapsed: performance.now() - started };
    }
  } catch (error) {
    return { code: (error as { code?: string }).code ?? String(error), elapsed: performance.now() - started };
  }
}

describe('timeoutMs inside a row of 1,000,000 keys', () => {
  const row = wideRow(1_000_000);

  for (const format of ['csv', 'json', 'arrow', 'parquet'] as const) {
    it(`${format}: fails with timeout within ${BOUND_MS} ms`, async () => {
      const { code, elapsed } = await timeToFailure([row], format);
      expect(code).toBe('timeout');
      expect(elapsed).toBeLessThan(BOUND_MS);
    }, 60_000);
  }

  it('a second wide row with new keys (a chunk after the first): the key check looks at the clock too', async () => {
    // Both rows go in separate chunks; a small first row keeps the first chunk cheap.
    const { code, elapsed } = await timeToFailure([{ k0: 1 }, wideRow(1_000_000, 1)], 'csv', 1);
    expect(code).toBe('timeout');
    expect(elapsed).toBeLessThan(BOUND_MS);
  }, 60_000);
});
