import type { RecordBatch } from 'apache-arrow';

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
