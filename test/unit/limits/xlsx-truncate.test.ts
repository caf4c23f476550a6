/**
 * limits.maxBytes with onExceed 'truncate' for XLSX: for budgets from the header-only workbook to
 * the whole one, the file is at most maxBytes (zip directory included), every entry inflates with
 * Node's zlib to its recorded size and CRC-32, SheetJS reads exactly the leading N rows with their
 * values, and N is maximal: the workbook of the leading N + 1 rows, written the same way (same
 * chunks, same truncation mode), is over the budget. A budget below the header-only workbook is
 * limit_exceeded naming its byte count.
 */
import zlib from 'node:zlib';
import { unzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { deflateSegment } from '../../../src/formats/xlsx/encoder.js';
import type { ExportResult, StreamOptions } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';
import { sofficeCsv } from '../formats/xlsx/helpers.js';
import { budgets, zipEntries } from './xlsx-helpers.js';

const rows = Array.from({ length: 1_500 }, (_, i) => ({
  id: i,
  name: i % 11 === 0 ? null : `name ${'é'.repeat(i % 17)} ${i} <&>`,
  score: i % 5 === 0 ? null : i / 8,
  at: new Date(Date.UTC(2024, 0, 1) + i * 61_000),
  ok: i % 3 === 0,
}));
const HEADER = ['id', 'name', 'score', 'at', 'ok'];
/** A budget no export here reaches: the truncation mode without a cut. */
const UNLIMITED = 2 ** 40;
const MS_PER_DAY = 86_400_000;
/**
 * The workbook's creation time, fixed: its digits are deflated into docProps/core.xml, so exports
 * made a second apart could differ in size by a byte, and two exports are compared here.
 */
const CREATED = new Date('2024-03-04T05:06:07Z');

async function run(options: Partial<StreamOptions>): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(rows, { format: 'xlsx', xlsx: { created: CREATED }, ...options, onComplete: (r) => (result = r) }));
  return { bytes, result: result! };
}

