/**
 * XLSX truncation by size across sheets: with sheets made small here (40 data rows), a budget may
 * end the workbook on any sheet. The file is at most maxBytes, its sheets hold the leading N rows
 * in order (each below its header), no sheet is empty, and the workbook of N + 1 rows written the
 * same way is over the budget.
 */
import zlib from 'node:zlib';
import { describe, expect, it, vi } from 'vitest';
import * as XLSX from 'xlsx';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import type { ExportResult, StreamOptions } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';
import { budgets, zipEntries } from './xlsx-helpers.js';

vi.mock('../../../src/formats/xlsx/options.js', async (importOriginal) => ({
  ...(await importOriginal<typeof import('../../../src/formats/xlsx/options.js')>()),
  // The header and 40 data rows (a literal: the factory runs before this file's constants exist).
  XLSX_MAX_ROWS: 41,
}));

const rows = Array.from({ length: 300 }, (_, i) => ({ id: i, text: `row ${i} ${'ü'.repeat(i % 9)}`, flag: i % 4 === 0 }));
const UNLIMITED = 2 ** 40;
/** Fixed, so that two exports compared here cannot differ by the digits of their creation time. */
const CREATED = new Date('2024-03-04T05:06:07Z');

async function run(options: Partial<StreamOptions>): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(rows, { format: 'xlsx', ...options, xlsx: { sheetName: 'Data', created: CREATED, ...options.xlsx }, onComplete: (r) => (result = r) }));
  return { bytes, result: result! };
}

/** Each sheet's name and data rows (SheetJS), after checking its header. */
function sheets(bytes: Uint8Array): Array<{ name: string; rows: unknown[][] }> {
  const book = XLSX.read(bytes, { type: 'array' });
  return book.SheetNames.map((name) => {
    const all = XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[name]!, { header: 1, raw: true, defval: null });
    expect(all[0]).toEqual(['id', 'text', 'flag']);
    return { name, rows: all.slice(1) };
  });
}

describe('XLSX truncation by size across sheets (sheets of 40 rows)', () => {
  it('the sheet size is the one set here', async () => {
    const { bytes } = await run({});
    expect(sheets(bytes).map((sheet) => sheet.rows.length)).toEqual([40, 40, 40, 40, 40, 40, 40, 20]);
  });

  for (const chunkSize of [7, 97]) {
    it(`chunks of ${chunkSize}: every cut is exact, on whichever sheet it falls`, async () => {
      const full = (await run({ chunkSize, limits: { maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
      const empty = (await run({ chunkSize, limits: { maxRows: 0, maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
      const sheetCounts = new Set<number>();
      for (const maxBytes of budgets(empty, full, 40)) {
        const { bytes, result } = await run({ chunkSize, limits: { maxBytes, onExceed: 'truncate' } });
        const at = `maxBytes ${maxBytes}`;
        expect(bytes.length, at).toBeLessThanOrEqual(maxBytes);
        for (const entry of zipEntries(bytes)) expect(zlib.crc32(zlib.inflateRawSync(entry.data)), `${at}: ${entry.name}`).toBe(entry.crc);
        const read = sheets(bytes);
        const count = result.rowsWritten;
        expect(read.map((sheet) => sheet.name), at).toEqual(Array.from({ length: Math.max(1, Math.ceil(count / 40)) }, (_, i) => (i === 0 ? 'Data' : `Data (${i + 1})`)));
        const written = read.flatMap((sheet) => sheet.rows);
        expect(written, at).toEqual(rows.slice(0, count).map((row) => [row.id, row.text, row.flag]));
        expect(result.truncated, at).toBe(count < rows.length);
        sheetCounts.add(read.length);
        if (count < rows.length) {
          const oneMore = (await run({ chunkSize, limits: { maxRows: count + 1, maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
          expect(oneMore, `${at}: ${count} rows written, ${count + 1} take ${oneMore} bytes`).toBeGreaterThan(maxBytes);
        }
      }
      // Cuts fell on many sheets, not only the first.
      expect(sheetCounts.size).toBeGreaterThan(5);
    }, 240_000);
  }

  it("overflow 'error' fails at the first row past a full sheet; 'truncate' stops there", async () => {
    const error = await run({ xlsx: { overflow: 'error' }, limits: { maxBytes: UNLIMITED, onExceed: 'truncate' } }).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('limit_exceeded');
    expect((error as Error).message).toMatch(/row 40: xlsx sheets hold 40 rows below the header/);
    const { bytes, result } = await run({ xlsx: { overflow: 'truncate' }, limits: { maxBytes: UNLIMITED, onExceed: 'truncate' } });
    expect(result).toMatchObject({ rowsWritten: 40, truncated: true });
    expect(sheets(bytes).map((sheet) => sheet.rows.length)).toEqual([40]);
  });
});
