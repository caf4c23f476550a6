/**
 * XLSX in Chromium, written by the library's module worker (the encoder loaded on demand), saved to
 * OPFS and to a Blob, and read back in Node by SheetJS.
 */
import { createHash } from 'node:crypto';
import * as XLSX from 'xlsx';
import { standardRows, STANDARD_COLUMNS } from '../pages/runtime/rows.js';
import { expect, test } from './fixtures.js';

test.afterEach(({ pageErrors }) => {
  expect(pageErrors).toEqual([]);
});

function sheetRows(bytes: Uint8Array): unknown[][] {
  const book = XLSX.read(bytes, { type: 'array' });
  return XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[book.SheetNames[0]!]!, { header: 1, raw: true });
}

test('opfs: an XLSX file written by the worker (its sheet deflated on the compressing worker), read back by SheetJS', async ({ runtime }) => {
  const compressing: string[] = [];
  runtime.context().on('request', (request) => {
    if (/\/worker\/compress-worker\.js/.test(request.url())) compressing.push(request.url());
  });
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows, readOpfsBytes } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(20_000), { format: 'xlsx', target: 'opfs', fileName: 'kept.xlsx', checksum: true });
    return { thread: result.resources.thread, rowsWritten: result.rowsWritten, sha256: result.sha256, bytes: await readOpfsBytes('kept.xlsx') };
  });
  expect(out).toMatchObject({ thread: 'worker', rowsWritten: 20_000 });
  const bytes = new Uint8Array(out.bytes!);
  expect(out.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
  const rows = sheetRows(bytes);
  expect(rows[0]).toEqual([...STANDARD_COLUMNS]);
  expect(rows).toHaveLength(20_001);
  const expected = standardRows(20_000);
  expect(rows.slice(1, 200)).toEqual(expected.slice(0, 199).map((row) => STANDARD_COLUMNS.map((column) => row[column])));
  expect(rows.slice(-200)).toEqual(expected.slice(-200).map((row) => STANDARD_COLUMNS.map((column) => row[column])));
  expect(compressing.length, 'the sheet was deflated on the compressing worker').toBeGreaterThan(0);
});

test('blob: result.blob holds the XLSX file with its MIME type', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, standardRows } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(500), { format: 'xlsx', target: 'blob' });
    return { type: result.blob!.type, fileName: result.fileName, bytes: Array.from(new Uint8Array(await result.blob!.arrayBuffer())) };
  });
  expect(out.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  expect(out.fileName).toMatch(/\.xlsx$/);
  expect(sheetRows(new Uint8Array(out.bytes))).toHaveLength(501);
});

test("maxBytes with onExceed 'truncate': the worker ends the workbook at the last row that fits", async ({ runtime }) => {
  const maxBytes = 150_000;
  const out = await runtime.evaluate(async (limit) => {
    const { lib, standardRows } = window.sluiceRuntime!;
    const rows = standardRows(5_000);
    // A fixed creation time: its digits are deflated into the workbook, and two sizes are compared.
    const xlsx = { created: new Date('2024-03-04T05:06:07Z') };
    const cut = await lib.exportData(rows, { format: 'xlsx', xlsx, target: 'blob', limits: { maxBytes: limit, onExceed: 'truncate' } });
    // The same rows and one more, written the same way, for the check that one more would not fit.
    const oneMore = await lib.exportData(rows, { format: 'xlsx', xlsx, target: 'blob', limits: { maxRows: cut.rowsWritten + 1, maxBytes: 2 ** 40, onExceed: 'truncate' } });
    return {
      thread: cut.resources.thread,
      truncated: cut.truncated,
      rowsWritten: cut.rowsWritten,
      bytes: Array.from(new Uint8Array(await cut.blob!.arrayBuffer())),
      oneMoreBytes: oneMore.bytesWritten,
    };
  }, maxBytes);
  expect(out).toMatchObject({ thread: 'worker', truncated: true });
  expect(out.bytes.length).toBeLessThanOrEqual(maxBytes);
  expect(out.oneMoreBytes).toBeGreaterThan(maxBytes);
  const rows = sheetRows(new Uint8Array(out.bytes));
  expect(rows[0]).toEqual([...STANDARD_COLUMNS]);
  expect(rows).toHaveLength(out.rowsWritten + 1);
  const expected = standardRows(out.rowsWritten);
  expect(rows.slice(1)).toEqual(expected.map((row) => STANDARD_COLUMNS.map((column) => row[column])));
});
