/**
 * Every save target of exportData, in Chromium, with the library's own module worker. Files are
 * read back in Node with independent readers (papaparse, JSON.parse, zlib, hyparquet).
 */
import { gunzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { parquetReadObjects } from 'hyparquet';
import { standardCells, standardRows, STANDARD_COLUMNS } from '../pages/runtime/rows.js';
import { expect, parseCsv, test } from './fixtures.js';

const expectedCsv = (n: number): string[][] => [[...STANDARD_COLUMNS], ...standardRows(n).map(standardCells)];

test.afterEach(({ pageErrors }) => {
  expect(pageErrors).toEqual([]);
});

test('picker (the auto target where showSaveFilePicker exists): written by the worker, with name, types and id', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfs } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(5_000), { format: 'csv', pickerId: 'sluice-tests' });
    return { result: { ...result }, text: await readOpfs(result.fileName), calls: window.__picker.calls };
  });
  expect(out.calls).toHaveLength(1);
  expect(out.calls[0]).toEqual({ suggestedName: out.result.fileName, id: 'sluice-tests', types: [{ description: 'CSV file', accept: { 'text/csv': ['.csv'] } }] });
  expect(out.result.fileName).toMatch(/^export-\d{8}-\d{6}\.csv$/);
  expect(out.result).toMatchObject({ rowsRead: 5_000, rowsWritten: 5_000, format: 'csv', resources: { thread: 'worker' } });
  expect(parseCsv(out.text!)).toEqual(expectedCsv(5_000));
  expect(out.result.bytesWritten).toBe(Buffer.byteLength(out.text!));
});

test('picker with gzip: .csv.gz, offered as application/gzip, and gunzips to the CSV', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfsBytes } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(2_000), { format: 'csv', target: 'picker', compression: 'gzip' });
    return { fileName: result.fileName, bytes: await readOpfsBytes(result.fileName), calls: window.__picker.calls };
  });
  expect(out.fileName).toMatch(/\.csv\.gz$/);
  expect(out.calls[0]?.types).toEqual([{ description: 'CSV file (gzip)', accept: { 'application/gzip': ['.gz'] } }]);
  expect(parseCsv(gunzipSync(Buffer.from(out.bytes!)).toString('utf8'))).toEqual(expectedCsv(2_000));
});

test('a FileSystemFileHandle the app holds: TSV', async ({ runtime }) => {
  const text = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfs } = window.sluiceRuntime!;
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle('held.tsv', { create: true });
    await lib.exportData(standardRows(1_000), { format: 'tsv', target: handle });
    return readOpfs('held.tsv');
  });
  expect(parseCsv(text!, '\t')).toEqual(expectedCsv(1_000));
});

test('blob: result.blob holds the file (NDJSON)', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(1_000), { format: 'ndjson', target: 'blob', fileName: 'rows.ndjson', checksum: true });
    return { type: result.blob?.type, size: result.blob?.size, text: await result.blob!.text(), bytesWritten: result.bytesWritten, sha256: result.sha256 };
  });
  // The checksum computed in the worker comes back with the result and matches the file.
  expect(out.sha256).toBe(createHash('sha256').update(out.text).digest('hex'));
  expect(out.type).toBe('application/x-ndjson');
  expect(out.size).toBe(out.bytesWritten);
  const lines = out.text.split('\n');
  expect(lines.at(-1)).toBe('');
  expect(lines.slice(0, -1).map((line) => JSON.parse(line))).toEqual(standardRows(1_000));
});

test('opfs: kept in OPFS under fileName (Parquet, read by hyparquet)', async ({ runtime }) => {
  const bytes = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfsBytes } = window.sluiceRuntime!;
    await lib.exportData(standardRows(3_000), { format: 'parquet', target: 'opfs', fileName: 'kept.parquet' });
    return readOpfsBytes('kept.parquet');
  });
  const buffer = new Uint8Array(bytes!).buffer;
  const rows = (await parquetReadObjects({ file: buffer })) as Array<Record<string, unknown>>;
  expect(rows).toHaveLength(3_000);
  expect(rows.map((row) => ({ ...row, id: Number(row['id']), quantity: Number(row['quantity']) }))).toEqual(standardRows(3_000));
});

