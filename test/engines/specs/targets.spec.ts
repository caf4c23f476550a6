/**
 * The other targets: Blob, WritableStream, OPFS, a file handle, the save dialog, and the targets
 * an engine cannot honour.
 */
import { assert, expectCsvRows, expectNdjsonRows, expectParquetRows, fromBase64, polarsIpcRows } from '../check.js';
import { needs, spec } from '../harness.js';
import { engineRows } from '../pages/rows.js';

spec("target 'blob': CSV with a BOM and ';' as delimiter", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 1000 }, options: { format: 'csv', csv: { bom: true, delimiter: ';' } }, target: 'blob', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.equal(out.result?.blobType?.split(';')[0], 'text/csv');
  const bytes = fromBase64(out.base64);
  assert.equal(out.result?.blobSize, bytes.byteLength);
  assert.deepEqual([...bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], 'UTF-8 BOM');
  expectCsvRows(bytes.subarray(3).toString('utf8'), 1000, { delimiter: ';' });
});

spec("target 'blob': Parquet with zstd, read by DuckDB", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 3000 }, options: { format: 'parquet', parquet: { compression: 'zstd' } }, target: 'blob', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  await expectParquetRows(fromBase64(out.base64), 3000);
});

spec("target 'blob': Arrow IPC, read by Polars", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 1500 }, options: { format: 'arrow' }, target: 'blob', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  const rows = polarsIpcRows(fromBase64(out.base64)).map((row) => Object.fromEntries(Object.entries(row).map(([k, v]) => [k, typeof v === 'bigint' ? Number(v) : v])));
  assert.deepEqual(rows, engineRows(1500));
});

spec('target WritableStream: NDJSON bytes reach the app’s stream', async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 1200 }, options: { format: 'ndjson' }, target: 'writable', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  expectNdjsonRows(fromBase64(out.base64), 1200);
});

spec("target 'opfs': the file is in the origin private file system", { needs: needs.opfs }, async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 800 }, options: { format: 'csv', fileName: 'kept.csv' }, target: 'opfs', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  expectCsvRows(fromBase64(out.base64).toString('utf8'), 800);
  assert.deepEqual(await t.call('opfsNames'), { root: ['kept.csv'], spool: [] });
});

spec("target 'opfs' without OPFS: unsupported_environment naming navigator.storage.getDirectory", { needs: needs.noOpfs }, async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 10 }, options: { format: 'csv', fileName: 'kept.csv' }, target: 'opfs' });
  assert.equal(out.ok, false);
  assert.equal(out.error?.code, 'unsupported_environment');
  assert.match(out.error!.message, /navigator\.storage\.getDirectory/);
  assert.equal(out.final.phase, 'failed');
  await t.expectNoOtherDownload();
});

spec("target 'picker' without showSaveFilePicker: unsupported_environment naming it, no worker started", { needs: needs.noSavePicker }, async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 10 }, options: { format: 'csv' }, target: 'picker' });
  assert.equal(out.error?.code, 'unsupported_environment');
  assert.match(out.error!.message, /showSaveFilePicker/);
  assert.equal(out.workersMade, 0);
  await t.expectNoOtherDownload();
});

spec("the save dialog: target 'auto' asks showSaveFilePicker and writes the picked file", { needs: needs.savePicker }, async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 900 }, options: { format: 'csv', fileName: 'picked.csv' }, target: 'fake-picker', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  expectCsvRows(fromBase64(out.base64).toString('utf8'), 900);
  await t.expectNoOtherDownload();
});

spec('a FileSystemFileHandle target (an OPFS handle) gets Parquet through createWritable()', { needs: needs.fileHandle }, async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 700 }, options: { format: 'parquet', fileName: 'handle.parquet' }, target: 'handle', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  await expectParquetRows(fromBase64(out.base64), 700);
});
