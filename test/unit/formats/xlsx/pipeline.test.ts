/**
 * XLSX with everything the other formats have: filters, columns with headers, schema, limits,
 * progress, cancel, checksum, verifyExport, estimateExport, exportData's blob target, and options
 * checked with clear messages.
 */
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../../src/engine.js';
import { isExportError } from '../../../../src/errors.js';
import { estimateExport } from '../../../../src/estimate.js';
import { exportData } from '../../../../src/export-data.js';
import { verifyExport } from '../../../../src/integrity.js';
import { xlsxOptionProblems } from '../../../../src/formats/xlsx/options.js';
import type { Progress } from '../../../../src/types.js';
import { readAll } from '../../../helpers/readers.js';
import { sheetjsSheets, toXlsx } from './helpers.js';

const people = (n: number) =>
  Array.from({ length: n }, (_, i) => ({
    id: i,
    name: `person ${i}`,
    score: i % 4 === 0 ? null : i / 8,
    ok: i % 3 === 0,
    when: new Date(Date.UTC(2024, 0, 1) + i * 3_600_000),
  }));
const created = new Date('2024-01-01T00:00:00Z');

async function codeOf(promise: Promise<unknown>): Promise<{ code: string; message: string; details?: unknown }> {
  const error = await promise.catch((e: unknown) => e);
  if (!isExportError(error)) throw new Error(`expected an ExportError, got ${String(error)}`);
  return error;
}

describe('XLSX through the pipeline', () => {
  it('honours filter, columns with headers and a declared schema', async () => {
    const { bytes, result } = await toXlsx(people(100), {
      filter: 'id >= 90',
      columns: [{ field: 'name', header: 'Name' }, 'id', { field: 'when', header: 'When' }],
      schema: { fields: { id: 'int64', when: 'date' } },
    });
    expect(result.rowsWritten).toBe(10);
    expect(result.rowsFiltered).toBe(90);
    const [sheet] = sheetjsSheets(bytes);
    expect(sheet!.rows[0]).toEqual(['Name', 'id', 'When']);
    expect(sheet!.rows.slice(1).map((row) => row[1])).toEqual([90, 91, 92, 93, 94, 95, 96, 97, 98, 99]);
    // A date column gets the date-only format; its value is the day.
    expect((sheet!.rows[1]![2] as Date).toISOString()).toBe('2024-01-04T00:00:00.000Z');
  });

  it('limits.maxRows truncates to a complete file', async () => {
    const { bytes, result } = await toXlsx(people(1000), { limits: { maxRows: 250, onExceed: 'truncate' }, chunkSize: 100 });
    expect(result.truncated).toBe(true);
    expect(result.rowsWritten).toBe(250);
    await verifyExport('xlsx', bytes, { rows: 250 });
  });

  it("limits.maxBytes with onExceed 'truncate' ends the workbook at the last row that fits", async () => {
    const { bytes, result } = await toXlsx(people(20_000), { limits: { maxBytes: 60_000, onExceed: 'truncate' }, chunkSize: 1000 });
    expect(bytes.length).toBeLessThanOrEqual(60_000);
    expect(result.truncated).toBe(true);
    expect(result.rowsWritten).toBeGreaterThan(0);
    expect(result.rowsWritten).toBeLessThan(20_000);
    await verifyExport('xlsx', bytes, { rows: result.rowsWritten });
    expect(sheetjsSheets(bytes)[0]!.rows).toHaveLength(result.rowsWritten + 1);
    const error = await codeOf(toXlsx(people(20_000), { limits: { maxBytes: 60_000 }, chunkSize: 1000 }));
    expect(error.code).toBe('limit_exceeded');
  });

  it('reports progress with a fraction, and the checksum of the bytes', async () => {
    const progress: Progress[] = [];
    const { bytes, result } = await toXlsx(people(30_000), { onProgress: (p) => progress.push(p), checksum: true, chunkSize: 2000 });
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.some((p) => p.fraction !== undefined && p.fraction > 0 && p.fraction < 1)).toBe(true);
    expect(progress.at(-1)!.phase).toBe('done');
    const sha = createHash('sha256').update(bytes).digest('hex');
    expect(result.sha256).toBe(sha);
    await verifyExport('xlsx', bytes, { rows: 30_000, sha256: sha });
  });

  it('verifyExport rejects a cut or a tampered file', async () => {
    const { bytes } = await toXlsx(people(500), { xlsx: { created } });
    const cut = await codeOf(verifyExport('xlsx', bytes.subarray(0, bytes.length - 100), { rows: 500 }));
    expect(cut.code).toBe('verification_failed');
    const wrong = await codeOf(verifyExport('xlsx', bytes, { rows: 499 }));
    expect(wrong.message).toMatch(/holds 500 rows, expected 499/);
    const notZip = await codeOf(verifyExport('xlsx', new TextEncoder().encode('id,name\n1,a\n'), { rows: 1 }));
    expect(notZip.message).toMatch(/not a zip/);
  });

  it('cancel stops the export and releases the compressor', async () => {
    const reader = exportStream(people(200_000), { format: 'xlsx', chunkSize: 1000 }).getReader();
    await reader.read();
    await reader.cancel('stop');
    // A second export right after runs normally.
    const { result } = await toXlsx(people(10));
    expect(result.rowsWritten).toBe(10);
  });

  it('estimateExport is exact on a small array and close on a large one', async () => {
    const small = people(300);
    const estimate = await estimateExport(small, { format: 'xlsx', xlsx: { created } });
    const actual = (await toXlsx(small, { xlsx: { created } })).bytes.length;
    expect(estimate).toEqual({ rows: 300, bytes: actual, sampledRows: 300, exact: true });
    const large = people(50_000);
    const guess = await estimateExport(large, { format: 'xlsx' });
    const real = (await toXlsx(large)).bytes.length;
    expect(Math.abs(guess.bytes! - real) / real).toBeLessThan(0.5);
  });

  it('exportData saves a blob with the XLSX type and extension', async () => {
    const result = await exportData(people(50), { format: 'xlsx', target: 'blob', worker: false });
    expect(result.blob!.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect(result.fileName).toMatch(/\.xlsx$/);
    const bytes = new Uint8Array(await result.blob!.arrayBuffer());
    await verifyExport('xlsx', bytes, { rows: 50 });
  });
});