async function failure(options: Partial<StreamOptions>): Promise<{ code: string; message: string }> {
  try {
    await run(options);
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the export succeeded');
}

/** Every entry inflates (Node's zlib, strict) to the size and CRC-32 the central directory records; fflate unzips it too. */
function checkZip(bytes: Uint8Array, at: string): void {
  const entries = zipEntries(bytes);
  expect(entries.map((entry) => entry.name), at).toContain('xl/worksheets/sheet1.xml');
  for (const entry of entries) {
    const data = zlib.inflateRawSync(entry.data);
    expect(data.length, `${at}: ${entry.name}`).toBe(entry.size);
    expect(zlib.crc32(data), `${at}: ${entry.name}`).toBe(entry.crc);
  }
  expect(Object.keys(unzipSync(bytes)).sort(), at).toEqual(entries.map((entry) => entry.name).sort());
}

/** The first sheet's rows, header included, with raw values (dates as serial numbers). */
function sheetRows(bytes: Uint8Array): unknown[][] {
  const book = XLSX.read(bytes, { type: 'array' });
  expect(book.SheetNames).toEqual(['Sheet1']);
  return XLSX.utils.sheet_to_json<unknown[]>(book.Sheets['Sheet1']!, { header: 1, raw: true, defval: null });
}

function checkValues(sheet: unknown[][], count: number, at: string): void {
  expect(sheet[0], at).toEqual(HEADER);
  expect(sheet.length - 1, at).toBe(count);
  for (let i = 0; i < count; i++) {
    const [id, name, score, serial, ok] = sheet[i + 1]!;
    const row = rows[i]!;
    expect([id, name, score, ok], `${at}, row ${i}`).toEqual([row.id, row.name, row.score, row.ok]);
    expect(serial as number, `${at}, row ${i}`).toBeCloseTo(row.at.getTime() / MS_PER_DAY + 25_569, 8);
  }
}

describe("limits.maxBytes with onExceed 'truncate', XLSX", () => {
  for (const chunkSize of [97, 8192]) {
    it(`chunks of ${chunkSize}: ≤ maxBytes, a valid workbook of exactly the leading rows that fit`, async () => {
      const full = (await run({ chunkSize, limits: { maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
      const empty = (await run({ chunkSize, limits: { maxRows: 0, maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
      let truncatedRuns = 0;
      for (const maxBytes of budgets(empty, full)) {
        const { bytes, result } = await run({ chunkSize, limits: { maxBytes, onExceed: 'truncate' } });
        const at = `maxBytes ${maxBytes}`;
        expect(bytes.length, at).toBeLessThanOrEqual(maxBytes);
        expect(result.bytesWritten, at).toBe(bytes.length);
        checkZip(bytes, at);
        const sheet = sheetRows(bytes);
        const count = sheet.length - 1;
        checkValues(sheet, count, at);
        expect(result.rowsWritten, at).toBe(count);
        expect(result.truncated, at).toBe(count < rows.length);
        if (count < rows.length) {
          truncatedRuns++;
          const oneMore = (await run({ chunkSize, limits: { maxRows: count + 1, maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes;
          expect(oneMore.length, `${at}: ${count} rows written, ${count + 1} take ${oneMore.length} bytes`).toBeGreaterThan(maxBytes);
          expect(sheetRows(oneMore)).toHaveLength(count + 2);
        }
      }
      expect(truncatedRuns).toBeGreaterThan(40);
    }, 240_000);
  }

  it('a budget below the header-only workbook is limit_exceeded naming the byte count; at its size, the header alone', async () => {
    const empty = (await run({ limits: { maxRows: 0, maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
    for (const maxBytes of [1, empty - 1]) {
      const error = await failure({ limits: { maxBytes, onExceed: 'truncate' } });
      expect(error.code).toBe('limit_exceeded');
      expect(error.message).toContain(`limits.maxBytes (${maxBytes})`);
      expect(error.message).toContain(`(${empty} bytes)`);
    }
    const { bytes, result } = await run({ limits: { maxBytes: empty, onExceed: 'truncate' } });
    expect(bytes.length).toBe(empty);
    expect(result).toMatchObject({ rowsWritten: 0, truncated: true });
    checkZip(bytes, 'header only');
    expect(sheetRows(bytes)).toEqual([HEADER]);
  });

  it('a budget that holds the whole workbook writes every row; so does one the size of the workbook written without a limit', async () => {
    const full = (await run({ limits: { maxBytes: UNLIMITED, onExceed: 'truncate' } })).bytes.length;
    const plain = (await run({})).bytes.length;
    for (const maxBytes of [full, plain]) {
      const { bytes, result } = await run({ limits: { maxBytes, onExceed: 'truncate' } });
      expect(result).toMatchObject({ rowsWritten: rows.length, truncated: false });
      expect(bytes.length).toBe(full);
      checkValues(sheetRows(bytes), rows.length, `maxBytes ${maxBytes}`);
    }
    // One byte less and the last row goes.
    const { result } = await run({ limits: { maxBytes: full - 1, onExceed: 'truncate' } });
    expect(result).toMatchObject({ rowsWritten: rows.length - 1, truncated: true });
  });

  it("onExceed 'error' still fails with limit_exceeded, and a limit that holds the file changes no byte of it", async () => {
    const plain = (await run({ chunkSize: 97 })).bytes;
    const error = await failure({ chunkSize: 97, limits: { maxBytes: plain.length - 1 } });
    expect(error.code).toBe('limit_exceeded');
    expect(error.message).toContain(`limits.maxBytes (${plain.length - 1})`);
    const { bytes } = await run({ chunkSize: 97, limits: { maxBytes: plain.length } });
    expect(Buffer.from(bytes).equals(Buffer.from(plain))).toBe(true);
  });

  it('issues are reported for the rows written only', async () => {
    const data = Array.from({ length: 200 }, (_, i) => ({ id: i, v: i % 10 === 9 ? Number.NaN : i }));
    const plain = await readAll(exportStream(data, { format: 'xlsx', xlsx: { created: CREATED }, limits: { maxBytes: UNLIMITED, onExceed: 'truncate' } }));
    let result: ExportResult | undefined;
    const cut = Math.round((plain.length * 2) / 3);
    await readAll(exportStream(data, { format: 'xlsx', xlsx: { created: CREATED }, limits: { maxBytes: cut, onExceed: 'truncate' }, onComplete: (r) => (result = r) }));
    expect(result!.truncated).toBe(true);
    const written = result!.rowsWritten;
    expect(written).toBeGreaterThan(9);
    expect(result!.issues.map((issue) => issue.row)).toEqual(data.slice(0, written).filter((row) => Number.isNaN(row.v)).map((row) => row.id));
  });

  it('LibreOffice reads a truncated workbook', async () => {
    const { bytes, result } = await run({ chunkSize: 97, limits: { maxBytes: 20_000, onExceed: 'truncate' } });
    expect(result.truncated).toBe(true);
    const csv = sofficeCsv(bytes);
    expect(csv[0]).toEqual(HEADER);
    expect(csv).toHaveLength(result.rowsWritten + 1);
    expect(csv.slice(1).map((record) => Number(record[0]))).toEqual(rows.slice(0, result.rowsWritten).map((row) => row.id));
    expect(csv.slice(1).map((record) => (record[1] === '' ? null : record[1]))).toEqual(rows.slice(0, result.rowsWritten).map((row) => row.name));
  }, 240_000);
});

describe('deflate segments', () => {
  it('chain into one stream that zlib inflates, whatever their sizes', () => {
    let seed = 7;
    const next = (): number => (seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;
    const encoder = new TextEncoder();
    for (let trial = 0; trial < 60; trial++) {
      const texts: string[] = [];
      const segments: Uint8Array[] = [];
      const count = 1 + Math.floor(next() * 5);
      for (let s = 0; s < count; s++) {
        const length = Math.floor(Math.exp(next() * Math.log(300_000)));
        let text = '';
        while (text.length < length) text += next() < 0.5 ? `<c r="A${Math.floor(next() * 1e6)}"><v>${next()}</v></c>` : 'é€😀'.repeat(1 + Math.floor(next() * 3));
        texts.push(text);
        const bytes = encoder.encode(text);
        // In one piece or two, as a sheet's first run is (its start, then its rows).
        const cut = Math.floor(next() * bytes.length);
        segments.push(deflateSegment(next() < 0.5 ? [bytes] : [bytes.subarray(0, cut), bytes.subarray(cut)], s === count - 1));
      }
      const stream = Buffer.concat(segments);
      expect(zlib.inflateRawSync(stream).toString(), `trial ${trial}`).toBe(texts.join(''));
    }
  });
});
