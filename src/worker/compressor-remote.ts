/**
 * The compressing worker's side of `compressor.ts`: starts `compress-worker.ts`, sends it the
 * uncompressed chunks (at most {@link MAX_BYTES_IN_FLIGHT} unacknowledged) and reads back the
 * compressed ones. Loaded only when an export compresses.
 */
import type { CompressorMessage, CompressorRequest } from './compress-worker.js';
import type { Backend, CompressionFormat } from './compressor.js';

/**
 * Most input bytes sent to the compressing worker and not yet taken in by its compressor. Bounds
 * the memory between the two threads; the encoder waits (backpressure) beyond it.
 */
export const MAX_BYTES_IN_FLIGHT = 8 << 20;

/** How long the compressing worker may take to start before this thread compresses itself. */
const START_TIMEOUT_MS = 3_000;

/** Starts a compressing worker; rejects when it cannot (the caller compresses itself). */
export function remoteBackend(format: CompressionFormat, giveAway: boolean): Promise<Backend> {
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
        // Transferred when the caller gives the chunk away (the engine's emitted chunks, which no
        // one writes to again) and it views its whole buffer; copied otherwise, so the transfer
        // detaches nothing the caller still uses (XLSX reuses its XML buffers).
        const own = giveAway && chunk.byteOffset === 0 && chunk.byteLength === chunk.buffer.byteLength ? chunk : chunk.slice();
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
