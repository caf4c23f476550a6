/**
 * A job as an external store (subscribe + getSnapshot): the contract React's
 * useSyncExternalStore relies on — the same snapshot object until a change, a call to every
 * listener after each change, frozen snapshots, a working unsubscribe — checked on JobState alone
 * and on real exportData jobs (worker behind a MessageChannel, and the main thread).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { exportData } from '../../../src/export-data.js';
import { JobState } from '../../../src/job-state.js';
import type { JobSnapshot, Progress, SavedExportResult } from '../../../src/types.js';
import { terminateWorkers } from '../../../src/worker/client.js';
import { fakeWorkerFactory } from './fake-worker.js';

afterEach(() => terminateWorkers());

const progress = (phase: Progress['phase'], rowsRead = 0): Progress => ({ phase, rowsRead, rowsWritten: rowsRead, bytesWritten: rowsRead * 10, rowsPerSecond: 0, elapsedMs: 0 });

async function* slowRows(n: number): AsyncGenerator<{ id: number; name: string }> {
  for (let i = 0; i < n; i++) {
    if (i % 200 === 0) await new Promise((r) => setTimeout(r, 5));
    yield { id: i, name: `n${i}` };
  }
}

/** Records every snapshot a subscriber would see, as useSyncExternalStore does on each call. */
function record(job: { subscribe(listener: () => void): () => void; getSnapshot(): JobSnapshot<SavedExportResult> }): JobSnapshot<SavedExportResult>[] {
  const seen = [job.getSnapshot()];
  job.subscribe(() => {
    const next = job.getSnapshot();
    // A listener is only called when there is news.
    expect(next).not.toBe(seen.at(-1));
    seen.push(next);
  });
  return seen;
}

