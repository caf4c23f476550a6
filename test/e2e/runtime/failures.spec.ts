/**
 * Cancel and failure in Chromium: nothing is left behind, a picked file keeps what it held, the
 * job rejects with the right code, and the worker (or a fresh one) takes the next job.
 */
import { CANCEL_BOUND_MS, DEATH_NOTICE_BOUND_MS } from '../../helpers/timing.js';
import { expect, parseCsv, test } from './fixtures.js';

const ORIGINAL = 'ORIGINAL CONTENT, written before the export\n';

test.afterEach(({ pageErrors }) => {
  expect(pageErrors).toEqual([]);
});

test('picker cancelled: picker_cancelled, no worker started, no file written', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, recordingWorkers, readOpfs } = window.sluiceRuntime!;
    window.__picker.failWith = 'AbortError';
    const { factory, workers } = recordingWorkers();
    let pulled = false;
    const rows = (function* () {
      pulled = true;
      yield* standardRows(10);
    })();
    const error = await lib.exportData(rows, { format: 'csv', target: 'picker', fileName: 'never.csv', worker: factory }).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    return { error, workers: workers.length, pulled, file: await readOpfs('never.csv'), progress: null };
  });
  expect(out.error).toEqual({ code: 'picker_cancelled', message: 'the save picker was closed without choosing a file' });
  expect(out).toMatchObject({ workers: 0, pulled: false, file: null });
});

test('cancel mid-export: reading stops, the picked file keeps its bytes, the worker stays usable', async ({ runtime }) => {
  const out = await runtime.evaluate(async (original) => {
    const { lib, standardRow, readOpfs, writeOpfs, listSpool } = window.sluiceRuntime!;
    await writeOpfs('keep.csv', original);
    window.__picker.nextName = 'keep.csv';
    let read = 0;
    let readAtCancel = 0;
    let cancelAt = 0;
    async function* rows() {
      for (let i = 0; i < 5_000_000; i++) {
        read = i + 1;
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
        yield standardRow(i);
      }
    }
    const phases: string[] = [];
    const job = lib.exportData(rows(), {
      format: 'csv',
      target: 'picker',
      onProgress: (p) => {
        phases.push(p.phase);
        if (cancelAt === 0 && p.rowsWritten > 20_000) {
          cancelAt = performance.now();
          readAtCancel = read;
          job.cancel('stop button');
        }
      },
    });
    const error = await Promise.resolve(job).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    const rejectedAfterMs = performance.now() - cancelAt;
    const readWhenRejected = read;
    await new Promise((r) => setTimeout(r, 500));
    const next = await lib.exportData([{ a: 1 }], { format: 'csv', target: 'blob' });
    return {
      error,
      rejectedAfterMs,
      readAfterCancel: readWhenRejected - readAtCancel,
      readAfterRejection: read - readWhenRejected,
      text: await readOpfs('keep.csv'),
      spool: await listSpool(),
      lastPhase: phases.at(-1),
      jobPhase: job.progress.phase,
      next: await next.blob!.text(),
    };
  }, ORIGINAL);
  console.info(`cancel mid-export: ${out.readAfterCancel} rows read after cancel(), rejected after ${out.rejectedAfterMs.toFixed(0)} ms`);
  expect(out.error).toEqual({ code: 'aborted', message: 'the export was aborted: stop button' });
  // Counted in rows, not milliseconds, so a busy machine cannot fail it: at most the pull under
  // way when the cancel came (PULL_MAX_ROWS, 8,192), and nothing once the job has rejected.
  expect(out.readAfterCancel, 'rows read after cancel()').toBeLessThanOrEqual(8_192);
  expect(out.readAfterRejection, 'rows read in the 500 ms after the job rejected').toBe(0);
  // Settles, rather than hangs: a worker that ignored the cancel is terminated after the grace
  // period; the bound allows a busy machine that many times over (see test/helpers/timing.ts).
  expect(out.rejectedAfterMs).toBeLessThan(CANCEL_BOUND_MS);
  expect(out.text, 'the picked file keeps what it held before').toBe(ORIGINAL);
  expect(out.spool).toEqual([]);
  expect(out.lastPhase).toBe('aborted');
  expect(out.jobPhase).toBe('aborted');
  expect(parseCsv(out.next)).toEqual([['a'], ['1']]);
});

