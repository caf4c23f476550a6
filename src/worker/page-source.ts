/**
 * The page side of a source read by the worker: answers the worker's pulls with small chunks, so
 * no main-thread task is long. Plain rows of one shape are packed by column with their buffers
 * transferred (see `pack.ts`); other rows are structured-cloned (≈ 1 µs per 10-field row). A chunk
 * holds about 20,000 cells: a few ms of main-thread work even on a busy machine. Arrow batches go
 * as IPC bytes whose buffer is transferred.
 */
import { isRecordBatchLike, isRemoteDescriptor, isTableLike } from '../sources/classify.js';
import type { RecordBatch, Table } from 'apache-arrow';
import { ExportError, printValue, serializeError, toExportError } from '../errors.js';
import { lockedStreamError } from '../sources/row-shape.js';
import type { ExportSource, RemoteSourceDescriptor, Row } from '../types.js';
import { packedTransferables, packRows } from './pack.js';
import type { PullResult, SourceSpec } from './protocol.js';

/**
 * Cells (rows × fields) per pulled chunk of rows: packing them is a page task of 2–3 ms, and the
 * few pulls the worker keeps waiting stay well inside a frame together.
 *
 * Larger pulls cost the worker less (in Node, the worker's side alone for 1M ten-field rows:
 * 2,000-row pulls 2.0 s, 8,192-row pulls 1.2–1.5 s: the worker joins pulls into engine chunks,
 * and the copies and garbage of the joining cost that much), but cost the page its frames: in
 * Chromium, 8,192-row pulls brought the 1M-row CSV export from 3.6–3.8 s to 3.2 s but the page's
 * largest frame gap from 17 ms to 33–67 ms, with long animation frames; 4,096-row pulls gained
 * nothing measurable. Frames win.
 */
export const PULL_CELLS = 20_000;
/** Fewest and most rows per pulled chunk (the most is the engine's default chunk size). */
export const PULL_MIN_ROWS = 64;
export const PULL_MAX_ROWS = 8_192;
/** Most rows of an Arrow batch sent in one piece; larger batches are sliced (zero-copy) first. */
export const PULL_BATCH_ROWS = 32_768;
/** An async source returns what it has after this long, so a slow source still streams. */
const PULL_WAIT_MS = 50;

/** A page-held source, ready for the worker to pull from. */
export interface PageSource {
  /** What the worker is told. */
  spec: SourceSpec;
  /** The next chunk; errors come back as data, never as a rejection. */
  pull(): Promise<PullResult>;
  /** Stops reading and releases the source (an iterator's `return()`, a stream's `cancel()`). */
  close(): Promise<void>;
}

/** Rows per pulled chunk for rows with `width` fields. */
export function rowsPerPull(width: number): number {
  const rows = Math.floor(PULL_CELLS / Math.max(1, width));
  return Math.min(PULL_MAX_ROWS, Math.max(PULL_MIN_ROWS, rows));
}

function rowWidth(row: unknown): number {
  if (Array.isArray(row)) return row.length;
  if (typeof row === 'object' && row !== null) {
    let count = 0;
    for (const key in row) if (Object.hasOwn(row, key)) count++;
    return count;
  }
  return 1;
}

const end: PullResult = { kind: 'end' };

/** A chunk of rows, packed by column when they allow it. */
function rowsResult(rows: unknown[]): PullResult {
  const packed = packRows(rows);
  return packed === null ? { kind: 'rows', rows: rows as Row[] } : { kind: 'packed', packed };
}

/** The buffers to transfer with a pull answer (they are the answer's own, never the app's). */
export function pullTransferables(result: PullResult): ArrayBuffer[] {
  if (result.kind === 'batch') return [result.ipc.buffer as ArrayBuffer];
  if (result.kind === 'packed') return packedTransferables(result.packed);
  return [];
}

function failed(error: unknown): PullResult {
  return { kind: 'error', error: serializeError(toExportError(error, 'source_failed')) };
}

/**
 * Wraps a pull function so a thrown error becomes a `'source_failed'` answer, a finished source
 * answers `end`, and a source closed early (a cancel) answers `aborted`: the worker must never
 * take a cancel for the end of the data, or it could finish and keep a partial file.
 */
function guarded(next: () => PullResult | Promise<PullResult>, release: () => void | Promise<void>): Pick<PageSource, 'pull' | 'close'> {
  let closed = false;
  let cancelled = false;
  // The worker keeps several pulls in flight; each starts when the one before has answered, so
  // chunks leave in order even from an async source.
  let previous: Promise<unknown> = Promise.resolve();
  const pullInOrder = async (): Promise<PullResult> => {
    if (cancelled) return { kind: 'error', error: serializeError(new ExportError('aborted', 'the export was cancelled')) };
    if (closed) return end;
    try {
      const result = await next();
      if (result.kind === 'end' || result.kind === 'error') {
        closed = true;
        await release();
      }
      return result;
    } catch (error) {
      closed = true;
      try {
        await release();
      } catch {
        // The source's own error is the one to report.
      }
      return failed(error);
    }
  };
  return {
    pull: () => (previous = previous.then(pullInOrder)) as Promise<PullResult>,
    async close() {
      if (closed) return;
      closed = true;
      cancelled = true;
      await release();
    },
  };
}

