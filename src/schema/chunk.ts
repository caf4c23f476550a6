import { DataType, makeData, RecordBatch, Schema, Struct, Type, type Data } from 'apache-arrow';

/**
 * The unit of data inside the engine: an Arrow record batch plus what the pipeline learned about it.
 * Encoders read only the rows in `selection`, so rows a filter dropped cost nothing more.
 */
export interface Chunk {
  /** The rows; holds every output column and every column a filter reads. */
  readonly batch: RecordBatch;
  /** Indexes (ascending) of the batch rows to write; `null` when every row is kept. */
  selection: Uint32Array | null;
  /** Source row index of the batch's first row, for issues and errors. */
  readonly firstRow: number;
  /**
   * Values that did not fit their column's type, as text, by column name then batch row.
   * Text formats write this text; binary formats hold null there. `null` when there are none.
   */
  readonly mismatches: ReadonlyMap<string, ReadonlyMap<number, string>> | null;
}

/** Number of rows a chunk will write. */
export function selectedRowCount(chunk: Chunk): number {
  return chunk.selection === null ? chunk.batch.numRows : chunk.selection.length;
}

/** Field positions by name, per schema (first of equal names, as `findIndex` would). */
const fieldIndexes = new WeakMap<Schema, Map<string, number>>();

/**
 * The index of the field named `name` in `schema`, or -1. Looked up in a map made once per schema:
 * a `findIndex` per column made wide batches (tens of thousands of columns) quadratic.
 */
export function fieldIndexOf(schema: Schema, name: string): number {
  let indexes = fieldIndexes.get(schema);
  if (indexes === undefined) {
    indexes = new Map();
    const fields = schema.fields;
    for (let i = 0; i < fields.length; i++) if (!indexes.has(fields[i]!.name)) indexes.set(fields[i]!.name, i);
    fieldIndexes.set(schema, indexes);
  }
  return indexes.get(name) ?? -1;
}

/**
 * `new RecordBatch(schema, data)` for children that all have the batch's length. apache-arrow's
 * constructor re-merges the schema with itself field by field (`Schema.assign`, a `findIndex` per
 * field): quadratic in the number of columns, 17 s for one batch of 20,000 columns. The batch made
 * here is the one the constructor would return for such data.
 */
export function makeRecordBatch(schema: Schema, data: Data<Struct>): RecordBatch {
  const children = data.children;
  if (children.length < 256 || children.some((child) => child.length !== data.length)) return new RecordBatch(schema, data);
  const batch = Object.create(RecordBatch.prototype) as RecordBatch & { _metadata: Map<string, string> };
  Object.assign(batch, { schema, data, _metadata: new Map<string, string>() });
  return batch;
}

/** The columns `names` of a batch (each must exist), without apache-arrow's quadratic `select`. */
export function selectColumns(batch: RecordBatch, names: readonly string[]): RecordBatch {
  const fields = names.map((name) => batch.schema.fields[fieldIndexOf(batch.schema, name)]!);
  const children = names.map((name) => batch.data.children[fieldIndexOf(batch.schema, name)]!);
  const schema = new Schema(fields, batch.schema.metadata);
  return makeRecordBatch(schema, makeData({ type: new Struct(fields), length: batch.numRows, nullCount: 0, children }));
}

/** Rows `[start, end)` of a batch, zero-copy, without the constructor's quadratic schema merge. */
export function sliceBatch(batch: RecordBatch, start: number, end: number): RecordBatch {
  return makeRecordBatch(batch.schema, batch.data.slice(start, end - start) as Data<Struct>);
}

/** Most bytes a text encoder writes for a value of a fixed-width type (a number, a date, a decimal), quotes included. */
const FIXED_CELL_BOUND = 64;
/** Bytes one UTF-8 byte of text can become once escaped (`\u0001` in JSON). */
const TEXT_EXPANSION = 6;
/** Per cell: separators, quotes, a formula guard, a JSON key's quotes and colon. */
const CELL_OVERHEAD = 8;
/** Per row: brackets, separators, the line break. */
const ROW_OVERHEAD = 8;

/**
 * An upper bound on the bytes any text format (CSV, TSV, JSON, NDJSON) writes for each selected row
 * of a chunk, from the batch's buffers alone (text lengths, fixed widths): the engine uses it to
 * encode at once the rows that surely fit under `limits.maxBytes`. `Infinity` for a row holding a
 * value of no bounded size (a list or struct read from Arrow data).
 */
export function rowByteBounds(chunk: Chunk, columns: ReadonlyArray<{ field: string; header: string }>): Float64Array {
  const { batch, selection } = chunk;
  const count = selection === null ? batch.numRows : selection.length;
  const bounds = new Float64Array(count);
  let perRow = ROW_OVERHEAD;
  for (const column of columns) {
    const index = fieldIndexOf(batch.schema, column.field);
    const data = index < 0 ? undefined : (batch.data.children[index] as Data | undefined);
    // The JSON key is written in every row.
    perRow += CELL_OVERHEAD + TEXT_EXPANSION * utf8Length(column.header);
    const mismatches = chunk.mismatches?.get(column.field);
    if (mismatches !== undefined) {
      for (let k = 0; k < count; k++) {
        const text = mismatches.get(selection === null ? k : selection[k]!);
        if (text !== undefined) bounds[k]! += TEXT_EXPANSION * utf8Length(text);
      }
    }
    if (data === undefined) continue;
    const offsets = data.valueOffsets as Int32Array | undefined;
    const typeId = data.type.typeId;
    if ((typeId === Type.Utf8 || typeId === Type.Binary) && offsets !== undefined) {
      for (let k = 0; k < count; k++) {
        const i = selection === null ? k : selection[k]!;
        bounds[k]! += TEXT_EXPANSION * (offsets[i + 1]! - offsets[i]!);
      }
    } else if (typeId === Type.Dictionary) {
      const dictionary = data.dictionary;
      let longest = 0;
      for (const part of dictionary?.data ?? []) {
        const partOffsets = part.valueOffsets as Int32Array | undefined;
        if (partOffsets === undefined) {
          longest = FIXED_CELL_BOUND;
          continue;
        }
        for (let j = 0; j < part.length; j++) longest = Math.max(longest, partOffsets[j + 1]! - partOffsets[j]!);
      }
      perRow += Math.max(FIXED_CELL_BOUND, TEXT_EXPANSION * longest);
    } else if (DataType.isList(data.type) || DataType.isStruct(data.type) || DataType.isMap(data.type) || DataType.isUnion(data.type) || DataType.isFixedSizeList(data.type) || typeId === Type.LargeUtf8 || typeId === Type.LargeBinary || typeId === Type.FixedSizeBinary) {
      perRow = Number.POSITIVE_INFINITY;
    } else {
      perRow += FIXED_CELL_BOUND;
    }
  }
  for (let k = 0; k < count; k++) bounds[k]! += perRow;
  return bounds;
}

let encoder: TextEncoder | null = null;
function utf8Length(text: string): number {
  // Three bytes per UTF-16 unit is enough for any text; exact where it is cheap.
  if (text.length < 64) return (encoder ??= new TextEncoder()).encode(text).length;
  return text.length * 3;
}
