/**
 * Per-batch column access shared by the text encoders: each output column is classified once per
 * batch into a kind with direct typed-array access, so the row loop never calls `vector.get`.
 */
import { DataType, Type, TimeUnit, type Data, type RecordBatch, type Vector } from 'apache-arrow';
import { ExportError } from '../errors.js';
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
  /** Timestamp in ms (int64 halves); `scale` converts other units. */
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
  /** Multiply int64 timestamp values by this to get milliseconds. */
  scale: number;
  unsigned: boolean;
  vector: Vector | null;
  /** Text of values that did not fit the column's type (see Chunk.mismatches). */
  mismatches: ReadonlyMap<number, string> | null;
  /** Text columns: a DataView of `values`, for encoders that copy text four bytes at a time. */
  words: DataView | null;
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
    case Type.Bool:
      state.kind = CellKind.bool;
      break;
    case Type.Timestamp: {
      const unit = (type as unknown as { unit: TimeUnit }).unit;
      state.kind = CellKind.timestamp;
      state.scale = unit === TimeUnit.MILLISECOND ? 1 : unit === TimeUnit.SECOND ? 1000 : unit === TimeUnit.MICROSECOND ? 1e-3 : 1e-6;
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

/** Epoch milliseconds of a timestamp or date cell. */
export function epochMsAt(state: ColumnState, i: number): number {
  return state.kind === CellKind.dateDay ? state.values[i]! * 86400000 : Math.floor(int64At(state.values, i, false) * state.scale);
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
