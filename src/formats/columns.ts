/**
 * Per-batch column access shared by the text encoders: each output column is classified once per
 * batch into a kind with direct typed-array access, so the row loop never calls `vector.get`.
 */
import { DataType, Type, TimeUnit, type Data, type RecordBatch, type Schema, type Vector } from 'apache-arrow';
import { ExportError, printValue } from '../errors.js';
import { JSON_METADATA_KEY } from '../schema/kinds.js';
import { fieldIndexOf, type Chunk } from '../schema/chunk.js';
import type { OutputColumn } from './types.js';

/** How a text encoder reads a column. */
export const CellKind = {
  /** Float16/32/64 and the 32-bit-or-smaller integers: `values[i]` is a number. */
  number: 0,
  /** UTF-8 text: bytes `values[offsets[i]..offsets[i+1])`. */
  text: 1,
  bool: 2,
  /** Int64 / Uint64 (BigInt64Array read as two int32 halves). */
  int64: 3,
  /** Timestamp or Date64 (int64 halves); `scale` names the unit (see TimeScale). */
  timestamp: 4,
  /** Date32 (days). */
  dateDay: 5,
  /** JSON text of nested data: written raw in JSON, as text in CSV. */
  json: 6,
  /** All null. */
  null: 7,
  /** Anything else: read with `vector.get(i)`. */
  generic: 8,
  /** Decimal128: four little-endian uint32 words, printed with `scale` decimals. */
  decimal: 9,
  /** Dictionary of UTF-8 text: `keys[i]` picks bytes `values[offsets[k]..offsets[k+1])` of the dictionary. */
  dictText: 10,
} as const;
export type CellKind = (typeof CellKind)[keyof typeof CellKind];

/** One output column of one batch, ready for the row loop. */
export interface ColumnState {
  kind: CellKind;
  header: string;
  /** Typed values (numbers, bytes, int32 halves of int64). */
  values: ArrayLike<number>;
  offsets: Int32Array | null;
  /** Validity bitmap, or null when the column has no nulls. */
  validity: Uint8Array | null;
  /** Bit offset into `validity` and bool values (Arrow does not slice bitmaps). */
  bitOffset: number;
  /** Timestamps: the TimeScale of the stored unit. Decimals: the number of decimals. */
  scale: number;
  unsigned: boolean;
  vector: Vector | null;
  /** Text of values that did not fit the column's type (see Chunk.mismatches). */
  mismatches: ReadonlyMap<number, string> | null;
  /** Text columns: a DataView of `values`, for encoders that copy text four bytes at a time. */
  words: DataView | null;
  /** Dictionary columns: the dictionary index of each row. */
  keys: ArrayLike<number> | null;
}

/**
 * Refuses column names a reader cannot take, the same way in every format (each column is named in
 * the message): an empty name (Polars refuses such an Arrow or Parquet field; apache-arrow reads it
 * back as "null"; a CSV header cell or a JSON key "" is lost by most readers), two names that are one
 * once written (keys that differ only in lone surrogates, both written as U+FFFD), and a source with
 * two columns of one name (an Arrow table), whose cells could not be told apart.
 * Throws `invalid_value`.
 */
export function checkColumnNames(format: string, columns: readonly OutputColumn[], schema: Schema | null): void {
  if (schema !== null) {
    const names = new Set<string>();
    for (const field of schema.fields) {
      if (names.has(field.name)) {
        throw new ExportError('invalid_value', `${format}: the source has two columns named ${JSON.stringify(field.name)}; rename one before exporting`, {
          details: { column: field.name },
        });
      }
      names.add(field.name);
    }
  }
  const written = new Map<string, string>();
  for (const [index, column] of columns.entries()) {
    if (column.header === '') {
      throw new ExportError('invalid_value', `${format}: column ${index + 1} (field ${JSON.stringify(column.field)}) has an empty name, which readers cannot take; name it with columns: [{ field: ${JSON.stringify(column.field)}, header: '…' }]`, {
        details: { column: column.field, path: `columns[${index}]` },
      });
    }
    const name = column.header.isWellFormed() ? column.header : column.header.toWellFormed();
    const other = written.get(name);
    if (other !== undefined) {
      throw new ExportError('invalid_value', `${format}: columns ${printValue(other)} and ${printValue(column.header)} would both be written as ${JSON.stringify(name)} (a lone surrogate becomes U+FFFD); rename one with columns: [{ field, header }]`, {
        details: { column: column.header, path: `columns[${index}]` },
      });
    }
    written.set(name, column.header);
  }
}

