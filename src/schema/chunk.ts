import { makeData, RecordBatch, Schema, Struct, type Data } from 'apache-arrow';

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
