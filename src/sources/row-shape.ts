/**
 * What counts as a row, and the errors for sources that are not readable. Kept apart from the
 * readers (and free of apache-arrow) so the page can use it before handing rows to the worker.
 */
import { ExportError, printValue } from '../errors.js';

/** The error for a ReadableStream source that cannot be read (already locked by another reader). */
export function lockedStreamError(error: unknown): ExportError {
  const reason = error instanceof Error ? error.message : String(error);
  return new ExportError('source_failed', `the source ReadableStream cannot be read: it is locked (another reader holds it, or it was already used): ${reason}`, {
    cause: error,
    details: { path: 'source' },
  });
}

/** Built-in objects whose own keys do not hold their content: a row of one of these would export as `{}`. */
const NOT_ROW_TAGS = new Set(['Date', 'Map', 'Set', 'WeakMap', 'WeakSet', 'RegExp', 'Promise', 'Error', 'ArrayBuffer', 'SharedArrayBuffer', 'DataView', 'Number', 'String', 'Boolean', 'Symbol', 'BigInt', 'Function']);

/**
 * What a row is when it is not a row, or null for a row. A row is an object (a plain object or a
 * class instance, read by its own enumerable keys), or, when `arrays` (rows given with `columns`),
 * an array. A Proxy that throws while being inspected counts as a row: its cells are read (and
 * their failures reported) by the builder.
 */
export function notARow(row: unknown, arrays: boolean): string | null {
  if (typeof row !== 'object' || row === null) {
    if (row === null) return 'null';
    if (row === undefined) return 'undefined';
    return `a ${typeof row} (${printValue(row)})`;
  }
  let proto: unknown;
  let isArray: boolean;
  try {
    isArray = Array.isArray(row);
    proto = Object.getPrototypeOf(row);
  } catch {
    return null;
  }
  if (isArray) return arrays ? null : `an array (${printValue(row)}) among object rows`;
  if (arrays) return `an object (${printValue(row)}) among array rows`;
  if (proto === Object.prototype || proto === null) return null;
  let tag: string;
  try {
    tag = ArrayBuffer.isView(row) ? 'TypedArray' : Object.prototype.toString.call(row).slice(8, -1);
  } catch {
    return null;
  }
  if (tag === 'TypedArray') return `a ${(row as { constructor?: { name?: string } }).constructor?.name ?? 'typed array'}`;
  if (NOT_ROW_TAGS.has(tag)) return tag === 'Date' ? `a Date (${printValue(row)})` : `a ${tag}`;
  return null;
}

/**
 * Fails on the first item of `rows[start..end)` that is not a row (see {@link notARow}), naming its
 * source index: a string, a Map or a Date among rows would otherwise export as an empty record.
 */
export function checkRows(rows: ArrayLike<unknown>, start: number, end: number, firstRow: number, arrays: boolean): void {
  for (let i = start; i < end; i++) {
    const row = rows[i];
    // The common case first: a plain object costs one prototype read. The property read before it
    // is for V8: it checks the row's hidden class there, after which Object.getPrototypeOf is a
    // constant instead of a call into the runtime (measured: about 450 fewer instructions a row,
    // a twentieth of a whole CSV export of the benchmark rows). Anything that throws here (a Proxy
    // trap) is left to notARow.
    if (typeof row === 'object' && row !== null && !arrays) {
      try {
        void (row as { constructor?: unknown }).constructor;
        if (Object.getPrototypeOf(row) === Object.prototype) continue;
      } catch {
        // notARow decides.
      }
    }
    const what = notARow(row, arrays);
    if (what === null) continue;
    const index = firstRow + i - start;
    throw new ExportError('invalid_value', `row ${index} is ${what}: a row must be an object${arrays ? ' (here an array, as the first row is)' : ', or an array when `columns` names its fields'}`, {
      details: { path: 'source', row: index, value: printValue(row) },
    });
  }
}