/** Classifies every output column of a chunk. */
export function columnStates(chunk: Chunk, columns: readonly OutputColumn[]): ColumnState[] {
  const batch = chunk.batch;
  return columns.map((column) => {
    const index = fieldIndexOf(batch.schema, column.field);
    if (index < 0) {
      throw new ExportError('unknown_column', `column "${column.field}" is not in the batch; available: ${batch.schema.fields.map((f) => f.name).join(', ')}`, {
        details: { column: column.field },
      });
    }
    const field = batch.schema.fields[index]!;
    return stateOf(batch, index, field.type, field.metadata.get(JSON_METADATA_KEY) === 'true', column.header, chunk.mismatches?.get(column.field) ?? null);
  });
}

function stateOf(batch: RecordBatch, index: number, type: DataType, json: boolean, header: string, mismatches: ReadonlyMap<number, string> | null): ColumnState {
  const data = batch.data.children[index] as Data;
  const state: ColumnState = {
    kind: CellKind.generic,
    header,
    values: data.values as ArrayLike<number>,
    offsets: null,
    validity: data.nullCount > 0 ? data.nullBitmap ?? null : null,
    bitOffset: data.offset,
    scale: 1,
    unsigned: false,
    vector: null,
    mismatches,
    words: null,
    keys: null,
  };
  switch (type.typeId) {
    case Type.Null:
      state.kind = CellKind.null;
      break;
    case Type.Float:
    case Type.Int: {
      const bitWidth = (type as unknown as { bitWidth?: number }).bitWidth ?? 64;
      if (type.typeId === Type.Float && (type as unknown as { precision: number }).precision === 0) {
        state.kind = CellKind.generic; // Float16 values are raw uint16 halves.
      } else if (bitWidth === 64 && type.typeId === Type.Int) {
        state.kind = CellKind.int64;
        state.unsigned = !(type as unknown as { isSigned: boolean }).isSigned;
        state.values = new Int32Array((data.values as BigInt64Array).buffer, (data.values as BigInt64Array).byteOffset, data.length * 2);
      } else {
        state.kind = CellKind.number;
      }
      break;
    }
    case Type.Utf8: {
      state.kind = json ? CellKind.json : CellKind.text;
      state.offsets = data.valueOffsets as Int32Array;
      const bytes = data.values as Uint8Array;
      state.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      break;
    }
    case Type.LargeUtf8: {
      // Read as bytes like Utf8 (apache-arrow's getter decodes with a TextDecoder, which drops a
      // leading U+FEFF). Offsets fit 32 bits here: a batch's text is far below 2 GiB.
      const large = data.valueOffsets as unknown as BigInt64Array;
      const bytes = data.values as Uint8Array;
      if (bytes.byteLength < 2 ** 31) {
        state.kind = CellKind.text;
        state.offsets = Int32Array.from(large, Number);
        state.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      break;
    }
    case Type.Dictionary: {
      // Dictionary-encoded text, read as bytes for the same reason as LargeUtf8.
      const dictionary = data.dictionary;
      const keys = data.values as ArrayLike<number>;
      const chunk = dictionary?.data.length === 1 ? dictionary.data[0] : undefined;
      if (chunk !== undefined && chunk.type.typeId === Type.Utf8 && !(keys instanceof BigInt64Array) && !(keys instanceof BigUint64Array)) {
        state.kind = CellKind.dictText;
        state.keys = keys;
        state.values = chunk.values as Uint8Array;
        state.offsets = chunk.valueOffsets as Int32Array;
        const bytes = chunk.values as Uint8Array;
        state.words = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      }
      break;
    }
    case Type.Bool:
      state.kind = CellKind.bool;
      break;
    case Type.Timestamp: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      state.kind = CellKind.timestamp;
      state.scale = unit === TimeUnit.MILLISECOND ? TimeScale.ms : unit === TimeUnit.SECOND ? TimeScale.s : unit === TimeUnit.MICROSECOND ? TimeScale.us : TimeScale.ns;
      state.values = new Int32Array((data.values as BigInt64Array).buffer, (data.values as BigInt64Array).byteOffset, data.length * 2);
      break;
    }
    case Type.Decimal: {
      const decimal = type as unknown as { bitWidth: number; scale: number };
      if (decimal.bitWidth === 128) {
        state.kind = CellKind.decimal;
        state.scale = decimal.scale;
      }
      break;
    }
    case Type.Date:
      if ((type as unknown as { unit: number }).unit === 0) {
        state.kind = CellKind.dateDay;
      } else {
        // Date64 (ms) is stored like a millisecond timestamp.
        state.kind = CellKind.timestamp;
        state.scale = TimeScale.ms;
        state.values = new Int32Array((data.values as BigInt64Array).buffer, (data.values as BigInt64Array).byteOffset, data.length * 2);
      }
      break;
    default:
      break;
  }
  if (state.kind === CellKind.generic) state.vector = batch.getChildAt(index);
  return state;
}

