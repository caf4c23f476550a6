/**
 * The `WritableStream` target: bytes are written to the app's stream, one awaited write at a time.
 */
import { toExportError } from '../errors.js';
import type { ByteSink, SinkOutcome } from './types.js';

/** A sink over `stream`. Closing closes the stream; a failure aborts it with the error. */
export function createWritableSink(stream: WritableStream<Uint8Array>): ByteSink {
  let writer: WritableStreamDefaultWriter<Uint8Array>;
  try {
    writer = stream.getWriter();
  } catch (error) {
    throw toExportError(error, 'sink_failed', 'getting a writer for the target WritableStream (is it locked?)');
  }
  return {
    async write(chunk) {
      try {
        await writer.ready;
        await writer.write(chunk);
      } catch (error) {
        throw toExportError(error, 'sink_failed', 'writing to the target WritableStream');
      }
    },
    async close(): Promise<SinkOutcome> {
      try {
        await writer.close();
      } catch (error) {
        throw toExportError(error, 'sink_failed', 'closing the target WritableStream');
      }
      return {};
    },
    async abort(reason) {
      await writer.abort(reason).catch(() => undefined);
    },
  };
}