test('a source that throws mid-way: source_failed with its message, the file untouched', async ({ runtime }) => {
  const out = await runtime.evaluate(async (original) => {
    const { lib, standardRow, readOpfs, writeOpfs } = window.sluiceRuntime!;
    await writeOpfs('keep.csv', original);
    window.__picker.nextName = 'keep.csv';
    function* rows() {
      for (let i = 0; i < 100_000; i++) {
        if (i === 60_000) throw new Error('cursor expired at row 60000');
        yield standardRow(i);
      }
    }
    const error = await lib.exportData(rows(), { format: 'csv', target: 'picker' }).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    return { error, text: await readOpfs('keep.csv') };
  }, ORIGINAL);
  expect(out.error?.code).toBe('source_failed');
  expect(out.error?.message).toMatch(/cursor expired at row 60000/);
  expect(out.text).toBe(ORIGINAL);
});

test('opfs target that fails leaves no file behind; a failed download starts no download and leaves no spool file', async ({ runtime }) => {
  let downloads = 0;
  runtime.on('download', () => downloads++);
  const out = await runtime.evaluate(async () => {
    const { lib, standardRow, readOpfs, listSpool } = window.sluiceRuntime!;
    function* rows() {
      for (let i = 0; i < 50_000; i++) {
        if (i === 40_000) throw new Error('gone');
        yield standardRow(i);
      }
    }
    const codes: string[] = [];
    for (const target of ['opfs', 'download'] as const) {
      await lib.exportData(rows(), { format: 'csv', target, fileName: 'failed.csv' }).then(
        () => codes.push('resolved'),
        (e: unknown) => codes.push(window.sluiceRuntime!.errorInfo(e).code),
      );
    }
    return { codes, file: await readOpfs('failed.csv'), spool: await listSpool() };
  });
  await runtime.waitForTimeout(500);
  expect(out).toEqual({ codes: ['source_failed', 'source_failed'], file: null, spool: [] });
  expect(downloads).toBe(0);
});

test('a terminated worker: the job rejects with worker_failed (rather than hanging) and the next job gets a fresh worker', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRow, recordingWorkers } = window.sluiceRuntime!;
    const { factory, workers } = recordingWorkers();
    async function* rows() {
      for (let i = 0; i < 5_000_000; i++) {
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
        yield standardRow(i);
      }
    }
    let killedAt = 0;
    const job = lib.exportData(rows(), {
      format: 'csv',
      target: 'blob',
      worker: factory,
      onProgress: (p) => {
        if (killedAt === 0 && p.rowsRead > 5_000) {
          killedAt = performance.now();
          workers[0]!.terminate();
        }
      },
    });
    const error = await Promise.resolve(job).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    const detectedAfterMs = performance.now() - killedAt;
    const next = await lib.exportData([{ a: 1 }, { a: 2 }], { format: 'csv', target: 'blob', worker: factory });
    return { error, detectedAfterMs, workers: workers.length, next: await next.blob!.text() };
  });
  expect(out.error?.code).toBe('worker_failed');
  // A Web Lock notices in 7–70 ms when the machine is idle; the bound is the heartbeat's (the
  // slower way) times a busy machine's factor (see test/helpers/timing.ts), under the worker's
  // 15 s start timeout, so a death noticed only by some other timer still fails.
  expect(out.detectedAfterMs).toBeLessThan(DEATH_NOTICE_BOUND_MS);
  expect(out.workers).toBe(2);
  expect(parseCsv(out.next)).toEqual([['a'], ['1'], ['2']]);
});

