/**
 * A `FileSystemFileHandle` target (picked with the save picker, or held by the app).
 *
 * `createWritable()` writes to a swap file: nothing reaches the file before `close()`, and
 * `abort()` discards the swap file, so a failed or cancelled export leaves the file as it was.
 * Works on the main thread and in a dedicated worker (the handle is posted there).
 */
import { toExportError } from '../errors.js';
import { Coalescer } from './coalesce.js';
import type { ByteSink, SinkOutcome } from './types.js';

/** Opens `handle` for writing (truncating on commit) and returns a sink over it. */
export async function createHandleSink(handle: FileSystemFileHandle, what = `the file "${handle.name}"`): Promise<ByteSink> {
  if (typeof handle.createWritable !== 'function') {
    throw toExportError(new Error('createWritable() is not supported here'), 'unsupported_environment', `opening ${what} for writing`);
  }
  let writable: FileSystemWritableFileStream;
  try {
    writable = await handle.createWritable({ keepExistingData: false });
  } catch (error) {
    throw toExportError(error, 'sink_failed', `opening ${what} for writing`);
  }
  const coalescer = new Coalescer();
  const flush = async (bytes: Uint8Array | null): Promise<void> => {
    if (bytes === null) return;
    try {
      await writable.write(bytes as Uint8Array<ArrayBuffer>);
    } catch (error) {
      throw toExportError(error, 'sink_failed', `writing ${what}`);
    }
  };
  return {
    write: (chunk) => flush(coalescer.push(chunk)),
    async close(): Promise<SinkOutcome> {
      await flush(coalescer.take());
      try {
        await writable.close();
      } catch (error) {
        throw toExportError(error, 'sink_failed', `saving ${what}`);
      }
      return {};
    },
    async abort(reason) {
      coalescer.take();
      await writable.abort(reason).catch(() => undefined);
    },
  };
}