/** Lazily loaded apache-arrow, for serializing batches: apps that export only rows never load it. */
let arrow: Promise<typeof import('apache-arrow')> | undefined;
const loadArrow = (): Promise<typeof import('apache-arrow')> => (arrow ??= import('apache-arrow'));

/** Yields pieces of at most {@link PULL_BATCH_ROWS} rows (zero-copy slices). */
function* pieces(batch: RecordBatch): Generator<RecordBatch> {
  if (batch.numRows <= PULL_BATCH_ROWS) {
    if (batch.numRows > 0) yield batch;
    return;
  }
  for (let start = 0; start < batch.numRows; start += PULL_BATCH_ROWS) yield batch.slice(start, Math.min(batch.numRows, start + PULL_BATCH_ROWS));
}

async function batchResult(batch: RecordBatch): Promise<PullResult> {
  const { Table: ArrowTable, tableToIPC } = await loadArrow();
  const ipc = tableToIPC(new ArrowTable([batch]), 'stream');
  return { kind: 'batch', ipc };
}

/** Answers one pull with the IPC bytes of a table of no rows (its schema), then the end. */
function schemaOnly(table: Table): () => Promise<PullResult> {
  let sent = false;
  return async () => {
    if (sent) return end;
    sent = true;
    const { tableToIPC } = await loadArrow();
    return { kind: 'batch', ipc: tableToIPC(table, 'stream') };
  };
}

/** Pulls from an iterator of record batches (the first one already read). */
function batchIterator(first: RecordBatch | undefined, nextItem: () => Promise<IteratorResult<unknown>>): () => Promise<PullResult> {
  let current: Iterator<RecordBatch> | null = first === undefined ? null : pieces(first);
  return async () => {
    for (;;) {
      if (current !== null) {
        const piece = current.next();
        if (!piece.done) return batchResult(piece.value);
        current = null;
      }
      const item = await nextItem();
      if (item.done) return end;
      if (!isRecordBatchLike(item.value)) throw new ExportError('source_failed', `the source mixed record batches with ${printValue(item.value)}`);
      current = pieces(item.value);
    }
  };
}

/**
 * Reads from an iterator of rows (the first one already read) in chunks; an async iterator
 * answers early with what it has after {@link PULL_WAIT_MS}.
 */
function rowIterator(first: unknown, nextItem: () => IteratorResult<unknown> | Promise<IteratorResult<unknown>>, isAsync: boolean): () => Promise<PullResult> {
  const size = rowsPerPull(rowWidth(first));
  let carry: unknown[] | null = [first];
  let done = false;
  // An item asked for but not yet arrived when a chunk was sent; the next pull takes it.
  let waiting: Promise<IteratorResult<unknown>> | null = null;
  const timeUp = Symbol('time up');
  return async () => {
    if (done && carry === null) return end;
    const rows: unknown[] = carry ?? [];
    carry = null;
    // One timer per pull, not per row: racing against it costs a microtask.
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = isAsync ? new Promise<typeof timeUp>((resolve) => (timer = setTimeout(() => resolve(timeUp), PULL_WAIT_MS))) : null;
    try {
      while (!done && rows.length < size) {
        let item: IteratorResult<unknown>;
        if (timeout !== null) {
          waiting ??= Promise.resolve(nextItem());
          const raced = rows.length === 0 ? await waiting : await Promise.race([waiting, timeout]);
          if (raced === timeUp) break;
          waiting = null;
          item = raced;
        } else {
          item = nextItem() as IteratorResult<unknown>;
        }
        if (item.done) {
          done = true;
          break;
        }
        if (isRecordBatchLike(item.value)) throw new ExportError('source_failed', 'the source mixed rows with record batches');
        rows.push(item.value);
      }
    } finally {
      clearTimeout(timer);
    }
    return rows.length === 0 ? end : rowsResult(rows);
  };
}

/** Sniffs the first item of an iterator, then pulls rows or batches from it. */
function iteratorSource(iterator: Iterator<unknown> | AsyncIterator<unknown>, isAsync: boolean, totalRows: number | undefined, release: () => void | Promise<void>): PageSource {
  let pull: (() => Promise<PullResult>) | null = null;
  const nextItem = (): IteratorResult<unknown> | Promise<IteratorResult<unknown>> => iterator.next();
  const spec: SourceSpec = totalRows === undefined ? { kind: 'pull' } : { kind: 'pull', totalRows };
  const guard = guarded(async () => {
    if (pull === null) {
      const first = await nextItem();
      if (first.done) return end;
      pull = isRecordBatchLike(first.value) ? batchIterator(first.value, async () => nextItem()) : rowIterator(first.value, nextItem, isAsync);
    }
    return pull();
  }, release);
  return { spec, ...guard };
}

