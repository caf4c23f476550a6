/**
 * Nested values (arrays and plain objects) → Arrow List and Struct columns, for the binary
 * formats (Parquet LIST/STRUCT, Arrow IPC). Text formats keep nested values as JSON text.
 *
 * Written by hand because apache-arrow's `vectorFromArray` compiles its null check with
 * `new Function`, which a strict Content Security Policy forbids.
 */
import {
  Bool,
  DataType,
  Field,
  Float64,
  Int32,
  Int64,
  List,
  makeData,
  Null,
  Struct,
  TimestampMillisecond,
  Utf8,
  type Data,
} from 'apache-arrow';

/** The shape of nested data. Leaves use the builder's primitive kinds. */
export type NestedType =
  | { kind: 'null' | 'bool' | 'int32' | 'float64' | 'int64' | 'utf8' | 'timestamp' | 'json' }
  | { kind: 'list'; element: NestedType }
  | { kind: 'struct'; fields: Array<{ name: string; type: NestedType }> };

const NULL: NestedType = { kind: 'null' };

function isPlainObject(value: unknown): value is Record<string, unknown> {
  try {
    if (value === null || typeof value !== 'object' || Array.isArray(value) || value instanceof Date) return false;
    const proto = Object.getPrototypeOf(value);
    return proto === Object.prototype || proto === null;
  } catch {
    return false;
  }
}

/** A value with an own `toJSON` stands for what it returns, as in JSON.stringify; THREW if it throws. */
const THREW = Symbol('threw');
function unwrapToJSON(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || !Object.prototype.hasOwnProperty.call(value, 'toJSON')) return value;
  const toJSON = (value as { toJSON?: unknown }).toJSON;
  if (typeof toJSON !== 'function') return value;
  try {
    return toJSON.call(value);
  } catch {
    return THREW;
  }
}

/** The type of one value. */
function typeOfValue(input: unknown, depth: number): NestedType {
  const value = unwrapToJSON(input);
  if (value === null || value === undefined || value === THREW) return NULL;
  if (depth > 32) return { kind: 'json' };
  switch (typeof value) {
    case 'number':
      return { kind: Number.isInteger(value) && value >= -2147483648 && value <= 2147483647 ? 'int32' : 'float64' };
    case 'string':
      return { kind: 'utf8' };
    case 'boolean':
      return { kind: 'bool' };
    case 'bigint':
      return { kind: 'int64' };
    case 'object':
      if (value instanceof Date) return { kind: 'timestamp' };
      if (Array.isArray(value)) {
        let element: NestedType = NULL;
        for (const item of value) element = mergeTypes(element, typeOfValue(item, depth + 1));
        return { kind: 'list', element };
      }
      if (isPlainObject(value)) {
        const names = Object.keys(value);
        // Keys a struct field cannot carry keep the object as JSON text: an empty key (Polars
        // refuses the field) or keys that are one once lone surrogates are written as U+FFFD.
        if (!fieldNamesWritable(names)) return { kind: 'json' };
        return { kind: 'struct', fields: names.map((name) => ({ name, type: typeOfValue(value[name], depth + 1) })) };
      }
      return { kind: 'json' };
    default:
      return { kind: 'json' };
  }
}

/** True when every key can name a struct field: none empty, none equal to another once well-formed. */
function fieldNamesWritable(names: readonly string[]): boolean {
  let wellFormed = true;
  for (const name of names) {
    if (name === '') return false;
    if (!name.isWellFormed()) wellFormed = false;
  }
  return wellFormed || new Set(names.map((name) => name.toWellFormed())).size === names.length;
}

/** The narrowest type holding both; conflicting shapes fall back to JSON text. */
export function mergeTypes(a: NestedType, b: NestedType): NestedType {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'list' && b.kind === 'list') return { kind: 'list', element: mergeTypes(a.element, b.element) };
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = a.fields.map((field) => ({ ...field }));
    const byName = new Map(fields.map((field) => [field.name, field]));
    for (const field of b.fields) {
      const existing = byName.get(field.name);
      if (existing) existing.type = mergeTypes(existing.type, field.type);
      else {
        const added = { ...field };
        fields.push(added);
        byName.set(added.name, added);
      }
    }
    if (!fieldNamesWritable(fields.map((field) => field.name))) return { kind: 'json' };
    return { kind: 'struct', fields };
  }
  if (a.kind === b.kind) return a;
  if ((a.kind === 'int32' && b.kind === 'float64') || (a.kind === 'float64' && b.kind === 'int32')) return { kind: 'float64' };
  return { kind: 'json' };
}

/**
 * An object with no keys anywhere in the column (`{}`, `{ x: {} }`, `[{}]`) becomes JSON text:
 * Parquet cannot store a group with no fields, and Arrow readers disagree about an empty struct.
 */
function settle(type: NestedType): NestedType {
  switch (type.kind) {
    case 'struct':
      if (type.fields.length === 0) return { kind: 'json' };
      return { kind: 'struct', fields: type.fields.map((field) => ({ name: field.name, type: settle(field.type) })) };
    case 'list':
      return { kind: 'list', element: settle(type.element) };
    default:
      return type;
  }
}

/** Infers one nested type for a column's values. */
export function inferNestedType(values: readonly unknown[], count: number): NestedType {
  let type: NestedType = NULL;
  for (let i = 0; i < count; i++) {
    let valueType: NestedType;
    try {
      valueType = typeOfValue(values[i], 0);
    } catch {
      // A hostile value (a revoked Proxy): built as null and counted by buildNested.
      valueType = NULL;
    }
    type = mergeTypes(type, valueType);
  }
  return settle(type);
}

