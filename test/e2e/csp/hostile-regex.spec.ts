/**
 * A pathological regular expression in a `matches` filter, run in the worker (Chromium): `matches`
 * runs on RE2, in time linear in the text, so a pattern that backtracks for minutes in a
 * backtracking engine finishes at once, and the constructs RE2 lacks are refused up front.
 * (Node and main-thread behaviour: test/unit/hostile/filters.test.ts.) Kept with the CSP specs:
 * both are hostile-input checks of the built package in a real browser (RE2 compiles no code).
 */
import { expect, test } from '../runtime/fixtures.js';

/** `(a+)+$` over 34 a's and a "b" backtracks for minutes in V8's own engine. */
const EVIL = { op: 'matches', field: 's', pattern: '(a+)+$' } as const;

test('a pattern that backtracks for minutes elsewhere finishes at once in the worker, under timeoutMs', async ({ runtime }) => {
  const out = await runtime.evaluate(async (evil) => {
    const { lib, errorInfo } = window.sluiceRuntime!;
    const rows = [{ s: `${'a'.repeat(34)}b` }, { s: 'aaaa' }, { s: 'ok' }];
    const started = performance.now();
    try {
      const result = await lib.exportData(rows, { format: 'csv', target: 'blob', filter: evil, timeoutMs: 5000 });
      return { ms: performance.now() - started, text: await result.blob!.text(), thread: result.resources.thread, code: null };
    } catch (error) {
      return { ms: performance.now() - started, text: '', thread: '', code: errorInfo(error).code };
    }
  }, EVIL);
  expect(out.code).toBeNull();
  expect(out.text).toBe('s\r\naaaa\r\n');
  expect(out.thread).toBe('worker');
  expect(out.ms).toBeLessThan(5000);
});

test('a lookahead is refused with invalid_filter naming it, before any save', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, errorInfo } = window.sluiceRuntime!;
    try {
      await lib.exportData([{ s: 'a' }], { format: 'csv', target: 'blob', filter: "s matches '(?=a)a'" });
      return { code: 'resolved', message: '' };
    } catch (error) {
      return errorInfo(error);
    }
  });
  expect(out.code).toBe('invalid_filter');
  expect(out.message).toMatch(/lookahead/);
});
