/**
 * Record-batch plumbing shared by the binary encoders (Parquet and Arrow IPC): pick and rename the
 * output columns, keep only the selected rows, and check that every batch has the schema of the first.
 *
 * Gathering is written by hand over the raw buffers because it runs once per kept row on the hot
 * path; going through `Vector#get` and a `Builder` is about 5× slower and mis-types values.
 */
import { Data, Field, RecordBatch, Schema, Struct, Type, Utf8, util } from 'apache-arrow';
import type { DataType } from 'apache-arrow';
import { ExportError } from '../../errors.js';
import { fieldIndexOf, makeRecordBatch, type Chunk } from '../../schema/chunk.js';
import { checkColumnNames } from '../columns.js';
import type { OutputColumn } from '../types.js';

/** Rewrites a column's type and data for a format that cannot store it as is (e.g. Parquet and `Null`). */
export interface ColumnConversion {
  /** The type written instead of `type`, or `null` to keep it. */
  convertType(type: DataType): DataType | null;
  /** The data rewritten to the converted type. */
  convertData(data: Data, type: DataType): Data;
}

/**
 * A column with no values yet (Arrow `Null`) becomes nullable text: rows builders emit Null for a
 * column that was all null so far and text once the schema is locked, and the output schema of a
 * binary format cannot change after the first batch.
 */
export const NULL_AS_TEXT: ColumnConversion = {
  convertType(type: DataType): DataType | null {
    return type.typeId === Type.Null ? new Utf8() : null;
  },
  convertData(data: Data, type: DataType): Data {
    if (data.type.typeId !== Type.Null || type.typeId !== Type.Utf8) {
      throw new ExportError('schema_mismatch', `cannot write a column of type ${describeType(data.type)} as ${describeType(type)}`);
    }
    return allNullText(data.length, type);
  },
};

/** `length` nulls as text data. */
export function allNullText(length: number, type: DataType = new Utf8()): Data {
  return new Data(type, 0, length, length, buffers(new Int32Array(length + 1), new Uint8Array(0), new Uint8Array((length + 7) >> 3)));
}

/** How one batch schema maps onto the output schema; made from the first batch and then fixed. */
export interface OutputPlan {
  /** The schema every output batch carries: the chosen columns, renamed, with converted types. */
  readonly schema: Schema;
  /** Batch column name read for each output column. */
  readonly fields: readonly string[];
  /** The first batch's field for each output column: later batches must match it. */
  readonly sourceFields: readonly Field[];
  /** Converted output type per column, or null where the source type is written as is. */
  readonly conversions: ReadonlyArray<DataType | null>;
}

/**
 * Makes the output plan from the first batch's schema. `format` names the format in error messages.
 * Throws `'unknown_column'` when a requested column is missing from the batch.
 */
export function planOutput(
  format: string,
  batchSchema: Schema,
  columns: readonly OutputColumn[],
  conversion?: ColumnConversion,
): OutputPlan {
  checkColumnNames(format, columns, batchSchema);
  const fields: string[] = [];
  const sourceFields: Field[] = [];
  const conversions: Array<DataType | null> = [];
  const outFields: Field[] = [];
  const seen = new Set<string>();
  for (const column of columns) {
    const source = batchSchema.fields[fieldIndexOf(batchSchema, column.field)];
    if (source === undefined) {
      throw new ExportError('unknown_column', `${format}: column "${column.field}" is not in the data (columns: ${batchSchema.fields.map((f) => JSON.stringify(f.name)).join(', ')})`, {
        details: { column: column.field },
      });
    }
    if (seen.has(column.header)) {
      throw new ExportError('invalid_options', `${format}: two columns are written as "${column.header}"; ${format} column names must be unique`, {
        details: { column: column.header, path: 'columns' },
      });
    }
    seen.add(column.header);
    const converted = conversion?.convertType(source.type) ?? null;
    fields.push(column.field);
    sourceFields.push(source);
    conversions.push(converted);
    // A converted Null column can hold nulls, so it must be nullable whatever the source said.
    outFields.push(new Field(column.header, converted ?? source.type, converted !== null || source.nullable, source.metadata));
  }
  return { schema: new Schema(outFields, batchSchema.metadata), fields, sourceFields, conversions };
}

/**
 * Checks a batch against the plan's first batch: same column names and types. A column the first
 * batch declared non-nullable may not hold nulls later (the output schema says it has none).
 * Throws `'schema_mismatch'` naming the column and both types.
 */