/** The Arrow type for a nested type; all-null leaves become nullable text so every reader can load them. */
export function arrowTypeOfNested(type: NestedType): DataType {
  switch (type.kind) {
    case 'list':
      return new List(new Field('item', arrowTypeOfNested(type.element), true));
    case 'struct':
      return new Struct(type.fields.map((field) => new Field(field.name, arrowTypeOfNested(field.type), true)));
    case 'bool':
      return new Bool();
    case 'int32':
      return new Int32();
    case 'float64':
      return new Float64();
    case 'int64':
      return new Int64();
    case 'timestamp':
      return new TimestampMillisecond('UTC');
    case 'null':
    case 'utf8':
    case 'json':
      return new Utf8();
  }
}

const encoder = new TextEncoder();

/**
 * Builds Arrow data for `values` of a nested type. Values that do not fit are written as null and
 * counted in `misfits` (the caller reports them).
 */
export function buildNested(input: readonly unknown[], type: NestedType, misfits: { count: number }): Data {
  const count = input.length;
  const values = input.map((value) => {
    const unwrapped = unwrapToJSON(value);
    if (unwrapped !== THREW) return unwrapped;
    misfits.count++;
    return null;
  });
  const arrowType = arrowTypeOfNested(type);
  const bitmap = new Uint8Array((count + 7) >> 3).fill(0xff);
  let nullCount = 0;
  const setNull = (i: number): void => {
    bitmap[i >> 3]! &= ~(1 << (i & 7));
    nullCount++;
  };
  switch (type.kind) {
    case 'list': {
      const offsets = new Int32Array(count + 1);
      const items: unknown[] = [];
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (isArraySafe(value)) {
          for (let j = 0; j < value.length; j++) items.push(value[j]);
        } else {
          if (value !== null && value !== undefined) misfits.count++;
          setNull(i);
        }
        offsets[i + 1] = items.length;
      }
      const child = buildNested(items, type.element, misfits);
      return makeData({ type: arrowType as List, length: count, nullCount, nullBitmap: nullCount > 0 ? bitmap : null, valueOffsets: offsets, child });
    }
    case 'struct': {
      const columns = type.fields.map(() => new Array<unknown>(count));
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (isPlainObject(value)) {
          type.fields.forEach((field, f) => {
            columns[f]![i] = Object.prototype.hasOwnProperty.call(value, field.name) ? value[field.name] : undefined;
          });
        } else {
          if (value !== null && value !== undefined) misfits.count++;
          setNull(i);
        }
      }
      const children = type.fields.map((field, f) => buildNested(columns[f]!, field.type, misfits));
      return makeData({ type: arrowType as Struct, length: count, nullCount, nullBitmap: nullCount > 0 ? bitmap : null, children });
    }
    case 'null':
    case 'utf8':
    case 'json': {
      const texts: string[] = new Array(count);
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (value === null || value === undefined) {
          setNull(i);
          texts[i] = '';
        } else if (typeof value === 'string' && type.kind !== 'json') {
          texts[i] = value;
        } else {
          let text: string | undefined;
          try {
            text = JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
          } catch {
            text = undefined;
          }
          if (text === undefined) {
            misfits.count++;
            setNull(i);
            texts[i] = '';
          } else {
            texts[i] = text;
          }
        }
      }
      const offsets = new Int32Array(count + 1);
      const chunks = texts.map((text) => encoder.encode(text));
      let total = 0;
      chunks.forEach((chunk, i) => {
        total += chunk.length;
        offsets[i + 1] = total;
      });
      const data = new Uint8Array(total);
      chunks.forEach((chunk, i) => data.set(chunk, offsets[i]!));
      return makeData({ type: arrowType as Utf8, length: count, nullCount, nullBitmap: nullCount > 0 ? bitmap : null, valueOffsets: offsets, data });
    }
    default: {
      const kind = type.kind;
      const isInt64 = kind === 'int64';
      const wide = isInt64 || kind === 'timestamp';
      const data = kind === 'bool' ? new Uint8Array((count + 7) >> 3) : kind === 'int32' ? new Int32Array(count) : wide ? new BigInt64Array(count) : new Float64Array(count);
      for (let i = 0; i < count; i++) {
        const value = values[i];
        if (value === null || value === undefined) {
          setNull(i);
          continue;
        }
        let ok = true;
        try {
        if (kind === 'bool') {
          if (typeof value === 'boolean') {
            if (value) (data as Uint8Array)[i >> 3]! |= 1 << (i & 7);
          } else ok = false;
        } else if (kind === 'int32') {
          if (typeof value === 'number' && Number.isInteger(value) && value >= -2147483648 && value <= 2147483647) (data as Int32Array)[i] = value;
          else ok = false;
        } else if (kind === 'float64') {
          if (typeof value === 'number') (data as Float64Array)[i] = value;
          else ok = false;
        } else if (isInt64) {
          if (typeof value === 'bigint' && BigInt.asIntN(64, value) === value) (data as BigInt64Array)[i] = value;
          else if (typeof value === 'number' && Number.isSafeInteger(value)) (data as BigInt64Array)[i] = BigInt(value);
          else ok = false;
        } else if (value instanceof Date && !Number.isNaN(value.getTime())) {
          (data as BigInt64Array)[i] = BigInt(value.getTime());
        } else ok = false;
        } catch {
          ok = false;
        }
        if (!ok) {
          misfits.count++;
          setNull(i);
        }
      }
      return makeData({ type: arrowType, length: count, nullCount, nullBitmap: nullCount > 0 ? bitmap : null, data } as never) as Data;
    }
  }
}

function isArraySafe(value: unknown): value is unknown[] {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

export { Null };
