import { describe, expect, it } from 'vitest';
import { Coalescer } from '../../../src/sinks/coalesce.js';
import { createMemorySink } from '../../../src/sinks/memory.js';
import { spoolFileName, spoolFileTime, cleanSpool, createSpoolSink } from '../../../src/sinks/opfs.js';
import { createWritableSink } from '../../../src/sinks/writable.js';
import { createHandleSink } from '../../../src/sinks/handle.js';

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
  it('a failing stream becomes sink_failed, by the next write at the latest', async () => {
    const sink = createWritableSink(new WritableStream<Uint8Array>({ write: () => Promise.reject(new Error('disk full?')) }));
    // The first write is only queued; its failure errors the stream, which the next write reports.
    await sink.write(bytes(1));
    await expect(sink.write(bytes(2))).rejects.toMatchObject({ code: 'sink_failed', message: expect.stringMatching(/writing to the target WritableStream.*disk full\?/) });
    await expect(sink.close()).rejects.toMatchObject({ code: 'sink_failed' });
  });
  it('a failure of the last write is reported by close', async () => {
    const sink = createWritableSink(new WritableStream<Uint8Array>({ write: () => Promise.reject(new Error('gone')) }));
    await sink.write(bytes(1));
    await expect(sink.close()).rejects.toMatchObject({ code: 'sink_failed', message: expect.stringMatching(/gone/) });
  });
  it('a QuotaExceededError becomes quota_exceeded', async () => {
    const quota = Object.assign(new Error('quota'), { name: 'QuotaExceededError' });
    const sink = createWritableSink(new WritableStream<Uint8Array>({ write: () => Promise.reject(quota) }));
    await sink.write(bytes(1));
    await expect(sink.write(bytes(2))).rejects.toMatchObject({ code: 'quota_exceeded' });
  });
  it('returns from a write while the stream still writes it, and waits for room before the next', async () => {
    const gates: Array<() => void> = [];
    const got: number[] = [];
    const sink = createWritableSink(
      new WritableStream<Uint8Array>({
        write: (chunk) =>
          new Promise<void>((resolve) =>
            gates.push(() => {
              got.push(...chunk);
              resolve();
            }),
          ),
      }),
    );
    await sink.write(bytes(1));
    expect(gates.length).toBe(1); // the first write runs…
    expect(got).toEqual([]); // …and is not finished, yet write() returned: the next chunk can be made
    let secondQueued = false;
    const second = Promise.resolve(sink.write(bytes(2))).then(() => (secondQueued = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(secondQueued).toBe(false); // a high-water mark of one chunk: no room until the first is written
    gates.shift()!();
    await second;
    let closed = false;
    const closing = sink.close().then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(closed).toBe(false); // close waits for the queued write
    gates.shift()!();
    await closing;
    expect(got).toEqual([1, 2]);
  });
});

describe('file handle sink', () => {
  /** A stand-in FileSystemFileHandle whose writable records writes, commits on close, and can fail. */
  function fakeHandle(failAt = -1) {
    const state = { written: [] as Uint8Array[], committed: null as Uint8Array | null, aborted: false, writes: 0, running: 0, mostRunning: 0 };
    const handle = {
      name: 'x.csv',
      async createWritable() {
        return new WritableStream<Uint8Array>({
          async write(chunk) {
            const index = state.writes++;
            state.running++;
            state.mostRunning = Math.max(state.mostRunning, state.running);
            await new Promise((resolve) => setTimeout(resolve, 2));
            state.running--;
            if (index === failAt) throw new Error('storage failed');
            state.written.push(chunk.slice());
          },
          close() {
            state.committed = Buffer.concat(state.written);
          },
          abort() {
            state.aborted = true;
          },
        });
      },
    } as unknown as FileSystemFileHandle;
    return { handle, state };
  }
  const big = (n: number, value: number): Uint8Array => new Uint8Array(n).fill(value);

  it('writes coalesced chunks in order, one at a time, and commits on close', async () => {
    const { handle, state } = fakeHandle();
    const sink = await createHandleSink(handle);
    const chunks: Uint8Array[] = [];
    for (let i = 0; i < 8; i++) {
      const chunk = big(1_500_000, i + 1);
      chunks.push(chunk);
      await sink.write(chunk);
    }
    const expected = Buffer.concat(chunks);
    expect(state.committed).toBeNull();
    expect(await sink.close()).toEqual({});
    expect(state.committed?.length).toBe(expected.length);
    expect(Buffer.compare(state.committed!, expected)).toBe(0);
    // Coalesced into a few large writes (the rest on close), never two at once.
    expect(state.writes).toBeGreaterThan(1);
    expect(state.writes).toBeLessThan(8);
    expect(state.mostRunning).toBe(1);
  });
  it('a failed write fails a later write or the close, and abort leaves nothing committed', async () => {
    const { handle, state } = fakeHandle(0);
    const sink = await createHandleSink(handle);
    let failure: unknown;
    try {
      for (let i = 0; i < 4; i++) await sink.write(big(1 << 20, i));
      await sink.close();
    } catch (error) {
      failure = error;
      await sink.abort(error);
    }
    expect(failure).toMatchObject({ code: 'sink_failed', message: expect.stringMatching(/storage failed/) });
    expect(state.committed).toBeNull();
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
