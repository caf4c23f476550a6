/**
 * The worker's view of a page-held source: a reader that pulls chunks from the page through the
 * job's channel.
 */
import { deserializeError, ExportError, isExportError } from '../errors.js';
import type { SourceLoaders } from '../engine-parts.js';
import { concatPacked, unpackRows } from '../schema/packed.js';
import { packedRun, readerSource, type SourceReader } from '../sources/rows.js';
import type { ExportSource, Row } from '../types.js';
import type { PullResult, SourceSpec } from './protocol.js';

/** Fewest pulls the worker keeps waiting on the page at once (each a chunk of about 20,000 cells). */
export const PULLS_IN_FLIGHT = 4;
/** Most pulls in flight, whatever the engine's chunk size: bounds the rows the worker holds ahead. */
export const MAX_PULLS_IN_FLIGHT = 32;
/**
 * Rows asked for ahead of the engine, in engine chunks: while the engine encodes one chunk, the
 * page packs the next two. With fewer (four pulls of ~2,000 rows against an 8,192-row chunk), the
 * page sat idle while the worker encoded, and the worker then waited for the page's round trips:
 * the two threads took turns instead of working at once.
 */
const CHUNKS_AHEAD = 2;

/** Turns a pull failure (comlink could not clone the page's answer) into a readable error. */
function pullError(error: unknown): ExportError {
  if (isExportError(error)) return error as ExportError;
  const message = error instanceof Error ? error.message : String(error);
  if (/unserializable|could not be cloned|DataCloneError/i.test(message)) {
    return new ExportError(
      'source_failed',
      'a source row could not be sent to the export worker: rows must hold only cloneable values (strings, numbers, booleans, null, bigint, Date, plain objects and arrays; no functions, symbols or class instances with private state); pass worker: false to export such rows on the main thread',
      { cause: error },
    );
  }
  return new ExportError('source_failed', `reading the source from the page failed: ${message}`, { cause: error });
}

/**
 * A reader over the page's chunks, a few requested ahead, so the page prepares the next chunks
 * while the worker encodes this one and the worker holds only a few chunks of rows. Rows the page
 * packed by column are built from their columns (never rebuilt as objects); other rows are used
 * as they came; Arrow batches arrive as IPC bytes. One await per chunk, none per row.
 */
