/**
 * The `WritableStream` target: bytes go to the app's stream as its backpressure allows, each write
 * overlapping the encoding of the next chunk (see overlapped.ts).
 */
import { toExportError } from '../errors.js';
import { overlappedWriter } from './overlapped.js';
import type { ByteSink, SinkOutcome } from './types.js';

/** A sink over `stream`. Closing closes the stream; a failure aborts it with the error. */
export function createWritableSink(stream: WritableStream<Uint8Array>): ByteSink {
  let writer: WritableStreamDefaultWriter<Uint8Array>;
  try {
    writer = stream.getWriter();
  } catch (error) {
    throw toExportError(error, 'sink_failed', 'getting a writer for the target WritableStream (is it locked?)');
  }
  const out = overlappedWriter(writer, { writing: 'writing to the target WritableStream', closing: 'closing the target WritableStream' });
  return {
    write: (chunk) => out.write(chunk),
    async close(): Promise<SinkOutcome> {
      await out.close();
      return {};
    },
    abort: (reason) => out.abort(reason),
  };
}
