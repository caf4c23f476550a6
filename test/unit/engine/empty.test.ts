/**
 * Empty exports: known columns (from `columns`, `schema`, an Arrow schema) are always written, in
 * every format and on every path; an export with no columns at all is an error. Files are read back
 * by DuckDB (Parquet, CSV), Polars (Arrow IPC) and JSON.parse.
 */
import { Field, Float64, Int32, Schema, Table, Utf8, tableToIPC } from 'apache-arrow';
import pl from 'nodejs-polars';
import { afterEach, describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { exportData } from '../../../src/export-data.js';
import type { ExportFormat, ExportSource, StreamOptions } from '../../../src/types.js';
import { terminateWorkers } from '../../../src/worker/client.js';
import { duckdb, readAll, tempFile } from '../../helpers/readers.js';
import { fakeWorkerFactory } from '../worker/fake-worker.js';

afterEach(() => terminateWorkers());

type Path = 'exportStream' | 'main thread' | 'worker';
const PATHS: Path[] = ['exportStream', 'main thread', 'worker'];

async function run(path: Path, source: unknown, options: StreamOptions): Promise<Uint8Array> {
  if (path === 'exportStream') return readAll(exportStream(source as ExportSource, options));
  const result = await exportData(source as ExportSource, { ...options, target: 'blob', worker: path === 'worker' ? fakeWorkerFactory().factory : false });
  return new Uint8Array(await result.blob!.arrayBuffer());
}

/** Column names and types of a file, read by an independent reader. */
async function columnsOf(format: ExportFormat, bytes: Uint8Array): Promise<Array<[string, string]>> {
  switch (format) {
    case 'csv': {
      const text = new TextDecoder().decode(bytes);
      return text.split('\r\n')[0]!.split(',').filter((name) => name !== '').map((name) => [name, '']);
    }
    case 'json':
      expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual([]);
      return [];
    case 'ndjson':
      expect(new TextDecoder().decode(bytes)).toBe('');
      return [];
    case 'parquet': {
      const file = tempFile(bytes, 'parquet');
      try {
        const reader = await (await duckdb()).runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file.path}')`);
        const count = await (await duckdb()).runAndReadAll(`SELECT count(*)::INTEGER FROM read_parquet('${file.path}')`);
        expect(count.getRows()[0]![0]).toBe(0);
        return reader.getRows().map((row) => [String(row[0]), String(row[1])]);
      } finally {
        file.cleanup();
      }
    }
    case 'arrow': {
      const frame = pl.readIPCStream(Buffer.from(bytes));
      expect(frame.height).toBe(0);
      return frame.columns.map((name) => [name, String(frame.getColumn(name).dtype).replace(/^DataType\((.*)\)$/, '$1')]);
    }
    default:
      throw new Error(format);
  }
}

const FORMATS = ['csv', 'json', 'ndjson', 'parquet', 'arrow'] as const;

describe('an export of no rows writes the known columns', () => {
  for (const path of PATHS) {
    it(`from \`columns\` (${path})`, async () => {
      for (const format of FORMATS) {
        const bytes = await run(path, [], { format, columns: ['a', { field: 'b', header: 'B' }] });
        const columns = await columnsOf(format, bytes);
        if (format === 'csv' || format === 'parquet' || format === 'arrow') expect(columns.map(([name]) => name), format).toEqual(['a', 'B']);
        // A column with no values and no declared type is text in the binary formats.
        if (format === 'parquet') expect(columns.map(([, type]) => type)).toEqual(['VARCHAR', 'VARCHAR']);
      }
    });

    it(`from \`schema\`, with its types (${path})`, async () => {
      for (const format of FORMATS) {
        const bytes = await run(path, (async function* () {})(), { format, schema: { fields: { id: 'int32', price: 'float64', name: 'string' } } });
        const columns = await columnsOf(format, bytes);
        if (format === 'csv') expect(columns.map(([name]) => name)).toEqual(['id', 'price', 'name']);
        if (format === 'parquet') expect(columns).toEqual([['id', 'INTEGER'], ['price', 'DOUBLE'], ['name', 'VARCHAR']]);
        if (format === 'arrow') expect(columns).toEqual([['id', 'Int32'], ['price', 'Float64'], ['name', 'String']]);
      }
    });

    it(`from an Arrow table of no rows (${path})`, async () => {
      const schema = new Schema([new Field('id', new Int32(), true), new Field('label', new Utf8(), true), new Field('x', new Float64(), true)]);
      for (const format of FORMATS) {
        const table = new Table(schema);
        const columns = await columnsOf(format, await run(path, table, { format, columns: ['label', 'id'] }));
        if (format === 'csv') expect(columns.map(([name]) => name)).toEqual(['label', 'id']);
        if (format === 'parquet') expect(columns).toEqual([['label', 'VARCHAR'], ['id', 'INTEGER']]);
        if (format === 'arrow') expect(columns).toEqual([['label', 'String'], ['id', 'Int32']]);
      }
    });
  }

  it('from Arrow IPC bytes of no rows', async () => {
    const schema = new Schema([new Field('id', new Int32(), true)]);
    const ipc = tableToIPC(new Table(schema), 'stream');
    expect(await columnsOf('parquet', await run('exportStream', ipc, { format: 'parquet' }))).toEqual([['id', 'INTEGER']]);
    expect(await columnsOf('arrow', await run('worker', ipc, { format: 'arrow' }))).toEqual([['id', 'Int32']]);
  });

  it('when a filter drops every row, the columns of the rows are written', async () => {
    for (const format of FORMATS) {
      const bytes = await run('exportStream', [{ a: 1, b: 'x' }], { format, filter: 'a > 5' });
      const columns = await columnsOf(format, bytes);
      if (format !== 'json' && format !== 'ndjson') expect(columns.map(([name]) => name)).toEqual(['a', 'b']);
    }
  });
});

async function failure(path: Path, source: unknown, options: StreamOptions): Promise<{ code: string; message: string }> {
  try {
    await run(path, source, options);
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the export succeeded');
}

describe('an export with no columns at all is an error, and writes nothing', () => {
  for (const path of PATHS) {
    it(`no rows and no columns (${path})`, async () => {
      for (const format of FORMATS) {
        const error = await failure(path, [], { format });
        expect(error.code).toBe('invalid_options');
        expect(error.message).toMatch(/nothing to export: the source has no rows and no columns are known/);
      }
    });
    it(`rows without keys (${path})`, async () => {
      for (const format of FORMATS) {
        const error = await failure(path, [{}, {}], { format });
        expect(error.code).toBe('invalid_options');
        expect(error.message).toMatch(/the first 2 row\(s\) have no keys/);
      }
    });
    it(`an empty Uint8Array (${path})`, async () => {
      const error = await failure(path, new Uint8Array(0), { format: 'csv' });
      expect(error.code).toBe('source_failed');
      expect(error.message).toMatch(/empty byte array/);
    });
    it(`an Arrow table with no fields (${path})`, async () => {
      const error = await failure(path, new Table(new Schema([])), { format: 'parquet' });
      expect(error.code).toBe('invalid_options');
      expect(error.message).toMatch(/nothing to export/);
    });
  }

  it('nothing reaches the stream before the error', async () => {
    const reader = exportStream([{}], { format: 'csv' }).getReader();
    await expect(reader.read()).rejects.toMatchObject({ code: 'invalid_options' });
  });
});
