/**
 * The compressing worker (see `compressor.ts`): takes uncompressed chunks, answers with compressed
 * ones, and acknowledges each input chunk once its compressor has taken it in (the sender's
 * backpressure). Imports nothing, so every bundler makes it a file of a few hundred bytes.
 */

/** Messages this worker takes. */
export type CompressorRequest = { t: 'start'; format: 'gzip' | 'deflate' } | { t: 'chunk'; chunk: Uint8Array } | { t: 'close' } | { t: 'abort' };

/** Messages this worker sends. */
export type CompressorMessage =
  | { t: 'ready' }
  | { t: 'out'; chunk: Uint8Array }
  | { t: 'ack'; bytes: number }
  | { t: 'done' }
  | { t: 'error'; message: string };

const scope = self as unknown as { postMessage(message: CompressorMessage, transfer?: Transferable[]): void; close(): void; onmessage: ((event: MessageEvent<CompressorRequest>) => void) | null };

let writer: WritableStreamDefaultWriter<Uint8Array> | null = null;

const fail = (error: unknown): void => scope.postMessage({ t: 'error', message: error instanceof Error ? error.message : String(error) });

/** Sends every compressed chunk as it comes, its buffer transferred. */
async function pump(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  try {
    for (;;) {
      const result = await reader.read();
      if (result.done) {
        scope.postMessage({ t: 'done' });
        return;
      }
      const value = result.value;
      const chunk = value.byteOffset === 0 && value.byteLength === value.buffer.byteLength ? value : value.slice();
      scope.postMessage({ t: 'out', chunk }, [chunk.buffer as ArrayBuffer]);
    }
  } catch (error) {
    fail(error);
  }
}

scope.onmessage = (event) => {
  const message = event.data;
  switch (message.t) {
    case 'start': {
      let reader: ReadableStreamDefaultReader<Uint8Array>;
      try {
        const stream = new CompressionStream(message.format) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;
        writer = stream.writable.getWriter();
        reader = stream.readable.getReader();
      } catch (error) {
        fail(error);
        return;
      }
      scope.postMessage({ t: 'ready' });
      void pump(reader);
      return;
    }
    case 'chunk': {
      const bytes = message.chunk.byteLength;
      writer!.write(message.chunk).then(() => scope.postMessage({ t: 'ack', bytes }), fail);
      return;
    }
    case 'close':
      writer!.close().catch(fail);
      return;
    case 'abort':
      writer?.abort().catch(() => undefined);
      scope.close();
      return;
  }
};
