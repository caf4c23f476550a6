import { RecordBatch, Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream, type ExportSource } from '../../../src/index.js';
import { papaParse, readText } from '../../helpers/readers.js';

const ROWS = [
  { id: 1, name: 'a' },
  { id: 2, name: 'b' },
  { id: 3, name: 'c' },
];
const EXPECTED = [['id', 'name'], ['1', 'a'], ['2', 'b'], ['3', 'c']];

async function* asyncRows() {
  for (const row of ROWS) {
    await Promise.resolve();
    yield row;
  }
}

function* syncRows() {
  yield* ROWS;
}

const arrowTable = (): Table => tableFromArrays({ id: Int32Array.from([1, 2, 3]), name: ['a', 'b', 'c'] });

const SOURCES: Array<[string, () => ExportSource]> = [
  ['an array of objects', () => ROWS],
  ['a sync iterable', () => syncRows()],
  ['a Set', () => new Set(ROWS)],
  ['an async iterable', () => asyncRows()],
  ['a ReadableStream of rows', () => new ReadableStream({ start: (c) => { ROWS.forEach((row) => c.enqueue(row)); c.close(); } })],
  ['an Arrow Table', arrowTable],
  ['one RecordBatch', () => arrowTable().batches[0]!],
  ['an array of RecordBatches', () => arrowTable().batches],
  ['an async iterable of RecordBatches', () => (async function* () { yield* arrowTable().batches; })()],
  ['Arrow IPC stream bytes', () => tableToIPC(arrowTable(), 'stream')],
  ['Arrow IPC file bytes', () => tableToIPC(arrowTable(), 'file')],
];

describe('sources', () => {
  it.each(SOURCES)('exports %s', async (_label, make) => {
    const text = await readText(exportStream(make(), { format: 'csv' }));
    expect(papaParse(text)).toEqual(EXPECTED);
  });

  it.each(SOURCES)('exports %s in chunks of 1', async (_label, make) => {
    const text = await readText(exportStream(make(), { format: 'csv', chunkSize: 1 }));
    expect(papaParse(text)).toEqual(EXPECTED);
  });

  it('exports arrays of arrays with columns naming them', async () => {
    const text = await readText(exportStream([[1, 'a'], [2, 'b']], { format: 'csv', columns: ['id', { field: 'name', header: 'Name' }] }));
    expect(papaParse(text)).toEqual([['id', 'Name'], ['1', 'a'], ['2', 'b']]);
  });

  it('refuses arrays of arrays without columns', async () => {
    await expect(readText(exportStream([[1, 'a']], { format: 'csv' }))).rejects.toMatchObject({ code: 'invalid_options', message: /pass `columns`/ });
  });

  it.each([[null], [42], ['text'], [{}], [Promise.resolve([])]])('refuses %j as a source at once, as it refuses bad options', (source) => {
    expect(() => exportStream(source as never, { format: 'csv' })).toThrow(expect.objectContaining({ name: 'ExportError', code: 'invalid_options' }));
  });

  it('says a Promise passed as the source is a Promise (a forgotten await)', () => {
    expect(() => exportStream(Promise.resolve([{ a: 1 }]) as never, { format: 'csv' })).toThrow(/source is a Promise: await it first/);
  });

  it('selects, orders and renames Arrow columns', async () => {
    const text = await readText(exportStream(arrowTable(), { format: 'csv', columns: [{ field: 'name', header: 'N' }, 'id'] }));
    expect(papaParse(text)).toEqual([['N', 'id'], ['a', '1'], ['b', '2'], ['c', '3']]);
  });

  it('lists the available columns for an unknown one', async () => {
    await expect(readText(exportStream(ROWS, { format: 'csv', columns: ['id', 'nmae'] }))).rejects.toMatchObject({
      code: 'unknown_column',
      message: 'columns[1]: unknown column "nmae" (did you mean "name"?); available: id, name',
    });
  });

  it('slices one big Arrow batch into chunks', async () => {
    const n = 100_000;
    const table = tableFromArrays({ x: Float64Array.from({ length: n }, (_, i) => i) });
    const sizes: number[] = [];
    const text = await readText(exportStream(table, { format: 'ndjson', chunkSize: 30_000, onProgress: (p) => sizes.push(p.rowsRead) }));
    expect(text.split('\n').length - 1).toBe(n);
    expect(table.batches.length).toBe(1);
    expect(sizes.at(-1)).toBe(n);
  });

  it('takes the columns of the first chunk and later keys are ignored', async () => {
    const text = await readText(exportStream([{ a: 1 }, { a: 2, b: 3 }], { format: 'csv', chunkSize: 1 }));
    expect(papaParse(text)).toEqual([['a'], ['1'], ['2']]);
  });

  it('reads Arrow types it did not build: dictionaries, dates, small ints, unsigned 64-bit', async () => {
    const table = new Table({
      u8: tableFromArrays({ u8: Uint8Array.from([1, 255]) }).getChild('u8')!,
      dict: tableFromArrays({ dict: ['x', 'y'] }).getChild('dict')!,
      u64: tableFromArrays({ u64: BigUint64Array.from([1n, 2n ** 64n - 1n]) }).getChild('u64')!,
    });
    const text = await readText(exportStream(table, { format: 'csv' }));
    expect(papaParse(text)).toEqual([['u8', 'dict', 'u64'], ['1', 'x', '1'], ['255', 'y', String(2n ** 64n - 1n)]]);
    expect(RecordBatch).toBeDefined();
  });
});