const TWO_POW_32 = 4294967296;

/** The int64 at `i` of an int32-halves view, as a number (exact within ±2^53). */
export function int64At(values: ArrayLike<number>, i: number, unsigned: boolean): number {
  const low = values[2 * i]! >>> 0;
  const high = values[2 * i + 1]!;
  return (unsigned ? high >>> 0 : high) * TWO_POW_32 + low;
}

/** True when the int64 at `i` is beyond ±2^53 and needs BigInt to print exactly. */
export function int64NeedsBigInt(values: ArrayLike<number>, i: number, unsigned: boolean): boolean {
  const high = values[2 * i + 1]!;
  // Beyond ±(2^53 − 1): -2^53 itself (high -0x200000, low 0) is not a safe integer either.
  return unsigned ? high >>> 0 >= 0x200000 : high >= 0x200000 || high < -0x200000 || (high === -0x200000 && values[2 * i] === 0);
}

/** The exact int64 at `i` as a BigInt. */
export function int64BigAt(values: ArrayLike<number>, i: number, unsigned: boolean): bigint {
  const big = (BigInt(values[2 * i + 1]! >>> 0) << 32n) | BigInt(values[2 * i]! >>> 0);
  return unsigned ? big : BigInt.asIntN(64, big);
}

/**
 * How a timestamp column's int64 becomes milliseconds: seconds are multiplied by 1,000; micro- and
 * nanoseconds are divided, flooring toward −∞ so an instant before 1970 keeps its millisecond.
 */
export const TimeScale = { ms: 1, s: 2, us: 3, ns: 4 } as const;

/** Largest |ms| whose double is exact: beyond it `epochMsAt` gives NaN and `epochMsBigAt` is used. */
const MAX_SAFE = Number.MAX_SAFE_INTEGER;
/** Date32 days whose milliseconds are still a safe integer. */
const MAX_SAFE_DAYS = Math.floor(MAX_SAFE / 86400000);

