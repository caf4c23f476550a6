/**
 * A pathological regular expression in a `matches` filter, run in the worker (Chromium): a step
 * that never yields cannot be interrupted from inside, so cancel must terminate the worker and
 * replace it, and the time budget (`timeoutMs`) must do the same. (Node and main-thread behaviour:
 * test/unit/hostile/filters.test.ts.) Kept with the CSP specs: both are hostile-input checks of
 * the built package in a real browser.
 */
import { expect, test } from '../runtime/fixtures.js';

/** `(a+)+$` over 34 a's and a "b" backtracks for minutes. */
const EVIL = { op: 'matches', field: 's', pattern: '(a+)+$' } as const;

test('cancel stops an export stuck in a regular expression in the worker, and the next export works', async ({ runtime }) => {
  const out = await runtime.evaluate(async (evil) => {
    const { lib, errorInfo } = window.sluiceRuntime!;
    const rows = [{ s: `${'a'.repeat(34)}b` }, { s: 'ok' }];
    const job = lib.exportData(rows, { format: 'csv', target: 'blob', filter: evil });
    await new Promise((resolve) => setTimeout(resolve, 500));
    const cancelledAt = performance.now();
    job.cancel('user');
    let code = 'resolved';
    try {
      await job;
    } catch (error) {
      code = errorInfo(error).code;
    }
    const settleMs = performance.now() - cancelledAt;
    const next = await lib.exportData([{ s: 'a' }], { format: 'csv', target: 'blob' });
    return { code, settleMs, nextThread: next.resources.thread, nextText: await next.blob!.text() };
  }, EVIL);
  expect(out.code).toBe('aborted');
  // The worker gets a 2 s grace period to stop by itself, then it is terminated.
  expect(out.settleMs).toBeLessThan(5000);
  expect(out.nextThread).toBe('worker');
  expect(out.nextText).toBe('s\r\na\r\n');
});

/*
 * timeoutMs is checked by the engine between chunks, inside the worker; a worker stuck in one
 * regular expression never gets there, so the page keeps the budget too and, when it runs out,
 * fails the job with 'timeout' and replaces the worker as cancel does.
 */
test('timeoutMs fails an export stuck in a regular expression in the worker with timeout', async ({ runtime }) => {
  const out = await runtime.evaluate(async (evil) => {
    const { lib, errorInfo } = window.sluiceRuntime!;
    const job = lib.exportData([{ s: `${'a'.repeat(34)}b` }], { format: 'csv', target: 'blob', filter: evil, timeoutMs: 500 });
    const outcome = await Promise.race([
      job.then(
        () => 'resolved',
        (error: unknown) => errorInfo(error).code,
      ),
      new Promise<string>((resolve) => setTimeout(() => resolve('still running after 6 s'), 6000)),
    ]);
    // Whatever happened, do not leave the worker spinning for the next test.
    job.cancel('cleanup');
    await Promise.resolve(job).catch(() => undefined);
    return outcome;
  }, EVIL);
  expect(out).toBe('timeout');
});
