/**
 * Progress, concurrency and the main-thread path.
 */
import { assert, expectCsvRows, expectNdjsonRows, expectParquetRows, fromBase64 } from '../check.js';
import { spec } from '../harness.js';
import type { RunOutcome } from '../pages/harness.js';

const PHASES = ['starting', 'running', 'finalizing', 'done'];

spec('progress to the end: phases in order, counts never go back, the last report is done with fraction 1', async (t) => {
  const count = 150_000;
  const out = await t.run({ source: { kind: 'rows', count }, options: { format: 'csv', fileName: 'progress.csv' }, target: 'download' });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  const reports = out.progress;
  assert.ok(reports.length >= 2, `${reports.length} progress reports`);
  for (let i = 1; i < reports.length; i++) {
    const [a, b] = [reports[i - 1]!, reports[i]!];
    assert.ok(PHASES.indexOf(b.phase) >= PHASES.indexOf(a.phase), `phase ${a.phase} then ${b.phase}`);
    assert.ok(b.rowsRead >= a.rowsRead && b.rowsWritten >= a.rowsWritten && b.bytesWritten >= a.bytesWritten, `report ${i} went back`);
    assert.ok(b.fraction === undefined || (b.fraction >= (a.fraction ?? 0) && b.fraction <= 1), `fraction ${a.fraction} then ${b.fraction}`);
  }
  const last = reports.at(-1)!;
  assert.deepEqual(
    { phase: last.phase, rowsRead: last.rowsRead, rowsWritten: last.rowsWritten, bytesWritten: last.bytesWritten, totalRows: last.totalRows, fraction: last.fraction },
    { phase: 'done', rowsRead: count, rowsWritten: count, bytesWritten: out.result!.bytesWritten, totalRows: count, fraction: 1 },
  );
  assert.equal(out.final.phase, 'done');
  assert.ok(reports.some((p) => p.phase === 'running' && p.rowsWritten > 0 && p.rowsWritten < count), 'at least one report mid-way');
  await t.download('progress.csv', out.result!.bytesWritten);
  t.note(`${reports.length} progress reports`);
});

spec('two exports at once share the worker and both finish with their own rows', async (t) => {
  const { a, b, workersMade } = await t.call<{ a: RunOutcome; b: RunOutcome; workersMade: number }>('twoAtOnce', 20_000);
  assert.equal(a.error, undefined, JSON.stringify(a.error));
  assert.equal(b.error, undefined, JSON.stringify(b.error));
  assert.equal(workersMade, 1, 'one worker for both');
  expectCsvRows(fromBase64(a.base64).toString('utf8'), 20_000);
  expectNdjsonRows(fromBase64(b.base64), 20_001);
});

spec('on the main thread (worker: false): CSV and Parquet', async (t) => {
  const csv = await t.run({ source: { kind: 'rows', count: 2000 }, options: { format: 'csv', worker: false }, target: 'blob', read: true });
  assert.equal(csv.error, undefined, JSON.stringify(csv.error));
  assert.equal(csv.result?.thread, 'main');
  expectCsvRows(fromBase64(csv.base64).toString('utf8'), 2000);
  const parquet = await t.run({ source: { kind: 'rows', count: 2000 }, options: { format: 'parquet', worker: false }, target: 'blob', read: true });
  assert.equal(parquet.error, undefined, JSON.stringify(parquet.error));
  await expectParquetRows(fromBase64(parquet.base64), 2000);
});
