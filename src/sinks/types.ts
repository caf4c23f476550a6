/**
 * Where encoded bytes go. Only this folder knows about file APIs; the pump in `worker/run.ts`
 * drives every sink the same way and awaits each write, which is the backpressure. A sink's write
 * may resolve once the bytes are queued rather than written (see overlapped.ts), so the next chunk
 * is encoded while the file is written.
 */

/** What a finished sink leaves for the main thread. */
export interface SinkOutcome {
  /** The file as a Blob (`'blob'` target, and the in-memory download fallback). */
  blob?: Blob;
  /** Name of the spooled file in the OPFS spool directory, for the main thread to download. */
  spoolName?: string;
}

/**
 * A destination for bytes. `write` may return a promise: the caller awaits it before the next
 * write, and a sink may resolve it once the bytes are queued rather than written (see
 * overlapped.ts), reporting a failed write at the next write or at `close`. After a failure
 * `abort` must leave nothing behind (no partial or temporary file).
 */
export interface ByteSink {
  write(chunk: Uint8Array): void | Promise<void>;
  /** Commits the bytes (closes the file, builds the Blob). */
  close(): Promise<SinkOutcome>;
  /** Discards what was written; never rejects. */
  abort(reason: unknown): Promise<void>;
}

/**
 * A serializable description of a sink, made on the main thread and turned into a {@link ByteSink}
 * where the export runs (the worker, or the main thread with `worker: false`).
 */
export type SinkSpec =
  /** A file handle (picked, or held by the app): written through `createWritable()`'s swap file. */
  | { kind: 'handle'; handle: FileSystemFileHandle }
  /** A `WritableStream` (the app's, possibly transferred to the worker). */
  | { kind: 'writable'; stream: WritableStream<Uint8Array> }
  /** A Blob built in memory. */
  | { kind: 'memory'; mimeType: string }
  /**
   * A file kept in the origin private file system under `fileName`. `spoolName` names the
   * temporary file of browsers without `createWritable()` (written, then moved into place); the
   * page chooses it when it sends the job to a worker, as for `'spool'`.
   */
  | { kind: 'opfs'; fileName: string; spoolName?: string }
  /**
   * A temporary OPFS file that the main thread downloads, then removes. `spoolName` is chosen by
   * the page when it sends the job to a worker, so the page can remove the file if the worker dies.
   */
  | { kind: 'spool'; fileName: string; mimeType: string; spoolName?: string };

/** The kinds of {@link SinkSpec}. */
export type SinkKind = SinkSpec['kind'];
