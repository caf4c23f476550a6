/**
 * Rows given column by column: the form in which rows held by the page travel to the worker
 * (`worker/pack.ts` makes it). The batch builder reads these columns directly — numbers, dates and
 * booleans from typed arrays, text from one joined string — so rows pulled from the page are never
 * rebuilt as objects in the worker. Values a column cannot hold directly are materialized one
 * column at a time (`packedValues`) and take the builder's general path.
 */
import type { Row } from '../types.js';
import { TextColumnWriter } from './utf8.js';

/**
 * Which rows of a packed column hold null (1) or undefined (2) instead of a value; absent when
 * none do.
 */
export type NullMarks = Uint8Array | undefined;

/** One packed column. */
export type PackedColumn =
  /** Numbers (NaN and -0 kept). */
  | { kind: 'number'; values: Float64Array; nulls: NullMarks }
  /** Strings: joined, with each one's length in UTF-16 units. */
  | { kind: 'string'; text: string; lengths: Uint32Array; nulls: NullMarks }
  /** Booleans as 0/1. */
  | { kind: 'boolean'; values: Uint8Array; nulls: NullMarks }
  /** Dates as epoch milliseconds (NaN for an invalid date). */
  | { kind: 'date'; values: Float64Array; nulls: NullMarks }
  /** Mixed or other values (nested objects, bigint, columns of only nulls), structured-cloned. */
  | { kind: 'any'; values: unknown[] };

export type PackedText = Extract<PackedColumn, { kind: 'string' }>;

/** A chunk of rows, column by column. */
export interface PackedRows {
  count: number;
  keys: string[];
  columns: PackedColumn[];
}

/** UTF-16 offsets of each string of a text column in its joined text (count + 1 entries), computed once. */
const textStarts = new WeakMap<PackedText, Float64Array>();

export function startsOf(column: PackedText): Float64Array {
  let starts = textStarts.get(column);
  if (starts === undefined) {
    const lengths = column.lengths;
    starts = new Float64Array(lengths.length + 1);
    let at = 0;
    for (let i = 0; i < lengths.length; i++) {
      at += lengths[i]!;
      starts[i + 1] = at;
    }
    textStarts.set(column, starts);
  }
  return starts;
}

/** Packed column kinds as numbers, for the switch of an encoder's row loop. */
export const PackedKind = { any: 0, number: 1, string: 2, boolean: 3, date: 4 } as const;
const PACKED_KIND: Record<PackedColumn['kind'], number> = PackedKind;
const NO_NUMBERS = new Float64Array(0);
const NO_FLAGS = new Uint8Array(0);

/**
 * The parts of packed columns, each in an array of its own for a row loop to read by column
 * index (`kinds[c]`, `numbers[c][r]`, …). The columns are objects of several shapes, and reading
 * `kind`, `nulls` and `values` from them for every cell made those loads polymorphic: hoisted,
 * the worker's side of a 1M-row CSV export from packed columns took 11–12 % less time (Node,
 * alternating runs in one process).
 */
export interface PackedParts {
  kinds: Uint8Array;
  nulls: NullMarks[];
  /** Numbers and dates (epoch ms); empty for other columns. */
  numbers: Float64Array[];
  /** Booleans as 0/1; empty for other columns. */
  flags: Uint8Array[];
  /** Joined text; '' for other columns. */
  texts: string[];
  /** Each string's start in `texts[c]` (count + 1 entries); empty for other columns. */
  starts: Float64Array[];
}

export function packedParts(packed: readonly PackedColumn[]): PackedParts {
  return {
    kinds: Uint8Array.from(packed, (column) => PACKED_KIND[column.kind]),
    nulls: packed.map((column) => (column.kind === 'any' ? undefined : column.nulls)),
    numbers: packed.map((column) => (column.kind === 'number' || column.kind === 'date' ? column.values : NO_NUMBERS)),
    flags: packed.map((column) => (column.kind === 'boolean' ? column.values : NO_FLAGS)),
    texts: packed.map((column) => (column.kind === 'string' ? column.text : '')),
    starts: packed.map((column) => (column.kind === 'string' ? startsOf(column) : NO_NUMBERS)),
  };
}

/** UTF-8 of a text column: all its bytes, and each string's end at `offsets[i + 1]`. */
export interface PackedUtf8 {
  bytes: Uint8Array;
  offsets: Int32Array;
}

