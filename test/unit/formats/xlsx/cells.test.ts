/**
 * Every cell type, hostile text and extreme values, written to XLSX and read back by three readers
 * that share no code with the writer: SheetJS, exceljs and LibreOffice.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { unzipSync } from 'fflate';
import type { ExportResult } from '../../../../src/types.js';
import { decodeOoxml, exceljsSheets, sheetjsBook, sheetjsSheets, soffice, sofficeCsv, toXlsx } from './helpers.js';

const LONG = 'x'.repeat(32_768);
const TEXTS: Array<[label: string, value: string, expected: string]> = [
  ['plain', 'plain', 'plain'],
  ['empty', '', ''],
  ['edge spaces', '  lead and trail  ', '  lead and trail  '],
  ['tab', 'tab\there', 'tab\there'],
  ['LF', 'line\nbreak', 'line\nbreak'],
  ['CRLF', 'cr\r\nlf', 'cr\r\nlf'],
  ['controls', 'ctl\u0001\u0008\u000b\u001f.', 'ctl\u0001\u0008\u000b\u001f.'],
  ['NUL', 'a\u0000b', 'a\u0000b'],
  ['literal escape', '_x0041_', '_x0041_'],
  ['escaped escape', '_x005F_x0041_ and _xZZZZ_', '_x005F_x0041_ and _xZZZZ_'],
  ['markup', 'amp & < > "quote\' ]]>', 'amp & < > "quote\' ]]>'],
  ['formula', '=SUM(A1:A2)', '=SUM(A1:A2)'],
  ['formula +', '+1+1', '+1+1'],
  ['at', '@cmd', '@cmd'],
  ['emoji', 'emoji 😀👍🏽', 'emoji 😀👍🏽'],
  ['RTL', 'שלום عربي', 'שלום عربي'],
  ['noncharacters', 'a\uFFFEb\uFFFFc', 'a\uFFFEb\uFFFFc'],
  ['long multibyte', 'é'.repeat(20_000), 'é'.repeat(20_000)],
  ['32,768 chars', LONG, LONG.slice(0, 32_767)],
];

const NUMBERS: Array<[label: string, value: number, expected: number | null]> = [
  ['zero', 0, 0],
  ['negative zero', -0, 0],
  ['decimal', 1.5, 1.5],
  ['amount', -123456789.25, -123456789.25],
  ['tiny', 5e-300, 5e-300],
  ['huge', 1e300, 1e300],
  ['thirds', 1 / 3, 1 / 3],
  ['max safe', 2 ** 53 - 1, 2 ** 53 - 1],
  ['NaN', Number.NaN, null],
  ['+Infinity', Number.POSITIVE_INFINITY, null],
  ['-Infinity', Number.NEGATIVE_INFINITY, null],
];

// Excel's own serials for these instants (1900 date system, with the phantom 1900-02-29 = 60).
const DATES: Array<[label: string, value: Date, serial: number | string]> = [
  ['first day', new Date('1900-01-01T00:00:00Z'), 1],
  ['1900-02-28', new Date('1900-02-28T00:00:00Z'), 59],
  ['1900-02-28 noon', new Date('1900-02-28T12:00:00Z'), 59.5],
  ['1900-03-01', new Date('1900-03-01T00:00:00Z'), 61],
  ['epoch', new Date('1970-01-01T00:00:00Z'), 25_569],
  ['ms', new Date('2024-06-01T12:34:56.789Z'), 45_444 + (12 * 3600 + 34 * 60 + 56.789) / 86_400],
  ['last second', new Date('9999-12-31T23:59:59Z'), 2_958_465 + 86_399 / 86_400],
  ['last instant', new Date('9999-12-31T23:59:59.999Z'), 2_958_465 + 86_399.999 / 86_400],
  ['before 1900', new Date('1899-12-31T00:00:00Z'), '1899-12-31T00:00:00.000Z'],
  ['1800', new Date('1800-01-01T00:00:00Z'), '1800-01-01T00:00:00.000Z'],
  ['year 10000', new Date('+010000-01-01T00:00:00Z'), '+010000-01-01T00:00:00.000Z'],
];

const ROWS = Math.max(TEXTS.length, NUMBERS.length, DATES.length);
const rows = Array.from({ length: ROWS }, (_, i) => ({
  text: TEXTS[i]?.[1] ?? null,
  number: NUMBERS[i]?.[1] ?? null,
  when: DATES[i]?.[1] ?? null,
  flag: i % 3 === 0 ? true : i % 3 === 1 ? false : null,
  big: i === 0 ? 2n ** 62n : i === 1 ? -(2n ** 60n) : i === 2 ? 12345n : null,
  nested: i === 0 ? { a: [1, 2], b: 'x' } : i === 1 ? [1, 'two'] : null,
}));

let bytes: Uint8Array;
let result: ExportResult;

beforeAll(async () => {
  ({ bytes, result } = await toXlsx(rows, {
    schema: { fields: { big: 'int64', nested: 'json' } },
    columns: ['text', 'number', 'when', 'flag', 'big', 'nested'],
    xlsx: { title: 'Cells & types', creator: 'Tests <ci>', created: new Date('2024-02-03T04:05:06Z') },
  }));
});

describe('XLSX cells read back by SheetJS', () => {
  it('text, numbers and booleans keep their values and types', () => {
    const [sheet] = sheetjsSheets(bytes);
    expect(sheet!.rows[0]).toEqual(['text', 'number', 'when', 'flag', 'big', 'nested']);
    const data = sheet!.rows.slice(1);
    expect(data).toHaveLength(ROWS);
    TEXTS.forEach(([label, , expected], i) => expect([label, data[i]![0] ?? '']).toEqual([label, expected]));
    NUMBERS.forEach(([label, , expected], i) => expect([label, data[i]![1]]).toEqual([label, expected]));
    data.forEach((row, i) => expect(row[3]).toBe(i % 3 === 0 ? true : i % 3 === 1 ? false : null));
  });

  it('big integers are text, small ones numbers; nested values are JSON text', () => {
    const data = sheetjsSheets(bytes)[0]!.rows.slice(1);
    expect(data.slice(0, 3).map((row) => row[4])).toEqual([String(2n ** 62n), String(-(2n ** 60n)), 12345]);
    expect(data.slice(0, 2).map((row) => row[5])).toEqual(['{"a":[1,2],"b":"x"}', '[1,"two"]']);
  });

  it('dates are Excel serials (phantom 1900-02-29 counted) with date formats; out-of-range instants are ISO text', () => {
    const book = sheetjsBook(bytes, { cellDates: false, cellNF: true });
    const sheet = book.Sheets[book.SheetNames[0]!]!;
    DATES.forEach(([label, , serial], i) => {
      const cell = sheet[`C${i + 2}`] as { t: string; v: unknown; z?: string };
      if (typeof serial === 'string') expect([label, cell.t, cell.v]).toEqual([label, 's', serial]);
      else {
        expect([label, cell.t]).toEqual([label, 'n']);
        expect(cell.v as number).toBeCloseTo(serial, 9);
        expect(cell.z).toBe('yyyy\\-mm\\-dd\\ hh:mm:ss');
      }
    });
  });

  it('reports every value it could not write as is', () => {
    const codes = result.issues.map((issue) => `${issue.code} ${issue.column}`);
    expect(codes.filter((c) => c === 'non_finite_number number')).toHaveLength(3);
    expect(codes.filter((c) => c === 'invalid_value when')).toHaveLength(3);
    expect(codes.filter((c) => c === 'unsafe_integer big')).toHaveLength(2);
    expect(codes.filter((c) => c === 'truncated text')).toHaveLength(1);
    expect(result.issues.find((issue) => issue.code === 'truncated')!.message).toMatch(/32768 characters .* cut to 32767/);
    expect(result.issueCount).toBe(9);
  });

  it('has a frozen pane, an autofilter and the workbook properties', () => {
    const files = unzipSync(bytes);
    const sheetXml = new TextDecoder().decode(files['xl/worksheets/sheet1.xml']);
    expect(sheetXml).toContain('<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>');
    expect(sheetXml).toContain(`<autoFilter ref="A1:F${ROWS + 1}"/>`);
    expect(sheetXml).not.toMatch(/<f>/);
    const book = sheetjsBook(bytes);
    expect(book.Props?.Title).toBe('Cells & types');
    expect(book.Props?.Author).toBe('Tests <ci>');
    expect(book.Props?.CreatedDate?.toISOString()).toBe('2024-02-03T04:05:06.000Z');
    expect((book.Sheets[book.SheetNames[0]!]!['!cols'] ?? []).length).toBe(6);
  });
});

describe('XLSX cells read back by exceljs', () => {
  it('reads the same values (exceljs leaves _xHHHH_ escapes undecoded, so they are decoded here as Excel does)', async () => {
    const { book, sheets } = await exceljsSheets(bytes);
    const data = sheets[0]!.rows.slice(1);
    TEXTS.forEach(([label, , expected], i) => {
      const value = data[i]?.[0];
      expect([label, value === undefined || value === null ? '' : decodeOoxml(String(value))]).toEqual([label, expected]);
    });
    NUMBERS.forEach(([label, , expected], i) => expect([label, data[i]?.[1] ?? null]).toEqual([label, expected]));
    // exceljs converts serials without the phantom day, so compare from 1900-03-01 on.
    DATES.forEach(([label, date, serial], i) => {
      const value = data[i]?.[2];
      if (typeof serial === 'string') expect([label, value]).toEqual([label, serial]);
      else if (date.getTime() >= Date.UTC(1900, 2, 1)) expect([label, (value as Date).getTime()]).toEqual([label, date.getTime()]);
    });
    expect(book.creator).toBe('Tests <ci>');
    expect(book.title).toBe('Cells & types');
    const sheet = book.worksheets[0]!;
    expect(sheet.getCell('A1').font?.bold).toBe(true);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.autoFilter).toBe(`A1:F${ROWS + 1}`);
  });
});

describe('XLSX cells read back by LibreOffice', () => {
  it('shows the same text, numbers and dates in its CSV', () => {
    const records = sofficeCsv(bytes);
    expect(records[0]).toEqual(['text', 'number', 'when', 'flag', 'big', 'nested']);
    const data = records.slice(1);
    expect(data).toHaveLength(ROWS);
    // LibreOffice keeps line breaks in a cell as LF alone.
    TEXTS.forEach(([label, , expected], i) => expect([label, data[i]![0]]).toEqual([label, expected.replace(/\r\n?/g, '\n')]));
    expect(data.slice(0, 6).map((r) => r[1])).toEqual(['0', '0', '1.5', '-123456789.25', '5E-300', '1E+300']);
    expect(data.slice(8, 11).map((r) => r[1])).toEqual(['', '', '']);
    // LibreOffice counts no 1900-02-29: Excel's serials before 1900-03-01 show there a day early
    // (Excel shows 1900-01-01, 1900-02-28). It shows 12:34:56.789 as 12:34:56, and 23:59:59.999 as the next midnight.
    expect(DATES.map(([, , serial], i) => [typeof serial, data[i]![2]])).toEqual([
      ['number', '1899-12-31 00:00:00'],
      ['number', '1900-02-27 00:00:00'],
      ['number', '1900-02-27 12:00:00'],
      ['number', '1900-03-01 00:00:00'],
      ['number', '1970-01-01 00:00:00'],
      ['number', '2024-06-01 12:34:56'],
      ['number', '9999-12-31 23:59:59'],
      ['number', '10000-01-01 00:00:00'],
      ['string', '1899-12-31T00:00:00.000Z'],
      ['string', '1800-01-01T00:00:00.000Z'],
      ['string', '+010000-01-01T00:00:00.000Z'],
    ]);
    expect(data.slice(0, 3).map((r) => r[3])).toEqual(['TRUE', 'FALSE', '']);
  }, 300_000);

  it('opens the file without repair: its own XLSX round trip keeps every row', () => {
    const again = soffice(bytes, 'xlsx');
    const [sheet] = sheetjsSheets(again);
    expect(sheet!.rows.length).toBe(ROWS + 1);
    expect(sheet!.rows[12]![0]).toBe('=SUM(A1:A2)');
  }, 300_000);
});
