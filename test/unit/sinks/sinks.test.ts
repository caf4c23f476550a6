import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../../src/sinks/coalesce.js';
import { createMemorySink } from '../../../src/sinks/memory.js';
import { spoolFileName, spoolFileTime, cleanSpool, createSpoolSink } from '../../../src/sinks/opfs.js';
import { createWritableSink } from '../../../src/sinks/writable.js';

const bytes = (...values: number[]): Uint8Array => Uint8Array.from(values);

describe('Coalescer', () => {
  it('joins small chunks into writes of at least the size, in order', () => {
    const c = new Coalescer(4);
    expect(c.push(bytes(1, 2))).toBeNull();
    expect(c.push(bytes())).toBeNull();
    expect(Array.from(c.push(bytes(3, 4, 5)) ?? [])).toEqual([1, 2, 3, 4, 5]);
    expect(c.held).toBe(0);
    expect(c.push(bytes(6))).toBeNull();
    expect(Array.from(c.take() ?? [])).toEqual([6]);
    expect(c.take()).toBeNull();
  });
  it('passes a large chunk through without copying when nothing is held', () => {
    const c = new Coalescer(2);
    const big = bytes(1, 2, 3);
    expect(c.push(big)).toBe(big);
  });
});

describe('memory sink', () => {
  it('builds a Blob of the type, and abort drops the parts', async () => {
    const sink = createMemorySink('text/csv');
    await sink.write(bytes(97, 98));
    await sink.write(bytes(99));
    const { blob } = await sink.close();
    expect(blob?.type).toBe('text/csv');
    expect(await blob?.text()).toBe('abc');
    const other = createMemorySink('text/csv');
    await other.write(bytes(1));
    await expect(other.abort(new Error('x'))).resolves.toBeUndefined();
  });  it('folds chunks into the Blob as it goes, keeping order and type, with nothing written giving an empty Blob', async () => {
    const sink = createMemorySink('application/x-ndjson', 4);
    const chunks = [bytes(1, 2), bytes(3), bytes(4, 5, 6), bytes(), bytes(7), bytes(8, 9, 10, 11, 12), bytes(13)];
    for (const chunk of chunks) await sink.write(chunk);
    const { blob } = await sink.close();
    expect(blob?.type).toBe('application/x-ndjson');
    expect(Array.from(new Uint8Array(await blob!.arrayBuffer()))).toEqual(Array.from({ length: 13 }, (_, i) => i + 1));
    const empty = await createMemorySink('text/csv', 4).close();
    expect(empty.blob?.size).toBe(0);
    expect(empty.blob?.type).toBe('text/csv');
  });
});

describe('writable sink', () => {
  it('writes in order and closes the stream', async () => {
    const got: number[] = [];
    let closed = false;
    const sink = createWritableSink(new WritableStream<Uint8Array>({ write: (c) => void got.push(...c), close: () => void (closed = true) }));
    await sink.write(bytes(1, 2));
    await sink.write(bytes(3));
    expect(await sink.close()).toEqual({});
    expect(got).toEqual([1, 2, 3]);
    expect(closed).toBe(true);
  });
  it('abort aborts the stream with the reason', async () => {
    let reason: unknown;
    const sink = createWritableSink(new WritableStream<Uint8Array>({ abort: (r) => void (reason = r) }));
    await sink.write(bytes(1));
    await sink.abort(new Error('stop'));
    expect((reason as Error).message).toBe('stop');
  });
  it('a failing stream becomes sink_failed', async () => {
    const sink = createWritableSink(new WritableStream<Uint8Array>({ write: () => Promise.reject(new Error('disk full?')) }));
    await expect(sink.write(bytes(1))).rejects.toMatchObject({ code: 'sink_failed', message: expect.stringMatching(/disk full\?/) });
  });
  it('a QuotaExceededError becomes quota_exceeded', async () => {
    const quota = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const sink = createWritableSink(new WritableStream<Uint8Array>({ write: () => Promise.reject(quota) }));
    await expect(sink.write(bytes(1))).rejects.toMatchObject({ code: 'quota_exceeded' });
  });
});

describe('spool names', () => {
  it('carry their creation time and the file name', () => {
    const name = spoolFileName('sales.csv', 1_700_000_000_000);
    expect(name).toMatch(/^1700000000000-[0-9a-z]{8}-sales\.csv$/);
    expect(spoolFileTime(name)).toBe(1_700_000_000_000);
    expect(spoolFileTime('sales.csv')).toBeNull();
  });
  it('without OPFS (Node): the spool falls back to memory and cleaning is a no-op', async () => {
    const sink = await createSpoolSink('a.csv', 'text/csv');
    await sink.write(bytes(120));
    const outcome = await sink.close();
    expect(outcome.spoolName).toBeUndefined();
    expect(await outcome.blob?.text()).toBe('x');
    expect(await cleanSpool()).toBe(0);
  });
});