const utf8Cache = new WeakMap<PackedText, PackedUtf8>();
/** For a column joined from pieces (concatPacked): how to make its UTF-8 from theirs, when something asks. */
const utf8FromPieces = new WeakMap<PackedText, () => PackedUtf8>();

/** The UTF-8 of a whole packed text column, computed once (see TextColumnWriter). */
export function utf8Of(column: PackedText): PackedUtf8 {
  let utf8 = utf8Cache.get(column);
  if (utf8 !== undefined) return utf8;
  const fromPieces = utf8FromPieces.get(column);
  if (fromPieces !== undefined) {
    utf8 = fromPieces();
    utf8FromPieces.delete(column);
    utf8Cache.set(column, utf8);
    return utf8;
  }
  const writer = new TextColumnWriter(column.lengths.length, column.text.length);
  writer.appendJoined(column.text, column.lengths);
  utf8 = writer.finish();
  utf8Cache.set(column, utf8);
  return utf8;
}

/** UTF-8 bytes and offsets of rows `[start, start + count)` of a packed text column. */
export function packedUtf8(column: PackedText, start: number, count: number): PackedUtf8 {
  const whole = utf8Of(column);
  const from = whole.offsets[start]!;
  const offsets = new Int32Array(count + 1);
  for (let i = 1; i <= count; i++) offsets[i] = whole.offsets[start + i]! - from;
  return { bytes: whole.bytes.subarray(from, whole.offsets[start + count]!), offsets };
}

/** The value of row `row` of a packed column, as the page held it (Dates rebuilt). */
function valueAt(column: PackedColumn, row: number): unknown {
  if (column.kind === 'any') return column.values[row];
  const mark = column.nulls === undefined ? 0 : column.nulls[row]!;
  if (mark !== 0) return mark === 1 ? null : undefined;
  switch (column.kind) {
    case 'number':
      return column.values[row];
    case 'date':
      return new Date(column.values[row]!);
    case 'boolean':
      return column.values[row] === 1;
    case 'string': {
      const starts = startsOf(column);
      return column.text.slice(starts[row], starts[row + 1]);
    }
  }
}

/** Values of rows `[start, start + count)` of a column into `out` (undefined throughout for a column the chunk lacks). */
export function packedValues(column: PackedColumn | undefined, start: number, count: number, out: unknown[]): void {
  out.length = count;
  if (column === undefined) {
    out.fill(undefined);
    return;
  }
  for (let i = 0; i < count; i++) out[i] = valueAt(column, start + i);
}

/** The rows at `indexes` (relative to `start`) as a packed chunk of their own. */
export function gatherPacked(packed: PackedRows, start: number, indexes: ArrayLike<number>): PackedRows {
  const count = indexes.length;
  const columns = packed.columns.map((column): PackedColumn => {
    if (column.kind === 'any') return { kind: 'any', values: Array.from({ length: count }, (_, k) => column.values[start + indexes[k]!]) };
    let nulls: NullMarks;
    if (column.nulls !== undefined) {
      nulls = new Uint8Array(count);
      for (let k = 0; k < count; k++) nulls[k] = column.nulls[start + indexes[k]!]!;
    }
    if (column.kind === 'string') {
      const starts = startsOf(column);
      const parts = new Array<string>(count);
      const lengths = new Uint32Array(count);
      for (let k = 0; k < count; k++) {
        const row = start + indexes[k]!;
        parts[k] = column.text.slice(starts[row], starts[row + 1]);
        lengths[k] = column.lengths[row]!;
      }
      return { kind: 'string', text: parts.join(''), lengths, nulls };
    }
    if (column.kind === 'boolean') {
      const values = new Uint8Array(count);
      for (let k = 0; k < count; k++) values[k] = column.values[start + indexes[k]!]!;
      return { kind: 'boolean', values, nulls };
    }
    const values = new Float64Array(count);
    for (let k = 0; k < count; k++) values[k] = column.values[start + indexes[k]!]!;
    return { kind: column.kind, values, nulls };
  });
  return { count, keys: packed.keys, columns };
}

/**
 * Row objects of rows `[start, end)`, keys in their original order: only for code that needs
 * objects (the builder does not). Each row starts as a copy of one template object, so every row
 * shares one shape instead of growing key by key.
 */
