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
 * the bytes are compressed on this thread as before, with the same output. The worker's side
 * (`compressor-remote.ts`) loads only when an export compresses.
 */

/** The formats `compression` takes. */
export type CompressionFormat = 'gzip' | 'deflate';

/** One compressor, on whichever thread it runs. */
export interface Backend {
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

/** True where a compressing worker can be made at all. */
function canUseWorker(): boolean {
  return typeof Worker === 'function';
}

/** How {@link createCompressor} treats the chunks written to it. */
export interface CompressorOptions {
  /**
   * True (the default) when the writer never touches a chunk again once written, so a chunk that
   * views its whole buffer can be transferred to the compressing worker instead of copied.
   */
  giveAway?: boolean;
}

/**
 * A compressor with `CompressionStream`'s shape (write uncompressed bytes, read compressed ones)
 * that compresses on a worker of its own where it can, else on this thread.
 */
export function createCompressor(format: CompressionFormat, options: CompressorOptions = {}): ReadableWritablePair<Uint8Array, Uint8Array> & { where(): Promise<'worker' | 'here'> } {
  const giveAway = options.giveAway ?? true;
  // The worker side loads only for an export that compresses; if it cannot load (offline without
  // `preload`), or its worker cannot start, the bytes are compressed here.
  const backend: Promise<Backend> = canUseWorker()
    ? import('./compressor-remote.js').then((remote) => remote.remoteBackend(format, giveAway)).catch(() => localBackend(format))
    : Promise.resolve(localBackend(format));
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
