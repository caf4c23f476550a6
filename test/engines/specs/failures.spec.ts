/**
 * Cancel, failure and a dead worker: the job rejects with the right code, and nothing is left
 * behind (no download starts, no spool file stays).
 */
import { assert, expectCsvRows, fromBase64 } from '../check.js';
import { needs, spec, type SpecContext } from '../harness.js';

/** The spool (where the engine has OPFS) must be empty; where it has none, there is nothing to check. */
async function expectNoSpool(t: SpecContext): Promise<void> {
  const names = await t.call<{ root: string[]; spool: string[] } | null>('opfsNames');
  if (names === null) t.note('no OPFS here: the download was held in memory, so there is no spool file to leave');
  else assert.deepEqual(names, { root: [], spool: [] }, 'no spool file and no other OPFS file');
}

spec("cancel mid-download: 'aborted', no download, no spool file", async (t) => {
  const out = await t.run({ source: { kind: 'generator', count: 1_000_000, holdAt: 30_000 }, options: { format: 'csv', fileName: 'cancelled.csv' }, target: 'download', interrupt: 'cancel' });
  assert.equal(out.ok, false);
  assert.deepEqual(out.error, { name: 'ExportError', code: 'aborted', message: 'the export was aborted: stopped by the test' });
  assert.equal(out.final.phase, 'aborted');
  assert.ok(out.final.rowsRead >= 1 && out.final.rowsRead <= 30_000, `rows read before the cancel: ${out.final.rowsRead}`);
  await expectNoSpool(t);
  await t.expectNoOtherDownload();
});

spec("a source that throws mid-download: 'source_failed' with its message, no download, no spool file", async (t) => {
  const out = await t.run({ source: { kind: 'failing', count: 100_000, failAt: 40_000 }, options: { format: 'csv', fileName: 'failed.csv' }, target: 'download' });
  assert.equal(out.error?.code, 'source_failed');
  assert.match(out.error!.message, /the source broke at row 40000/);
  assert.equal(out.final.phase, 'failed');
  await expectNoSpool(t);
  await t.expectNoOtherDownload();
});

spec("a Parquet download whose source fails late: 'source_failed', no download, no spool file", async (t) => {
  const out = await t.run({ source: { kind: 'failing', count: 70_000, failAt: 65_000 }, options: { format: 'parquet', fileName: 'late.parquet' }, target: 'download' });
  assert.equal(out.error?.code, 'source_failed', JSON.stringify(out.error));
  assert.equal(out.final.phase, 'failed');
  await expectNoSpool(t);
  await t.expectNoOtherDownload();
});

spec("a killed worker: 'worker_failed', and the next export gets a fresh worker", async (t) => {
  const out = await t.run({ source: { kind: 'generator', count: 1_000_000, holdAt: 20_000 }, options: { format: 'csv', fileName: 'killed.csv' }, target: 'download', interrupt: 'kill-worker' });
  assert.equal(out.ok, false);
  assert.equal(out.error?.code, 'worker_failed', JSON.stringify(out.error));
  assert.equal(out.final.phase, 'failed');
  assert.equal(out.workersMade, 1);
  const next = await t.run({ source: { kind: 'rows', count: 50 }, options: { format: 'csv' }, target: 'blob', read: true });
  assert.equal(next.error, undefined, JSON.stringify(next.error));
  assert.equal(next.workersMade, 1, 'a fresh worker');
  expectCsvRows(fromBase64(next.base64).toString('utf8'), 50);
  await expectNoSpool(t);
  await t.expectNoOtherDownload();
  t.note(`worker death noticed through ${t.caps.webLocks ? 'a Web Lock' : 'the heartbeat'}: ${out.error?.message}`);
});

spec("a killed worker during an 'opfs' export: 'worker_failed', and the file it created is gone", { needs: needs.opfs }, async (t) => {
  const out = await t.run({ source: { kind: 'generator', count: 1_000_000, holdAt: 20_000 }, options: { format: 'csv', fileName: 'killed.csv' }, target: 'opfs', interrupt: 'kill-worker' });
  assert.equal(out.error?.code, 'worker_failed', JSON.stringify(out.error));
  assert.equal(out.final.phase, 'failed');
  assert.deepEqual(await t.call('opfsNames'), { root: [], spool: [] }, 'no file, no swap file, no spool file');
});

spec("a killed worker during an 'opfs' export over an older file: that file keeps its old content", { needs: needs.opfs }, async (t) => {
  const original = 'ORIGINAL CONTENT, written before the export\n';
  await t.call('writeOpfs', 'killed.csv', original);
  const out = await t.run({ source: { kind: 'generator', count: 1_000_000, holdAt: 20_000 }, options: { format: 'csv', fileName: 'killed.csv' }, target: 'opfs', interrupt: 'kill-worker' });
  assert.equal(out.error?.code, 'worker_failed', JSON.stringify(out.error));
  assert.equal(await t.call('opfsText', 'killed.csv'), original, 'the older file is untouched');
  assert.deepEqual(await t.call('opfsNames'), { root: ['killed.csv'], spool: [] }, 'the older file, no swap file, no spool file');
});

spec("timeoutMs: a stalled source ends in 'timeout', no download", async (t) => {
  const out = await t.run({ source: { kind: 'generator', count: 100_000, holdAt: 5_000 }, options: { format: 'csv', fileName: 'slow.csv', timeoutMs: 1_500 }, target: 'download' });
  assert.equal(out.error?.code, 'timeout', JSON.stringify(out.error));
  await expectNoSpool(t);
  await t.expectNoOtherDownload();
});

spec("a bad option fails before anything starts: 'invalid_options', no worker", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 10 }, options: { format: 'csv', csv: { delimiter: ';;' } }, target: 'download' });
  assert.equal(out.error?.code, 'invalid_options');
  assert.match(out.error!.message, /;;/);
  assert.equal(out.workersMade, 0);
  await t.expectNoOtherDownload();
});