test('a worker that ends itself (self.close()) is noticed through its Web Lock: worker_failed (rather than hanging)', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRow, closingWorker } = window.sluiceRuntime!;
    const workers: Worker[] = [];
    const factory = (): Worker => {
      const worker = closingWorker();
      workers.push(worker);
      return worker;
    };
    async function* rows() {
      for (let i = 0; i < 5_000_000; i++) {
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
        yield standardRow(i);
      }
    }
    let closedAt = 0;
    const job = lib.exportData(rows(), {
      format: 'ndjson',
      target: 'blob',
      worker: factory,
      onProgress: (p) => {
        if (closedAt === 0 && p.rowsRead > 5_000) {
          closedAt = performance.now();
          workers[0]!.postMessage('sluice-test:close');
        }
      },
    });
    const error = await Promise.resolve(job).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    const detectedAfterMs = performance.now() - closedAt;
    const next = await lib.exportData([{ a: 1 }], { format: 'csv', target: 'blob', worker: factory });
    return { error, detectedAfterMs, workers: workers.length, next: await next.blob!.text() };
  });
  expect(out.error?.code).toBe('worker_failed');
  expect(out.error?.message).toMatch(/stopped/);
  // A Web Lock notices in 7–70 ms when the machine is idle; the bound is the heartbeat's (the
  // slower way) times a busy machine's factor (see test/helpers/timing.ts), under the worker's
  // 15 s start timeout, so a death noticed only by some other timer still fails.
  expect(out.detectedAfterMs).toBeLessThan(DEATH_NOTICE_BOUND_MS);
  expect(out.workers).toBe(2);
  expect(parseCsv(out.next)).toEqual([['a'], ['1']]);
});

test('two exports at once to two picked files both complete', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfs } = window.sluiceRuntime!;
    window.__picker.nextName = 'first.csv';
    const first = lib.exportData(standardRows(30_000), { format: 'csv', target: 'picker' });
    // One save dialog at a time (a second one is picker_busy): the second click comes once the first dialog closed.
    while (window.__picker.calls.length < 1 || window.__picker.nextName !== undefined) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
    window.__picker.nextName = 'second.csv';
    const second = lib.exportData(standardRows(20_000), { format: 'csv', target: 'picker' });
    const [a, b] = await Promise.all([first, second]);
    return { a: a.rowsWritten, b: b.rowsWritten, first: await readOpfs('first.csv'), second: await readOpfs('second.csv') };
  });
  expect(out.a).toBe(30_000);
  expect(out.b).toBe(20_000);
  expect(parseCsv(out.first!)).toHaveLength(30_001);
  expect(parseCsv(out.second!)).toHaveLength(20_001);
});

test('the quota: a download spool past it fails with quota_exceeded and leaves no spool file', async ({ runtime }) => {
  const cdp = await runtime.context().newCDPSession(runtime);
  const origin = new URL(runtime.url()).origin;
  await cdp.send('Storage.overrideQuotaForOrigin', { origin, quotaSize: 2 * 1024 * 1024 });
  try {
    const out = await runtime.evaluate(async () => {
      const { lib, standardRows, listSpool } = window.sluiceRuntime!;
      const error = await lib.exportData(standardRows(100_000), { format: 'csv', target: 'download', fileName: 'big.csv' }).then(
        () => null,
        (e: unknown) => window.sluiceRuntime!.errorInfo(e),
      );
      return { error, spool: await listSpool() };
    });
    expect(out.error?.code).toBe('quota_exceeded');
    expect(out.spool).toEqual([]);
  } finally {
    await cdp.send('Storage.overrideQuotaForOrigin', { origin });
  }
});

/**
 * A worker killed while it writes an 'opfs' export: the page removes the file the export created,
 * and leaves alone a file of that name that was there before (its swap file kept it intact).
 * Returns what the page saw while the export ran and after it settled.
 */
async function killDuringOpfsExport(runtime: import('@playwright/test').Page, original: string | null) {
  return runtime.evaluate(async (original) => {
    const { lib, standardRow, recordingWorkers, writeOpfs, readOpfs, listOpfs, listSpool } = window.sluiceRuntime!;
    if (original !== null) await writeOpfs('x.csv', original);
    const { factory, workers } = recordingWorkers();
    async function* rows() {
      for (let i = 0; i < 5_000_000; i++) {
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
        yield standardRow(i);
      }
    }
    let during: string[] | null = null;
    let killing = false;
    const job = lib.exportData(rows(), {
      format: 'csv',
      target: 'opfs',
      fileName: 'x.csv',
      worker: factory,
      onProgress: (p) => {
        if (killing || p.bytesWritten < 256 * 1024) return;
        killing = true;
        // What the export has made so far, then the kill.
        void listOpfs().then((names) => {
          during = names;
          workers[0]!.terminate();
        });
      },
    });
    const error = await Promise.resolve(job).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    return { error, during, after: await listOpfs(), spool: await listSpool(), text: await readOpfs('x.csv'), phase: job.progress.phase };
  }, original);
}

