/**
 * One export's run: its lifecycle (start, one chunk per pull, finish, fail, cancel), its limits
 * (rows, deadline, cancel) and its result. Column planning, the staged filter, the byte limit and
 * compression are modules of their own; this one drives them.
 */
import type { RecordBatch, Schema } from 'apache-arrow';
import type { EngineParts } from '../engine-parts.js';
import { abortError, ExportError, toExportError } from '../errors.js';
import type { CompiledFilter, FilterPlan } from '../filter/index.js';
import type { Encoder, EncoderContext, FormatDefinition, RowColumn } from '../formats/types.js';
import { DEFAULT_CHUNK_SIZE } from '../options/rules.js';
import { ProgressMeter } from '../progress.js';
import { selectColumns, selectedRowCount, sliceBatch, type Chunk } from '../schema/chunk.js';
import type { PackedColumn } from '../schema/packed.js';
import { checkRows } from '../sources/row-shape.js';
import { openSource, type RowRun, type SourceReader } from '../sources/rows.js';
import type { ExportIssue, ExportResult, ExportSource, StreamOptions } from '../types.js';
import { ByteBudget, leadingSelection } from './byte-budget.js';
import { ColumnPlanner, isArraySafe } from './columns.js';
import { noColumnsError, sourceError, timeoutError } from './failures.js';
import type { StagedFilter } from './filter-stages.js';
import { packedPart, rowsOf } from './row-runs.js';

/** Issues kept in the result; more are counted only. */
const MAX_KEPT_ISSUES = 1000;

type Stage = 'idle' | 'reading' | 'finished' | 'failed';

/** One export's state, pulled chunk by chunk by the stream that carries its bytes. */
export class ExportRun {
  readonly options: StreamOptions;
  readonly format: FormatDefinition;
  readonly chunkSize: number;
  readonly filterPlan: FilterPlan | null;
  /** Settles once: with the result when the last byte has left, with the ExportError on failure or cancel. */
  readonly result: Promise<ExportResult>;
  private settle!: { resolve(result: ExportResult): void; reject(error: ExportError): void };
  private readonly parts: EngineParts;
  private readonly source: ExportSource;
  private readonly meter: ProgressMeter;
  private readonly columns: ColumnPlanner;
  private readonly issues: ExportIssue[] = [];
  private issueCount = 0;
  private escapedFormulae = 0;
  private truncated = false;
  private rowsFiltered = 0;
  private stage: Stage = 'idle';
  private reader: SourceReader | null = null;
  private encoder: Encoder | null = null;
  private compiledFilter: CompiledFilter | null = null;
  /** The filter evaluated stage by stage as rows are built; set once it compiles, for row sources. */
  private stagedFilter: StagedFilter | null = null;
  private lastSchema: Schema | null = null;
  /** `limits.maxBytes`: what is written before compression, and cutting the file at a row. */
  private readonly bytes: ByteBudget;
  private failure: ExportError | null = null;
  private completed = false;
  private abortPromise: Promise<never> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  /** Whether rows are arrays (decided by the first row); null until a row came. */
  private arrayRows: boolean | null = null;

