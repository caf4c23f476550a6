/**
 * Which columns an export writes and how they are typed: from an Arrow schema, from the keys of
 * the first chunk of rows (with `columns` and `schema` applied), or, for a binary format whose
 * schema is written once, from values further down (the rest of an in-memory array, or rows of a
 * stream read ahead of the first batch).
 */
import type { Schema } from 'apache-arrow';
import { ExportError } from '../errors.js';
import type { FilterPlan } from '../filter/index.js';
import { checkColumnNames } from '../formats/columns.js';
import type { FormatDefinition, OutputColumn, RowColumn } from '../formats/types.js';
import { unknownColumnMessage } from '../options/rules.js';
import { BatchBuilder, type ColumnPlan } from '../schema/builder.js';
import { fitsInt32, inferKind } from '../schema/infer.js';
import { readDeclaredSchema, type DeclaredColumn } from '../schema/kinds.js';
import { packedValues, type PackedRows } from '../schema/packed.js';
import type { RowRun, SourceReader } from '../sources/rows.js';
import type { ColumnSpec, ExportIssue, Row, StreamOptions } from '../types.js';
import { noColumnsError, sourceError } from './failures.js';

/**
 * Most rows (and row × column cells) a stream exported to Parquet or Arrow is read ahead of its
 * first batch while a column has no value yet: one default Parquet row group. Memory holds these
 * rows at most.
 */
export const SCHEMA_LOOKAHEAD_ROWS = 65_536;
const SCHEMA_LOOKAHEAD_CELLS = 2_000_000;

/** What column planning needs from the export it plans for. */
export interface PlanningContext {
  readonly options: StreamOptions;
  readonly format: FormatDefinition;
  readonly chunkSize: number;
  readonly filterPlan: FilterPlan | null;
  report(issue: ExportIssue): void;
  /** Throws once the export is cancelled or past its deadline; called inside long steps. */
  checkAbort(): void;
  /** Waits for `promise`, or rejects as soon as the export is cancelled or past its deadline. */
  race<T>(promise: Promise<T>): Promise<T>;
}

/** The columns of one export, decided once from the first data and kept for every later chunk. */
export class ColumnPlanner {
  /** The columns written, in order; null until the first data (or the end of a source with none). */
  outputColumns: OutputColumn[] | null = null;
  /** The Arrow fields read from a batch source: the output columns and the filter's. */
  projection: string[] | null = null;
  /** Builds batches from rows once the columns of a row source are planned. */
  builder: BatchBuilder | null = null;
  /** Runs read ahead of the first batch to type its columns, waiting their turn. */
  readonly lookahead: RowRun[] = [];
  private readonly declared: DeclaredColumn[];
  /** Keys of object rows seen so far (columns come from the first chunk); null for other sources. */
  private knownKeys: Set<string> | null = null;
  /** The builder's column plans by name, for {@link rowColumns}. */
  private plansByName: Map<string, ColumnPlan> | null = null;

  private readonly context: PlanningContext;

  constructor(context: PlanningContext) {
    this.context = context;
    this.declared = readDeclaredSchema(context.options.schema);
  }

  /** Decides the columns of an Arrow source from its schema. */
  planBatchColumns(schema: Schema): void {
    // Two fields of one name cannot be told apart (apache-arrow's select mixes them up).
    checkColumnNames(this.context.options.format, [], schema);
    const available = schema.fields.map((field) => field.name);
    if (available.length === 0) throw noColumnsError('the Arrow data has no fields');
    this.outputColumns = this.resolveOutputColumns(available);
    const needed = new Set(this.outputColumns.map((column) => column.field));
    for (const field of this.context.filterPlan?.fields ?? []) if (available.includes(field)) needed.add(field);
    this.projection = available.filter((name) => needed.has(name));
  }

