/**
 * Assembles one export: the run, compression when asked for, and the meter that counts (and
 * limits, and hashes) every byte that leaves the engine.
 */
import type { EngineParts } from '../engine-parts.js';
import type { Sha256Hasher } from '../integrity.js';
import { classifySource } from '../sources/classify.js';
import type { ExportResult, ExportSource, StreamOptions } from '../types.js';
import { compressOnDemand } from './compress.js';
import { ExportRun } from './run.js';

/** A started export: its bytes, and its result once the last byte has been read. */
export interface ExportHandle {
  /** The file's bytes; nothing is read from the source before this stream is read. */
  readonly stream: ReadableStream<Uint8Array>;
  /**
   * Settles when the stream completes: the result (as `onComplete` receives it), or the
   * ExportError the stream failed with, `'aborted'` when it was cancelled. Never settles while
   * the stream is left unread.
   */
  readonly result: Promise<ExportResult>;
}

/**
 * Starts an export of `source` with the given engine parts (see `engine-parts.ts`). Invalid
 * options throw an ExportError at once; failures while exporting error the stream and reject
 * the result.
 */
export function createExport(parts: EngineParts, source: ExportSource, options: StreamOptions): ExportHandle {
  parts.checkOptions(options);
  classifySource(source);
  const format = parts.getFormat(options.format);
  const run = new ExportRun(source, options, format, parts);
  const core = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => run.pull(controller),
      cancel: (reason) => run.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  const compression = options.compression ?? 'none';
  const body = compression === 'none' ? core : compressOnDemand(core, parts.createCompressor?.(compression) ?? (new CompressionStream(compression) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>));
  const stream = meterStream(body, run, options.checksum === true || options.checksum === 'sha256' ? parts : null);
  return { stream, result: run.result };
}

/** Counts the bytes that leave the engine (after compression) and completes the run at the end. */
function meterStream(body: ReadableStream<Uint8Array>, run: ExportRun, checksum: EngineParts | null): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // Loaded only when asked for, so the hash code stays out of bundles that never checksum.
  const hasher: Promise<Sha256Hasher> | null = checksum === null ? null : checksum.loadIntegrity().then((module) => module.createSha256());
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            if (run.failed) return;
            run.complete(hasher === null ? undefined : (await hasher).hex());
            controller.close();
            return;
          }
          // Every byte of the file counts, footers and closing brackets included, after compression.
          run.checkBytes(value.byteLength);
          run.countBytes(value.byteLength);
          if (hasher !== null) (await hasher).update(value);
          controller.enqueue(value);
        } catch (error) {
          const failure = run.fail(error);
          controller.error(failure);
        }
      },
      async cancel(reason) {
        run.markCancelled(reason);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
