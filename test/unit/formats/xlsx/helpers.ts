/**
 * Independent XLSX readers for tests: SheetJS, exceljs and LibreOffice (soffice), plus an export helper.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import ExcelJS from 'exceljs';
import Papa from 'papaparse';
import * as XLSX from 'xlsx';
import { exportStream } from '../../../../src/engine.js';
import type { ExportResult, ExportSource, StreamOptions } from '../../../../src/types.js';
import { readAll } from '../../../helpers/readers.js';

/** Exports to XLSX; the bytes and the result. */
export async function toXlsx(source: unknown, options: Partial<StreamOptions> = {}): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(source as ExportSource, { format: 'xlsx', ...options, onComplete: (r) => (result = r) }));
  if (result === undefined) throw new Error('onComplete was not called');
  return { bytes, result };
}

/** Every sheet as rows of raw cell values (SheetJS, dates as Date), header row included. */
export function sheetjsSheets(bytes: Uint8Array, options: XLSX.ParsingOptions = {}): Array<{ name: string; rows: unknown[][] }> {
  const book = XLSX.read(bytes, { type: 'array', cellDates: true, ...options });
  return book.SheetNames.filter((name) => book.Sheets[name] !== undefined).map((name) => ({
    name,
    rows: XLSX.utils.sheet_to_json<unknown[]>(book.Sheets[name]!, { header: 1, raw: true, defval: null, blankrows: true }),
  }));
}

/** The SheetJS workbook itself (for styles, merges, properties). */
export function sheetjsBook(bytes: Uint8Array, options: XLSX.ParsingOptions = {}): XLSX.WorkBook {
  return XLSX.read(bytes, { type: 'array', cellDates: true, cellStyles: true, ...options });
}

/** Every sheet as rows of exceljs cell values (index 0 is column A), header row included. */
export async function exceljsSheets(bytes: Uint8Array): Promise<{ book: ExcelJS.Workbook; sheets: Array<{ name: string; rows: unknown[][] }> }> {
  const book = new ExcelJS.Workbook();
  await book.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  const sheets = book.worksheets.map((sheet) => {
    const rows: unknown[][] = [];
    sheet.eachRow({ includeEmpty: true }, (row, number) => {
      const values = (row.values as unknown[]).slice(1);
      rows[number - 1] = values;
    });
    return { name: sheet.name, rows };
  });
  return { book, sheets };
}

/** exceljs leaves OOXML escapes as they are: decode `_xHHHH_` as Excel does. */
export function decodeOoxml(text: string): string {
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** Path of soffice, or a clear failure: these tests must not pass silently where LibreOffice is missing. */
export function sofficePath(): string {
  try {
    return execFileSync('sh', ['-c', 'command -v soffice'], { encoding: 'utf8' }).trim();
  } catch {
    throw new Error('LibreOffice is not installed (no `soffice` on PATH): install the Debian package libreoffice-calc-nogui to run the XLSX checks');
  }
}

/**
 * Converts XLSX bytes with LibreOffice (`csv`: the first sheet as UTF-8 CSV; `xlsx`: LibreOffice's
 * own XLSX). Each run gets a fresh profile so parallel runs never wait on each other's lock.
 */
export function soffice(bytes: Uint8Array, to: 'csv' | 'xlsx'): Uint8Array {
  const binary = sofficePath();
  const dir = mkdtempSync(join(tmpdir(), 'sluice-soffice-'));
  try {
    writeFileSync(join(dir, 'in.xlsx'), bytes);
    const filter = to === 'csv' ? 'csv:Text - txt - csv (StarCalc):44,34,76,1' : 'xlsx:Calc MS Excel 2007 XML';
    execFileSync(binary, [`-env:UserInstallation=file://${join(dir, 'profile')}`, '--headless', '--convert-to', filter, '--outdir', join(dir, 'out'), join(dir, 'in.xlsx')], {
      stdio: 'pipe',
      timeout: 240_000,
    });
    const produced = readdirSync(join(dir, 'out'));
    if (produced.length !== 1) throw new Error(`LibreOffice produced ${produced.length} files converting to ${to}`);
    return readFileSync(join(dir, 'out', produced[0]!));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** LibreOffice's CSV of the first sheet, as records of strings. */
export function sofficeCsv(bytes: Uint8Array): string[][] {
  const text = new TextDecoder().decode(soffice(bytes, 'csv'));
  const parsed = Papa.parse<string[]>(text.replace(/\r?\n$/, ''), { skipEmptyLines: false });
  return parsed.data;
}