  /**
   * Decides the columns from the first chunk of rows (and, for arrays, checks the rest of the array).
   * A row may hold a million keys: every pass over them is linear and checks the deadline as it goes.
   */
  planRowColumns(run: RowRun, array: ArrayLike<Row> | undefined): void {
    const { options, format } = this.context;
    // A row of a million keys is seconds of synchronous work, during which no timer can fire: the
    // loops over columns look at the clock themselves.
    const tick = (): void => this.context.checkAbort();
    // Packed rows are plain objects that all have the packed keys: no row object is looked at.
    const first = run.packed !== undefined || run.end <= run.start ? undefined : run.rows[run.start];
    const arrayRows = isArraySafe(first);
    let available: string[];
    /** For rows that are arrays: each named column's position. */
    let positions: Map<string, number> | null = null;
    /** Every available name, to test membership without a scan. */
    let known: Set<string>;
    if (arrayRows) {
      const specs = options.columns;
      if (specs === undefined) {
        throw new ExportError('invalid_options', 'rows are arrays: pass `columns` to name their fields in order', { details: { path: 'columns' } });
      }
      available = [];
      positions = new Map();
      for (const spec of specs) {
        const name = columnField(spec);
        positions.set(name, available.length);
        available.push(name);
      }
      known = new Set(available);
    } else {
      available = [];
      known = new Set();
      const add = (key: string): void => {
        if (known.has(key)) return;
        known.add(key);
        available.push(key);
      };
      for (const column of this.declared) add(column.name);
      if (options.schema?.only !== true) {
        if (run.packed !== undefined) {
          for (const key of run.packed.keys) add(key);
        } else {
          for (let i = run.start; i < run.end; i++) {
            const keys = this.keysOf(run.rows[i], i - run.start);
            for (let k = 0; k < keys.length; k++) {
              add(keys[k]!);
              if ((k & TICK_EVERY) === TICK_EVERY) tick();
            }
            tick();
          }
        }
      }
      // A listed column no row of the first chunk holds (APIs often omit null fields): an in-memory
      // array is searched for it, so only a name no row holds is unknown; a stream cannot be
      // searched ahead, so the column is written, null until rows hold it.
      for (const spec of options.columns ?? []) {
        const field = columnField(spec);
        if (known.has(field)) continue;
        if (array === undefined || arrayHolds(array, run.end, field)) add(field);
      }
      this.knownKeys = known;
      if (available.length === 0) throw noColumnsError(`the first ${run.end - run.start} row(s) have no keys`);
    }
    this.outputColumns = this.resolveOutputColumns(available, known, tick);
    // Without `columns` every available column is written: no set of the needed ones is made.
    let needed: Set<string> | null = null;
    if (options.columns !== undefined) {
      needed = new Set(this.outputColumns.map((column) => column.field));
      for (const field of this.context.filterPlan?.fields ?? []) if (known.has(field)) needed.add(field);
    }
    const declaredByName = new Map(this.declared.map((column) => [column.name, column]));
    const plans: ColumnPlan[] = [];
    for (let i = 0; i < available.length; i++) {
      const name = available[i]!;
      if (needed !== null && !needed.has(name)) continue;
      const declared = declaredByName.get(name);
      plans.push({
        name,
        key: positions === null ? name : positions.get(name)!,
        declared: declared !== undefined,
        type: declared?.type ?? { kind: 'null' },
        nullable: declared?.nullable ?? true,
      });
      if ((i & TICK_EVERY) === TICK_EVERY) tick();
    }
    // Only a schema written once needs the look ahead: text formats widen int → float and null → any
    // as later chunks ask, with the same output, and a pass over a large array costs a read of every row.
    if (array !== undefined && format.binary) refineFromArray(plans, run, array, tick);
    this.builder = new BatchBuilder(plans, {
      lockSchema: format.binary,
      nestedAsArrow: format.binary,
      strict: options.schema?.strict === true,
      report: (issue) => this.context.report(issue),
      checkpoint: () => this.context.checkAbort(),
    });
  }

  /**
   * How an encoder's direct path ({@link Encoder.encodeRows}) reads the output columns from row
   * objects: only once a batch has settled every output column's kind, for undeclared columns of
   * the kinds that path writes, and keys that read no inherited property. Null otherwise: the
   * chunk is built into a batch.
   */
  rowColumns(): RowColumn[] | null {
    const builder = this.builder;
    const outputs = this.outputColumns;
    if (builder === null || outputs === null) return null;
    this.plansByName ??= new Map(builder.columns.map((plan) => [plan.name, plan]));
    const columns: RowColumn[] = [];
    for (const output of outputs) {
      const plan = this.plansByName.get(output.field);
      if (plan === undefined || plan.declared) return null;
      const kind = plan.type.kind;
      if (kind !== 'float64' && kind !== 'int32' && kind !== 'utf8' && kind !== 'bool' && kind !== 'timestamp' && kind !== 'null') return null;
      // `constructor` or `__proto__` would read Object.prototype: the builder reads own properties only.
      if (typeof plan.key === 'string' && plan.key in Object.prototype) return null;
      columns.push({ key: plan.key, kind });
    }
    return columns;
  }

