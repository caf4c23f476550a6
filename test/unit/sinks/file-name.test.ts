import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { defaultFileName, fileDescription, fileExtension, fileMimeType, fileNameProblems, resolveFileName } from '../../../src/file-name.js';
import { validateExport } from '../../../src/validate.js';
import type { StreamOptions } from '../../../src/types.js';

const when = new Date(2024, 0, 2, 3, 4, 5); // local time: 2024-01-02 03:04:05

describe('fileExtension and fileMimeType', () => {
  const cases: Array<[Partial<StreamOptions> & Pick<StreamOptions, 'format'>, string, string]> = [
    [{ format: 'csv' }, 'csv', 'text/csv'],
    [{ format: 'tsv' }, 'tsv', 'text/tab-separated-values'],
    [{ format: 'json' }, 'json', 'application/json'],
    [{ format: 'ndjson' }, 'ndjson', 'application/x-ndjson'],
    [{ format: 'parquet' }, 'parquet', 'application/vnd.apache.parquet'],
    [{ format: 'arrow' }, 'arrows', 'application/vnd.apache.arrow.stream'],
    [{ format: 'arrow', arrow: { ipc: 'file' } }, 'arrow', 'application/vnd.apache.arrow.file'],
    [{ format: 'csv', compression: 'gzip' }, 'csv.gz', 'application/gzip'],
    [{ format: 'ndjson', compression: 'deflate' }, 'ndjson.zz', 'application/zlib'],
    [{ format: 'json', compression: 'none' }, 'json', 'application/json'],
  ];
  it.each(cases)('%j → .%s (%s)', (options, extension, mime) => {
    expect(fileExtension(options)).toBe(extension);
    expect(fileMimeType(options)).toBe(mime);
  });
});

describe('defaultFileName', () => {
  it('stamps local date and time and follows format and compression', () => {
    expect(defaultFileName({ format: 'csv' }, when)).toBe('export-20240102-030405.csv');
    expect(defaultFileName({ format: 'csv', compression: 'gzip' }, when)).toBe('export-20240102-030405.csv.gz');
    expect(defaultFileName({ format: 'parquet' }, new Date(2025, 11, 31, 23, 59, 58))).toBe('export-20251231-235958.parquet');
  });
  it('is what resolveFileName gives without a fileName', () => {
    expect(resolveFileName({ format: 'tsv' }, when)).toBe('export-20240102-030405.tsv');
  });
});

describe('resolveFileName', () => {
  it('keeps a valid name as given', () => {
    expect(resolveFileName({ format: 'csv', fileName: 'Sales Q1 (final).csv' })).toBe('Sales Q1 (final).csv');
  });
  const bad: unknown[] = ['', '   ', '.', '..', 'a/b.csv', 'a\\b.csv', 'a:b', 'what?.csv', 'x\u0000y', 'x'.repeat(256), 42, null];
  it.each(bad.map((value) => [value]))('rejects %j with invalid_options naming fileName', (value) => {
    let caught: unknown;
    try {
      resolveFileName({ format: 'csv', fileName: value as string });
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe('invalid_options');
    expect((caught as Error).message).toMatch(/^fileName /);
  });
});

describe('pickerId', () => {
  const pickerProblems = (pickerId: unknown) => validateExport({ format: 'csv', pickerId } as never).filter((p) => p.path === 'pickerId');
  it.each([[undefined], ['exports'], ['a-b_C9'], ['x'.repeat(32)]])('accepts %j', (id) => {
    expect(pickerProblems(id)).toEqual([]);
  });
  it.each([[''], ['x'.repeat(33)], ['has space'], ['dot.ted'], ['é'], [7]])('rejects %j', (id) => {
    expect(pickerProblems(id)[0]?.message).toMatch(/pickerId must be 1 to 32 characters/);
  });
});

describe('file name extensions', () => {
  it.each([
    [{ format: 'csv' as const, fileName: 'orders' }, 'orders.csv'],
    [{ format: 'csv' as const, fileName: 'report.2024' }, 'report.2024.csv'],
    [{ format: 'csv' as const, compression: 'gzip' as const, fileName: 'orders.csv' }, 'orders.csv.gz'],
    [{ format: 'csv' as const, compression: 'gzip' as const, fileName: 'orders' }, 'orders.csv.gz'],
    [{ format: 'arrow' as const, arrow: { ipc: 'file' as const }, fileName: 'orders' }, 'orders.arrow'],
    [{ format: 'tsv' as const, fileName: 'orders.txt' }, 'orders.txt'],
    [{ format: 'csv' as const, fileName: 'Orders.CSV' }, 'Orders.CSV'],
  ])('%j → %s', (options, name) => {
    expect(resolveFileName(options)).toBe(name);
  });
  it.each([
    [{ format: 'csv' as const }, 'orders.xlsx', false],
    [{ format: 'csv' as const }, 'orders.parquet', true],
    [{ format: 'ndjson' as const }, 'orders.json', true],
    [{ format: 'tsv' as const }, 'orders.csv', true],
    [{ format: 'arrow' as const }, 'orders.arrow', true],
    [{ format: 'json' as const }, 'orders.json', false],
  ])('%j: %s is refused: %s', (options, name, refused) => {
    expect(fileNameProblems(name, options).some((message) => message.includes('but the export writes'))).toBe(refused);
  });
});

describe('fileDescription', () => {
  it.each([
    [{ format: 'csv' as const }, 'CSV file'],
    [{ format: 'parquet' as const }, 'Parquet file'],
    [{ format: 'ndjson' as const, compression: 'gzip' as const }, 'NDJSON file (gzip)'],
    [{ format: 'arrow' as const }, 'Arrow IPC file'],
  ])('%j → %s', (options, text) => {
    expect(fileDescription(options)).toBe(text);
  });
});
