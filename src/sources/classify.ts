/**
 * What kind of source a value is, decided the same way on the page, in the worker and in Node.
 * Duck-typed, so Arrow tables from another copy of apache-arrow and streams from another realm
 * (an iframe) are recognized, and so the page needs no Arrow code to tell them apart.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import { ExportError, printValue } from '../errors.js';

/** Marks a source that opens its own reader (the worker's view of rows held by the page). */
export const OPEN_READER = Symbol('sluice.openReader');

/** The kinds of source, each read its own way. */
export type SourceKind = 'reader' | 'table' | 'batch' | 'batches' | 'bytes' | 'array' | 'stream' | 'async-iterable' | 'iterable' | 'remote';

/** The remote source kinds, read where the export runs: `fromIndexedDB` and `fromURL`. */
export const REMOTE_SOURCE_KINDS = ['indexeddb', 'url'] as const;

interface ArrowSchemaLike {
  readonly fields: ReadonlyArray<{ readonly name: string }>;
}

/** An Arrow `Table`, also one from another copy of apache-arrow. */
export function isTableLike(value: unknown): value is Table {
  return (
    typeof value === 'object' &&
    value !== null &&
    Array.isArray((value as { batches?: unknown }).batches) &&
    typeof (value as { schema?: unknown }).schema === 'object' &&
    typeof (value as { numRows?: unknown }).numRows === 'number'
  );
}

/** An Arrow `RecordBatch`, also one from another copy of apache-arrow. */
export function isRecordBatchLike(value: unknown): value is RecordBatch {
  try {
    return (
      typeof value === 'object' &&
      value !== null &&
      !Array.isArray((value as { batches?: unknown }).batches) &&
      typeof (value as { schema?: unknown }).schema === 'object' &&
      typeof (value as { numRows?: unknown }).numRows === 'number' &&
      typeof (value as { data?: unknown }).data === 'object'
    );
  } catch {
    // A revoked Proxy among rows throws on any property read: it is no batch.
    return false;
  }
}

/** A `fromIndexedDB` / `fromURL` description. */
export function isRemoteDescriptor(value: unknown): value is { kind: string } {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    typeof (value as { kind?: unknown }).kind === 'string' &&
    typeof (value as { [Symbol.iterator]?: unknown })[Symbol.iterator] !== 'function' &&
    typeof (value as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] !== 'function' &&
    typeof (value as { getReader?: unknown }).getReader !== 'function'
  );
}

/** The kind of `source`, or throws `invalid_options` saying what it is instead (a Promise, a number, a plain object). */
export function classifySource(source: unknown): SourceKind {
  if (typeof source !== 'object' || source === null) throw badSource(source);
  if (typeof (source as { then?: unknown }).then === 'function') {
    throw new ExportError('invalid_options', 'source is a Promise: await it first (exportData(await rowsPromise, options))', {
      details: { path: 'source', value: 'Promise' },
    });
  }
  if (typeof (source as { [OPEN_READER]?: unknown })[OPEN_READER] === 'function') return 'reader';
  if (source instanceof Uint8Array || source instanceof ArrayBuffer) return 'bytes';
  if (isTableLike(source)) return 'table';
  if (isRecordBatchLike(source)) return 'batch';
  if (Array.isArray(source)) return source.length > 0 && isRecordBatchLike(source[0]) ? 'batches' : 'array';
  if (typeof (source as { getReader?: unknown }).getReader === 'function') return 'stream';
  if (typeof (source as { [Symbol.asyncIterator]?: unknown })[Symbol.asyncIterator] === 'function') return 'async-iterable';
  if (typeof (source as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function') return 'iterable';
  if (isRemoteDescriptor(source)) {
    if ((REMOTE_SOURCE_KINDS as readonly string[]).includes(source.kind)) return 'remote' satisfies SourceKind;
    throw new ExportError('invalid_options', `unknown source kind ${printValue(source.kind)}: expected 'indexeddb' (fromIndexedDB) or 'url' (fromURL)`, {
      details: { path: 'source.kind', value: printValue(source.kind) },
    });
  }
  throw badSource(source);
}

function badSource(source: unknown): ExportError {
  return new ExportError('invalid_options', `source must be an array, iterable, stream, Arrow table, Arrow IPC bytes or source description (fromIndexedDB, fromURL), got ${printValue(source)}`, {
    details: { path: 'source', value: printValue(source) },
  });
}

/**
 * The columns the page can see before the export starts, for checking `columns`, `schema` and the
 * filter before the save dialog opens: an Arrow table's or batch's fields (`exact`), or the keys
 * of the first `sampleRows` object rows (not exact: a later row may add a key). Undefined where
 * nothing can be seen without reading (streams, iterables, IPC bytes, remote sources, rows as arrays).
 */
export function visibleColumns(source: unknown, kind: SourceKind, sampleRows: number): { names: string[]; exact: boolean } | undefined {
  switch (kind) {
    case 'table':
    case 'batch':
      return { names: (source as { schema: ArrowSchemaLike }).schema.fields.map((field) => field.name), exact: true };
    case 'batches':
      return { names: (source as Array<{ schema: ArrowSchemaLike }>)[0]!.schema.fields.map((field) => field.name), exact: true };
    case 'array': {
      const rows = source as readonly unknown[];
      const names = new Set<string>();
      const end = Math.min(rows.length, sampleRows);
      try {
        for (let i = 0; i < end; i++) {
          const row = rows[i];
          // Rows as arrays take their names from `columns`; anything odd is the engine's to report.
          if (typeof row !== 'object' || row === null || Array.isArray(row)) return undefined;
          for (const key in row) if (Object.hasOwn(row, key)) names.add(key);
        }
      } catch {
        // A hostile row (a revoked Proxy) throws when read: the engine reports it with its index.
        return undefined;
      }
      return end === 0 ? undefined : { names: [...names], exact: false };
    }
    default:
      return undefined;
  }
}
