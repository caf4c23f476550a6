/**
 * Sources that fail before their first row, and rows that are not rows: each is a typed error on
 * every path (exportStream, exportData on the main thread, exportData through the worker API).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { exportData } from '../../../src/export-data.js';
import type { ExportFormat, ExportSource } from '../../../src/types.js';
import { terminateWorkers } from '../../../src/worker/client.js';
import { readAll } from '../../helpers/readers.js';
import { fakeWorkerFactory } from '../worker/fake-worker.js';

afterEach(() => terminateWorkers());

type Path = 'exportStream' | 'main thread' | 'worker';
const PATHS: Path[] = ['exportStream', 'main thread', 'worker'];

/** Runs an export on `path` and returns the error it failed with (or fails the test when it resolves). */
async function failure(path: Path, source: unknown, format: ExportFormat = 'csv', extra: Record<string, unknown> = {}): Promise<{ code: string; message: string; details: Record<string, unknown> }> {
  try {
    if (path === 'exportStream') await readAll(exportStream(source as ExportSource, { format, ...extra }));
    else await exportData(source as ExportSource, { format, target: 'blob', worker: path === 'worker' ? fakeWorkerFactory().factory : false, ...extra });
  } catch (error) {
    if (!isExportError(error)) throw new Error(`not an ExportError: ${String(error)}`);
    return { code: error.code, message: error.message, details: (error.details ?? {}) as Record<string, unknown> };
  }
  throw new Error('the export succeeded');
}

const throwingSources: Record<string, () => unknown> = {
  'a generator that throws at once': () =>
    (function* (): Generator<object> {
      throw new Error('no rows today');
    })(),
  'an async generator that throws at once': () =>
    (async function* (): AsyncGenerator<object> {
      throw new Error('no rows today');
    })(),
  'a ReadableStream that errors at once': () =>
    new ReadableStream({
      start(controller) {
        controller.error(new Error('no rows today'));
      },
    }),
  'a ReadableStream whose pull throws': () =>
    new ReadableStream({
      pull() {
        throw new Error('no rows today');
      },
    }),
  'an iterable whose iterator method throws': () => ({
    [Symbol.iterator]() {
      throw new Error('no rows today');
    },
  }),
};

describe('a source that fails before its first row is source_failed', () => {
  for (const [name, make] of Object.entries(throwingSources)) {
    for (const path of PATHS) {
      it(`${name} (${path})`, async () => {
        const error = await failure(path, make());
        expect(error.code).toBe('source_failed');
        expect(error.message).toContain('no rows today');
      });
    }
  }
  for (const path of PATHS) {
    it(`a locked ReadableStream (${path})`, async () => {
      const stream = new ReadableStream({ pull: (c) => c.enqueue({ a: 1 }) });
      stream.getReader();
      const error = await failure(path, stream);
      expect(error.code).toBe('source_failed');
      expect(error.message).toMatch(/locked/);
    });
  }
  it('a generator that throws after some rows is source_failed too', async () => {
    function* rows(): Generator<object> {
      for (let i = 0; i < 10_000; i++) yield { a: i };
      throw new Error('lost the connection');
    }
    for (const path of PATHS) {
      const error = await failure(path, rows());
      expect(error.code).toBe('source_failed');
      expect(error.message).toContain('lost the connection');
    }
  });
});

const date = new Date('2024-01-02T03:04:05.000Z');
const notRows: Array<[string, unknown, RegExp]> = [
  ['a string', 'abc', /row 1 is a string \("abc"\)/],
  ['a number', 42, /row 1 is a number \(42\)/],
  ['a boolean', true, /row 1 is a boolean/],
  ['a bigint', 5n, /row 1 is a bigint/],
  ['a Map', new Map([['a', 1]]), /row 1 is a Map/],
  ['a Set', new Set([1]), /row 1 is a Set/],
  ['a Date', date, /row 1 is a Date \(2024-01-02T03:04:05.000Z\)/],
  ['an array among objects', [1, 2], /row 1 is an array \(\[1,2\]\) among object rows/],
  ['null', null, /row 1 is null/],
  ['undefined', undefined, /row 1 is undefined/],
  ['a typed array', new Uint8Array(2), /row 1 is a Uint8Array/],
];

describe('a row that is not an object is invalid_value, naming its index and what it was', () => {
  for (const [name, value, message] of notRows) {
    it(`${name}`, async () => {
      const rows = [{ a: 1 }, value, { a: 3 }];
      for (const format of ['csv', 'ndjson', 'parquet'] as const) {
        const error = await failure('exportStream', rows, format);
        expect(error.code).toBe('invalid_value');
        expect(error.message).toMatch(message);
        expect(error.details['row']).toBe(1);
      }
      // Iterables and async iterables and streams, through the worker and on the main thread.
      expect((await failure('exportStream', rows.values(), 'json')).message).toMatch(message);
      expect((await failure('exportStream', (async function* () { yield* rows; })(), 'json')).message).toMatch(message);
      expect((await failure('exportStream', new ReadableStream({ start(c) { for (const row of rows) c.enqueue(row); c.close(); } }), 'json')).message).toMatch(message);
      expect((await failure('main thread', rows, 'ndjson')).message).toMatch(message);
      if (typeof value !== 'bigint' && !(value instanceof Uint8Array)) {
        // Structured clone keeps strings, numbers, Maps, Sets, Dates and arrays as they are.
        const error = await failure('worker', rows, 'ndjson');
        expect(error.code).toBe('invalid_value');
        expect(error.message).toMatch(message);
      }
    });
  }

  it('names the source index of a bad row deep in a large stream', async () => {
    function* rows(): Generator<unknown> {
      for (let i = 0; i < 50_000; i++) yield i === 43_210 ? 'oops' : { a: i };
    }
    for (const path of PATHS) {
      const error = await failure(path, rows(), 'csv');
      expect(error.code).toBe('invalid_value');
      expect(error.message).toMatch(/^row 43210 is a string/);
    }
  });

  it('the first row being a string is an error too, not a blank line', async () => {
    for (const path of PATHS) expect((await failure(path, ['x', 'y'], 'csv')).message).toMatch(/row 0 is a string/);
  });

  it('an object among array rows is an error', async () => {
    const error = await failure('exportStream', [[1, 2], { a: 1 }], 'csv', { columns: ['a', 'b'] });
    expect(error.code).toBe('invalid_value');
    expect(error.message).toMatch(/row 1 is an object .* among array rows/);
  });

  it('class instances and null-prototype objects are rows', async () => {
    class Order {
      readonly id: number;
      constructor(id: number) {
        this.id = id;
      }
    }
    const bare = Object.assign(Object.create(null) as object, { id: 2 });
    const text = new TextDecoder().decode(await readAll(exportStream([new Order(1), bare], { format: 'csv' })));
    expect(text).toBe('id\r\n1\r\n2\r\n');
  });
});
