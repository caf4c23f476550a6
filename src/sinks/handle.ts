/**
 * A `FileSystemFileHandle` target (picked with the save picker, or held by the app).
 *
 * `createWritable()` writes to a swap file: nothing reaches the file before `close()`, and
 * `abort()` discards the swap file, so a failed or cancelled export leaves the file as it was.
 * Works on the main thread and in a dedicated worker (the handle is posted there). Writes overlap
 * the encoding of the next chunk (see overlapped.ts).
 */
import { toExportError } from '../errors.js';
import { Coalescer } from './coalesce.js';
import { overlappedWriter } from './overlapped.js';
import type { ByteSink, SinkOutcome } from './types.js';

/**
 * Bytes per write. Each write is a trip to the storage process that copies the bytes twice; with
 * writes overlapping the encoding, Chromium wrote 1M rows (153 MB) of CSV from its worker in
 * 2.42–2.57 s with 4 MiB writes against 2.79–2.85 s with 1 MiB ones (the worker waited on writes
 * 0.4 s against 0.7 s). On the page's own thread (`worker: false`) a write's copy is part of a
 * main-thread task, so writes stay at 1 MiB there: 4 MiB ones made long animation frames of 50–80 ms.
 */
const HANDLE_WRITE_SIZE = typeof document === 'undefined' ? 4 << 20 : 1 << 20;

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
  const coalescer = new Coalescer(HANDLE_WRITE_SIZE);
  const out = overlappedWriter(writable.getWriter(), { writing: `writing ${what}`, closing: `saving ${what}` });
  const flush = (bytes: Uint8Array | null): Promise<void> | undefined => (bytes === null ? undefined : out.write(bytes));
  return {
    write: (chunk) => flush(coalescer.push(chunk)),
    async close(): Promise<SinkOutcome> {
      await flush(coalescer.take());
      await out.close();
      return {};
    },
    async abort(reason) {
      coalescer.take();
      await out.abort(reason);
    },
  };
}
