/** Test helpers: Arrow columns with nulls built straight from typed arrays (apache-arrow's makeData). */
import * as arrow from 'apache-arrow';

/** A column spec for {@link makeBatch}: an Arrow type and its values (null = a null cell). */
export type ColumnSpec =
  | { type: 'float64' | 'float32' | 'int32' | 'int8' | 'uint32' | 'date32'; values: Array<number | null> }
  | { type: 'int64' | 'uint64' | 'timestamp_ms' | 'timestamp_us' | 'timestamp_s' | 'date64'; values: Array<bigint | null> }
  | { type: 'utf8' | 'large_utf8' | 'dict_utf8'; values: Array<string | null> }
  | { type: 'bool'; values: Array<boolean | null> }
  | { type: 'null'; length: number };

function validity(values: readonly unknown[]): { nullBitmap: Uint8Array; nullCount: number } {
  const nullBitmap = new Uint8Array(Math.ceil(values.length / 8) + 1);
  let nullCount = 0;
  values.forEach((value, i) => {
    if (value === null) nullCount++;
    else nullBitmap[i >> 3]! |= 1 << (i & 7);
  });
  return { nullBitmap, nullCount };
}

function arrowType(spec: ColumnSpec): arrow.DataType {
  switch (spec.type) {
    case 'float64': return new arrow.Float64();
    case 'float32': return new arrow.Float32();
    case 'int32': return new arrow.Int32();
    case 'int8': return new arrow.Int8();
    case 'uint32': return new arrow.Uint32();
    case 'date32': return new arrow.DateDay();
    case 'int64': return new arrow.Int64();
    case 'uint64': return new arrow.Uint64();
    case 'timestamp_ms': return new arrow.TimestampMillisecond();
    case 'timestamp_us': return new arrow.TimestampMicrosecond();
    case 'timestamp_s': return new arrow.TimestampSecond();
    case 'date64': return new arrow.DateMillisecond();
    case 'utf8': return new arrow.Utf8();
    case 'large_utf8': return new arrow.LargeUtf8();
    case 'dict_utf8': return new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32());
    case 'bool': return new arrow.Bool();
    case 'null': return new arrow.Null();
  }
}

function utf8Data(values: Array<string | null>, large: boolean): { data: Uint8Array; valueOffsets: Int32Array | BigInt64Array } {
  const encoder = new TextEncoder();
  const parts = values.map((v) => encoder.encode(v ?? ''));
  const total = parts.reduce((sum, p) => sum + p.length, 0);
  const data = new Uint8Array(total);
  const offsets = large ? new BigInt64Array(values.length + 1) : new Int32Array(values.length + 1);
  let at = 0;
  parts.forEach((part, i) => {
    data.set(part, at);
    at += part.length;
    if (offsets instanceof BigInt64Array) offsets[i + 1] = BigInt(at);
    else offsets[i + 1] = at;
  });
  return { data, valueOffsets: offsets };
}

/** One column as Arrow Data. */
export function makeColumn(spec: ColumnSpec): arrow.Data {
  const type = arrowType(spec);
  if (spec.type === 'null') return arrow.makeData({ type: type as arrow.Null, length: spec.length, nullCount: spec.length });
  const length = spec.values.length;
  const { nullBitmap, nullCount } = validity(spec.values);
  switch (spec.type) {
    case 'float64': case 'float32': case 'int32': case 'int8': case 'uint32': case 'date32': {
      const ArrayType = { float64: Float64Array, float32: Float32Array, int32: Int32Array, int8: Int8Array, uint32: Uint32Array, date32: Int32Array }[spec.type];
      const data = new ArrayType(length);
      spec.values.forEach((v, i) => {
        data[i] = v ?? 0;
      });
      return arrow.makeData({ type, length, nullCount, nullBitmap, data } as never);
    }
    case 'int64': case 'timestamp_ms': case 'timestamp_us': case 'timestamp_s': case 'date64':
      return arrow.makeData({ type, length, nullCount, nullBitmap, data: BigInt64Array.from(spec.values, (v) => v ?? 0n) } as never);
    case 'uint64':
      return arrow.makeData({ type, length, nullCount, nullBitmap, data: BigUint64Array.from(spec.values, (v) => v ?? 0n) } as never);
    case 'bool': {
      const data = new Uint8Array(Math.ceil(length / 8) + 1);
      spec.values.forEach((v, i) => {
        if (v === true) data[i >> 3]! |= 1 << (i & 7);
      });
      return arrow.makeData({ type: type as arrow.Bool, length, nullCount, nullBitmap, data });
    }
    case 'utf8':
    case 'large_utf8': {
      const { data, valueOffsets } = utf8Data(spec.values, spec.type === 'large_utf8');
      return arrow.makeData({ type, length, nullCount, nullBitmap, data, valueOffsets } as never);
    }
    case 'dict_utf8': {
      const distinct = [...new Set(spec.values.filter((v): v is string => v !== null))].reverse(); // dictionary order ≠ row order
      const { data, valueOffsets } = utf8Data(distinct, false);
      const dictionary = arrow.makeVector(arrow.makeData({ type: new arrow.Utf8(), length: distinct.length, data, valueOffsets: valueOffsets as Int32Array }));
      const keys = Int32Array.from(spec.values, (v) => (v === null ? 0 : distinct.indexOf(v)));
      return arrow.makeData({ type: type as arrow.Dictionary, length, nullCount, nullBitmap, data: keys, dictionary });
    }
  }
}

/** A record batch from named column specs. */
export function makeBatch(columns: Record<string, ColumnSpec>): arrow.RecordBatch {
  const entries = Object.entries(columns);
  const children = entries.map(([, spec]) => makeColumn(spec));
  const fields = entries.map(([name], i) => new arrow.Field(name, children[i]!.type, true));
  const length = children[0]?.length ?? 0;
  const struct = arrow.makeData({ type: new arrow.Struct(fields), length, nullCount: 0, children });
  return new arrow.RecordBatch(new arrow.Schema(fields), struct);
}

/** Row indexes kept by a selection (`null` = all `n`). */
export function keptRows(selection: Uint32Array | null, n: number): number[] {
  return selection === null ? Array.from({ length: n }, (_, i) => i) : Array.from(selection);
}

/** A tiny seeded PRNG (mulberry32), for data that is the same on every run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