export function unpackRows(packed: PackedRows, start = 0, end = packed.count): Row[] {
  const { keys, columns } = packed;
  const rows = new Array<Record<string, unknown>>(end - start);
  if (keys.includes('__proto__')) {
    // An own `__proto__` key (rows from JSON.parse): defined, never assigned, or it would set the prototype.
    for (let i = start; i < end; i++) {
      const row: Record<string, unknown> = {};
      keys.forEach((key, k) => Object.defineProperty(row, key, { value: valueAt(columns[k]!, i), enumerable: true, writable: true, configurable: true }));
      rows[i - start] = row;
    }
    return rows;
  }
  const template: Record<string, unknown> = {};
  for (const key of keys) template[key] = undefined;
  for (let i = start; i < end; i++) {
    const row = { ...template };
    for (let k = 0; k < keys.length; k++) row[keys[k]!] = valueAt(columns[k]!, i);
    rows[i - start] = row;
  }
  return rows;
}

/** Rows `[start, end)` of a packed chunk. */
export interface PackedPiece {
  packed: PackedRows;
  start: number;
  end: number;
}

/**
 * The pieces' rows one after another as one packed chunk (all pieces have the same keys). A column
 * packed as different kinds in different pieces becomes plain values.
 */
export function concatPacked(pieces: readonly PackedPiece[]): PackedRows {
  const first = pieces[0]!.packed;
  let count = 0;
  for (const piece of pieces) count += piece.end - piece.start;
  const columns = first.keys.map((_key, c): PackedColumn => {
    const parts = pieces.map((piece) => ({ column: piece.packed.columns[c]!, start: piece.start, end: piece.end }));
    const kind = parts[0]!.column.kind;
    if (kind === 'any' || parts.some((part) => part.column.kind !== kind)) {
      const values: unknown[] = [];
      const scratch: unknown[] = [];
      for (const part of parts) {
        packedValues(part.column, part.start, part.end - part.start, scratch);
        for (const value of scratch) values.push(value);
      }
      return { kind: 'any', values };
    }
    let nulls: NullMarks;
    if (parts.some((part) => (part.column as { nulls?: NullMarks }).nulls !== undefined)) {
      nulls = new Uint8Array(count);
      let at = 0;
      for (const part of parts) {
        const marks = (part.column as { nulls?: NullMarks }).nulls;
        if (marks !== undefined) nulls.set(marks.subarray(part.start, part.end), at);
        at += part.end - part.start;
      }
    }
    if (kind === 'string') {
      // The UTF-8 (what the batch builder reads) and the text (what an encoder writing straight
      // from the columns reads) are each joined from the pieces' only when asked for.
      const texts: string[] = [];
      const lengths = new Uint32Array(count);
      let at = 0;
      for (const part of parts) {
        const column = part.column as PackedText;
        const starts = part.start === 0 && part.end === column.lengths.length ? null : startsOf(column);
        texts.push(starts === null ? column.text : column.text.slice(starts[part.start], starts[part.end]));
        lengths.set(column.lengths.subarray(part.start, part.end), at);
        at += part.end - part.start;
      }
      let text: string | null = null;
      const merged = {
        kind: 'string' as const,
        get text(): string {
          return (text ??= texts.join(''));
        },
        lengths,
        nulls,
      };
      utf8FromPieces.set(merged, () => {
        const pieces = parts.map((part) => packedUtf8(part.column as PackedText, part.start, part.end - part.start));
        let byteCount = 0;
        for (const piece of pieces) byteCount += piece.bytes.length;
        const bytes = new Uint8Array(byteCount);
        const offsets = new Int32Array(count + 1);
        let byte = 0;
        let row = 0;
        for (const piece of pieces) {
          bytes.set(piece.bytes, byte);
          for (let i = 1; i < piece.offsets.length; i++) offsets[row + i] = byte + piece.offsets[i]!;
          row += piece.offsets.length - 1;
          byte += piece.bytes.length;
        }
        return { bytes, offsets };
      });
      return merged;
    }
    const values = kind === 'boolean' ? new Uint8Array(count) : new Float64Array(count);
    let at = 0;
    for (const part of parts) {
      const source = (part.column as { values: Uint8Array | Float64Array }).values;
      values.set(source.subarray(part.start, part.end) as never, at);
      at += part.end - part.start;
    }
    return kind === 'boolean' ? { kind, values: values as Uint8Array, nulls } : { kind: kind as 'number' | 'date', values: values as Float64Array, nulls };
  });
  return { count, keys: first.keys, columns };
}
