/**
 * Source readers: everything the engine can export, read one chunk at a time.
 *
 * Readers are pull-based: nothing is read before the engine asks for the next chunk, which it does
 * only when the consumer of the output asks for more bytes.
 */
import { RecordBatch, Table, type Schema } from 'apache-arrow';
import { isTableLike, OPEN_READER } from './classify.js';
import { ExportError, printValue } from '../errors.js';
import type { ExportIssue, ExportSource, Row } from '../types.js';
import { unpackRows, type PackedRows } from '../schema/packed.js';
import type { SourceLoaders } from '../engine-parts.js';
import { lockedStreamError } from './row-shape.js';

/** A run of rows: `rows[start..end)`; the array may be the caller's own (never modified). */
export interface RowRun {
  rows: ArrayLike<Row>;
  start: number;
  end: number;
  /**
   * The same rows column by column (rows pulled from the page): the engine builds from these, and
   * `rows` is only made when something needs the objects.
   */
  packed?: PackedRows;
}

/** Reads row objects (or arrays) in chunks. */
export interface RowReader {
  readonly kind: 'rows';
  /** Total rows, when known before reading (arrays). */
  readonly totalRows: number | undefined;
  /** The next chunk of up to `max` rows, or null at the end. */
  next(max: number): RowRun | null | Promise<RowRun | null>;
  /** Stops reading early and releases the source (calls the iterator's `return()`). */
  close(): Promise<void>;
  /** For in-memory arrays: the rest of the rows, so inference can look at all of them cheaply. */
  readonly array?: ArrayLike<Row>;
}

/** Reads Arrow record batches. */
export interface BatchReader {
  readonly kind: 'batches';
  readonly totalRows: number | undefined;
  /** The data's schema when known before the first batch (tables, IPC bytes): an export of no rows still writes its fields. */
  readonly schema?: Schema;
  next(): RecordBatch | null | Promise<RecordBatch | null>;
  close(): Promise<void>;
}

export type SourceReader = RowReader | BatchReader;

const KNOWN_TOTAL = Symbol.for('sluice.knownTotal');

/**
 * Marks an iterable or async iterable with the number of rows it will yield, so progress has a
 * fraction and an ETA (used for rows pulled across a worker boundary).
 */
export function withKnownTotal<T extends object>(iterable: T, totalRows: number): T {
  Object.defineProperty(iterable, KNOWN_TOTAL, { value: totalRows, enumerable: false });
  return iterable;
}

function knownTotal(source: object): number | undefined {
  const total = (source as { [KNOWN_TOTAL]?: unknown })[KNOWN_TOTAL];
  return typeof total === 'number' ? total : undefined;
}