  /**
   * Columns come from the first chunk. Keys that appear later are not exported; they are reported
   * once as `extra_column`. Three rows per chunk are sampled (first, middle, last): listing every
   * row's keys would cost more than building the batch.
   */
  noticeNewKeys(run: RowRun, firstRow: number): void {
    const known = this.knownKeys;
    if (known === null) return;
    const count = run.end - run.start;
    for (const offset of run.packed !== undefined ? [0] : new Set([0, count >> 1, count - 1])) {
      if (offset < 0) continue;
      const keys = run.packed !== undefined ? run.packed.keys : this.keysOf(run.rows[run.start + offset], firstRow + offset);
      for (let k = 0; k < keys.length; k++) {
        // A later row of a million keys is as long a step as the first.
        if ((k & TICK_EVERY) === TICK_EVERY) this.context.checkAbort();
        const key = keys[k]!;
        if (known.has(key)) continue;
        known.add(key);
        this.context.report({
          code: 'extra_column',
          message: `row ${firstRow + offset}: column "${key}" first appears after the first chunk and is not exported; name it in \`schema\` to export it`,
          row: firstRow + offset,
          column: key,
        });
      }
    }
  }

  /** Own enumerable string keys of a row; none for a non-object, and an issue when listing them throws. */
  private keysOf(row: unknown, rowIndex: number): string[] {
    if (row === null || typeof row !== 'object') return [];
    try {
      return isArraySafe(row) ? [] : Object.keys(row);
    } catch (error) {
      // A Proxy whose ownKeys trap throws, a revoked Proxy: its cells are read (and reported) by the builder.
      this.context.report({
        code: 'invalid_value',
        message: `row ${rowIndex}: listing its keys threw: ${error instanceof Error ? error.message : String(error)}`,
        row: rowIndex,
      });
      return [];
    }
  }

  /** Output columns when the source had no rows: from `columns` or the declared schema. */
  columnsWithoutRows(): OutputColumn[] {
    const specs = this.context.options.columns;
    if (specs !== undefined) return specs.map((spec) => ({ field: columnField(spec), header: columnHeader(spec) }));
    return this.declared.map((column) => ({ field: column.name, header: column.name }));
  }

  /** The schema of a source with no rows: each known column with its declared type, or the type of a column with no values. */
  schemaWithoutRows(): Schema {
    const declaredByName = new Map(this.declared.map((column) => [column.name, column]));
    const plans: ColumnPlan[] = (this.outputColumns ?? []).map(({ field }) => {
      const declared = declaredByName.get(field);
      return { name: field, key: field, declared: declared !== undefined, type: declared?.type ?? { kind: 'null' }, nullable: declared?.nullable ?? true };
    });
    const binary = this.context.format.binary;
    const builder = new BatchBuilder(plans, { lockSchema: binary, nestedAsArrow: binary, strict: false, report: (issue) => this.context.report(issue) });
    return builder.build([], 0, 0, 0).batch.schema;
  }

  /**
   * For a stream exported to Parquet or Arrow: when a column has no value in the first chunk, reads
   * on (keeping the rows, up to {@link SCHEMA_LOOKAHEAD_ROWS} rows or cells' worth) until every such
   * column has one, and types it from its first values; an integer column that meets a fraction in
   * those rows becomes Float64. A column still without a value after that is nullable text.
   */
  async lookAhead(first: RowRun, reader: SourceReader & { kind: 'rows' }, nextRow: number): Promise<void> {
    const { chunkSize } = this.context;
    const plans = this.builder!.columns.filter((plan) => !plan.declared);
    if (plans.length === 0) return;
    const kinds = new Map(plans.map((plan) => [plan, inferKind(runValues(first, plan.key), first.end - first.start)]));
    const open = (): ColumnPlan[] => plans.filter((plan) => kinds.get(plan) === 'null');
    if (open().length === 0) return;
    const maxRows = Math.max(chunkSize, Math.min(SCHEMA_LOOKAHEAD_ROWS, Math.floor(SCHEMA_LOOKAHEAD_CELLS / Math.max(1, plans.length))));
    let rows = first.end - first.start;
    while (open().length > 0 && rows < maxRows) {
      const run = await this.context.race(Promise.resolve(reader.next(Math.min(chunkSize, maxRows - rows))).catch(sourceError(nextRow + rows - (first.end - first.start))));
      if (run === null) break;
      this.context.checkAbort();
      this.lookahead.push(run);
      rows += run.end - run.start;
      for (const plan of open()) {
        const values = runValues(run, plan.key).filter((value) => value !== null && value !== undefined);
        if (values.length > 0) kinds.set(plan, inferKind(values, values.length));
      }
    }
    for (const plan of plans) {
      let kind = kinds.get(plan)!;
      if (kind === 'int32') {
        for (const run of this.lookahead) {
          if (!runValues(run, plan.key).every(fitsInt32)) {
            kind = 'float64';
            break;
          }
        }
      }
      plan.type = { kind };
    }
  }