export function checkBatchSchema(format: string, plan: OutputPlan, batch: RecordBatch): void {
  for (let i = 0; i < plan.fields.length; i++) {
    const name = plan.fields[i]!;
    const expected = plan.sourceFields[i]!;
    const index = fieldIndexOf(batch.schema, name);
    if (index < 0) {
      throw new ExportError('schema_mismatch', `${format}: column "${name}" is missing from a later batch (expected ${String(expected.type)})`, {
        details: { column: name, expected: String(expected.type) },
      });
    }
    const actual = batch.schema.fields[index]!;
    const output: DataType = plan.schema.fields[i]!.type;
    const actualType: DataType = actual.type;
    // A column first seen with no values (Null) is written as text, so later batches may bring text.
    const compatible =
      util.compareTypes(expected.type, actual.type) ||
      (expected.type.typeId === Type.Null && util.compareTypes(output, actual.type)) ||
      (actualType.typeId === Type.Null && output.typeId === Type.Utf8);
    if (!compatible) {
      throw new ExportError(
        'schema_mismatch',
        `${format}: column "${name}" changed type from ${describeType(expected.type)} to ${describeType(actual.type)}; every batch must have the first batch's schema`,
        { details: { column: name, expected: describeType(expected.type), actual: describeType(actual.type) } },
      );
    }
    if (!expected.nullable && (batch.data.children[index]?.nullCount ?? 0) > 0) {
      throw new ExportError('schema_mismatch', `${format}: column "${name}" was declared non-nullable (${describeType(expected.type)}) but a later batch holds nulls`, {
        details: { column: name, expected: `${describeType(expected.type)} not null`, actual: `${describeType(actual.type)} nullable` },
      });
    }
  }
}

/** A type as text for messages, with child types (`List<Int32>`, `Struct<{a:Utf8}>`). */
export function describeType(type: DataType): string {
  return String(type);
}

/**
 * The chunk's selected rows of the plan's columns, as a record batch with the output schema.
 * No selection or a contiguous one is a zero-copy slice; scattered rows are copied into new buffers.
 */
export function projectChunk(plan: OutputPlan, chunk: Chunk, conversion?: ColumnConversion): RecordBatch {
  const { batch, selection } = chunk;
  const children: Data[] = [];
  let length = batch.numRows;
  if (selection !== null) length = selection.length;
  const contiguous = selection === null || isContiguous(selection);
  const start = selection === null || selection.length === 0 ? 0 : selection[0]!;
  for (let i = 0; i < plan.fields.length; i++) {
    const index = fieldIndexOf(batch.schema, plan.fields[i]!);
    let data: Data = batch.data.children[index]!;
    if (selection !== null) data = contiguous ? data.slice(start, length) : gatherData(data, selection);
    const output = plan.schema.fields[i]!.type;
    if (conversion !== undefined && data.type !== output && !util.compareTypes(data.type, output)) data = conversion.convertData(data, output);
    children.push(data);
  }
  const struct = new Data(new Struct(plan.schema.fields), 0, length, 0, undefined, children);
  return makeRecordBatch(plan.schema, struct);
}

function isContiguous(selection: Uint32Array): boolean {
  const n = selection.length;
  return n === 0 || selection[n - 1]! - selection[0]! === n - 1;
}

type TypedArray =
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

type TypedArrayConstructor = new (length: number) => TypedArray;

/**
 * Copies the rows at `indexes` (relative to `data`) into new buffers.
 *
 * Follows apache-arrow's layout convention: value and offset buffers are already sliced to the
 * data's window, while validity bitmaps (and boolean values) are addressed at `data.offset + i`.
 */
export function gatherData(data: Data, indexes: Uint32Array): Data {
  const n = indexes.length;
  const type = data.type;
  let nullBitmap: Uint8Array | undefined;
  let nullCount = 0;
  if (type.typeId === Type.Null) return new Data(type, 0, n, n);
  if (data.nullCount > 0 && data.nullBitmap !== undefined && data.nullBitmap.length > 0) {
    const gathered = gatherBits(data.nullBitmap, data.offset, indexes);
    nullBitmap = gathered.bits;
    nullCount = n - gathered.set;
  }
  switch (type.typeId) {
    case Type.Bool: {
      const values = gatherBits(data.values as Uint8Array, data.offset, indexes).bits;
      return new Data(type, 0, n, nullCount, buffers(undefined, values, nullBitmap));
    }
    case Type.Int:
    case Type.Float:
    case Type.Date:
    case Type.Timestamp:
    case Type.Time:
    case Type.Decimal:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary: {
      const values = gatherFixed(data.values as TypedArray, data.stride, indexes);
      return new Data(type, 0, n, nullCount, buffers(undefined, values, nullBitmap));
    }
    case Type.Dictionary: {
      const values = gatherFixed(data.values as TypedArray, 1, indexes);
      return new Data(type, 0, n, nullCount, buffers(undefined, values, nullBitmap), [], data.dictionary);
    }
    case Type.Utf8:
    case Type.Binary: {
      const { offsets, values } = gatherVariable(data.valueOffsets as Int32Array, data.values as Uint8Array, indexes);
      return new Data(type, 0, n, nullCount, buffers(offsets, values, nullBitmap));
    }
    case Type.LargeUtf8:
    case Type.LargeBinary: {
      const { offsets, values } = gatherLargeVariable(data.valueOffsets as unknown as BigInt64Array, data.values as Uint8Array, indexes);
      return new Data(type, 0, n, nullCount, buffers(offsets, values, nullBitmap));
    }
    case Type.List:
    case Type.Map: {
      const source = data.valueOffsets as Int32Array;
      const offsets = gatherOffsets(source, indexes);
      const childIndexes = new Uint32Array(offsets[n]!);
      let k = 0;
      for (let i = 0; i < n; i++) {
        const row = indexes[i]!;
        for (let j = source[row]!, end = source[row + 1]!; j < end; j++) childIndexes[k++] = j;
      }
      const child = gatherData(data.children[0]!, childIndexes);
      return new Data(type, 0, n, nullCount, buffers(offsets, undefined, nullBitmap), [child]);
    }
    case Type.FixedSizeList: {
      const size = (type as unknown as { listSize: number }).listSize;
      const childIndexes = new Uint32Array(n * size);
      for (let i = 0; i < n; i++) for (let j = 0; j < size; j++) childIndexes[i * size + j] = indexes[i]! * size + j;
      const child = gatherData(data.children[0]!, childIndexes);
      return new Data(type, 0, n, nullCount, buffers(undefined, undefined, nullBitmap), [child]);
    }
    case Type.Struct: {
      // Struct children are sliced together with their parent, so struct row i is child row i.
      const children = data.children.map((child) => gatherData(child, indexes));
      return new Data(type, 0, n, nullCount, buffers(undefined, undefined, nullBitmap), children);
    }
    default:
      throw new ExportError('invalid_value', `cannot select rows of a column of type ${describeType(type)}: not supported by the binary encoders`, {
        details: { value: describeType(type) },
      });
  }
}