test("a worker killed mid-export to 'opfs': worker_failed, and the file it created is gone (no swap file either)", async ({ runtime }) => {
  const out = await killDuringOpfsExport(runtime, null);
  expect(out.error?.code).toBe('worker_failed');
  expect(out.phase).toBe('failed');
  expect(out.during, 'the export had created its file before the kill').toContain('x.csv');
  expect(out.after, 'nothing left in the OPFS root').toEqual([]);
  expect(out.spool).toEqual([]);
  expect(out.text).toBeNull();
});

test("a worker killed mid-export to 'opfs' over an older file: that file keeps its old content", async ({ runtime }) => {
  const out = await killDuringOpfsExport(runtime, ORIGINAL);
  expect(out.error?.code).toBe('worker_failed');
  expect(out.during).toContain('x.csv');
  expect(out.text, 'the older file is untouched').toBe(ORIGINAL);
  expect(out.after, 'the older file and no swap file').toEqual(['x.csv']);
  expect(out.spool).toEqual([]);
});

test("a worker killed mid-export to 'opfs' while another export writes the same name: the file is left to the other", async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRow, recordingWorkers, readOpfs, listOpfs } = window.sluiceRuntime!;
    // Two factories, so two workers: killing one leaves the other export running.
    const first = recordingWorkers();
    const second = recordingWorkers();
    // The surviving export holds at row 10,000 until the killed one has settled.
    let settled = (): void => undefined;
    const doomedSettled = new Promise<void>((resolve) => (settled = resolve));
    let held = false;
    async function* rows(n: number, holdAt = -1) {
      for (let i = 0; i < n; i++) {
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
        if (i === holdAt) {
          held = true;
          await doomedSettled;
        }
        yield standardRow(i);
      }
    }
    const survivor = lib.exportData(rows(60_000, 10_000), { format: 'csv', target: 'opfs', fileName: 'x.csv', worker: second.factory });
    let killed = false;
    const doomed = lib.exportData(rows(5_000_000), {
      format: 'csv',
      target: 'opfs',
      fileName: 'x.csv',
      worker: first.factory,
      onProgress: (p) => {
        if (killed || p.rowsWritten < 5_000) return;
        killed = true;
        first.workers[0]!.terminate();
      },
    });
    const error = await Promise.resolve(doomed).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    const survivorWasHeld = held;
    settled();
    const result = await survivor;
    return { error, survivorWasHeld, rowsWritten: result.rowsWritten, text: await readOpfs('x.csv'), after: await listOpfs() };
  });
  expect(out.error?.code).toBe('worker_failed');
  expect(out.survivorWasHeld, 'the other export was still running when the killed one settled').toBe(true);
  expect(out.rowsWritten).toBe(60_000);
  expect(parseCsv(out.text!)).toHaveLength(60_001);
  expect(out.after).toEqual(['x.csv']);
});

test("a worker killed mid-export to 'opfs' after another export of that name finished: the finished file stays", async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRow, standardRows, recordingWorkers, readOpfs, listOpfs } = window.sluiceRuntime!;
    const { factory, workers } = recordingWorkers();
    let release = (): void => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let reached = (): void => undefined;
    const atGate = new Promise<void>((resolve) => (reached = resolve));
    async function* rows() {
      for (let i = 0; i < 5_000_000; i++) {
        if (i % 1000 === 0) await new Promise((r) => setTimeout(r, 1));
        if (i === 20_000) {
          reached();
          await gate;
        }
        yield standardRow(i);
      }
    }
    // The first export has created x.csv and is half-way; a second one writes x.csv in full.
    const doomed = lib.exportData(rows(), { format: 'csv', target: 'opfs', fileName: 'x.csv', worker: factory });
    await atGate;
    const finished = await lib.exportData(standardRows(2_000), { format: 'csv', target: 'opfs', fileName: 'x.csv', worker: recordingWorkers().factory });
    workers[0]!.terminate();
    release();
    const error = await Promise.resolve(doomed).then(
      () => null,
      (e: unknown) => window.sluiceRuntime!.errorInfo(e),
    );
    return { error, rowsWritten: finished.rowsWritten, text: await readOpfs('x.csv'), after: await listOpfs() };
  });
  expect(out.error?.code).toBe('worker_failed');
  expect(out.rowsWritten).toBe(2_000);
  expect(parseCsv(out.text!), "the second export's file is whole").toHaveLength(2_001);
  expect(out.after).toEqual(['x.csv']);
});
