/**
 * exportData end to end in Node: the real worker API behind a MessageChannel (FakeWorker), the real
 * engine, sinks that exist in Node (blob, WritableStream). Outputs are read back with papaparse.
 */
import Papa from 'papaparse';
import { afterEach, describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { exportData } from '../../../src/export-data.js';
import type { SavedExportResult } from '../../../src/types.js';
import { where } from '../../../src/filter/builder.js';
import type { Progress } from '../../../src/types.js';
import { MAX_JOBS_PER_WORKER, terminateWorkers } from '../../../src/worker/client.js';
import { CANCEL_BOUND_MS, DEATH_NOTICE_BOUND_MS } from '../../helpers/timing.js';
import { fakeWorkerFactory } from './fake-worker.js';

afterEach(() => terminateWorkers());

const people = (n: number): Array<{ id: number; name: string; score: number }> =>
  Array.from({ length: n }, (_, i) => ({ id: i, name: `person, "${i}"`, score: i / 4 }));

async function* slowRows(n: number, onRow?: (i: number) => void): AsyncGenerator<{ id: number; name: string }> {
  for (let i = 0; i < n; i++) {
    onRow?.(i);
    if (i % 200 === 0) await new Promise((r) => setTimeout(r, 5));
    yield { id: i, name: `n${i}` };
  }
}

function parse(text: string): string[][] {
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

async function codeOf(promise: PromiseLike<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return isExportError(error) ? error.code : `not an ExportError: ${String(error)}`;
  }
  return 'resolved';
}

describe('exportData with a worker', () => {
  it('writes CSV to a Blob, reports progress that ends with done', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const progress: Progress[] = [];
    const data = people(20_000);
    const job = exportData(data, { format: 'csv', target: 'blob', worker: factory, fileName: 'people.csv', onProgress: (p) => progress.push(p) });
    expect(job.progress.phase).toBe('starting');
    const result: SavedExportResult = await job;
    expect(workers).toHaveLength(1);
    expect(result).toMatchObject({ rowsRead: 20_000, rowsWritten: 20_000, fileName: 'people.csv', format: 'csv', resources: { thread: 'worker' } });
    expect(result.resources.peakBufferedBytes).toBeGreaterThan(0);
    expect(result.durationMs).toBeGreaterThan(0);
    const rows = parse(await result.blob!.text());
    expect(rows[0]).toEqual(['id', 'name', 'score']);
    expect(rows.slice(1)).toEqual(data.map((r) => [String(r.id), r.name, String(r.score)]));
    expect(result.bytesWritten).toBe(result.blob!.size);
    expect(progress.at(-1)?.phase).toBe('done');
    expect(progress.at(-1)?.fraction).toBe(1);
    expect(job.progress).toBe(progress.at(-1));
    for (let i = 1; i < progress.length; i++) expect(progress[i]!.rowsRead).toBeGreaterThanOrEqual(progress[i - 1]!.rowsRead);
    expect(progress.filter((p) => p.phase === 'done')).toHaveLength(1);
  });

  it('pipes into a WritableStream and passes filter builders as ASTs', async () => {
    const { factory } = fakeWorkerFactory();
    const chunks: Uint8Array[] = [];
    let closed = false;
    const target = new WritableStream<Uint8Array>({ write: (c) => void chunks.push(c), close: () => void (closed = true) });
    const result = await exportData(people(100), { format: 'ndjson', target, worker: factory, filter: where('id', '<', 3) });
    expect(closed).toBe(true);
    const text = Buffer.concat(chunks).toString('utf8');
    expect(text.trim().split('\n').map((line) => JSON.parse(line).id)).toEqual([0, 1, 2]);
    expect(result.rowsWritten).toBe(3);
    expect(result.rowsFiltered).toBe(97);
  });

  it('runs two jobs at once in one worker; both complete', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const [a, b] = await Promise.all([
      exportData(slowRows(3_000), { format: 'csv', target: 'blob', worker: factory }),
      exportData(people(5_000), { format: 'tsv', target: 'blob', worker: factory }),
    ]);
    expect(workers).toHaveLength(1);
    expect(parse(await a.blob!.text())).toHaveLength(3_001);
    expect(a.rowsWritten).toBe(3_000);
    expect(b.rowsWritten).toBe(5_000);
    const tsv = Papa.parse<string[]>(await b.blob!.text(), { delimiter: '\t', skipEmptyLines: true });
    expect(tsv.errors).toEqual([]);
    expect(tsv.data[1]).toEqual(['0', 'person, "0"', '0']);
  });

  it('cancel stops reading, aborts the target and rejects with aborted; the worker stays usable', async () => {
    const { factory, workers } = fakeWorkerFactory();
    let lastRead = 0;
    let aborted: unknown;
    const target = new WritableStream<Uint8Array>({ abort: (reason) => void (aborted = reason) });
    const progress: Progress[] = [];
    const job = exportData(slowRows(1_000_000, (i) => (lastRead = i)), {
      format: 'csv',
      target,
      worker: factory,
      onProgress: (p) => {
        progress.push(p);
        if (p.rowsRead > 1_000) job.cancel('user clicked stop');
      },
    });
    const started = Date.now();
    const error = await Promise.resolve(job).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('aborted');
    expect((error as Error).message).toMatch(/user clicked stop/);
    // Settles, rather than hangs: a worker that ignored the cancel would be terminated after the
    // grace period; the bound allows a busy machine that many times over (see helpers/timing.ts).
    expect(Date.now() - started).toBeLessThan(CANCEL_BOUND_MS);
    expect(aborted).toBeDefined();
    const readAtCancel = lastRead;
    await new Promise((r) => setTimeout(r, 300));
    expect(lastRead - readAtCancel, 'the source is not read after the cancel').toBeLessThanOrEqual(8_192);
    expect(progress.at(-1)?.phase).toBe('aborted');

    const again = await exportData(people(10), { format: 'csv', target: 'blob', worker: factory });
    expect(again.rowsWritten).toBe(10);
    expect(workers).toHaveLength(1);
  });

  it(`reuses one worker for ${MAX_JOBS_PER_WORKER} jobs, then replaces it`, async () => {
    const { factory, workers } = fakeWorkerFactory();
    for (let i = 0; i < MAX_JOBS_PER_WORKER; i++) await exportData([{ i }], { format: 'csv', target: 'blob', worker: factory });
    expect(workers).toHaveLength(1);
    expect(workers[0]!.terminated, 'a worn-out worker is ended once idle').toBe(true);
    await exportData([{ i: 0 }], { format: 'csv', target: 'blob', worker: factory });
    expect(workers).toHaveLength(2);
    expect(workers[1]!.terminated).toBe(false);
  });

  it('options.signal aborts like cancel()', async () => {
    const { factory } = fakeWorkerFactory();
    const controller = new AbortController();
    const job = exportData(slowRows(1_000_000), { format: 'json', target: 'blob', worker: factory, signal: controller.signal });
    setTimeout(() => controller.abort(), 100);
    expect(await codeOf(job)).toBe('aborted');
  });

  it('a source that throws mid-way rejects with source_failed and its message', async () => {
    const { factory } = fakeWorkerFactory();
    function* broken(): Generator<{ id: number }> {
      for (let i = 0; i < 50_000; i++) {
        if (i === 30_000) throw new Error('cursor expired');
        yield { id: i };
      }
    }
    let aborted = false;
    const target = new WritableStream<Uint8Array>({ abort: () => void (aborted = true) });
    const progress: Progress[] = [];
    const error = await Promise.resolve(exportData(broken(), { format: 'csv', target, worker: factory, onProgress: (p) => progress.push(p) })).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('source_failed');
    expect((error as Error).message).toMatch(/cursor expired/);
    expect(aborted).toBe(true);
    expect(progress.at(-1)?.phase).toBe('failed');
  });

  it('rows that cannot be cloned fail with source_failed naming the fix', async () => {
    const { factory } = fakeWorkerFactory();
    const error = await Promise.resolve(exportData([{ id: 1, run: () => 1 }], { format: 'csv', target: 'blob', worker: factory })).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('source_failed');
    expect((error as Error).message).toMatch(/worker: false/);
  });

  it('a worker that dies mid-job rejects it with worker_failed (rather than hanging); the next job gets a fresh worker', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const job = exportData(slowRows(1_000_000), { format: 'csv', target: 'blob', worker: factory });
    await new Promise((r) => setTimeout(r, 200));
    workers[0]!.terminate();
    const killedAt = Date.now();
    expect(await codeOf(job)).toBe('worker_failed');
    // Node has no Web Locks: the heartbeat notices, within its 1.5 s silence plus a 0.5 s period
    // when idle; the bound allows a busy machine that many times over (see helpers/timing.ts).
    expect(Date.now() - killedAt).toBeLessThan(DEATH_NOTICE_BOUND_MS);
    const next = await exportData(people(5), { format: 'csv', target: 'blob', worker: factory });
    expect(next.rowsWritten).toBe(5);
    expect(workers).toHaveLength(2);
  });

  it('a worker that dies while writing to the app stream leaves that stream aborted', async () => {
    const { factory, workers } = fakeWorkerFactory();
    let aborted: unknown;
    const target = new WritableStream<Uint8Array>({ abort: (reason) => void (aborted = reason) });
    const job = exportData(slowRows(1_000_000), { format: 'csv', target, worker: factory });
    await new Promise((r) => setTimeout(r, 200));
    workers[0]!.terminate();
    expect(await codeOf(job)).toBe('worker_failed');
    expect(isExportError(aborted) && aborted.code).toBe('worker_failed');
  });

  it('an uncaught error in the worker fails its jobs with worker_failed', async () => {
    const { factory, workers } = fakeWorkerFactory();
    const job = exportData(slowRows(1_000_000), { format: 'csv', target: 'blob', worker: factory });
    await new Promise((r) => setTimeout(r, 100));
    workers[0]!.crash('boom');
    const error = await Promise.resolve(job).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('worker_failed');
    expect((error as Error).message).toMatch(/boom/);
  });
});