/**
 * Epoch milliseconds of a timestamp or date cell, exact and floored; NaN when the result is beyond
 * ±(2^53 − 1) (about ±285,000 years), where only `epochMsBigAt` is exact.
 *
 * Hot path: no BigInt. The int64 is split into its int32 halves `hi·2^32 + lo`; dividing by
 * d = 10^3 or 10^6 as `⌊hi/d⌋·2^32 + ⌊((hi mod d)·2^32 + lo)/d⌋` keeps every intermediate below
 * 2^53, so each step is exact (a double product `v · 1e-6`, as before, was off by a millisecond).
 */
export function epochMsAt(state: ColumnState, i: number): number {
  const values = state.values;
  if (state.kind === CellKind.dateDay) {
    const days = values[i]!;
    return days <= MAX_SAFE_DAYS && days >= -MAX_SAFE_DAYS ? days * 86400000 : Number.NaN;
  }
  const lo = values[2 * i]! >>> 0;
  const hi = values[2 * i + 1]!;
  const scale = state.scale;
  if (scale === TimeScale.ms || scale === TimeScale.s) {
    // |hi| ≤ 2^21: the int64 is exact as a double (the range check below refuses ±2^53 itself).
    if (hi > 0x200000 || hi < -0x200000) return Number.NaN;
    const value = hi * TWO_POW_32 + lo;
    const ms = scale === TimeScale.ms ? value : value * 1000;
    return ms <= MAX_SAFE && ms >= -MAX_SAFE ? ms : Number.NaN;
  }
  const d = scale === TimeScale.us ? 1000 : 1000000;
  const highQuotient = Math.floor(hi / d);
  // Below d · 2^32 ≤ 2^52: exact, and so is the division's remainder check.
  const rest = (hi - highQuotient * d) * TWO_POW_32 + lo;
  let lowQuotient = Math.floor(rest / d);
  // The double quotient is rounded, so its floor can be one too high (or, in theory, too low).
  const remainder = rest - lowQuotient * d;
  if (remainder < 0) lowQuotient--;
  else if (remainder >= d) lowQuotient++;
  const ms = highQuotient * TWO_POW_32 + lowQuotient;
  return ms <= MAX_SAFE && ms >= -MAX_SAFE ? ms : Number.NaN;
}

/** Epoch milliseconds of a timestamp or date cell as a BigInt, exact for every int64 (the slow path). */
export function epochMsBigAt(state: ColumnState, i: number): bigint {
  if (state.kind === CellKind.dateDay) return BigInt(state.values[i]!) * 86400000n;
  const value = int64BigAt(state.values, i, false);
  switch (state.scale) {
    case TimeScale.s:
      return value * 1000n;
    case TimeScale.us:
      return floorDiv(value, 1000n);
    case TimeScale.ns:
      return floorDiv(value, 1000000n);
    default:
      return value;
  }
}

/** ⌊a / b⌋ for b > 0 (BigInt division truncates toward zero). */
export function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a < 0n && q * b !== a ? q - 1n : q;
}

/** The Decimal128 at `i` as text with `scale` decimals, e.g. `-12.30`. */
export function decimalAt(values: ArrayLike<number>, i: number, scale: number): string {
  let big = 0n;
  for (let word = 3; word >= 0; word--) big = (big << 32n) | BigInt(values[i * 4 + word]! >>> 0);
  big = BigInt.asIntN(128, big);
  const negative = big < 0n;
  const digits = (negative ? -big : big).toString().padStart(scale + 1, '0');
  const text = scale === 0 ? digits : `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** True when the value at batch row `i` is null. */
export function isNullAt(state: ColumnState, i: number): boolean {
  const validity = state.validity;
  if (validity === null) return state.kind === CellKind.null;
  const bit = state.bitOffset + i;
  return (validity[bit >> 3]! & (1 << (bit & 7))) === 0;
}

/** The boolean at batch row `i`. */
export function boolAt(state: ColumnState, i: number): boolean {
  const bit = state.bitOffset + i;
  return ((state.values as Uint8Array)[bit >> 3]! & (1 << (bit & 7))) !== 0;
}

export { DataType };