  private resolveOutputColumns(available: string[], known: ReadonlySet<string> = new Set(available), tick: () => void = () => undefined): OutputColumn[] {
    const specs = this.context.options.columns;
    if (specs === undefined) {
      const columns: OutputColumn[] = new Array(available.length);
      for (let i = 0; i < available.length; i++) {
        columns[i] = { field: available[i]!, header: available[i]! };
        if ((i & TICK_EVERY) === TICK_EVERY) tick();
      }
      return columns;
    }
    return specs.map((spec, index) => {
      const field = columnField(spec);
      if (!known.has(field)) {
        throw new ExportError('unknown_column', unknownColumnMessage(`columns[${index}]`, field, available), {
          details: { path: `columns[${index}]`, column: field, available },
        });
      }
      return { field, header: columnHeader(spec) };
    });
  }
}

/** Steps between two looks at the deadline in loops over columns (a power of two, minus one). */
const TICK_EVERY = 4095;

/** `Array.isArray` that survives a revoked Proxy. */
export function isArraySafe(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

const packedIndexes = new WeakMap<PackedRows, Map<string, number>>();

/** One column's values in a run (undefined where a row lacks it or is not an object). */
function runValues(run: RowRun, key: string | number): unknown[] {
  const count = run.end - run.start;
  const values: unknown[] = new Array(count);
  if (run.packed !== undefined) {
    let index = packedIndexes.get(run.packed);
    if (index === undefined) packedIndexes.set(run.packed, (index = new Map(run.packed.keys.map((name, i) => [name, i]))));
    const at = index.get(String(key));
    packedValues(at === undefined ? undefined : run.packed.columns[at], run.start, count, values);
    return values;
  }
  const ownOnly = typeof key === 'string' && key in Object.prototype;
  for (let i = 0; i < count; i++) {
    const row = run.rows[run.start + i] as Record<string | number, unknown> | null | undefined;
    try {
      values[i] = row !== null && typeof row === 'object' && (!ownOnly || Object.prototype.hasOwnProperty.call(row, key)) ? row[key] : undefined;
    } catch {
      // The builder reports values that throw when it reads them.
      values[i] = undefined;
    }
  }
  return values;
}

/** True when a row of `array` from `start` on has its own property `field`. */
function arrayHolds(array: ArrayLike<Row>, start: number, field: string): boolean {
  for (let i = start; i < array.length; i++) {
    const row = array[i];
    try {
      if (row !== null && typeof row === 'object' && Object.prototype.hasOwnProperty.call(row, field)) return true;
    } catch {
      // A hostile row cannot hold it as far as we can tell.
    }
  }
  return false;
}

function columnField(spec: ColumnSpec): string {
  return typeof spec === 'string' ? spec : spec.field;
}

function columnHeader(spec: ColumnSpec): string {
  return typeof spec === 'string' ? spec : spec.header ?? spec.field;
}

/**
 * For an in-memory array exported to a binary format, looks past the first chunk where it matters:
 * a column that looked like int32 is checked to the end (so one fraction later on makes it float64
 * from the start), and a column with no value yet takes its type from the first values further down.
 */
function refineFromArray(plans: ColumnPlan[], run: RowRun, array: ArrayLike<Row>, tick: () => void): void {
  const sample: unknown[] = [];
  for (let p = 0; p < plans.length; p++) {
    const plan = plans[p]!;
    if ((p & TICK_EVERY) === TICK_EVERY) tick();
    if (plan.declared) continue;
    const key = plan.key as string | number;
    const ownOnly = typeof key === 'string' && key in Object.prototype;
    const read = (row: Row | undefined): unknown => {
      try {
        return row !== null && typeof row === 'object' && (!ownOnly || Object.prototype.hasOwnProperty.call(row, key)) ? (row as Record<string | number, unknown>)[key] : undefined;
      } catch {
        // The builder reports values that throw when it reads them.
        return undefined;
      }
    };
    sample.length = 0;
    for (let i = run.start; i < run.end; i++) sample.push(read(array[i]));
    let kind = inferKind(sample, sample.length);
    if (kind === 'null') {
      sample.length = 0;
      for (let i = run.end; i < array.length && sample.length < 1000; i++) {
        const value = read(array[i]);
        if (value !== null && value !== undefined) sample.push(value);
      }
      kind = inferKind(sample, sample.length);
    }
    if (kind === 'int32') {
      for (let i = run.end; i < array.length; i++) {
        if (!fitsInt32(read(array[i]))) {
          kind = 'float64';
          break;
        }
      }
    }
    plan.type = { kind };
  }
}
