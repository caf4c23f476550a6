/**
 * A filter evaluated before the rows it drops are built: each AND term builds only the columns it
 * reads, for the rows every earlier term kept, and the terms run cheapest-and-most-selective first.
 */
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import type { EngineParts } from '../engine-parts.js';
import type { CompiledFilter, FilterPlan } from '../filter/index.js';
import type { BatchBuilder, BuiltBatch } from '../schema/builder.js';
import { makeRecordBatch, type Chunk } from '../schema/chunk.js';
import { gatherPacked } from '../schema/packed.js';
import type { RowRun } from '../sources/rows.js';
import type { Row } from '../types.js';
import { packedPart, rowsOf } from './row-runs.js';

/** Text written in place of values that did not fit their column, by column and row. */
type Mismatches = Map<string, Map<number, string>>;

/** One AND term of a filter and the columns it reads. */
interface FilterStage {
  readonly filter: CompiledFilter;
  readonly columns: ReadonlySet<string>;
  /** Rows the term was evaluated on, and the rows it kept, over the chunks so far (orders the terms). */
  rowsIn: number;
  rowsKept: number;
}

/** A filter compiled for a schema, and its staged form when rows are built by the engine. */
export interface CompiledFilters {
  readonly compiled: CompiledFilter;
  /** Null for Arrow sources: their batches come built, so there is nothing to save by staging. */
  readonly staged: StagedFilter | null;
}

/**
 * Compiles the filter of `plan` for `schema`, and, when the engine builds the rows itself
 * (`builder` is set), each AND term on its own with the built columns it reads, so later chunks
 * are filtered before their other columns are built.
 */
export function compileFilters(parts: EngineParts, plan: FilterPlan, schema: Schema, builder: BatchBuilder | null, outputFields: readonly string[]): CompiledFilters {
  const compiled = parts.compileFilter(plan.filter, schema);
  if (builder === null) return { compiled, staged: null };
  const built = new Set(builder.columns.map((column) => column.name));
  const tree = plan.filter;
  const terms = tree.op === 'and' ? tree.filters : [tree];
  const stages = terms.map((term): FilterStage => {
    const filter = terms.length === 1 ? compiled : parts.compileFilter(term, schema, { optimize: false });
    return { filter, columns: new Set(filter.fields.filter((field) => built.has(field))), rowsIn: 0, rowsKept: 0 };
  });
  return { compiled, staged: new StagedFilter(builder, stages, new Set(outputFields)) };
}

/** A chunk the staged filter chose rows of, and the schema of its output columns when it built them. */
export interface FilteredChunk {
  readonly chunk: Chunk;
  /** The batch's schema when it holds the output columns; null when no row was kept (nothing is written). */
  readonly schema: Schema | null;
}

/** The filter's AND terms, evaluated stage by stage on rows as they are built. */
export class StagedFilter {
  private readonly builder: BatchBuilder;
  private readonly stages: FilterStage[];
  private readonly outputFields: ReadonlySet<string>;

  constructor(builder: BatchBuilder, stages: FilterStage[], outputFields: ReadonlySet<string>) {
    this.builder = builder;
    this.stages = stages;
    this.outputFields = outputFields;
  }

