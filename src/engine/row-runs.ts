/**
 * How the batch builder reads a run of rows: from its row objects, or from the columns the page
 * packed them into.
 */
import type { PackedRows } from '../schema/packed.js';
import type { RowRun } from '../sources/rows.js';
import type { Row } from '../types.js';

/** A run's row objects, or none for a packed run (the builder reads its columns; making the objects is what packing avoids). */
export function rowsOf(run: RowRun): ArrayLike<Row> {
  return run.packed === undefined ? run.rows : NO_ROWS;
}
const NO_ROWS: readonly Row[] = [];

/** The build option that reads a packed run's columns instead of its row objects. */
export function packedPart(run: RowRun): { packed?: PackedRows } {
  return run.packed === undefined ? {} : { packed: run.packed };
}
