/**
 * `compression` from the export worker runs on a compressing worker of its own (a CSV export with
 * gzip used to take twice the time of one without, deflate and encoding taking turns on one
 * thread). What is checked here is behaviour, not speed (that is `npm run bench:browser`'s): the
 * worker is loaded, the output is exactly the compressed file, and a cancel stops both. The
 * fallback where the compressing worker cannot start is tested in Node
 * (`test/unit/worker/compressor.test.ts`).
 */
import { createHash } from 'node:crypto';
import { gunzipSync, inflateSync } from 'node:zlib';
import { standardCells, standardRows, STANDARD_COLUMNS } from '../pages/runtime/rows.js';
import { expect, parseCsv, test } from './fixtures.js';

const expectedCsv = (n: number): string[][] => [[...STANDARD_COLUMNS], ...standardRows(n).map(standardCells)];
const COMPRESS_WORKER = /\/worker\/compress-worker\.js/;

test.afterEach(({ pageErrors }) => {
  expect(pageErrors).toEqual([]);
});

// CSV and NDJSON run in the CSV worker; a checksum sends CSV to the full worker.
for (const [format, compression, checksum, inflate] of [
  ['csv', 'gzip', false, gunzipSync],
  ['csv', 'deflate', false, inflateSync],
  ['ndjson', 'gzip', false, gunzipSync],
  ['csv', 'gzip', true, gunzipSync],
] as const) {
  test(`${format} with ${compression}${checksum ? ' and a checksum' : ''}: compressed on a worker of its own, and exactly the file`, async ({ runtime }) => {
    const requested: string[] = [];
    runtime.context().on('request', (request) => {
      if (COMPRESS_WORKER.test(request.url())) requested.push(request.url());
    });
    const out = await runtime.evaluate(
      async ([format, compression, checksum]) => {
        const { lib, standardRows } = window.sluiceRuntime!;
        const result = await lib.exportData(standardRows(30_000), { format, compression, checksum, target: 'blob' });
        return { bytes: Array.from(new Uint8Array(await result.blob!.arrayBuffer())), sha256: result.sha256, result: { rowsWritten: result.rowsWritten, bytesWritten: result.bytesWritten, thread: result.resources.thread } };
      },
      [format, compression, checksum] as const,
    );
    expect(requested.length, 'the compressing worker was loaded').toBeGreaterThan(0);
    expect(out.result).toMatchObject({ rowsWritten: 30_000, thread: 'worker', bytesWritten: out.bytes.length });
    const plain = inflate(Buffer.from(out.bytes));
    if (format === 'csv') expect(parseCsv(plain.toString('utf8'))).toEqual(expectedCsv(30_000));
    else expect(plain.toString('utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as unknown)).toHaveLength(30_000);
    // The checksum is of the file as written: the compressed bytes.
    if (checksum) expect(out.sha256).toBe(createHash('sha256').update(Buffer.from(out.bytes)).digest('hex'));
  });
}

test('cancel during a compressed export: the job is aborted, nothing is kept, and the next export works', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfs } = window.sluiceRuntime!;
    const rows = standardRows(300_000);
    const job = lib.exportData(rows, { format: 'csv', compression: 'gzip', target: 'opfs', fileName: 'cancelled.csv.gz' });
    const unsubscribe = job.subscribe(() => {
      if (job.getSnapshot().progress.rowsWritten > 20_000) job.cancel();
    });
    let code: string | undefined;
    try {
      await job;
    } catch (error) {
      code = (error as { code?: string }).code;
    }
    unsubscribe();
    const after = await lib.exportData(standardRows(1_000), { format: 'csv', compression: 'gzip', target: 'blob' });
    return { code, kept: await readOpfs('cancelled.csv.gz'), after: Array.from(new Uint8Array(await after.blob!.arrayBuffer())) };
  });
  expect(out.code).toBe('aborted');
  expect(out.kept).toBeNull();
  expect(parseCsv(gunzipSync(Buffer.from(out.after)).toString('utf8'))).toEqual(expectedCsv(1_000));
});