/** Calls a source's iterator method: one that throws is the source's failure. */
function openIterator<T>(open: () => T): T {
  try {
    return open();
  } catch (error) {
    throw toExportError(error, 'source_failed', 'opening the source');
  }
}

/**
 * Prepares `source` for the worker. Rows and batches held by the page are pulled; IPC bytes are
 * copied across; IndexedDB and URL sources are read by the worker itself.
 *
 * A `ReadableStream` of rows is read here and batched, not transferred: a transferred stream posts
 * one message per chunk, and a chunk is one row, which costs far more than a batched pull.
 */
export function createPageSource(source: ExportSource): PageSource {
  if (typeof source !== 'object' || source === null) {
    throw new ExportError('invalid_options', `source must be an array, iterable, stream, Arrow table or source description, got ${printValue(source)}`, {
      details: { path: 'source', value: printValue(source) },
    });
  }
  if (source instanceof Uint8Array) return { spec: { kind: 'bytes', bytes: source }, pull: async () => end, close: async () => undefined };
  if (source instanceof ArrayBuffer) return { spec: { kind: 'bytes', bytes: new Uint8Array(source) }, pull: async () => end, close: async () => undefined };
  if (isTableLike(source)) {
    // A table of no rows still sends its schema (an IPC stream with no batches).
    if (source.numRows === 0) return { spec: { kind: 'pull', totalRows: 0 }, ...guarded(schemaOnly(source), () => undefined) };
    const batches = source.batches.values();
    return { spec: { kind: 'pull', totalRows: source.numRows }, ...guarded(batchIterator(undefined, async () => batches.next()), () => undefined) };
  }
  if (isRecordBatchLike(source)) {
    return { spec: { kind: 'pull', totalRows: source.numRows }, ...guarded(batchIterator(source, async () => ({ done: true, value: undefined })), () => undefined) };
  }
  if (Array.isArray(source)) {
    const rows = source as readonly unknown[];
    if (rows.length > 0 && isRecordBatchLike(rows[0])) {
      const total = rows.reduce<number>((sum, batch) => sum + (isRecordBatchLike(batch) ? batch.numRows : 0), 0);
      const it = rows.values();
      return { spec: { kind: 'pull', totalRows: total }, ...guarded(batchIterator(undefined, async () => it.next()), () => undefined) };
    }
    const size = rowsPerPull(rows.length > 0 ? rowWidth(rows[0]) : 1);
    let position = 0;
    return {
      spec: { kind: 'pull', totalRows: rows.length },
      ...guarded(
        () => {
          if (position >= rows.length) return end;
          const chunk = rows.slice(position, position + size);
          position += chunk.length;
          return rowsResult(chunk);
        },
        () => {
          position = rows.length;
        },
      ),
    };
  }
  if (typeof (source as { getReader?: unknown }).getReader === 'function') {
    let reader: ReadableStreamDefaultReader<unknown>;
    try {
      reader = (source as ReadableStream<unknown>).getReader();
    } catch (error) {
      throw lockedStreamError(error);
    }
    let finished = false;
    const iterator: AsyncIterator<unknown> = {
      async next() {
        const result = await reader.read();
        if (result.done) finished = true;
        return result.done ? { done: true, value: undefined } : { done: false, value: result.value };
      },
    };
    return iteratorSource(iterator, true, undefined, async () => {
      if (!finished) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    });
  }
  const asyncIterator = (source as { [Symbol.asyncIterator]?: () => AsyncIterator<unknown> })[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') {
    const iterator = openIterator(() => asyncIterator.call(source));
    let finished = false;
    const wrapped: AsyncIterator<unknown> = {
      async next() {
        const result = await iterator.next();
        if (result.done) finished = true;
        return result;
      },
    };
    return iteratorSource(wrapped, true, undefined, async () => {
      if (!finished) await iterator.return?.();
    });
  }
  const syncIterator = (source as { [Symbol.iterator]?: () => Iterator<unknown> })[Symbol.iterator];
  if (typeof syncIterator === 'function') {
    const iterator = openIterator(() => syncIterator.call(source));
    let finished = false;
    const wrapped: Iterator<unknown> = {
      next() {
        const result = iterator.next();
        if (result.done) finished = true;
        return result;
      },
    };
    const size = (source as { size?: unknown }).size;
    return iteratorSource(wrapped, false, typeof size === 'number' ? size : undefined, () => {
      if (!finished) iterator.return?.();
    });
  }
  if (isRemoteDescriptor(source)) return { spec: { kind: 'remote', descriptor: source as RemoteSourceDescriptor }, pull: async () => end, close: async () => undefined };
  throw new ExportError('invalid_options', `source must be an array, iterable, stream, Arrow table or source description, got ${printValue(source)}`, {
    details: { path: 'source', value: printValue(source) },
  });
}