describe('JobState', () => {
  it('returns the same frozen snapshot until an update, then a new one', () => {
    const state = new JobState(progress('starting'));
    const first = state.getSnapshot();
    expect(state.getSnapshot()).toBe(first);
    expect(Object.isFrozen(first)).toBe(true);
    expect(Object.isFrozen(first.progress)).toBe(true);
    expect(first).toEqual({ phase: 'starting', progress: progress('starting') });
    state.update(progress('running', 5));
    const second = state.getSnapshot();
    expect(second).not.toBe(first);
    expect(second.phase).toBe('running');
    expect(second.progress.rowsRead).toBe(5);
    expect(first.progress.rowsRead, 'an old snapshot never changes').toBe(0);
  });

  it('does not share the progress object it was given', () => {
    const report = progress('running', 1);
    const state = new JobState(report);
    report.rowsRead = 99;
    expect(state.getSnapshot().progress.rowsRead).toBe(1);
  });

  it('calls each listener once per update; unsubscribe stops it and is idempotent', () => {
    const state = new JobState(progress('starting'));
    const a = vi.fn();
    const b = vi.fn();
    const stopA = state.subscribe(a);
    state.subscribe(b);
    state.update(progress('running', 1));
    expect(a).toHaveBeenCalledTimes(1);
    expect(a).toHaveBeenCalledWith();
    stopA();
    stopA();
    state.update(progress('running', 2));
    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(2);
  });

  it('keeps two subscriptions of one function apart', () => {
    const state = new JobState(progress('starting'));
    const listener = vi.fn();
    const stop = state.subscribe(listener);
    state.subscribe(listener);
    stop();
    state.update(progress('running', 1));
    expect(listener).toHaveBeenCalledTimes(1);
  });

  it('lets a listener unsubscribe another during a notification without skipping anyone', () => {
    const state = new JobState(progress('starting'));
    const calls: string[] = [];
    let stopB: () => void = () => undefined;
    state.subscribe(() => {
      calls.push('a');
      stopB();
    });
    stopB = state.subscribe(() => calls.push('b'));
    state.update(progress('running', 1));
    state.update(progress('running', 2));
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('is final once settled: later updates are ignored and late subscribers are never called', () => {
    const state = new JobState(progress('starting'));
    const result = { rowsRead: 1 } as unknown as SavedExportResult;
    state.update(progress('done', 1), { result });
    const settled = state.getSnapshot();
    expect(settled).toMatchObject({ phase: 'done', result });
    const late = vi.fn();
    state.subscribe(late)();
    state.update(progress('running', 2));
    expect(state.getSnapshot()).toBe(settled);
    expect(late).not.toHaveBeenCalled();
  });

  it('a throwing listener neither stops the others nor the update, and its error still surfaces', () => {
    const state = new JobState(progress('starting'));
    const other = vi.fn();
    // The error is rethrown from a microtask (an uncaught exception, as an event listener's is);
    // capture that task instead of letting it fail the test run.
    const deferred: Array<() => void> = [];
    vi.stubGlobal('queueMicrotask', (task: () => void) => deferred.push(task));
    try {
      state.subscribe(() => {
        throw new Error('listener bug');
      });
      state.subscribe(other);
      state.update(progress('running', 1));
    } finally {
      vi.unstubAllGlobals();
    }
    expect(other).toHaveBeenCalledTimes(1);
    expect(state.getSnapshot().phase).toBe('running');
    expect(deferred).toHaveLength(1);
    expect(() => deferred[0]!()).toThrow('listener bug');
  });

  it('refuses a listener that is not a function', () => {
    const state = new JobState(progress('starting'));
    expect(() => state.subscribe(42 as unknown as () => void)).toThrow(/subscribe expects a function, got number/);
  });
});

describe('exportData jobs as stores', () => {
  it('in a worker: starting, progress, then done with the result, in that order', async () => {
    const { factory } = fakeWorkerFactory();
    const rows = Array.from({ length: 50_000 }, (_, i) => ({ id: i, name: `n${i}` }));
    const job = exportData(rows, { format: 'csv', target: 'blob', worker: factory, chunkSize: 1_000 });
    // Detached methods work: stores receive them as plain functions.
    const { subscribe, getSnapshot } = job;
    const seen = record({ subscribe, getSnapshot });
    expect(seen[0]).toMatchObject({ phase: 'starting' });
    expect(seen[0]!.result).toBeUndefined();
    const result = await job;
    const last = seen.at(-1)!;
    expect(last.phase).toBe('done');
    expect(last.result).toBe(result);
    expect(last.error).toBeUndefined();
    expect(last.progress).toMatchObject({ rowsRead: 50_000, rowsWritten: 50_000, fraction: 1 });
    expect(getSnapshot()).toBe(last);
    // Only the final snapshot carries a result, and phases never go back.
    const order = ['starting', 'running', 'finalizing', 'done'];
    const phases = seen.map((s) => s.phase);
    expect(phases.map((p) => order.indexOf(p))).toEqual([...phases.map((p) => order.indexOf(p))].sort((x, y) => x - y));
    expect(seen.filter((s) => s.result !== undefined)).toHaveLength(1);
    // The snapshot's progress agrees with the job's progress property.
    expect(last.progress).toEqual(job.progress);
  });

  it('on the main thread too', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => ({ id: i }));
    const job = exportData(rows, { format: 'ndjson', target: 'blob', worker: false });
    const seen = record(job);
    const result = await job;
    expect(seen.at(-1)).toMatchObject({ phase: 'done', result });
    expect(await result.blob!.text()).toContain('{"id":2999}');
  });

  it('a cancel ends in phase aborted with the ExportError, and nothing after it', async () => {
    const { factory } = fakeWorkerFactory();
    const job = exportData(slowRows(1_000_000), { format: 'csv', target: 'blob', worker: factory });
    const seen = record(job);
    const unsubscribeCheck = vi.fn();
    await new Promise<void>((resolve) => {
      const stop = job.subscribe(() => {
        if (job.getSnapshot().progress.rowsRead > 0) {
          stop();
          resolve();
        }
      });
    });
    job.subscribe(unsubscribeCheck)();
    job.cancel('stop');
    const error = await job.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isExportError(error) && error.code).toBe('aborted');
    const last = seen.at(-1)!;
    expect(last.phase).toBe('aborted');
    expect(last.error).toBe(error);
    expect(last.result).toBeUndefined();
    expect(unsubscribeCheck).not.toHaveBeenCalled();
    const count = seen.length;
    await new Promise((r) => setTimeout(r, 50));
    expect(seen.length, 'no report after the job settled').toBe(count);
  });

  it('a bad option fails in phase failed with the error in the snapshot', async () => {
    const job = exportData([{ a: 1 }], { format: 'csv', target: 'blob', worker: false, csv: { delimiter: ';;' } });
    const seen = record(job);
    await job.then(
      () => undefined,
      () => undefined,
    );
    expect(seen.at(-1)).toMatchObject({ phase: 'failed', error: { code: 'invalid_options' } });
  });

  it('a throwing listener does not break the export', async () => {
    const job = exportData([{ a: 1 }, { a: 2 }], { format: 'csv', target: 'blob', worker: false });
    const deferred: Array<() => void> = [];
    vi.stubGlobal('queueMicrotask', (task: () => void) => deferred.push(task));
    try {
      job.subscribe(() => {
        throw new Error('listener bug');
      });
      const result = await job;
      expect(result.rowsWritten).toBe(2);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(deferred.length).toBeGreaterThan(0);
  });
});
