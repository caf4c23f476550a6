/**
 * A strict Content-Security-Policy (no 'unsafe-eval', no inline script; 'wasm-unsafe-eval' for
 * Parquet): exports work on the main thread and in workers that carry the same policy, and the
 * control case proves the policy is enforced in this engine.
 */
import { assert, expectCsvRows, expectParquetRows, fromBase64 } from '../check.js';
import { spec } from '../harness.js';
import type { CspExport } from '../pages/csp.js';

spec('strict CSP: CSV and Parquet on the main thread and in policed workers, with no violation', { timeoutMs: 180_000 }, async (t) => {
  await t.server.clearReports();
  await t.open('csp');
  const state = await t.call<{ exports: CspExport[]; violations: string[] }>('exports', 1500);
  for (const result of state.exports) {
    assert.equal(result.error, undefined, `${result.name}: ${result.error}`);
    assert.equal(result.rowsWritten, 1500, result.name);
    assert.equal(result.thread, result.name.startsWith('main') ? 'main' : 'worker', result.name);
    if (result.format === 'csv') expectCsvRows(fromBase64(result.base64).toString('utf8'), 1500);
    else await expectParquetRows(fromBase64(result.base64), 1500);
  }
  assert.equal(state.exports.length, 5);
  assert.deepEqual(state.violations, [], 'no securitypolicyviolation on the page');

  // The control, after the exports: the policy is enforced here. Its reports arrive after any
  // report the exports caused, so once they are in, every report there is can be checked.
  const control = await t.call<{ page: string; worker: string }>('control');
  assert.match(control.page, /^blocked: EvalError/, 'the policy blocks eval on the page');
  assert.match(control.worker, /^blocked: EvalError/, 'the policy blocks eval in the policed worker');
  const deadline = Date.now() + 10_000;
  let reports = await t.server.reports();
  while (reports.length === 0 && Date.now() < deadline) {
    await new Promise((done) => setTimeout(done, 200));
    reports = await t.server.reports();
  }
  const fromLibrary = reports.filter((report) => /\/(dist|node_modules)\//.test(JSON.stringify(report)));
  assert.deepEqual(fromLibrary, [], 'no CSP report names the library or its dependencies');
  t.note(`control blocked on the page and in the worker; ${reports.length} report(s) reached report-uri, all from the control`);
});