  constructor(source: ExportSource, options: StreamOptions, format: FormatDefinition, parts: EngineParts) {
    this.parts = parts;
    this.source = source;
    this.options = options;
    this.format = format;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.meter = new ProgressMeter(options.onProgress);
    this.result = new Promise<ExportResult>((resolve, reject) => (this.settle = { resolve, reject }));
    // A caller who only reads the stream sees the failure there; this only silences the unhandled-rejection report.
    this.result.catch(() => undefined);
    const filter = parts.normalizeFilter(options.filter);
    this.filterPlan = filter === null ? null : parts.planFilter(filter);
    this.columns = new ColumnPlanner(this);
    this.bytes = new ByteBudget(this);
    const signal = options.signal;
    if (signal) {
      this.abortPromise = new Promise<never>((_, reject) => {
        const onAbort = (): void => reject(abortError(signal.reason));
        if (signal.aborted) onAbort();
        else signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    const timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined) {
      const timeout = new Promise<never>((_, reject) => {
        this.timer = setTimeout(() => reject(timeoutError(timeoutMs)), timeoutMs);
      });
      this.abortPromise = this.abortPromise === null ? timeout : Promise.race([this.abortPromise, timeout]);
    }
    // Handled where it is raced; this only silences the unhandled-rejection report.
    this.abortPromise?.catch(() => undefined);
  }

  async pull(controller: ReadableStreamDefaultController<Uint8Array>): Promise<void> {
    if (this.stage === 'finished' || this.stage === 'failed') return;
    try {
      this.checkAbort();
      if (this.stage === 'idle') await this.start();
      // Loop until some bytes come out: a chunk the filter empties must not stall the stream.
      for (;;) {
        const emitted: Uint8Array[] = [];
        const more = await this.step(emitted);
        for (const bytes of emitted) controller.enqueue(bytes);
        if (!more) {
          this.stage = 'finished';
          controller.close();
          return;
        }
        if (emitted.length > 0) return;
        this.checkAbort();
      }
    } catch (error) {
      const failure = this.fail(error);
      this.stage = 'failed';
      await this.release(failure);
      controller.error(failure);
    }
  }

  private async start(): Promise<void> {
    this.stage = 'reading';
    this.meter.enter('starting');
    // A source that throws before its first row (a generator, a stream that errors at once, a
    // locked stream) is the source's failure, not the output's.
    this.reader = await this.race(
      openSource(this.source, { report: (issue) => this.report(issue), signal: this.options.signal, chunkSize: this.chunkSize }, this.parts).catch((error: unknown) => {
        if (error instanceof ExportError) throw error;
        throw toExportError(error, 'source_failed', 'opening the source');
      }),
    );
    this.meter.totalRows = this.reader.totalRows;
    // RE2 loads only for `matches` filters; its syntax errors surface here, before any row is read.
    if (this.filterPlan !== null && !this.filterPlan.never) await this.race(this.parts.prepareRegexes(this.filterPlan.filter));
    const limits = this.options.limits;
    if (
      limits?.maxRows !== undefined &&
      (limits.onExceed ?? 'error') === 'error' &&
      this.reader.totalRows !== undefined &&
      this.reader.totalRows > limits.maxRows &&
      this.filterPlan === null
    ) {
      throw new ExportError('limit_exceeded', `the source holds ${this.reader.totalRows} rows, more than limits.maxRows (${limits.maxRows})`, {
        details: { path: 'limits.maxRows', value: String(this.reader.totalRows) },
      });
    }
  }

  /** Reads, filters and encodes one chunk into `emitted`; false when the export is complete. */
  private async step(emitted: Uint8Array[]): Promise<boolean> {
    const reader = this.reader!;
    const never = this.filterPlan?.never === true;
    // A filter that can never match reads nothing more than what naming the columns needs.
    const next = never && this.columns.outputColumns !== null ? null : await this.nextChunk(reader);
    if (next === null) {
      await this.finish(emitted);
      return false;
    }
    const { sourceRows } = next;
    let { chunk, direct } = next;
    const firstRow = this.meter.rowsRead;
    this.meter.rowsRead += sourceRows;
    if (chunk !== null) {
      if (never) chunk.selection = new Uint32Array(0);
      else if (this.compiledFilter !== null && !next.filtered) chunk.selection = this.compiledFilter.evaluate(chunk.batch);
    }
    let count = chunk === null ? sourceRows : selectedRowCount(chunk);
    this.rowsFiltered += sourceRows - count;
    let stop = never;
    let limits = this.options.limits;
    // A format whose file holds at most so many rows (an XLSX sheet told not to overflow) stops
    // there, as a row limit with onExceed 'truncate' would.
    const cap = this.format.rowCap?.(this.options);
    if (cap !== undefined && !(limits?.maxRows !== undefined && limits.maxRows <= cap)) {
      limits = { ...limits, maxRows: cap, onExceed: 'truncate' };
    }
    if (limits?.maxRows !== undefined && this.meter.rowsWritten + count > limits.maxRows) {
      const allowed = limits.maxRows - this.meter.rowsWritten;
      if ((limits.onExceed ?? 'error') === 'error') {
        throw new ExportError('limit_exceeded', `the export would write more than limits.maxRows (${limits.maxRows}) rows`, {
          details: { path: 'limits.maxRows', row: firstRow },
        });
      }
      if (chunk !== null) chunk.selection = leadingSelection(chunk, allowed);
      count = allowed;
      this.truncated = true;
      stop = true;
    }
    const encoder = await this.encoderFor();
    // The first chunk is built to settle the columns' kinds; its rows can then go the direct way
    // too, its batch writing only the header. The batch path takes 3–5 µs a row where the direct
    // one takes 1: 3 % of a CSV export of 1M rows.
    if (direct === null && next.builtRun !== undefined && chunk !== null && chunk.selection === null) direct = this.directRun(next.builtRun);
    // Building a wide chunk can take long enough by itself: the deadline is checked before encoding it.
    this.checkAbort();
    const chunkBytes: Uint8Array[] = [];
    if (direct !== null) {
      const { run, columns } = direct;
      // The chunk a row limit cuts is built whole, as with every other source, so its issues are the same.
      const emit = (bytes: Uint8Array): void => void chunkBytes.push(bytes);
      const whole = count === sourceRows;
      // The first chunk comes built: its batch with no rows selected writes the header.
      if (whole && chunk !== null) await encoder.encode({ ...chunk, selection: new Uint32Array(0) }, emit);
      const written =
        whole &&
        (direct.packed === null ? encoder.encodeRows!(run.rows, run.start, run.end, columns, emit) : encoder.encodePacked!(direct.packed, run.start, run.end, columns, emit));
      if (written) {
        // One piece per chunk, as the batch path gives: the header joins the first rows.
        if (chunk !== null && chunkBytes.length > 1) chunkBytes.splice(0, chunkBytes.length, concatBytes(chunkBytes));
        chunk = null;
      } else {
        // A value the direct path does not write (another kind, a getter that throws): the batch path writes it, and its issue.
        chunk ??= this.buildRun(run, firstRow).chunk;
        if (count < sourceRows) chunk.selection = leadingSelection(chunk, count);
      }
    }
    if (count > 0 && chunk !== null && this.bytes.cutsAtRows) {
      const { written, encoderSpent } = await this.bytes.encodeLeadingRows(chunk, encoder, this.columns.outputColumns ?? [], this.meter.rowsWritten, emitted);
      // Not one row fit and the encoder already wrote its header: the empty file comes from a fresh one.
      if (encoderSpent) this.encoder = null;
      this.meter.rowsWritten += written;
      this.meter.tick();
      if (written < count) {
        this.truncated = true;
        stop = true;
      }
      if (stop) await this.finish(emitted);
      return !stop;
    }
    // A chunk the filter emptied has nothing to write (and, built in two phases, may lack the output columns).
    if (count > 0 && chunk !== null) await encoder.encode(chunk, (bytes) => chunkBytes.push(bytes));
    this.bytes.addWhole(chunkBytes, firstRow);
    for (const bytes of chunkBytes) emitted.push(bytes);
    this.meter.rowsWritten += count;
    this.meter.tick();
    if (stop) {
      await this.finish(emitted);
      return false;
    }
    return true;
  }

  private async finish(emitted: Uint8Array[]): Promise<void> {
    this.meter.enter('finalizing');
    const reader = this.reader;
    if (this.columns.outputColumns === null && reader?.kind === 'batches' && reader.schema !== undefined) {
      // Arrow data of no rows still has its fields.
      this.columns.planBatchColumns(reader.schema);
      this.lastSchema = reader.schema.select(this.columns.projection!);
    }
    if (this.columns.outputColumns === null) {
      this.columns.outputColumns = this.columns.columnsWithoutRows();
      if (this.columns.outputColumns.length === 0) throw noColumnsError('the source has no rows');
    }
    // No batch was built: the schema comes from the known columns (declared types, else the type
    // a column with no values gets), so every format writes them.
    if (this.lastSchema === null && reader?.kind !== 'batches') this.lastSchema = this.columns.schemaWithoutRows();
    const encoder = await this.encoderFor();
    const tail: Uint8Array[] = [];
    await encoder.finish((bytes) => tail.push(bytes), this.lastSchema);
    if (this.bytes.cutsAtRows) this.bytes.addEnding(tail, this.meter.rowsWritten);
    for (const bytes of tail) emitted.push(bytes);
    await this.reader?.close();
  }

  /**
   * The next chunk with its batch built and projected, or null at the end of the source.
   * `filtered` says the filter already chose the chunk's rows; `sourceRows` is how many rows it read.
   * Rows the encoder can write directly come unbuilt (`chunk` null, `direct` set).
   */
  private async nextChunk(reader: SourceReader): Promise<NextChunk | null> {
    const firstRow = this.meter.rowsRead;
    if (reader.kind === 'rows') {
      const run = this.columns.lookahead.shift() ?? (await this.race(Promise.resolve(reader.next(this.chunkSize)).catch(sourceError(firstRow))));
      if (run === null) return null;
      this.checkAbort();
      const sourceRows = run.end - run.start;
      // Packed runs hold plain objects only (the page packs nothing else).
      if (run.packed === undefined && run.end > run.start) {
        this.arrayRows ??= isArraySafe(run.rows[run.start]);
        checkRows(run.rows, run.start, run.end, firstRow, this.arrayRows);
      }
      try {
        if (this.columns.builder === null) {
          this.columns.planRowColumns(run, reader.array);
          // A stream's schema is written with its first batch in Parquet and Arrow: a column with no
          // value in the first chunk is typed from the rows after it (see lookAhead).
          if (this.format.binary && reader.array === undefined) await this.columns.lookAhead(run, reader, firstRow + sourceRows);
        } else this.columns.noticeNewKeys(run, firstRow);
      } catch (error) {
        throw this.readFailure(error, firstRow, sourceRows);
      }
      const direct = this.directRun(run);
      if (direct !== null) return { chunk: null, direct, sourceRows, filtered: false };
      const built = this.buildRun(run, firstRow);
      // A chunk built only to settle the columns (the first) may still have its rows written the
      // direct way once the encoder exists (see step).
      return { ...built, sourceRows, ...(built.filtered || built.chunk.mismatches !== null ? {} : { builtRun: run }) };
    }
    const batch = this.pendingSlices.shift() ?? (await this.nextProjectedBatch(reader, firstRow));
    if (batch === null) return null;
    this.lastSchema = batch.schema;
    this.ensureFilter(batch.schema);
    return { chunk: { batch, selection: null, firstRow, mismatches: null }, direct: null, sourceRows: batch.numRows, filtered: false };
  }

  /** Builds a run of rows into a chunk (through the staged filter when there is one). */
  private buildRun(run: RowRun, firstRow: number): { chunk: Chunk; direct: null; filtered: boolean } {
    try {
      if (this.stagedFilter !== null) {
        const filtered = this.stagedFilter.build(run, firstRow);
        if (filtered.schema !== null) this.lastSchema = filtered.schema;
        return { chunk: filtered.chunk, direct: null, filtered: true };
      }
      const built = this.columns.builder!.build(rowsOf(run), run.start, run.end, firstRow, packedPart(run));
      this.lastSchema = built.batch.schema;
      this.ensureFilter(built.batch.schema);
      return { chunk: { batch: built.batch, selection: null, firstRow, mismatches: built.mismatches }, direct: null, filtered: false };
    } catch (error) {
      throw this.readFailure(error, firstRow, run.end - run.start);
    }
  }

  private readFailure(error: unknown, firstRow: number, sourceRows: number): ExportError {
    if (error instanceof ExportError) return error;
    return toExportError(error, 'source_failed', `reading rows ${firstRow}–${firstRow + sourceRows - 1}`);
  }

  /**
   * What the encoder's direct path (`Encoder.encodeRows`, `encodePacked`) needs to write this run,
   * when it may take it: after a first batch settled the column kinds, with no filter and no cut
   * at a byte limit. Null: build the batch.
   */
  private directRun(run: RowRun): DirectRun | null {
    const encoder = this.encoder;
    if (encoder === null || this.parts.writeRowsDirectly === false) return null;
    if (this.lastSchema === null || this.filterPlan !== null || this.bytes.cutsAtRows) return null;
    if (run.packed === undefined) {
      if (encoder.encodeRows === undefined) return null;
      const columns = this.columns.rowColumns();
      return columns === null ? null : { run, columns, packed: null };
    }
    if (encoder.encodePacked === undefined) return null;
    const columns = this.columns.rowColumns();
    if (columns === null) return null;
    const packedIndex = new Map<string, number>();
    run.packed.keys.forEach((key, index) => packedIndex.has(key) || packedIndex.set(key, index));
    const packed: PackedColumn[] = [];
    for (const column of columns) {
      const index = packedIndex.get(String(column.key));
      // A column the page's rows lack: the batch path writes its nulls.
      if (index === undefined) return null;
      const source = run.packed.columns[index]!;
      if (!packedFits(source, column.kind, run.start, run.end)) return null;
      packed.push(source);
    }
    return { run, columns, packed };
  }

  /** Compiles the filter against the first batch's schema (once). */
  private ensureFilter(schema: Schema): void {
    if (this.compiledFilter !== null || this.filterPlan === null || this.filterPlan.never || this.filterPlan.always) return;
    const stage = this.parts.stageFilter;
    if (stage === undefined) {
      this.compiledFilter = this.parts.compileFilter(this.filterPlan.filter, schema);
      return;
    }
    const outputFields = (this.columns.outputColumns ?? []).map((column) => column.field);
    const { compiled, staged } = stage(this.parts, this.filterPlan, schema, this.columns.builder, outputFields);
    this.compiledFilter = compiled;
    this.stagedFilter = staged;
  }

  /** Slices of an Arrow batch larger than the chunk size, waiting their turn. */
  private readonly pendingSlices: RecordBatch[] = [];

  /**
   * Reads the next Arrow batch and keeps only the needed columns. A batch larger than the chunk size
   * is sliced (zero-copy) so progress and backpressure stay fine-grained.
   */
  private async nextProjectedBatch(reader: SourceReader & { kind: 'batches' }, firstRow: number): Promise<RecordBatch | null> {
    const batch = await this.race(Promise.resolve(reader.next()).catch(sourceError(firstRow)));
    if (batch === null) return null;
    this.checkAbort();
    if (this.columns.projection === null) this.columns.planBatchColumns(batch.schema);
    const names = this.columns.projection!;
    const selected = sameNames(batch.schema, names) ? batch : selectColumns(batch, names);
    if (selected.numRows <= this.chunkSize) return selected;
    for (let offset = this.chunkSize; offset < selected.numRows; offset += this.chunkSize) {
      this.pendingSlices.push(sliceBatch(selected, offset, Math.min(selected.numRows, offset + this.chunkSize)));
    }
    return sliceBatch(selected, 0, this.chunkSize);
  }

  private async encoderFor(): Promise<Encoder> {
    if (this.encoder !== null) return this.encoder;
    const context: EncoderContext = {
      columns: this.columns.outputColumns ?? [],
      options: this.options,
      report: (issue) => this.report(issue),
      countEscapedFormula: (count) => {
        this.escapedFormulae += count;
      },
      ...(this.parts.createCompressor === undefined ? {} : { createCompressor: (format: 'gzip') => this.parts.createCompressor!(format, { giveAway: false }) }),
    };
    this.encoder = await this.race(Promise.resolve(this.format.createEncoder(context)));
    return this.encoder;
  }

  /** Records a per-row problem in the result. */
  report(issue: ExportIssue): void {
    this.issueCount++;
    if (this.issues.length < MAX_KEPT_ISSUES) this.issues.push(issue);
  }

  /** True once the export failed or was cancelled. */
  get failed(): boolean {
    return this.failure !== null;
  }

  /** Fails before bytes that would take the file over `limits.maxBytes` leave the engine. */
  checkBytes(count: number): void {
    const maxBytes = this.options.limits?.maxBytes;
    if (maxBytes !== undefined && this.meter.bytesWritten + count > maxBytes) throw this.bytes.exceeded();
  }

  countBytes(count: number): void {
    this.meter.bytesWritten += count;
  }

  /** Called once the last byte has left the engine. */
  complete(sha256?: string): void {
    clearTimeout(this.timer);
    // A cancel resolves a pending read with `done`: that is not a finished export.
    if (this.failure !== null) return;
    this.completed = true;
    this.meter.enter('done');
    const result: ExportResult = {
      rowsRead: this.meter.rowsRead,
      rowsFiltered: this.rowsFiltered,
      rowsWritten: this.meter.rowsWritten,
      bytesWritten: this.meter.bytesWritten,
      durationMs: this.meter.elapsedMs,
      fileName: '',
      format: this.format.name,
      issues: this.issues,
      issueCount: this.issueCount,
      formulaCellsEscaped: this.escapedFormulae,
      truncated: this.truncated,
    };
    if (sha256 !== undefined) result.sha256 = sha256;
    this.settle.resolve(result);
    try {
      this.options.onComplete?.(result);
    } catch {
      // The caller's callback must not turn a finished export into a failure.
    }
  }

  /** Turns anything thrown into the export's one failure, and reports the final progress. */
  fail(error: unknown): ExportError {
    if (this.failure !== null) return this.failure;
    const failure = toExportError(error, 'sink_failed');
    this.failure = failure;
    this.settle.reject(failure);
    this.meter.enter(failure.code === 'aborted' ? 'aborted' : 'failed');
    return failure;
  }

  /** The consumer cancelled the stream. */
  markCancelled(reason: unknown): void {
    // Cancelled after the engine's last chunk but before the last read: the file was not taken whole.
    if (!this.completed) this.fail(abortError(reason ?? 'the stream was cancelled'));
  }

  async cancel(reason: unknown): Promise<void> {
    const failure = this.failure ?? this.fail(abortError(reason ?? 'the stream was cancelled'));
    this.stage = 'failed';
    await this.release(failure);
  }

  private async release(reason: unknown): Promise<void> {
    clearTimeout(this.timer);
    try {
      this.encoder?.abort?.(reason);
    } catch {
      // Best effort: the export already failed.
    }
    try {
      await this.reader?.close();
    } catch {
      // A source that fails to close must not hide the original failure.
    }
  }

  /** Throws once the export is cancelled or past its deadline. */
  checkAbort(): void {
    const signal = this.options.signal;
    if (signal?.aborted) throw abortError(signal.reason);
    const timeoutMs = this.options.timeoutMs;
    if (timeoutMs !== undefined && this.meter.elapsedMs > timeoutMs) throw timeoutError(timeoutMs);
  }

  /** Waits for `promise`, or rejects as soon as the signal aborts or the deadline passes. */
  race<T>(promise: Promise<T>): Promise<T> {
    return this.abortPromise === null ? promise : Promise.race([promise, this.abortPromise]);
  }
}

/**
 * Whether rows `[start, end)` of a packed column are what the batch path would build as they are
 * into a column of `kind`: the packed kind matches, an int32 column meets no fraction (the batch
 * path would widen it, and later issues name the new type), a date column holds no invalid Date
 * (the batch path reports it).
 */
function packedFits(column: PackedColumn, kind: RowColumn['kind'], start: number, end: number): boolean {
  switch (column.kind) {
    case 'string':
      return kind === 'utf8';
    case 'boolean':
      return kind === 'bool';
    case 'number':
    case 'date': {
      if (column.kind === 'number' ? kind !== 'float64' && kind !== 'int32' : kind !== 'timestamp') return false;
      const { values, nulls } = column;
      for (let r = start; r < end; r++) {
        const value = values[r]!;
        const bad = kind === 'int32' ? (value | 0) !== value : value !== value;
        if (bad && (nulls === undefined || nulls[r] === 0)) return false;
      }
      return true;
    }
    default:
      return false;
  }
}

/** Rows the encoder writes straight from their objects or their packed columns (`packed`, output column by output column). */
interface DirectRun {
  run: RowRun;
  columns: readonly RowColumn[];
  packed: readonly PackedColumn[] | null;
}

/** A chunk read from the source: built (`chunk`), or rows the encoder writes directly (`direct`). */
/**
 * A chunk built into a batch (with `builtRun`, its rows, when the direct path may still write
 * them), or rows for the encoder's direct path.
 */
type NextChunk = { chunk: Chunk; direct: null; sourceRows: number; filtered: boolean; builtRun?: RowRun } | { chunk: null; direct: DirectRun; sourceRows: number; filtered: false; builtRun?: undefined };

function sameNames(schema: Schema, names: readonly string[]): boolean {
  return schema.fields.length === names.length && schema.fields.every((field, index) => field.name === names[index]);
}

/** The pieces' bytes one after another, in one array. */
function concatBytes(pieces: readonly Uint8Array[]): Uint8Array {
  let length = 0;
  for (const piece of pieces) length += piece.length;
  const out = new Uint8Array(length);
  let at = 0;
  for (const piece of pieces) {
    out.set(piece, at);
    at += piece.length;
  }
  return out;
}