describe('exportData on the main thread (worker: false)', () => {
  it('writes the same CSV', async () => {
    const data = people(1_000);
    const result = await exportData(data, { format: 'csv', target: 'blob', worker: false });
    expect(result.resources.thread).toBe('main');
    expect(parse(await result.blob!.text()).slice(1)).toEqual(data.map((r) => [String(r.id), r.name, String(r.score)]));
  });

  it('cancel rejects with aborted', async () => {
    const job = exportData(slowRows(1_000_000), { format: 'csv', target: 'blob', worker: false });
    setTimeout(() => job.cancel(), 50);
    expect(await codeOf(job)).toBe('aborted');
    expect(job.progress.phase).toBe('aborted');
  });
});

describe('exportData option errors reject the job (never throw)', () => {
  it.each([
    [{ format: 'csv', pickerId: 'has space' }, 'invalid_options', /pickerId/],
    [{ format: 'csv', fileName: 'a/b.csv' }, 'invalid_options', /fileName/],
    [{ format: 'csv', target: 'disk' }, 'invalid_options', /^target must be/],
    [{ format: 'csv', target: 'blob', worker: 'yes' }, 'invalid_options', /^worker must be/],
    [{ format: 'xls', target: 'blob', worker: false }, 'unsupported_format', /xls/],
    [{ format: 'csv', target: 'picker' }, 'unsupported_environment', /showSaveFilePicker/],
    [{ format: 'csv', target: 'download', worker: false }, 'unsupported_environment', /download/],
  ])('%j → %s', async (options, code, message) => {
    let job: PromiseLike<unknown> | undefined;
    expect(() => (job = exportData([{ a: 1 }], options as never))).not.toThrow();
    const error = await Promise.resolve(job).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe(code);
    expect((error as Error).message).toMatch(message);
  });

  it('a bad option rejects before the save picker is shown', async () => {
    let shown = 0;
    const scope = globalThis as { showSaveFilePicker?: unknown };
    scope.showSaveFilePicker = async () => {
      shown++;
      throw new Error('not reached');
    };
    try {
      const error = await Promise.resolve(exportData([{ a: 1 }], { format: 'csv', csv: { delimiter: ';;' } })).catch((e: unknown) => e);
      expect(isExportError(error) && error.code).toBe('invalid_options');
      expect((error as Error).message).toMatch(/delimiter/);
      expect(shown).toBe(0);
    } finally {
      delete scope.showSaveFilePicker;
    }
  });

  it('an already aborted signal rejects with aborted and opens nothing', async () => {
    const controller = new AbortController();
    controller.abort();
    expect(await codeOf(exportData([{ a: 1 }], { format: 'csv', target: 'picker', signal: controller.signal }))).toBe('aborted');
  });
});
