/**
 * The download fallback, end to end: the file the browser saved is read from disk and checked by
 * independent readers.
 */
import { assert, duckdbParquet, expectCsvRows, expectNdjsonRows, expectParquetRows } from '../check.js';
import { needs, spec } from '../harness.js';
import { engineRows } from '../pages/rows.js';

spec("target 'auto' saves through a download where there is no save picker (CSV)", { needs: needs.noSavePicker }, async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 3000 }, options: { format: 'csv', fileName: 'auto.csv' } });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.deepEqual(out.result, { rowsRead: 3000, rowsWritten: 3000, bytesWritten: out.result!.bytesWritten, fileName: 'auto.csv', format: 'csv', thread: 'worker', issues: [] });
  const bytes = await t.download('auto.csv', out.result!.bytesWritten);
  expectCsvRows(bytes.toString('utf8'), 3000);
  const clicks = await t.call<Array<{ fileName: string; size: number | null }>>('anchorClicks');
  assert.deepEqual(clicks, [{ fileName: 'auto.csv', size: out.result!.bytesWritten }]);
  t.note(`'auto' took the download path; ${t.caps.opfs ? 'spooled to an OPFS file' : 'no OPFS, so the bytes were held as one Blob'}`);
});

spec("target 'download': a CSV file on disk, read by papaparse", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 5000 }, options: { format: 'csv', fileName: 'rows.csv' }, target: 'download' });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.equal(out.result?.rowsWritten, 5000);
  const bytes = await t.download('rows.csv', out.result!.bytesWritten);
  expectCsvRows(bytes.toString('utf8'), 5000);
  // The download's spool file is removed only after a delay (the browser may still read it); what
  // matters is that nothing but that one file is there.
  const names = await t.call<{ root: string[]; spool: string[] } | null>('opfsNames');
  if (names !== null) assert.ok(names.spool.length <= 1 && names.root.length === 0, JSON.stringify(names));
});

spec("target 'download': Parquet (wasm in the worker), read by DuckDB", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 4000 }, options: { format: 'parquet', fileName: 'rows.parquet' }, target: 'download' });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.equal(out.result?.thread, 'worker');
  const bytes = await t.download('rows.parquet', out.result!.bytesWritten);
  await expectParquetRows(bytes, 4000);
  const { types } = await duckdbParquet(bytes);
  t.note(`DuckDB types: ${Object.entries(types).map(([k, v]) => `${k} ${v}`).join(', ')}`);
});

spec("target 'download': NDJSON with gzip, gunzipped by zlib", async (t) => {
  const out = await t.run({ source: { kind: 'rows', count: 2500 }, options: { format: 'ndjson', compression: 'gzip', fileName: 'rows.ndjson.gz' }, target: 'download' });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.equal(out.result?.fileName, 'rows.ndjson.gz');
  const bytes = await t.download('rows.ndjson.gz', out.result!.bytesWritten);
  expectNdjsonRows(bytes, 2500, { gzip: true });
});

spec("target 'download': 200,000 rows of CSV arrive whole (DuckDB counts and sums them)", { timeoutMs: 240_000 }, async (t) => {
  const count = 200_000;
  const out = await t.run({ source: { kind: 'generator', count }, options: { format: 'csv', fileName: 'big.csv' }, target: 'download' });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  const bytes = await t.download('big.csv', out.result!.bytesWritten);
  const { tempFile, duckdb } = await import('../../helpers/readers.js');
  const file = tempFile(bytes, 'csv');
  try {
    const db = await duckdb();
    const result = await db.runAndReadAll(
      `SELECT count(*)::BIGINT AS n, sum(id)::BIGINT AS ids, sum(amount)::DOUBLE AS amounts, count(note)::BIGINT AS notes FROM read_csv('${file.path}', header=true, quote='"', escape='"', delim=',', comment='', strict_mode=true, columns={'id':'BIGINT','name':'VARCHAR','amount':'DOUBLE','ok':'BOOLEAN','note':'VARCHAR'})`,
    );
    const [row] = result.getRowObjectsJS() as Array<Record<string, unknown>>;
    const rows = engineRows(count);
    assert.deepEqual(
      { n: Number(row!['n']), ids: Number(row!['ids']), amounts: row!['amounts'], notes: Number(row!['notes']) },
      { n: count, ids: (count * (count - 1)) / 2, amounts: rows.reduce((s, r) => s + r.amount, 0), notes: rows.filter((r) => r.note !== null).length },
    );
  } finally {
    file.cleanup();
  }
  t.note(`${(bytes.byteLength / 1e6).toFixed(1)} MB downloaded`);
});
