/**
 * The worker's reader of page-held rows (`src/worker/worker-source.ts`): how far it asks ahead,
 * and that it hands the engine whole pulls when they match the engine's chunk.
 */
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/index.js';
import { FULL_PARTS } from '../../../src/engine-parts.js';
import { DEFAULT_CHUNK_SIZE } from '../../../src/options/rules.js';
import { packRows } from '../../../src/worker/pack.js';
import { rowsPerPull } from '../../../src/worker/page-source.js';
import type { PullResult } from '../../../src/worker/protocol.js';
import { MAX_PULLS_IN_FLIGHT, PULLS_IN_FLIGHT, workerSource } from '../../../src/worker/worker-source.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `name ${i}`, score: i / 4 }));

/** A page that answers pulls of `size` rows after a tick, recording how many were waiting at once. */
function slowPage(all: ReturnType<typeof rows>, size: number) {
  let position = 0;
  let waiting = 0;
  let mostWaiting = 0;
  let pulls = 0;
  const pull = async (): Promise<PullResult> => {
    pulls++;
    waiting++;
    mostWaiting = Math.max(mostWaiting, waiting);
    await new Promise((resolve) => setTimeout(resolve, 1));
    waiting--;
    if (position >= all.length) return { kind: 'end' };
    const chunk = all.slice(position, position + size);
    position += chunk.length;
    return { kind: 'packed', packed: packRows(chunk)! };
  };
  return { pull, stats: () => ({ mostWaiting, pulls }) };
}

async function csvOf(stream: ReadableStream<Uint8Array>): Promise<string> {
  return new Response(stream).text();
}

describe('pulled rows', () => {
  it('asks ahead for two engine chunks: small pulls keep more in flight, never more than the cap', async () => {
    const data = rows(60_000);
    const page = slowPage(data, 1_000);
    const out = await csvOf(exportStream(workerSource({ kind: 'pull', totalRows: data.length }, page.pull, FULL_PARTS), { format: 'csv' }));
    expect(out.trimEnd().split('\r\n')).toHaveLength(60_001);
    const wanted = Math.ceil((2 * DEFAULT_CHUNK_SIZE) / 1_000);
    expect(page.stats().mostWaiting).toBeGreaterThanOrEqual(Math.min(wanted, MAX_PULLS_IN_FLIGHT));
    expect(page.stats().mostWaiting).toBeLessThanOrEqual(MAX_PULLS_IN_FLIGHT);
  });

  it('pulls as large as an engine chunk: the fewest in flight, and the same file as the rows read directly', async () => {
    const data = rows(50_000);
    const page = slowPage(data, rowsPerPull(2));
    expect(rowsPerPull(2)).toBe(DEFAULT_CHUNK_SIZE);
    const pulled = await csvOf(exportStream(workerSource({ kind: 'pull', totalRows: data.length }, page.pull, FULL_PARTS), { format: 'csv' }));
    const direct = await csvOf(exportStream(data, { format: 'csv' }));
    expect(pulled).toBe(direct);
    expect(page.stats().mostWaiting).toBeLessThanOrEqual(PULLS_IN_FLIGHT);
  });
});