type DataBuffers = ConstructorParameters<typeof Data>[4];

/** The constructor's buffer record (indexed by BufferType: offsets 0, values 1, validity 2) with only the buffers present. */
function buffers(offsets: TypedArray | undefined, values: TypedArray | undefined, validity: Uint8Array | undefined): DataBuffers {
  const record: Record<number, TypedArray> = {};
  if (offsets !== undefined) record[0] = offsets;
  if (values !== undefined) record[1] = values;
  if (validity !== undefined) record[2] = validity;
  return record as DataBuffers;
}

function gatherBits(source: Uint8Array, offset: number, indexes: Uint32Array): { bits: Uint8Array; set: number } {
  const n = indexes.length;
  const bits = new Uint8Array((n + 7) >> 3);
  let set = 0;
  for (let i = 0; i < n; i++) {
    const bit = offset + indexes[i]!;
    if ((source[bit >> 3]! >> (bit & 7)) & 1) {
      bits[i >> 3]! |= 1 << (i & 7);
      set++;
    }
  }
  return { bits, set };
}

function gatherFixed(values: TypedArray, stride: number, indexes: Uint32Array): TypedArray {
  const n = indexes.length;
  const Ctor = values.constructor as TypedArrayConstructor;
  const out = new Ctor(n * stride);
  if (stride === 1) {
    // Index loops on typed arrays of one element per row are the common case (numbers, dates).
    if (values instanceof BigInt64Array || values instanceof BigUint64Array) {
      const o = out as BigInt64Array;
      for (let i = 0; i < n; i++) o[i] = values[indexes[i]!]!;
    } else {
      const o = out as Float64Array;
      const v = values as Float64Array;
      for (let i = 0; i < n; i++) o[i] = v[indexes[i]!]!;
    }
    return out;
  }
  for (let i = 0; i < n; i++) {
    const from = indexes[i]! * stride;
    (out as Uint8Array).set((values as Uint8Array).subarray(from, from + stride), i * stride);
  }
  return out;
}

/** Offsets of the chosen rows of a variable-width column, packed from zero. */
function gatherOffsets(source: Int32Array, indexes: Uint32Array): Int32Array {
  const n = indexes.length;
  const offsets = new Int32Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = indexes[i]!;
    total += source[row + 1]! - source[row]!;
    offsets[i + 1] = total;
  }
  return offsets;
}

function gatherVariable(source: Int32Array, values: Uint8Array, indexes: Uint32Array): { offsets: Int32Array; values: Uint8Array } {
  const n = indexes.length;
  const offsets = gatherOffsets(source, indexes);
  const out = new Uint8Array(offsets[n]!);
  for (let i = 0; i < n; i++) {
    const row = indexes[i]!;
    const from = source[row]!;
    const to = source[row + 1]!;
    if (to - from < 16) {
      for (let j = from, k = offsets[i]!; j < to; j++) out[k++] = values[j]!;
    } else {
      out.set(values.subarray(from, to), offsets[i]!);
    }
  }
  return { offsets, values: out };
}

function gatherLargeVariable(source: BigInt64Array, values: Uint8Array, indexes: Uint32Array): { offsets: BigInt64Array; values: Uint8Array } {
  const n = indexes.length;
  const offsets = new BigInt64Array(n + 1);
  let total = 0;
  for (let i = 0; i < n; i++) {
    const row = indexes[i]!;
    total += Number(source[row + 1]! - source[row]!);
    offsets[i + 1] = BigInt(total);
  }
  const out = new Uint8Array(total);
  for (let i = 0; i < n; i++) {
    const row = indexes[i]!;
    out.set(values.subarray(Number(source[row]!), Number(source[row + 1]!)), Number(offsets[i]!));
  }
  return { offsets, values: out };
}