/** True for a description of a source read inside the worker (`fromIndexedDB`, `fromURL`). */
export function isRemoteSource(source: unknown): source is { kind: string } {
  return (
    typeof source === 'object' &&
    source !== null &&
    !Array.isArray(source) &&
    typeof (source as { kind?: unknown }).kind === 'string' &&
    (source as { [Symbol.iterator]?: unknown })[Symbol.iterator] === undefined &&
    (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === undefined &&
    !(source instanceof ReadableStream)
  );
}

/** What a source reader may need from the export running it. */
export interface SourceContext {
  /** Records a per-row problem (malformed input lines). */
  report(issue: ExportIssue): void;
  /** Aborts reading (fetches, database cursors). */
  signal?: AbortSignal | undefined;
  /** Rows per chunk the engine asks for. */
  chunkSize: number;
}


/**
 * A source that hands the engine its reader itself (rows pulled from the page arrive packed by
 * column, which no iterable of rows can express).
 */
export function readerSource(open: () => Promise<SourceReader>): ExportSource {
  return { [OPEN_READER]: open } as unknown as ExportSource;
}

/** A run over rows `[start, end)` of a packed chunk; its row objects are made only if asked for. */
export function packedRun(packed: PackedRows, start: number, end: number): RowRun {
  let rows: Row[] | null = null;
  return {
    packed,
    start,
    end,
    get rows() {
      return (rows ??= unpackRows(packed));
    },
  };
}

/** Opens a reader for any supported source; IPC, IndexedDB and URL readers come from `loaders`. */
export async function openSource(source: ExportSource, context: SourceContext, loaders: SourceLoaders): Promise<SourceReader> {
  if (source === null || source === undefined || typeof source !== 'object') {
    throw new ExportError('invalid_options', `source must be an array, iterable, stream or Arrow table, got ${printValue(source)}`, {
      details: { path: 'source', value: printValue(source) },
    });
  }
  const open = (source as { [OPEN_READER]?: () => Promise<SourceReader> })[OPEN_READER];
  if (typeof open === 'function') return open();
  if (source instanceof Table || isTableLike(source)) return tableReader(source as Table);
  if (source instanceof RecordBatch) return tableReader(new Table([source]));
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return ipcReader(source, loaders);
  if (Array.isArray(source)) {
    if (source.length > 0 && isRecordBatch(source[0])) return tableReader(new Table(source as RecordBatch[]));
    return arrayReader(source as readonly Row[], knownTotal(source) ?? source.length);
  }
  if (typeof ReadableStream !== 'undefined' && source instanceof ReadableStream) {
    return peekedReader(streamIterator(source as ReadableStream<unknown>), undefined, true);
  }
  const asyncIterator = (source as AsyncIterable<unknown>)[Symbol.asyncIterator];
  if (typeof asyncIterator === 'function') {
    return peekedReader(asyncIterator.call(source), knownTotal(source), true);
  }
  const iterator = (source as Iterable<unknown>)[Symbol.iterator];
  if (typeof iterator === 'function') {
    return peekedReader(iterator.call(source) as Iterator<unknown>, knownTotal(source), false);
  }
  if (isRemoteSource(source)) {
    // Loaded only when used: IndexedDB and URL readers (and their parsers) stay out of other bundles.
    const { openRemoteSource } = await loaders.loadRemote();
    return openRemoteSource(source, context);
  }
  throw new ExportError('invalid_options', `source must be an array, iterable, stream or Arrow table, got ${printValue(source)}`, {
    details: { path: 'source', value: printValue(source) },
  });
}

/** `instanceof RecordBatch` that survives a hostile row (a revoked Proxy throws on the prototype check). */
function isRecordBatch(value: unknown): value is RecordBatch {
  try {
    return value instanceof RecordBatch;
  } catch {
    return false;
  }
}

function arrayReader(rows: readonly Row[], totalRows: number): RowReader {
  let position = 0;
  return {
    kind: 'rows',
    totalRows,
    array: rows,
    next(max) {
      if (position >= rows.length) return null;
      const start = position;
      position = Math.min(rows.length, position + max);
      return { rows, start, end: position };
    },
    async close() {
      position = rows.length;
    },
  };
}

function tableReader(table: Table): BatchReader {
  const batches = table.batches.slice();
  let index = 0;
  return {
    kind: 'batches',
    totalRows: table.numRows,
    schema: table.schema,
    next() {
      while (index < batches.length) {
        const batch = batches[index++]!;
        if (batch.numRows > 0) return batch;
      }
      return null;
    },
    async close() {
      index = batches.length;
    },
  };
}

async function ipcReader(bytes: Uint8Array | ArrayBuffer, loaders: SourceLoaders): Promise<BatchReader> {
  if (bytes.byteLength === 0) {
    throw new ExportError('source_failed', 'the source is an empty byte array (0 bytes): Arrow IPC data holds at least a schema', { details: { path: 'source' } });
  }
  const { tableFromIpcBytes } = await loaders.loadIpc();
  return tableReader(tableFromIpcBytes(bytes instanceof ArrayBuffer ? new Uint8Array(bytes) : bytes));
}

type AnyIterator = Iterator<unknown> | AsyncIterator<unknown>;

/**
 * Reads the first item to tell rows from record batches, then hands out chunks.
 * Async iterators are awaited per item; sync ones are drained without awaiting.
 */
async function peekedReader(iterator: AnyIterator, totalRows: number | undefined, isAsync: boolean): Promise<SourceReader> {
  const sync = isAsync ? null : (iterator as Iterator<unknown>);
  let done = false;
  const close = async (): Promise<void> => {
    if (done) return;
    done = true;
    await iterator.return?.();
  };
  const first = await iterator.next();
  if (first.done) {
    done = true;
    return { kind: 'rows', totalRows: totalRows ?? 0, next: () => null, close };
  }
  if (isRecordBatch(first.value)) {
    let pending: RecordBatch | null = first.value;
    return {
      kind: 'batches',
      totalRows,
      async next() {
        if (pending !== null) {
          const batch = pending;
          pending = null;
          return batch;
        }
        if (done) return null;
        const result = await iterator.next();
        if (result.done) {
          done = true;
          return null;
        }
        if (!isRecordBatch(result.value)) {
          throw new ExportError('source_failed', `the source mixed record batches with ${printValue(result.value)}`);
        }
        return result.value;
      },
      close,
    };
  }
  let carry: unknown[] | null = [first.value];
  return {
    kind: 'rows',
    totalRows,
    async next(max) {
      if (done && carry === null) return null;
      const rows: unknown[] = carry ?? [];
      carry = null;
      while (!done && rows.length < max) {
        // Sync iterators are drained without a microtask per row.
        const result = sync !== null ? sync.next() : await iterator.next();
        if (result.done) {
          done = true;
          break;
        }
        rows.push(result.value);
      }
      return rows.length === 0 ? null : { rows: rows as Row[], start: 0, end: rows.length };
    },
    close,
  };
}

/** An async iterator over a ReadableStream through its reader (Safari lacks async iteration of streams). */
function streamIterator<T>(stream: ReadableStream<T>): AsyncIterator<T> {
  let reader: ReadableStreamDefaultReader<T>;
  try {
    reader = stream.getReader();
  } catch (error) {
    throw lockedStreamError(error);
  }
  return {
    async next() {
      const result = await reader.read();
      if (result.done) {
        reader.releaseLock();
        return { done: true, value: undefined };
      }
      return { done: false, value: result.value };
    },
    async return() {
      try {
        await reader.cancel();
      } finally {
        reader.releaseLock();
      }
      return { done: true, value: undefined };
    },
  };
}

