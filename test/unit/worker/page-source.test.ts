import { RecordBatch, tableFromArrays, tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { DEFAULT_CHUNK_SIZE } from '../../../src/options/rules.js';
import { createPageSource, PULL_BATCH_ROWS, PULL_MAX_ROWS, PULL_MIN_ROWS, rowsPerPull } from '../../../src/worker/page-source.js';
import type { PullResult } from '../../../src/worker/protocol.js';
import { unpackRows } from '../../../src/schema/packed.js';
import type { ExportSource } from '../../../src/types.js';

async function drain(source: ReturnType<typeof createPageSource>): Promise<PullResult[]> {
  const out: PullResult[] = [];
  for (;;) {
    const result = await source.pull();
    out.push(result);
    if (result.kind === 'end' || result.kind === 'error') return out;
  }
}

const rows = (n: number): Array<{ id: number; name: string }> => Array.from({ length: n }, (_, i) => ({ id: i, name: `r${i}` }));
const rowsOf = (results: PullResult[]): unknown[] => results.flatMap((r) => (r.kind === 'rows' ? r.rows : r.kind === 'packed' ? unpackRows(r.packed) : []));
const sizeOf = (r: PullResult): number | string => (r.kind === 'rows' ? r.rows.length : r.kind === 'packed' ? r.packed.count : r.kind);

describe('rowsPerPull', () => {
  it.each([
    [1, PULL_MAX_ROWS],
    [2, PULL_MAX_ROWS],
    [10, 2000],
    [20, 1000],
    [10_000, PULL_MIN_ROWS],
  ])('%i fields → %i rows', (width, expected) => {
    expect(rowsPerPull(width)).toBe(expected);
  });
  it("the most rows per pull is the engine's default chunk", () => {
    expect(PULL_MAX_ROWS).toBe(DEFAULT_CHUNK_SIZE);
  });
});

describe('createPageSource', () => {
  it('an array: total known, chunks sized by row width, every row once in order', async () => {
    const data = Array.from({ length: 10_001 }, (_, i) => ({ a: i, b: i, c: i, d: i, e: i, f: i, g: i, h: i, i, j: i }));
    const source = createPageSource(data);
    expect(source.spec).toEqual({ kind: 'pull', totalRows: 10_001 });
    const results = await drain(source);
    expect(results.map(sizeOf)).toEqual([2000, 2000, 2000, 2000, 2000, 1, 'end']);
    expect(results[0]!.kind, 'plain rows of one shape are packed').toBe('packed');
    expect(rowsOf(results)).toEqual(data);
    expect((await source.pull()).kind).toBe('end');
  });

  it.each([
    ['a generator', () => (function* () { yield* rows(5); })()],
    ['a Set', () => new Set(rows(5))],
    ['an async generator', () => (async function* () { yield* rows(5); })()],
    ['a ReadableStream', () => new ReadableStream({ start(c) { for (const r of rows(5)) c.enqueue(r); c.close(); } })],
  ])('%s: rows in order', async (_name, make) => {
    const results = await drain(createPageSource(make() as ExportSource));
    expect(rowsOf(results)).toEqual(rows(5));
    expect(results.at(-1)?.kind).toBe('end');
  });

  it('an empty source ends at once', async () => {
    expect((await drain(createPageSource([]))).map((r) => r.kind)).toEqual(['end']);
    expect((await drain(createPageSource((function* () {})()))).map((r) => r.kind)).toEqual(['end']);
  });

  it('a throwing iterator answers source_failed with the message, and is closed', async () => {
    const source = createPageSource(
      (function* () {
        yield { id: 1 };
        throw new Error('database went away');
      })(),
    );
    const results = await drain(source);
    const last = results.at(-1);
    expect(last?.kind).toBe('error');
    if (last?.kind === 'error') {
      expect(last.error.code).toBe('source_failed');
      expect(last.error.message).toMatch(/database went away/);
    }
    expect((await source.pull()).kind).toBe('end');
  });

  it('close() stops an iterator through return() and a stream through cancel()', async () => {
    let returned = false;
    const iterator = {
      [Symbol.iterator]() {
        let i = 0;
        return { next: () => ({ done: false, value: { i: i++ } }), return: () => ((returned = true), { done: true, value: undefined }) };
      },
    };
    const source = createPageSource(iterator as Iterable<{ i: number }>);
    expect((await source.pull()).kind).toBe('packed');
    await source.close();
    expect(returned).toBe(true);
    // A cancel must never read as the end of the data (the worker would finish the file).
    const after = await source.pull();
    expect(after.kind).toBe('error');
    expect(after.kind === 'error' && after.error.code).toBe('aborted');

    let cancelled = false;
    const stream = new ReadableStream({ pull: (c) => c.enqueue({ x: 1 }), cancel: () => void (cancelled = true) });
    const fromStream = createPageSource(stream);
    await fromStream.pull();
    await fromStream.close();
    expect(cancelled).toBe(true);
  });

  it('an async source answers early with what it has after a pause', async () => {
    const slow = (async function* () {
      yield { i: 0 };
      yield { i: 1 };
      await new Promise((r) => setTimeout(r, 80));
      yield { i: 2 };
    })();
    const source = createPageSource(slow);
    const first = await source.pull();
    expect(sizeOf(first)).toBeLessThan(3);
  });

  it('an Arrow table goes as IPC pieces of at most PULL_BATCH_ROWS rows', async () => {
    const n = PULL_BATCH_ROWS * 2 + 5;
    const table = tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i), name: Array.from({ length: n }, (_, i) => `n${i}`) });
    const source = createPageSource(table);
    expect(source.spec).toEqual({ kind: 'pull', totalRows: n });
    const results = await drain(source);
    const batches = results.flatMap((r) => (r.kind === 'batch' ? tableFromIPC(r.ipc).batches : []));
    expect(batches.map((b) => b.numRows)).toEqual([PULL_BATCH_ROWS, PULL_BATCH_ROWS, 5]);
    const ids = batches.flatMap((b) => Array.from(b.getChild('id')!.toArray() as Int32Array));
    expect(ids).toEqual(Array.from({ length: n }, (_, i) => i));
    expect(batches[2]!.getChild('name')!.get(4)).toBe(`n${n - 1}`);
  });

  it('an iterable of record batches is sniffed and sent as IPC', async () => {
    const table = tableFromArrays({ x: Float64Array.from([1, 2, 3]) });
    const batches: RecordBatch[] = table.batches;
    const results = await drain(createPageSource((function* () { yield* batches; yield* batches; })()));
    expect(results.map((r) => r.kind)).toEqual(['batch', 'batch', 'end']);
  });

  it('bytes and remote descriptions are handed over, not pulled', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(createPageSource(bytes).spec).toEqual({ kind: 'bytes', bytes });
    expect(createPageSource(bytes.buffer).spec.kind).toBe('bytes');
    const descriptor = { kind: 'indexeddb' as const, database: 'db', store: 's' };
    expect(createPageSource(descriptor).spec).toEqual({ kind: 'remote', descriptor });
  });

  it.each([[null], [42], ['rows'], [{ nothing: true }]])('rejects %j with invalid_options', (value) => {
    expect(() => createPageSource(value as never)).toThrow(/^source must be an array, iterable, stream, Arrow table or source description/);
  });
});
