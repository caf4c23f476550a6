/**
 * Excel's sheet limits: past 1,048,576 rows (header included) the export continues on a new sheet,
 * stops, or fails as `xlsx.overflow` says; 16,384 columns fit, one more is refused up front.
 */
import { describe, expect, it } from 'vitest';
import { tableFromArrays } from 'apache-arrow';
import { unzipSync } from 'fflate';
import { exportStream } from '../../../../src/engine.js';
import { isExportError } from '../../../../src/errors.js';
import { verifyExport } from '../../../../src/integrity.js';
import { countXlsxRows } from '../../../../src/formats/xlsx/verify.js';
import { sheetjsSheets, toXlsx } from './helpers.js';

const LIMIT = 1_048_575; // data rows below the header

/** `n` rows of one int32 column `n` (0, 1, 2…), as Arrow batches: cheap to make. */
function numbers(n: number) {
  return tableFromArrays({ n: Int32Array.from({ length: n }, (_, i) => i) }).batches;
}

describe('XLSX sheets past 1,048,576 rows', () => {
  it('continues on a second sheet with the header repeated (default newSheet)', async () => {
    const { bytes, result } = await toXlsx(numbers(LIMIT + 2), { xlsx: { sheetName: 'Data' } });
    expect(result.rowsWritten).toBe(LIMIT + 2);
    expect(result.truncated).toBe(false);
    expect(await countXlsxRows(bytes)).toBe(LIMIT + 2);
    await verifyExport('xlsx', bytes, { rows: LIMIT + 2 });
    // SheetJS reads only the second sheet here: the first holds a million rows.
    const [second] = sheetjsSheets(bytes, { sheets: 1 });
    expect(second!.name).toBe('Data (2)');
    expect(second!.rows).toEqual([['n'], [LIMIT], [LIMIT + 1]]);
    const files = unzipSync(bytes, { filter: (file) => file.name === 'xl/workbook.xml' || file.name === 'xl/worksheets/sheet1.xml' });
    const first = new TextDecoder().decode(files['xl/worksheets/sheet1.xml']);
    expect(first.match(/<row /g)).toHaveLength(LIMIT + 1);
    expect(first).toContain(`<row r="1048576"><c r="A1048576"><v>${LIMIT - 1}</v></c></row></sheetData>`);
    expect(first).toContain('<autoFilter ref="A1:A1048576"/>');
    const workbook = new TextDecoder().decode(files['xl/workbook.xml']);
    expect(workbook).toContain('<sheet name="Data" sheetId="1" r:id="rId1"/><sheet name="Data (2)" sheetId="2" r:id="rId2"/>');
  }, 300_000);

  it("under limits.maxBytes with onExceed 'truncate' too: the second sheet opens only for a row that fits", async () => {
    const limits = { maxBytes: 2 ** 40, onExceed: 'truncate' } as const;
    // A fixed creation time: its digits are deflated into the workbook, and sizes are compared across exports.
    const xlsx = { sheetName: 'Data', created: new Date('2024-03-04T05:06:07Z') };
    const whole = await toXlsx(numbers(LIMIT + 2), { limits, xlsx });
    expect(whole.result).toMatchObject({ rowsWritten: LIMIT + 2, truncated: false });
    await verifyExport('xlsx', whole.bytes, { rows: LIMIT + 2 });
    const [second] = sheetjsSheets(whole.bytes, { sheets: 1 });
    expect(second!.rows).toEqual([['n'], [LIMIT], [LIMIT + 1]]);
    // The workbook of exactly one full sheet, and a budget a byte short of the one with a row more.
    const oneSheet = await toXlsx(numbers(LIMIT + 2), { limits: { ...limits, maxRows: LIMIT }, xlsx });
    const oneMore = await toXlsx(numbers(LIMIT + 2), { limits: { ...limits, maxRows: LIMIT + 1 }, xlsx });
    const cut = await toXlsx(numbers(LIMIT + 2), { limits: { maxBytes: oneMore.bytes.length - 1, onExceed: 'truncate' }, xlsx });
    expect(cut.result).toMatchObject({ rowsWritten: LIMIT, truncated: true });
    expect(Buffer.from(cut.bytes).equals(Buffer.from(oneSheet.bytes))).toBe(true);
    const names = Object.keys(unzipSync(cut.bytes, { filter: (file) => file.name.startsWith('xl/worksheets/') }));
    expect(names).toEqual(['xl/worksheets/sheet1.xml']);
    await verifyExport('xlsx', cut.bytes, { rows: LIMIT });
  }, 300_000);

  it('truncate stops at the sheet and says so; error fails with limit_exceeded', async () => {
    const { bytes, result } = await toXlsx(numbers(LIMIT + 5), { xlsx: { overflow: 'truncate' } });
    expect(result.rowsWritten).toBe(LIMIT);
    expect(result.truncated).toBe(true);
    expect(await countXlsxRows(bytes)).toBe(LIMIT);
    const error = await toXlsx(numbers(LIMIT + 1), { xlsx: { overflow: 'error' } }).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('limit_exceeded');
    expect((error as Error).message).toMatch(/1048575 rows below the header/);
  }, 300_000);
});

describe('XLSX columns', () => {
  it('writes 16,384 columns (A to XFD)', async () => {
    const row = Object.fromEntries(Array.from({ length: 16_384 }, (_, i) => [`c${i}`, i]));
    const { bytes } = await toXlsx([row, row]);
    const [sheet] = sheetjsSheets(bytes);
    expect(sheet!.rows).toHaveLength(3);
    expect(sheet!.rows[0]![16_383]).toBe('c16383');
    expect(sheet!.rows[2]![16_383]).toBe(16_383);
    expect(new TextDecoder().decode(unzipSync(bytes)['xl/worksheets/sheet1.xml'])).toContain('<c r="XFD3"><v>16383</v></c></row>');
  }, 120_000);

  it('refuses 16,385 columns with invalid_options before writing a byte', async () => {
    const row = Object.fromEntries(Array.from({ length: 16_385 }, (_, i) => [`c${i}`, i]));
    const reader = exportStream([row], { format: 'xlsx' }).getReader();
    const error = await reader.read().catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('invalid_options');
    expect((error as Error).message).toMatch(/at most 16384 columns.*16385/);
  }, 120_000);
});
