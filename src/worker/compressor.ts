/**
 * `compression: 'gzip' | 'deflate'` on a thread of its own.
 *
 * A `CompressionStream` compresses on the thread that feeds it: in the export worker, deflate and
 * encoding took turns, and a CSV export with gzip took twice as long as one without (1M rows in
 * Chromium: 7.9–8.8 s against 4.2 s), while the page's thread sat mostly idle. Here the bytes go to
 * a small worker that only compresses, so encoding and deflate run at once on two cores.
 *
 * The compressing worker is its own small file (`compress-worker.ts`), made the way the export
 * workers are (`new Worker(new URL(…, import.meta.url))`), so bundlers emit it and a Content
 * Security Policy of `worker-src 'self'` allows it. Where it cannot run — no `Worker` in this
 * scope (Node; WebKit's workers before nested workers), a worker that fails to load or start —
 * the bytes are compressed on this thread as before, with the same output.
 */

import type { CompressorMessage, CompressorRequest } from './compress-worker.js';

/** The formats `compression` takes. */
export type CompressionFormat = 'gzip' | 'deflate';

/**
 * Most input bytes sent to the compressing worker and not yet taken in by its compressor. Bounds
 * the memory between the two threads; the encoder waits (backpressure) beyond it.
 */
export const MAX_BYTES_IN_FLIGHT = 8 << 20;

/** How long the compressing worker may take to start before this thread compresses itself. */
const START_TIMEOUT_MS = 3_000;

/** One compressor, on whichever thread it runs. */
interface Backend {
  /** Resolves when the compressor can take more (backpressure). */
  write(chunk: Uint8Array): Promise<void>;
  close(): Promise<void>;
  abort(reason: unknown): void;
  read(): Promise<ReadableStreamReadResult<Uint8Array>>;
  /** Where the bytes are compressed. */
  readonly where: 'worker' | 'here';
}

/** A CompressionStream on this thread. */
function localBackend(format: CompressionFormat): Backend {
  const stream = new CompressionStream(format) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  return {
    where: 'here',
    write: (chunk) => writer.write(chunk),
    close: () => writer.close(),
    abort(reason) {
      writer.abort(reason).catch(() => undefined);
      reader.cancel(reason).catch(() => undefined);
    },
    read: () => reader.read(),
  };
}

/** Starts a compressing worker; rejects when it cannot (the caller compresses itself). */
function remoteBackend(format: CompressionFormat): Promise<Backend> {
  return new Promise<Backend>((resolve, reject) => {
    let worker: Worker;
    try {
      worker = new Worker(new URL('./compress-worker.js', import.meta.url), { type: 'module' });
    } catch (error) {
      reject(error);
      return;
    }
    const post = (message: CompressorRequest, transfer: Transferable[] = []): void => worker.postMessage(message, transfer);
    const outputs: Array<ReadableStreamReadResult<Uint8Array>> = [];
    let failure: Error | null = null;
    let finished = false;
    let inFlight = 0;
    let wakeReader: (() => void) | null = null;
    let wakeWriter: (() => void) | null = null;
    const wake = (): void => {
      wakeReader?.();
      wakeReader = null;
      wakeWriter?.();
      wakeWriter = null;
    };
    const stop = (): void => {
      finished = true;
      worker.terminate();
    };
    let started = false;
    const timer = setTimeout(() => {
      if (started) return;
      stop();
      reject(new Error('the compressing worker did not start'));
    }, START_TIMEOUT_MS);
    worker.onerror = (event) => {
      event.preventDefault();
      const error = new Error(`the compressing worker failed: ${event.message || 'it could not start'}`);
      if (!started) {
        clearTimeout(timer);
        stop();
        reject(error);
        return;
      }
      failure ??= error;
      stop();
      wake();
    };
    worker.onmessage = (event: MessageEvent<CompressorMessage>) => {
      const message = event.data;
      switch (message.t) {
        case 'ready':
          started = true;
          clearTimeout(timer);
          resolve(backend);
          return;
        case 'out':
          outputs.push({ done: false, value: message.chunk });
          break;
        case 'ack':
          inFlight -= message.bytes;
          break;
        case 'done':
          outputs.push({ done: true, value: undefined });
          stop();
          break;
        case 'error':
          if (!started) {
            clearTimeout(timer);
            stop();
            reject(new Error(message.message));
            return;
          }
          failure ??= new Error(`compressing the export failed: ${message.message}`);
          stop();
          break;
      }
      wake();
    };
    const backend: Backend = {
      where: 'worker',
      async write(chunk) {
        if (failure !== null) throw failure;
        // The engine's chunks are its own; one that views part of a larger buffer is copied so the
        // transfer detaches nothing else.
        const own = chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
        inFlight += own.byteLength;
        post({ t: 'chunk', chunk: own }, [own.buffer as ArrayBuffer]);
        while (inFlight > MAX_BYTES_IN_FLIGHT && failure === null && !finished) {
          await new Promise<void>((wakeUp) => (wakeWriter = wakeUp));
        }
        if (failure !== null) throw failure;
      },
      async close() {
        if (failure !== null) throw failure;
        post({ t: 'close' });
      },
      abort() {
        if (finished) return;
        post({ t: 'abort' });
        stop();
        failure ??= new Error('the compression was cancelled');
        wake();
      },
      async read() {
        for (;;) {
          const next = outputs.shift();
          if (next !== undefined) return next;
          if (failure !== null) throw failure;
          if (finished) return { done: true, value: undefined };
          await new Promise<void>((wakeUp) => (wakeReader = wakeUp));
        }
      },
    };
    post({ t: 'start', format });
  });
}

/** True where a compressing worker can be made at all. */
function canUseWorker(): boolean {
  return typeof Worker === 'function';
}

/**
 * A compressor with `CompressionStream`'s shape (write uncompressed bytes, read compressed ones)
 * that compresses on a worker of its own where it can, else on this thread.
 */
export function createCompressor(format: CompressionFormat): ReadableWritablePair<Uint8Array, Uint8Array> & { where(): Promise<'worker' | 'here'> } {
  const backend: Promise<Backend> = canUseWorker() ? remoteBackend(format).catch(() => localBackend(format)) : Promise.resolve(localBackend(format));
  const writable = new WritableStream<Uint8Array>(
    {
      async write(chunk) {
        await (await backend).write(chunk);
      },
      async close() {
        await (await backend).close();
      },
      async abort(reason) {
        (await backend).abort(reason);
      },
    },
    { highWaterMark: 1 },
  );
  const readable = new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const result = await (await backend).read();
        if (result.done) controller.close();
        else controller.enqueue(result.value);
      },
      async cancel(reason) {
        (await backend).abort(reason);
      },
    },
    { highWaterMark: 0 },
  );
  return { writable, readable, where: async () => (await backend).where };
}