test('picker, Parquet: the first Parquet export of the page is written by the worker into the picked file', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfsBytes } = window.sluiceRuntime!;
    const rows = standardRows(150_000);
    const started = performance.now();
    let firstBytesMs: number | undefined;
    const result = await lib.exportData(rows, {
      format: 'parquet',
      target: 'picker',
      fileName: 'picked.parquet',
      onProgress: (p) => {
        if (firstBytesMs === undefined && p.bytesWritten > 0) firstBytesMs = performance.now() - started;
      },
    });
    return { fileName: result.fileName, rowsWritten: result.rowsWritten, thread: result.resources.thread, firstBytesMs, bytes: await readOpfsBytes(result.fileName) };
  });
  // Reported, not asserted (timing belongs to benchmarks): wasm compile plus the first 65,536-row group.
  console.info(`first Parquet export of the page: first bytes after ${out.firstBytesMs?.toFixed(0)} ms`);
  expect(out).toMatchObject({ fileName: 'picked.parquet', rowsWritten: 150_000, thread: 'worker' });
  expect(out.firstBytesMs).toBeDefined();
  const rows = (await parquetReadObjects({ file: new Uint8Array(out.bytes!).buffer })) as Array<Record<string, unknown>>;
  expect(rows).toHaveLength(150_000);
  expect(rows.slice(0, 500).map((row) => ({ ...row, id: Number(row['id']), quantity: Number(row['quantity']) }))).toEqual(standardRows(500));
});

test('WritableStream: bytes piped to the app stream, closed before the job resolves', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows } = window.sluiceRuntime!;
    const chunks: Uint8Array[] = [];
    let closed = false;
    const target = new WritableStream<Uint8Array>({ write: (chunk) => void chunks.push(chunk), close: () => void (closed = true) });
    const result = await lib.exportData(standardRows(20_000), { format: 'csv', target });
    return { closedBeforeResolve: closed, text: await new Blob(chunks as BlobPart[]).text(), bytesWritten: result.bytesWritten };
  });
  expect(out.closedBeforeResolve).toBe(true);
  expect(parseCsv(out.text)).toEqual(expectedCsv(20_000));
  expect(out.bytesWritten).toBe(Buffer.byteLength(out.text));
});

test('download: spooled to OPFS, downloaded under fileName, spool file removed afterwards', async ({ runtime }) => {
  // The spool file outlives the click by a minute (the browser reads it after the click); the
  // page's clock is moved past that instead of waiting.
  await runtime.clock.install();
  const downloadEvent = runtime.waitForEvent('download');
  const result = await runtime.evaluate(async () => {
    const { lib, standardRows, listSpool } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(10_000), { format: 'csv', target: 'download', fileName: 'report.csv' });
    return { fileName: result.fileName, spoolDuring: await listSpool(), rows: result.rowsWritten };
  });
  const download = await downloadEvent;
  expect(download.suggestedFilename()).toBe('report.csv');
  expect(await download.failure()).toBeNull();
  const path = await download.path();
  expect(parseCsv(readFileSync(path, 'utf8'))).toEqual(expectedCsv(10_000));
  expect(result.spoolDuring, 'the export was spooled to OPFS, not kept in memory').toHaveLength(1);
  expect(await runtime.evaluate(() => window.sluiceRuntime!.listSpool()), 'kept while the browser may still read it').toHaveLength(1);
  await runtime.clock.fastForward(61_000);
  await expect.poll(() => runtime.evaluate(() => window.sluiceRuntime!.listSpool()), { timeout: 5_000 }).toEqual([]);
});

test('an Arrow table source crosses as IPC (no row objects) and exports to CSV', async ({ runtime }) => {
  const text = await runtime.evaluate(async () => {
    const { lib, arrowTable } = window.sluiceRuntime!;
    const table = arrowTable(70_000);
    const result = await lib.exportData(table, { format: 'csv', target: 'blob' });
    return result.blob!.text();
  });
  const rows = parseCsv(text);
  expect(rows[0]).toEqual(['id', 'label']);
  expect(rows).toHaveLength(70_001);
  expect(rows[70_000]).toEqual(['69999', 'row 69999']);
});

test('worker: false runs on the main thread with the same targets (download)', async ({ runtime }) => {
  const downloadEvent = runtime.waitForEvent('download');
  const thread = await runtime.evaluate(async () => {
    const { lib, standardRows } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(3_000), { format: 'csv', target: 'download', fileName: 'main.csv', worker: false });
    return result.resources.thread;
  });
  const download = await downloadEvent;
  expect(thread).toBe('main');
  expect(download.suggestedFilename()).toBe('main.csv');
  expect(parseCsv(readFileSync(await download.path(), 'utf8'))).toEqual(expectedCsv(3_000));
});

test('preload({ formats: ["parquet"] }) readies the worker and the wasm, so Parquet exports offline', async ({ runtime }) => {
  await runtime.evaluate(() => window.sluiceRuntime!.lib.preload({ formats: ['parquet'] }));
  await runtime.context().setOffline(true);
  let bytes: number[] | null;
  try {
    bytes = await runtime.evaluate(async () => {
      const { lib, standardRows, readOpfsBytes } = window.sluiceRuntime!;
      await lib.exportData(standardRows(500), { format: 'parquet', target: 'opfs', fileName: 'offline.parquet' });
      return readOpfsBytes('offline.parquet');
    });
  } finally {
    await runtime.context().setOffline(false);
  }
  const rows = await parquetReadObjects({ file: new Uint8Array(bytes!).buffer });
  expect(rows).toHaveLength(500);
});