async function pulledReader(pull: () => Promise<PullResult>, totalRows: number | undefined, loaders: SourceLoaders): Promise<SourceReader> {
  const request = (): Promise<PullResult> => {
    const pending = pull();
    // The prefetched chunk may be dropped unread when the export stops early; no unhandled rejection.
    pending.catch(() => undefined);
    return pending;
  };
  // Pulls in flight: a pull is a round trip to the page, and one at a time left the worker waiting
  // on the page's message loop between chunks. The page answers them in order.
  const inFlight: Array<Promise<PullResult>> = [];
  let finished = false;
  // How many pulls to keep in flight: enough for CHUNKS_AHEAD of the engine's chunks, from the size
  // of the page's answers (known after the first) and of the engine's requests.
  let depth = PULLS_IN_FLIGHT;
  let engineChunkRows = 0;
  // The largest pull seen: the last one of a source is usually short and must not deepen the queue.
  let pullRows = 0;
  const noteSizes = (pulledRows: number): void => {
    pullRows = Math.max(pullRows, pulledRows);
    if (pullRows <= 0 || engineChunkRows <= 0) return;
    const wanted = Math.ceil((CHUNKS_AHEAD * engineChunkRows) / pullRows);
    depth = Math.min(MAX_PULLS_IN_FLIGHT, Math.max(PULLS_IN_FLIGHT, wanted));
  };

  /** The next chunk of data, or null at the end. */
  async function take(): Promise<Exclude<PullResult, { kind: 'end' | 'error' }> | null> {
    if (finished) return null;
    while (inFlight.length < depth) inFlight.push(request());
    let result: PullResult;
    try {
      result = await inFlight.shift()!;
    } catch (error) {
      finished = true;
      throw pullError(error);
    }
    if (result.kind === 'end') {
      finished = true;
      return null;
    }
    if (result.kind === 'error') {
      finished = true;
      throw deserializeError(result.error);
    }
    return result;
  }
  const close = async (): Promise<void> => {
    finished = true;
    inFlight.length = 0;
  };
  const mixed = (): ExportError => new ExportError('source_failed', 'the source mixed record batches with rows');

  const first = await take();
  if (first !== null && first.kind === 'batch') {
    // IPC decoding loads only when Arrow data comes over: row exports never ship it.
    const { tableFromIpcBytes } = await loaders.loadIpc();
    const firstTable = tableFromIpcBytes(first.ipc);
    let batches = firstTable.batches;
    let index = 0;
    return {
      kind: 'batches',
      totalRows,
      schema: firstTable.schema,
      async next() {
        while (index >= batches.length) {
          const result = await take();
          if (result === null) return null;
          if (result.kind !== 'batch') throw mixed();
          batches = tableFromIpcBytes(result.ipc).batches;
          index = 0;
        }
        return batches[index++]!;
      },
      close,
    };
  }
  type RowChunk = Extract<PullResult, { kind: 'rows' | 'packed' }>;
  const rowChunk = (chunk: Exclude<PullResult, { kind: 'end' | 'error' }> | null): RowChunk | null => {
    if (chunk !== null && chunk.kind === 'batch') throw mixed();
    return chunk;
  };
  let current = rowChunk(first);
  let offset = 0;
  const sizeOf = (chunk: RowChunk): number => (chunk.kind === 'packed' ? chunk.packed.count : chunk.rows.length);
  /** The next piece of at most `max` rows of the current chunk, pulling the next chunk when it is used up. */
  const piece = async (max: number): Promise<{ chunk: RowChunk; start: number; end: number } | null> => {
    while (current === null || offset >= sizeOf(current)) {
      current = rowChunk(await take());
      offset = 0;
      if (current === null) return null;
      noteSizes(sizeOf(current));
    }
    const start = offset;
    offset = Math.min(sizeOf(current), start + max);
    return { chunk: current, start, end: offset };
  };
  return {
    kind: 'rows',
    totalRows,
    // Runs are made up to `max` rows from as many pulled chunks as it takes, as an iterable source's
    // would be: batch boundaries, and so the types inferred from a first batch, do not depend on how
    // the page cut its chunks.
    async next(max) {
      engineChunkRows = Math.max(engineChunkRows, max);
      const pieces: Array<{ chunk: RowChunk; start: number; end: number }> = [];
      let rows = 0;
      while (rows < max) {
        const next = await piece(max - rows);
        if (next === null) break;
        pieces.push(next);
        rows += next.end - next.start;
      }
      if (pieces.length === 0) return null;
      const only = pieces[0]!;
      if (pieces.length === 1) return only.chunk.kind === 'packed' ? packedRun(only.chunk.packed, only.start, only.end) : { rows: only.chunk.rows, start: only.start, end: only.end };
      const keys = only.chunk.kind === 'packed' ? only.chunk.packed.keys.join('\u0000') : null;
      if (keys !== null && pieces.every((p) => p.chunk.kind === 'packed' && p.chunk.packed.keys.join('\u0000') === keys)) {
        const merged = concatPacked(pieces.map((p) => ({ packed: (p.chunk as Extract<RowChunk, { kind: 'packed' }>).packed, start: p.start, end: p.end })));
        return packedRun(merged, 0, merged.count);
      }
      // Chunks of different shapes: one run of row objects.
      const objects: Row[] = [];
      for (const p of pieces) {
        const part = p.chunk.kind === 'packed' ? unpackRows(p.chunk.packed, p.start, p.end) : p.chunk.rows.slice(p.start, p.end);
        for (const row of part) objects.push(row);
      }
      return { rows: objects, start: 0, end: objects.length };
    },
    close,
  };
}

/** The source the engine reads in the worker; Arrow batches from the page are decoded with `loaders`' IPC reader. */
export function workerSource(spec: SourceSpec, pull: () => Promise<PullResult>, loaders: SourceLoaders): ExportSource {
  switch (spec.kind) {
    case 'bytes':
      return spec.bytes;
    case 'remote':
      return spec.descriptor;
    case 'pull':
      return readerSource(() => pulledReader(pull, spec.totalRows, loaders));
  }
}
