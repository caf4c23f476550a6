/**
 * The compressor that deflates on a worker of its own (`src/worker/compressor.ts`). Node has no
 * web `Worker`, so the tests give it one: a worker_threads thread running the real
 * `compress-worker.ts` (compiled by esbuild), and workers that fail in each way a browser's can.
 */
import { readFileSync } from 'node:fs';
import { Worker as NodeWorker } from 'node:worker_threads';
import { gunzipSync, inflateSync } from 'node:zlib';
import { transformSync } from 'esbuild';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createCompressor } from '../../../src/worker/compressor.js';

const WORKER_CODE = transformSync(readFileSync(new URL('../../../src/worker/compress-worker.ts', import.meta.url), 'utf8'), { loader: 'ts' }).code;

/** Runs the worker's code with the web worker globals it uses, bridged to worker_threads. */
const BOOT = `
const { parentPort, workerData } = require('node:worker_threads');
globalThis.self = globalThis;
globalThis.postMessage = (message, transfer) => parentPort.postMessage(message, transfer);
globalThis.close = () => process.exit(0);
parentPort.on('message', (data) => globalThis.onmessage && globalThis.onmessage({ data }));
new Function(workerData.code)();
`;

const made: ThreadWorker[] = [];

/** A web-style Worker over a worker_threads thread. */
class ThreadWorker {
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onerror: ((event: { message: string; preventDefault(): void }) => void) | null = null;
  terminated = false;
  readonly url: string;
  private readonly thread: NodeWorker;
  constructor(url: URL | string) {
    this.url = String(url);
    this.thread = new NodeWorker(BOOT, { eval: true, workerData: { code: WORKER_CODE } });
    this.thread.on('message', (data: unknown) => this.onmessage?.({ data }));
    this.thread.on('error', (error: Error) => this.onerror?.({ message: error.message, preventDefault() {} }));
    made.push(this);
  }
  postMessage(message: unknown, transfer: Transferable[] = []): void {
    this.thread.postMessage(message, transfer as never);
  }
  terminate(): void {
    this.terminated = true;
    void this.thread.terminate();
  }
}

afterEach(() => {
  vi.unstubAllGlobals();
  for (const worker of made.splice(0)) if (!worker.terminated) worker.terminate();
});

/** Text that compresses like CSV does (repetitive, not constant), `size` bytes in 64 KiB chunks. */
function csvLikeChunks(size: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  const encoder = new TextEncoder();
  let row = 0;
  let total = 0;
  while (total < size) {
    let text = '';
    while (text.length < 65_536) text += `${row},name ${row % 977},${(row * 7.31).toFixed(2)},${row % 3 === 0}\r\n`, row++;
    const chunk = encoder.encode(text);
    chunks.push(chunk);
    total += chunk.byteLength;
  }
  return chunks;
}

async function compress(format: 'gzip' | 'deflate', chunks: Uint8Array[]): Promise<{ out: Buffer; where: string }> {
  const compressor = createCompressor(format);
  const reading = (async () => {
    const parts: Uint8Array[] = [];
    const reader = compressor.readable.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return Buffer.concat(parts);
      parts.push(value);
    }
  })();
  const writer = compressor.writable.getWriter();
  // Copies: a chunk sent to the worker is transferred, so the caller's own is never detached.
  for (const chunk of chunks) await writer.write(chunk.slice());
  await writer.close();
  return { out: await reading, where: await compressor.where() };
}

const join = (chunks: Uint8Array[]): Buffer => Buffer.concat(chunks);

describe('createCompressor', () => {
  it('without a Worker (Node): compresses on this thread', async () => {
    const chunks = csvLikeChunks(1 << 20);
    const { out, where } = await compress('gzip', chunks);
    expect(where).toBe('here');
    expect(gunzipSync(out).equals(join(chunks))).toBe(true);
  });

  it.each([
    ['gzip', gunzipSync],
    ['deflate', inflateSync],
  ] as const)('with a Worker: %s on the compressing worker, byte-exact after inflating, and the worker ends', async (format, inflate) => {
    vi.stubGlobal('Worker', ThreadWorker);
    // More than MAX_BYTES_IN_FLIGHT, so the sender waits for acknowledgements along the way.
    const chunks = csvLikeChunks(24 << 20);
    const { out, where } = await compress(format, chunks);
    expect(where).toBe('worker');
    expect(made).toHaveLength(1);
    expect(made[0]!.url).toMatch(/compress-worker\.js$/);
    expect(inflate(out).equals(join(chunks))).toBe(true);
    expect(made[0]!.terminated, 'the worker is stopped once the output is done').toBe(true);
  });

  it('a Worker constructor that throws (no nested workers, a policy): compresses on this thread', async () => {
    vi.stubGlobal(
      'Worker',
      class {
        constructor() {
          throw new DOMException('refused', 'SecurityError');
        }
      },
    );
    const chunks = csvLikeChunks(256 << 10);
    const { out, where } = await compress('gzip', chunks);
    expect(where).toBe('here');
    expect(gunzipSync(out).equals(join(chunks))).toBe(true);
  });

  it('a worker that fails to load (an error event before it starts): compresses on this thread', async () => {
    const stopped: boolean[] = [];
    vi.stubGlobal(
      'Worker',
      class {
        onerror: ((event: { message: string; preventDefault(): void }) => void) | null = null;
        onmessage = null;
        constructor() {
          setTimeout(() => this.onerror?.({ message: 'net::ERR_FAILED', preventDefault() {} }), 5);
        }
        postMessage(): void {}
        terminate(): void {
          stopped.push(true);
        }
      },
    );
    const chunks = csvLikeChunks(256 << 10);
    const { out, where } = await compress('gzip', chunks);
    expect(where).toBe('here');
    expect(stopped).toEqual([true]);
    expect(gunzipSync(out).equals(join(chunks))).toBe(true);
  });

  it('a worker that never answers: after the start timeout, compresses on this thread', async () => {
    vi.stubGlobal(
      'Worker',
      class {
        onerror = null;
        onmessage = null;
        postMessage(): void {}
        terminate(): void {}
      },
    );
    const chunks = csvLikeChunks(64 << 10);
    const { out, where } = await compress('gzip', chunks);
    expect(where).toBe('here');
    expect(gunzipSync(out).equals(join(chunks))).toBe(true);
  });

  it('abort while compressing on the worker: the reader fails, the worker is stopped', async () => {
    vi.stubGlobal('Worker', ThreadWorker);
    const compressor = createCompressor('gzip');
    const writer = compressor.writable.getWriter();
    const reader = compressor.readable.getReader();
    for (const chunk of csvLikeChunks(2 << 20)) await writer.write(chunk);
    expect(await compressor.where()).toBe('worker');
    await writer.abort(new Error('cancelled'));
    await expect((async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })()).rejects.toThrow(/cancelled/);
    expect(made[0]!.terminated).toBe(true);
  });
});
