/**
 * The engine: source → record batches → filter → encoder → (compression) → bytes, pulled by the
 * consumer of the returned stream. Environment-neutral: the same code runs in the worker, on the
 * main thread and in Node.
 *
 * One pull-driven loop instead of a chain of TransformStreams: each stage is a plain call, so there
 * are no internal queues and nothing is read from the source before the consumer asks for bytes.
 * The parts live under `engine/`: the run (`run.ts`), column planning (`columns.ts`), the staged
 * filter (`filter-stages.ts`), the byte limit (`byte-budget.ts`) and compression (`compress.ts`),
 * assembled by `create.ts`.
 */
import { FULL_PARTS } from './engine-parts.js';
import type { ExportSource, StreamOptions } from './types.js';
import { createExport } from './engine/create.js';

export { DEFAULT_CHUNK_SIZE } from './options/rules.js';
export { SCHEMA_LOOKAHEAD_ROWS } from './engine/columns.js';
export { createExport, type ExportHandle } from './engine/create.js';

/**
 * Exports `source` as a stream of file bytes. Nothing is read until the stream is read, and the
 * source is never more than about two chunks ahead of the reader.
 *
 * Invalid options throw an {@link ExportError} at once; failures while exporting error the stream.
 *
 * @example
 * const stream = exportStream(rows, { format: 'csv' });
 * await stream.pipeTo(writable);
 */
export function exportStream(source: ExportSource, options: StreamOptions): ReadableStream<Uint8Array> {
  return createExport(FULL_PARTS, source, options).stream;
}
