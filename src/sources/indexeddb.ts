/**
 * `fromIndexedDB`: an object store (or one of its indexes) read where the export runs, one batch
 * of records per read-only transaction, so the whole store is never in memory. This module only
 * describes the source; the reader (indexeddb-reader.ts, with idb) loads when an export opens it.
 */
import { ExportError, printValue } from '../errors.js';

/** An IndexedDB key: a number, string, Date, binary key or an array of keys. */
export type IndexedDBKey = IDBValidKey;

/**
 * A key range as plain data: bounds (each closed unless marked open) or one exact key.
 *
 * @example { lower: 100, upper: 200, upperOpen: true }   // 100 ≤ key < 200
 * @example { only: 'ada@example.com' }
 */
export type IndexedDBRange =
  | { lower?: IndexedDBKey; upper?: IndexedDBKey; lowerOpen?: boolean; upperOpen?: boolean }
  | { only: IndexedDBKey };

/** Options for {@link fromIndexedDB}. */
export interface IndexedDBSourceOptions {
  /** Database name. It must exist: it is never created. */
  database: string;
  /** Object store name. */
  store: string;
  /** Read through this index, in its key order. Default: the store, in primary-key order. */
  index?: string;
  /** Only keys (index keys with `index`) in this range. Default: all records. */
  range?: IndexedDBRange;
  /** Key order: ascending `'next'` or descending `'prev'`. Default `'next'`. */
  direction?: 'next' | 'prev';
  /** Most records to read. Default: all. */
  limit?: number;
}

/** The serializable description {@link fromIndexedDB} returns; read by the export, not by the caller. */
export interface IndexedDBSourceDescriptor extends IndexedDBSourceOptions {
  /** Marks an IndexedDB source. */
  readonly kind: 'indexeddb';
  readonly [key: string]: unknown;
}

/**
 * An IndexedDB object store to export, read inside the worker with `exportData` (workers share
 * the page's IndexedDB). Records are read in batches, each in its own read-only transaction, and
 * the progress has a total (the store's `count` in the range, capped by `limit`).
 *
 * Records become rows like this:
 * - an object is a row (class instances arrive as their own enumerable data: structured cloning
 *   already dropped their prototype);
 * - any other value (a number, a string, a Date, an array) becomes `{ value: x }`;
 * - a Blob or File — the whole record or a field — is exported as null and reported as an
 *   `'invalid_value'` issue, since its bytes cannot be read synchronously or put in a cell.
 *
 * Writes made by the app during the export may or may not be seen, batch by batch.
 *
 * @example
 * await exportData(fromIndexedDB({ database: 'shop', store: 'orders', index: 'byDate', range: { lower: from } }), { format: 'csv' });
 */
export function fromIndexedDB(options: IndexedDBSourceOptions): IndexedDBSourceDescriptor {
  checkOptions(options);
  const descriptor: { -readonly [K in keyof IndexedDBSourceDescriptor]: IndexedDBSourceDescriptor[K] } = {
    kind: 'indexeddb',
    database: options.database,
    store: options.store,
  };
  if (options.index !== undefined) descriptor.index = options.index;
  if (options.range !== undefined) descriptor.range = { ...options.range };
  if (options.direction !== undefined) descriptor.direction = options.direction;
  if (options.limit !== undefined) descriptor.limit = options.limit;
  return descriptor;
}

function invalid(path: string, message: string, value: unknown): ExportError {
  return new ExportError('invalid_options', `fromIndexedDB: ${message}`, { details: { path, value: printValue(value) } });
}

/** Checks options (again in the reader: a description may be written by hand). */
export function checkOptions(options: IndexedDBSourceOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('options', `options must be an object with database and store, got ${printValue(options)}`, options);
  for (const key of ['database', 'store'] as const) {
    if (typeof options[key] !== 'string' || options[key] === '') throw invalid(key, `${key} must be a non-empty string, got ${printValue(options[key])}`, options[key]);
  }
  if (options.index !== undefined && (typeof options.index !== 'string' || options.index === '')) {
    throw invalid('index', `index must be a non-empty string, got ${printValue(options.index)}`, options.index);
  }
  if (options.direction !== undefined && options.direction !== 'next' && options.direction !== 'prev') {
    throw invalid('direction', `direction must be 'next' or 'prev', got ${printValue(options.direction)}`, options.direction);
  }
  if (options.limit !== undefined && (!Number.isInteger(options.limit) || options.limit < 0)) {
    throw invalid('limit', `limit must be a non-negative integer, got ${printValue(options.limit)}`, options.limit);
  }
  const range = options.range;
  if (range !== undefined) {
    if (typeof range !== 'object' || range === null || Array.isArray(range)) throw invalid('range', `range must be { lower?, upper?, lowerOpen?, upperOpen? } or { only }, got ${printValue(range)}`, range);
    const known = new Set(['lower', 'upper', 'lowerOpen', 'upperOpen', 'only']);
    for (const key of Object.keys(range)) if (!known.has(key)) throw invalid(`range.${key}`, `range has an unknown field ${printValue(key)}`, key);
    if ('only' in range && Object.keys(range).length > 1) throw invalid('range', `range with "only" takes no other bound`, range);
    // Keys themselves are checked by IDBKeyRange, where IndexedDB exists (see toKeyRange).
    if (typeof indexedDB !== 'undefined') toKeyRange(normalizeRange(range));
  }
}

/** Bounds of a range, each possibly open; `undefined` for no bound. */
export interface Bounds {
  lower: IndexedDBKey | undefined;
  upper: IndexedDBKey | undefined;
  lowerOpen: boolean;
  upperOpen: boolean;
}

/** A range description as bounds. */
export function normalizeRange(range: IndexedDBRange | undefined): Bounds {
  if (range === undefined) return { lower: undefined, upper: undefined, lowerOpen: false, upperOpen: false };
  if ('only' in range) return { lower: range.only, upper: range.only, lowerOpen: false, upperOpen: false };
  return { lower: range.lower, upper: range.upper, lowerOpen: range.lowerOpen === true, upperOpen: range.upperOpen === true };
}

/** Bounds as an IDBKeyRange (null for no bounds); invalid keys are an invalid_options error. */
export function toKeyRange(bounds: Bounds): IDBKeyRange | null {
  try {
    if (bounds.lower !== undefined && bounds.upper !== undefined) return IDBKeyRange.bound(bounds.lower, bounds.upper, bounds.lowerOpen, bounds.upperOpen);
    if (bounds.lower !== undefined) return IDBKeyRange.lowerBound(bounds.lower, bounds.lowerOpen);
    if (bounds.upper !== undefined) return IDBKeyRange.upperBound(bounds.upper, bounds.upperOpen);
    return null;
  } catch (error) {
    throw invalid('range', `range is not a valid key range (${error instanceof Error ? error.message : String(error)})`, bounds);
  }
}