  /**
   * Rows filtered before they are built, term by term: each stage builds only its own columns, and
   * only for the rows every earlier stage kept, so a row the filter drops early is never converted
   * for later terms or for the output. When the terms keep few rows, the output columns are then
   * built for the kept rows alone; when they keep most, the missing columns are built for every
   * row and the selection kept (gathering would cost more than it saves).
   */
  build(run: RowRun, firstRow: number): FilteredChunk {
    const builder = this.builder;
    const count = run.end - run.start;
    // Columns built for every row of the run, merged into one batch.
    let full: RecordBatch | null = null;
    let fullMismatches: Mismatches | null = null;
    const builtForAll = new Set<string>();
    let candidates: Uint32Array | null = null; // null: every row of the run is still in
    for (const stage of this.stages) {
      const reaching = candidates === null ? count : candidates.length;
      if (candidates === null) {
        const missing = new Set([...stage.columns].filter((name) => !builtForAll.has(name)));
        if (missing.size > 0 || full === null) {
          const built = builder.build(rowsOf(run), run.start, run.end, firstRow, { columns: missing, ...packedPart(run) });
          full = full === null ? built.batch : mergeBatches(full, built.batch);
          fullMismatches = mergeMismatches(fullMismatches, built.mismatches);
          for (const name of missing) builtForAll.add(name);
        }
        candidates = stage.filter.evaluate(full);
      } else {
        const built = buildGathered(builder, run, candidates, firstRow, stage.columns);
        const kept = stage.filter.evaluate(built.batch);
        if (kept !== null) candidates = pick(candidates, kept);
      }
      stage.rowsIn += reaching;
      stage.rowsKept += candidates === null ? count : candidates.length;
      if (candidates !== null && candidates.length === 0) break;
    }
    this.orderStages();
    const kept = candidates === null ? count : candidates.length;
    if (kept === 0) return { chunk: { batch: full!, selection: new Uint32Array(0), firstRow, mismatches: fullMismatches }, schema: null };
    if (candidates === null || kept * 2 > count) {
      const missing = new Set([...this.outputFields].filter((name) => !builtForAll.has(name)));
      const rest = missing.size === 0 ? null : builder.build(rowsOf(run), run.start, run.end, firstRow, { columns: missing, ...packedPart(run) });
      const batch = rest === null ? full! : mergeBatches(full!, rest.batch);
      return { chunk: { batch, selection: candidates, firstRow, mismatches: mergeMismatches(fullMismatches, rest?.mismatches ?? null) }, schema: batch.schema };
    }
    const out = buildGathered(builder, run, candidates, firstRow, this.outputFields);
    return { chunk: { batch: out.batch, selection: null, firstRow, mismatches: out.mismatches }, schema: out.batch.schema };
  }

  /**
   * Puts the terms that drop the most rows for their cost first, as seen so far: ascending
   * cost ÷ (1 − pass rate), the order that minimizes the work for independent terms. A term that
   * keeps every row goes last, where it reads the fewest rows. Costs count the columns a term
   * builds, text three times a number (measured per row); the pass rates come from the data, so
   * the same rows always give the same order.
   */
  private orderStages(): void {
    const kinds = new Map(this.builder.columns.map((column) => [column.name, column.type.kind]));
    const rank = (stage: FilterStage): number => {
      let cost = 0;
      for (const name of stage.columns) {
        const kind = kinds.get(name);
        cost += kind === 'utf8' || kind === 'json' ? 3 : 1;
      }
      const passRate = stage.rowsIn === 0 ? 1 : stage.rowsKept / stage.rowsIn;
      return cost / (1 - passRate + 1e-6);
    };
    const ranks = new Map(this.stages.map((stage) => [stage, rank(stage)]));
    this.stages.sort((a, b) => ranks.get(a)! - ranks.get(b)!);
  }
}

/** One batch with the columns of two batches of the same rows. */
function mergeBatches(a: RecordBatch, b: RecordBatch): RecordBatch {
  const fields = [...a.schema.fields, ...b.schema.fields];
  const children = [...a.data.children, ...b.data.children];
  return makeRecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: a.numRows, nullCount: 0, children }));
}

/** Builds `columns` of the rows of `run` at `indexes` (relative to `run.start`). */
function buildGathered(builder: BatchBuilder, run: RowRun, indexes: Uint32Array, firstRow: number, columns: ReadonlySet<string>): BuiltBatch {
  if (run.packed !== undefined) {
    return builder.build([], 0, indexes.length, firstRow, { columns, rowIndexes: indexes, packed: gatherPacked(run.packed, run.start, indexes) });
  }
  const rows: Row[] = new Array(indexes.length);
  for (let k = 0; k < indexes.length; k++) rows[k] = run.rows[run.start + indexes[k]!]!;
  return builder.build(rows, 0, indexes.length, firstRow, { columns, rowIndexes: indexes });
}

/** `indexes[k]` for every `k` in `positions`. */
function pick(indexes: Uint32Array, positions: Uint32Array): Uint32Array {
  const out = new Uint32Array(positions.length);
  for (let k = 0; k < positions.length; k++) out[k] = indexes[positions[k]!]!;
  return out;
}

function mergeMismatches(a: Mismatches | null, b: Mismatches | null): Mismatches | null {
  if (a === null) return b;
  if (b === null) return a;
  return new Map([...a, ...b]);
}
