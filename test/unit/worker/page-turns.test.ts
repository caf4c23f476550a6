/**
 * With `worker: false` the export runs on the page's thread, where its chunks and the sink's
 * writes could otherwise follow each other as microtasks until the end: `runExport` gives the
 * event loop a turn every few milliseconds of work there, so timers (and, in a browser, frames and
 * input) still run. In a worker it does not need to.
 */
import { describe, expect, it } from 'vitest';
import { FULL_PARTS } from '../../../src/engine-parts.js';
import { createMemorySink } from '../../../src/sinks/memory.js';
import { runExport } from '../../../src/worker/run.js';

const rows = Array.from({ length: 150_000 }, (_, i) => ({ id: i, name: `row ${i}`, score: i / 7, ok: i % 2 === 0 }));

/** How many times a 0 ms timer, re-armed each time it fires, ran during one export. */
async function timerTurns(thread: 'main' | 'worker'): Promise<number> {
  let turns = 0;
  let running = true;
  const tick = (): void => {
    if (!running) return;
    turns++;
    setTimeout(tick, 0);
  };
  setTimeout(tick, 0);
  const sink = createMemorySink('text/csv');
  const result = await runExport(rows, { format: 'csv' }, sink, { signal: new AbortController().signal, thread, parts: FULL_PARTS });
  running = false;
  expect(result.rowsWritten).toBe(rows.length);
  return turns;
}

describe('runExport on the page thread', () => {
  it('lets timers run during a long export', async () => {
    expect(await timerTurns('main')).toBeGreaterThan(2);
  });
  it('a worker export of the same rows runs as one stretch of microtasks (what makes the page case needed)', async () => {
    expect(await timerTurns('worker')).toBe(0);
  });
});