describe('XLSX options', () => {
  const problems = (value: unknown): Array<[string, string]> => {
    const out: Array<[string, string]> = [];
    xlsxOptionProblems(value, (path, message) => out.push([path, message]));
    return out;
  };

  it('names each bad value with its path', () => {
    expect(problems({ sheetName: 'x'.repeat(32) })).toEqual([['xlsx.sheetName', `xlsx sheetName must be at most 31 characters, got "${'x'.repeat(32)}" (32)`]]);
    expect(problems({ sheetName: 'a/b' })[0]![1]).toMatch(/must not contain any of .*got "a\/b" \(holds "\/"\)/);
    expect(problems({ sheetName: '' })[0]![1]).toBe('xlsx sheetName must not be empty');
    expect(problems({ sheetName: 'History' })[0]![1]).toMatch(/History/);
    expect(problems({ sheetName: "'quoted'" })[0]![1]).toMatch(/apostrophe/);
    expect(problems({ overflow: 'wrap' })).toEqual([['xlsx.overflow', 'xlsx overflow must be "error", "newSheet" or "truncate", got "wrap"']]);
    expect(problems({ created: new Date('x') })[0]![1]).toBe('xlsx created must be a valid Date, got Invalid Date');
    expect(problems({ created: new Date('1800-01-01') })[0]![1]).toMatch(/between 1900-01-01 and 9999-12-31/);
    expect(problems({ title: 5 })[0]).toEqual(['xlsx.title', 'xlsx title must be a string, got 5']);
    expect(problems({ freezeHeader: 'yes' })[0]).toEqual(['xlsx.freezeHeader', 'xlsx freezeHeader must be a boolean, got "yes"']);
    expect(problems(7)).toEqual([['xlsx', 'xlsx options must be an object, got 7']]);
  });

  it('suggests the option meant by an unknown key, and reports every problem at once', () => {
    const list = problems({ sheetname: 'A', overflow: 'x', autofilter: true });
    expect(list.map(([path]) => path)).toEqual(['xlsx.sheetname', 'xlsx.autofilter', 'xlsx.overflow']);
    expect(list[0]![1]).toMatch(/xlsx has no option "sheetname" \(did you mean "sheetName"\?\)/);
    expect(list[1]![1]).toMatch(/did you mean "autoFilter"/);
  });

  it('exportStream refuses bad options, outer compression and xlsx options on other formats', async () => {
    const read = async (options: object) => readAll(exportStream([{ a: 1 }], options as never));
    const bad = await codeOf(read({ format: 'xlsx', xlsx: { sheetName: 'a:b', overflow: 'no' } }));
    expect(bad.code).toBe('invalid_options');
    expect(bad.message).toMatch(/sheetName.*; xlsx overflow/);
    expect((await codeOf(read({ format: 'xlsx', compression: 'gzip' }))).code).toBe('invalid_options');
    expect((await codeOf(read({ format: 'csv', xlsx: {} }))).message).toMatch(/xlsx options apply to xlsx, not csv/);
  });

  it('names sheets from the option, and the workbook properties', async () => {
    const { bytes } = await toXlsx(people(3), { xlsx: { sheetName: 'Q1 — ventes', title: 'T', creator: 'C', created, freezeHeader: false, autoFilter: false } });
    const sheets = sheetjsSheets(bytes);
    expect(sheets.map((s) => s.name)).toEqual(['Q1 — ventes']);
    const { unzipSync } = await import('fflate');
    const xml = new TextDecoder().decode(unzipSync(bytes)['xl/worksheets/sheet1.xml']);
    expect(xml).not.toContain('<pane');
    expect(xml).not.toContain('<autoFilter');
  });

  it('writes a header-only sheet when no row comes', async () => {
    const { bytes, result } = await toXlsx([], { columns: ['a', 'b'] });
    expect(result.rowsWritten).toBe(0);
    expect(sheetjsSheets(bytes)[0]!.rows).toEqual([['a', 'b']]);
    await verifyExport('xlsx', bytes, { rows: 0 });
  });
});
