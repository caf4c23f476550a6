/**
 * The engine: source → record batches → filter → encoder → (compression) → bytes, pulled by the
 * consumer of the returned stream. Environment-neutral: the same code runs in the worker, on the
 * main thread and in Node.
 *
 * One pull-driven loop instead of a chain of TransformStreams: each stage is a plain call, so there
 * are no internal queues and nothing is read from the source before the consumer asks for bytes.
 */
import { makeData, RecordBatch, Schema, Struct } from 'apache-arrow';
import { abortError, ExportError, toExportError } from './errors.js';
import { FULL_PARTS, type EngineParts } from './engine-parts.js';
import type { CompiledFilter, FilterPlan } from './filter/index.js';
import type { Encoder, EncoderContext, FormatDefinition, OutputColumn } from './formats/types.js';
import { checkColumnNames } from './formats/columns.js';
import { ProgressMeter } from './progress.js';
import { BatchBuilder, type BuiltBatch, type ColumnPlan } from './schema/builder.js';
import { makeRecordBatch, rowByteBounds, selectColumns, selectedRowCount, sliceBatch, type Chunk } from './schema/chunk.js';
import { fitsInt32, inferKind } from './schema/infer.js';
import { readDeclaredSchema, type DeclaredColumn } from './schema/kinds.js';
import { gatherPacked, packedValues, type PackedRows } from './schema/packed.js';
import { checkRows } from './sources/row-shape.js';
import { openSource, type RowRun, type SourceReader } from './sources/rows.js';
import type { Sha256Hasher } from './integrity.js';
import type { ColumnSpec, ExportIssue, ExportResult, ExportSource, Row, StreamOptions } from './types.js';
import { DEFAULT_CHUNK_SIZE, unknownColumnMessage } from './options/rules.js';
import { classifySource } from './sources/classify.js';

export { DEFAULT_CHUNK_SIZE };
/** Issues kept in the result; more are counted only. */
const MAX_KEPT_ISSUES = 1000;

/**
 * Exports `source` as a stream of file bytes. Nothing is read until the stream is read, and the
 * source is never more than about two chunks ahead of the reader.
 *
 * Invalid options throw an {@link ExportError} at once; failures while exporting error the stream.
 *
 * @example
 * const stream = exportStream(rows, { format: 'csv' });
 * await stream.pipeTo(writable);
 */
export function exportStream(source: ExportSource, options: StreamOptions): ReadableStream<Uint8Array> {
  return exportStreamWith(FULL_PARTS, source, options);
}

/**
 * {@link exportStream} with the given engine parts (see `engine-parts.ts`): a worker built for
 * some exports only passes fewer, so its bundle leaves the others out.
 */
export function exportStreamWith(parts: EngineParts, source: ExportSource, options: StreamOptions): ReadableStream<Uint8Array> {
  parts.checkOptions(options);
  classifySource(source);
  const format = parts.getFormat(options.format);
  const run = new ExportRun(source, options, format, parts);
  const core = new ReadableStream<Uint8Array>(
    {
      pull: (controller) => run.pull(controller),
      cancel: (reason) => run.cancel(reason),
    },
    { highWaterMark: 0 },
  );
  const compression = options.compression ?? 'none';
  const body = compression === 'none' ? core : compressOnDemand(core, parts.createCompressor?.(compression) ?? (new CompressionStream(compression) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>));
  return meterStream(body, run, options.checksum === true || options.checksum === 'sha256' ? parts : null);
}

/**
 * Compresses `input`, reading it only as fast as compressed bytes are asked for.
 *
 * `pipeThrough(new CompressionStream())` does not do that: the compressor accepts input as long as
 * it has not produced output, so a pipe drained the whole source ahead of a slow reader (measured:
 * 200,000 rows read before the first compressed chunk was consumed). Here each pull feeds one
 * input chunk at a time until an output chunk is ready.
 */
function compressOnDemand(input: ReadableStream<Uint8Array>, compressor: ReadableWritablePair<Uint8Array, Uint8Array>): ReadableStream<Uint8Array> {
  const inputReader = input.getReader();
  const writer = compressor.writable.getWriter();
  const outputReader = compressor.readable.getReader();
  let pendingOutput: Promise<ReadableStreamReadResult<Uint8Array>> | null = null;
  let inputDone = false;
  const marker = Symbol('pending');
  const peek = async (): Promise<ReadableStreamReadResult<Uint8Array> | null> => {
    const result = await Promise.race([pendingOutput!, Promise.resolve(marker)]);
    return result === marker ? null : (result as ReadableStreamReadResult<Uint8Array>);
  };
  // Input fed since the compressor last produced output. Small inputs produce nothing for a while
  // (deflate buffers), so a task is waited for only once per this many bytes, not once per chunk.
  let fedSinceOutput = 0;
  const WAIT_EVERY_BYTES = 1 << 20;
  const settledOutput = async (): Promise<ReadableStreamReadResult<Uint8Array> | null> => {
    // Let the compressor's own promise jobs run before deciding it has nothing yet; a browser's
    // native compressor may deliver its output in a later task, so after enough input look once
    // more after one.
    for (let tick = 0; tick < 4; tick++) await Promise.resolve();
    const now = await peek();
    if (now !== null || fedSinceOutput < WAIT_EVERY_BYTES) return now;
    fedSinceOutput = 0;
    await new Promise((resolve) => setTimeout(resolve, 0));
    return peek();
  };
  // The write in flight, if any. Not awaited on its own: a compressor (Node's) may hold a write
  // until its output is read, so waiting for the write alone could wait forever.
  let writing: Promise<void> | null = null;
  let writeError: { error: unknown } | null = null;
  const startWrite = (promise: Promise<void>): void => {
    writing = promise.then(
      () => {
        writing = null;
      },
      (error: unknown) => {
        writeError = { error };
        writing = null;
      },
    );
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        pendingOutput ??= outputReader.read();
        for (;;) {
          if (writeError !== null) throw writeError.error;
          const ready = await settledOutput();
          if (ready !== null) {
            pendingOutput = null;
            fedSinceOutput = 0;
            if (ready.done) controller.close();
            else controller.enqueue(ready.value);
            return;
          }
          if (writing !== null) {
            await Promise.race([writing, pendingOutput]);
            continue;
          }
          if (inputDone) {
            const result = await pendingOutput;
            pendingOutput = null;
            if (result.done) controller.close();
            else controller.enqueue(result.value);
            return;
          }
          const { done, value } = await inputReader.read();
          if (done) {
            inputDone = true;
            startWrite(writer.close());
          } else {
            fedSinceOutput += value.byteLength;
            startWrite(writer.write(value));
          }
        }
      },
      async cancel(reason) {
        await Promise.allSettled([inputReader.cancel(reason), writer.abort(reason)]);
      },
    },
    { highWaterMark: 0 },
  );
}

/** Counts the bytes that leave the engine (after compression) and completes the run at the end. */
function meterStream(body: ReadableStream<Uint8Array>, run: ExportRun, checksum: EngineParts | null): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  // Loaded only when asked for, so the hash code stays out of bundles that never checksum.
  const hasher: Promise<Sha256Hasher> | null = checksum === null ? null : checksum.loadIntegrity().then((module) => module.createSha256());
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const { done, value } = await reader.read();
          if (done) {
            if (run.failed) return;
            run.complete(hasher === null ? undefined : (await hasher).hex());
            controller.close();
            return;
          }
          // Every byte of the file counts, footers and closing brackets included, after compression.
          run.checkBytes(value.byteLength);
          run.countBytes(value.byteLength);
          if (hasher !== null) (await hasher).update(value);
          controller.enqueue(value);
        } catch (error) {
          const failure = run.fail(error);
          controller.error(failure);
        }
      },
      async cancel(reason) {
        run.markCancelled(reason);
        await reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

type Stage = 'idle' | 'reading' | 'finished' | 'failed';

/** One export's state. */
class ExportRun {
  private readonly parts: EngineParts;
  private readonly source: ExportSource;
  private readonly options: StreamOptions;
  private readonly format: FormatDefinition;
  private readonly chunkSize: number;
  private readonly meter: ProgressMeter;
  private readonly issues: ExportIssue[] = [];
  private issueCount = 0;
  private escapedFormulae = 0;
  private truncated = false;
  private rowsFiltered = 0;
  private stage: Stage = 'idle';
  private reader: SourceReader | null = null;
  private encoder: Encoder | null = null;
  private builder: BatchBuilder | null = null;
  private outputColumns: OutputColumn[] | null = null;
  private projection: string[] | null = null;
  private filterPlan: FilterPlan | null = null;
  private compiledFilter: CompiledFilter | null = null;
  private lastSchema: Schema | null = null;
  private uncompressedBytes = 0;
  private failure: ExportError | null = null;
  private abortPromise: Promise<never> | null = null;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private readonly declared: DeclaredColumn[];
  /** Keys of object rows seen so far (columns come from the first chunk); null for other sources. */
  private knownKeys: Set<string> | null = null;
  /** Whether rows are arrays (decided by the first row); null until a row came. */
  private arrayRows: boolean | null = null;

  constructor(source: ExportSource, options: StreamOptions, format: FormatDefinition, parts: EngineParts) {
    this.parts = parts;
    this.source = source;
    this.options = options;
    this.format = format;
    this.chunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    this.meter = new ProgressMeter(options.onProgress);
    this.declared = readDeclaredSchema(options.schema);
    const filter = parts.normalizeFilter(options.filter);
    this.filterPlan = filter === null ? null : parts.planFilter(filter);
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
    const next = never && this.outputColumns !== null ? null : await this.nextChunk(reader);
    if (next === null) {
      await this.finish(emitted);
      return false;
    }
    const { chunk, sourceRows } = next;
    this.meter.rowsRead += sourceRows;
    if (never) chunk.selection = new Uint32Array(0);
    else if (this.compiledFilter !== null && !next.filtered) chunk.selection = this.compiledFilter.evaluate(chunk.batch);
    let count = selectedRowCount(chunk);
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
          details: { path: 'limits.maxRows', row: chunk.firstRow },
        });
      }
      chunk.selection = firstSelected(chunk, allowed);
      count = allowed;
      this.truncated = true;
      stop = true;
    }
    const encoder = await this.encoderFor();
    // Building a wide chunk can take long enough by itself: the deadline is checked before encoding it.
    this.checkAbort();
    if (count > 0 && this.truncatesBySize()) {
      const written = await this.encodeWithinBudget(chunk, encoder, emitted);
      this.meter.rowsWritten += written;
      this.meter.tick();
      if (written < count) {
        this.truncated = true;
        stop = true;
      }
      if (stop) await this.finish(emitted);
      return !stop;
    }
    const chunkBytes: Uint8Array[] = [];
    // A chunk the filter emptied has nothing to write (and, built in two phases, may lack the output columns).
    if (count > 0) await encoder.encode(chunk, (bytes) => chunkBytes.push(bytes));
    let size = 0;
    for (const bytes of chunkBytes) size += bytes.byteLength;
    // Compressed output is measured after compression (see meterStream): its raw size may exceed the limit.
    if (limits?.maxBytes !== undefined && (this.options.compression ?? 'none') === 'none' && this.uncompressedBytes + size > limits.maxBytes) {
      throw this.bytesExceeded(chunk.firstRow);
    }
    this.uncompressedBytes += size;
    for (const bytes of chunkBytes) emitted.push(bytes);
    this.meter.rowsWritten += count;
    this.meter.tick();
    if (stop) {
      await this.finish(emitted);
      return false;
    }
    return true;
  }

  /** True when `limits.maxBytes` cuts the output at the last row that fits (text formats with `onExceed: 'truncate'`). */
  private truncatesBySize(): boolean {
    const limits = this.options.limits;
    return limits?.maxBytes !== undefined && limits.onExceed === 'truncate' && this.format.truncatableBySize;
  }

  /** The `limit_exceeded` error for `limits.maxBytes`. */
  bytesExceeded(row?: number): ExportError {
    const limits = this.options.limits!;
    const uncuttable = !this.format.truncatableBySize && limits.onExceed === 'truncate';
    const why = uncuttable ? `; ${this.format.name} files cannot be truncated by size (a cut file would have no footer or directory): use limits.maxRows to truncate, or a text format` : '';
    return new ExportError('limit_exceeded', `the export would write more than limits.maxBytes (${limits.maxBytes}) bytes${why}`, {
      details: row === undefined ? { path: 'limits.maxBytes' } : { path: 'limits.maxBytes', row },
    });
  }

  /** Bytes of uncompressed output that surely compress to at most `limits.maxBytes` (the whole limit when not compressing). */
  private rawByteBudget(): number {
    const maxBytes = this.options.limits!.maxBytes!;
    const compression = this.options.compression ?? 'none';
    if (compression === 'none') return maxBytes;
    // zlib's worst case for incompressible input (deflateBound's conservative form), plus the
    // gzip (18 bytes) or zlib (6 bytes) wrapper and a stored block's header per flush.
    const wrapper = compression === 'gzip' ? 18 : 6;
    const bound = (n: number): number => n + Math.ceil(n / 8) + Math.ceil(n / 64) + 5 + wrapper + 5 * Math.ceil(n / 16_384);
    let low = 0;
    let high = maxBytes;
    while (low < high) {
      const mid = Math.ceil((low + high) / 2);
      if (bound(mid) <= maxBytes) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  /** What `finish()` writes after at least one row (a JSON array's closing bracket), measured once on a spare encoder. */
  private tailBytes: number | null = null;

  private async measureTail(chunk: Chunk): Promise<number> {
    if (this.tailBytes !== null) return this.tailBytes;
    const spare = await this.race(
      Promise.resolve(this.format.createEncoder({ columns: this.outputColumns ?? [], options: this.options, report: () => undefined, countEscapedFormula: () => undefined })),
    );
    await spare.encode({ ...chunk, selection: firstSelected(chunk, 1) }, () => undefined);
    let size = 0;
    await spare.finish((bytes) => (size += bytes.byteLength), chunk.batch.schema);
    this.tailBytes = size;
    return size;
  }

  /** True once the encoder has been given rows (its header, if any, is out). */
  private encoderStarted = false;

  /**
   * Encodes the chunk's rows while they fit under `limits.maxBytes` with what `finish()` adds,
   * and returns how many were written. Rows whose upper bound (see rowByteBounds) fits are encoded
   * together; past that, one row at a time, so the file ends at the last row that fits, whatever
   * the chunk size. A row that does not fit is encoded but its bytes are dropped, and the export
   * stops there.
   */
  private async encodeWithinBudget(chunk: Chunk, encoder: Encoder, emitted: Uint8Array[]): Promise<number> {
    const budget = this.rawByteBudget();
    const tail = await this.measureTail(chunk);
    const columns = this.outputColumns ?? [];
    const bounds = rowByteBounds(chunk, columns);
    const count = bounds.length;
    let positions = chunk.selection;
    if (positions === null) {
      positions = new Uint32Array(count);
      for (let i = 0; i < count; i++) positions[i] = i;
    }
    // The BOM, the header row or the opening bracket come with the first rows.
    let headerBound = 0;
    for (const column of columns) headerBound += 8 + 18 * column.header.length;
    headerBound += 16;
    let done = 0;
    while (done < count) {
      const remaining = budget - this.uncompressedBytes - tail - (this.encoderStarted ? 0 : headerBound);
      let sum = 0;
      let end = done;
      while (end < count && sum + bounds[end]! <= remaining) sum += bounds[end++]!;
      if (end === done) end = done + 1;
      const pieceBytes: Uint8Array[] = [];
      await encoder.encode({ batch: chunk.batch, selection: positions.subarray(done, end), firstRow: chunk.firstRow, mismatches: chunk.mismatches }, (bytes) => pieceBytes.push(bytes));
      this.encoderStarted = true;
      let size = 0;
      for (const bytes of pieceBytes) size += bytes.byteLength;
      if (this.uncompressedBytes + size + tail > budget) {
        // Only a single row can get here (the bound holds for the others); should a bound ever fall
        // short, the file still ends at whole rows, if fewer than would fit.
        if (this.meter.rowsWritten + done === 0) {
          // Not one row fits: the file is the empty one (header, `[]`), from a fresh encoder.
          encoder.abort?.(undefined);
          this.encoder = null;
        }
        return done;
      }
      this.uncompressedBytes += size;
      for (const bytes of pieceBytes) emitted.push(bytes);
      done = end;
      if (done < count) this.checkAbort();
    }
    return count;
  }

  private async finish(emitted: Uint8Array[]): Promise<void> {
    this.meter.enter('finalizing');
    const reader = this.reader;
    if (this.outputColumns === null && reader?.kind === 'batches' && reader.schema !== undefined) {
      // Arrow data of no rows still has its fields.
      this.planBatchColumns(reader.schema);
      this.lastSchema = reader.schema.select(this.projection!);
    }
    if (this.outputColumns === null) {
      this.outputColumns = this.columnsWithoutRows();
      if (this.outputColumns.length === 0) throw noColumnsError('the source has no rows');
    }
    // No batch was built: the schema comes from the known columns (declared types, else the type
    // a column with no values gets), so every format writes them.
    if (this.lastSchema === null && reader?.kind !== 'batches') this.lastSchema = this.schemaWithoutRows();
    const encoder = await this.encoderFor();
    const tail: Uint8Array[] = [];
    await encoder.finish((bytes) => tail.push(bytes), this.lastSchema);
    if (this.truncatesBySize()) {
      let size = 0;
      for (const bytes of tail) size += bytes.byteLength;
      if (this.uncompressedBytes + size > this.rawByteBudget()) {
        throw new ExportError('limit_exceeded', `limits.maxBytes (${this.options.limits!.maxBytes}) cannot hold even the ${this.format.name} file with no rows (${this.uncompressedBytes + size} bytes${this.options.compression === undefined || this.options.compression === 'none' ? '' : ' before compression'})`, {
          details: { path: 'limits.maxBytes' },
        });
      }
      this.uncompressedBytes += size;
    }
    for (const bytes of tail) emitted.push(bytes);
    await this.reader?.close();
  }

  /**
   * The next chunk with its batch built and projected, or null at the end of the source.
   * `filtered` says the filter already chose the chunk's rows; `sourceRows` is how many rows it read.
   */
  private async nextChunk(reader: SourceReader): Promise<{ chunk: Chunk; sourceRows: number; filtered: boolean } | null> {
    const firstRow = this.meter.rowsRead;
    if (reader.kind === 'rows') {
      const run = this.lookahead.shift() ?? (await this.race(Promise.resolve(reader.next(this.chunkSize)).catch(sourceError(firstRow))));
      if (run === null) return null;
      this.checkAbort();
      const sourceRows = run.end - run.start;
      // Packed runs hold plain objects only (the page packs nothing else).
      if (run.packed === undefined && run.end > run.start) {
        this.arrayRows ??= isArraySafe(run.rows[run.start]);
        checkRows(run.rows, run.start, run.end, firstRow, this.arrayRows);
      }
      try {
        if (this.builder === null) {
          this.planRowColumns(run, reader.array);
          // A stream's schema is written with its first batch in Parquet and Arrow: a column with no
          // value in the first chunk is typed from the rows after it (see lookAhead).
          if (this.format.binary && reader.array === undefined) await this.lookAhead(run, reader, firstRow + sourceRows);
        } else this.noticeNewKeys(run, firstRow);
        if (this.filterStages !== null) {
          return { chunk: this.buildFiltered(run, firstRow), sourceRows, filtered: true };
        }
        const built = this.builder!.build(rowsOf(run), run.start, run.end, firstRow, packedPart(run));
        this.lastSchema = built.batch.schema;
        this.ensureFilter(built.batch.schema);
        return { chunk: { batch: built.batch, selection: null, firstRow, mismatches: built.mismatches }, sourceRows, filtered: false };
      } catch (error) {
        if (error instanceof ExportError) throw error;
        throw toExportError(error, 'source_failed', `reading rows ${firstRow}–${firstRow + sourceRows - 1}`);
      }
    }
    const batch = this.pendingSlices.shift() ?? (await this.nextProjectedBatch(reader, firstRow));
    if (batch === null) return null;
    this.lastSchema = batch.schema;
    this.ensureFilter(batch.schema);
    return { chunk: { batch, selection: null, firstRow, mismatches: null }, sourceRows: batch.numRows, filtered: false };
  }

  /**
   * The filter's AND terms in the optimizer's order (cheapest first), each compiled on its own with
   * the built columns it reads; a filter that is not an AND is one stage. Set once the filter compiles.
   */
  private filterStages: FilterStage[] | null = null;
  private outputFields: ReadonlySet<string> = new Set();

  /**
   * Rows filtered before they are built, term by term: each stage builds only its own columns, and
   * only for the rows every earlier stage kept, so a row the filter drops early is never converted
   * for later terms or for the output. When the terms keep few rows, the output columns are then
   * built for the kept rows alone; when they keep most, the missing columns are built for every
   * row and the selection kept (gathering would cost more than it saves).
   */
  private buildFiltered(run: RowRun, firstRow: number): Chunk {
    const builder = this.builder!;
    const count = run.end - run.start;
    // Columns built for every row of the run, merged into one batch.
    let full: RecordBatch | null = null;
    let fullMismatches: Mismatches | null = null;
    const builtForAll = new Set<string>();
    let candidates: Uint32Array | null = null; // null: every row of the run is still in
    for (const stage of this.filterStages!) {
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
    if (kept === 0) return { batch: full!, selection: new Uint32Array(0), firstRow, mismatches: fullMismatches };
    if (candidates === null || kept * 2 > count) {
      const missing = new Set([...this.outputFields].filter((name) => !builtForAll.has(name)));
      const rest = missing.size === 0 ? null : builder.build(rowsOf(run), run.start, run.end, firstRow, { columns: missing, ...packedPart(run) });
      const batch = rest === null ? full! : mergeBatches(full!, rest.batch);
      this.lastSchema = batch.schema;
      return { batch, selection: candidates, firstRow, mismatches: mergeMismatches(fullMismatches, rest?.mismatches ?? null) };
    }
    const out = buildGathered(builder, run, candidates, firstRow, this.outputFields);
    this.lastSchema = out.batch.schema;
    return { batch: out.batch, selection: null, firstRow, mismatches: out.mismatches };
  }

  /**
   * Puts the terms that drop the most rows for their cost first, as seen so far: ascending
   * cost ÷ (1 − pass rate), the order that minimizes the work for independent terms. A term that
   * keeps every row goes last, where it reads the fewest rows. Costs count the columns a term
   * builds, text three times a number (measured per row); the pass rates come from the data, so
   * the same rows always give the same order.
   */
  private orderStages(): void {
    const stages = this.filterStages!;
    const kinds = new Map(this.builder!.columns.map((column) => [column.name, column.type.kind]));
    const rank = (stage: FilterStage): number => {
      let cost = 0;
      for (const name of stage.columns) {
        const kind = kinds.get(name);
        cost += kind === 'utf8' || kind === 'json' ? 3 : 1;
      }
      const passRate = stage.rowsIn === 0 ? 1 : stage.rowsKept / stage.rowsIn;
      return cost / (1 - passRate + 1e-6);
    };
    const ranks = new Map(stages.map((stage) => [stage, rank(stage)]));
    stages.sort((a, b) => ranks.get(a)! - ranks.get(b)!);
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
    if (this.projection === null) this.planBatchColumns(batch.schema);
    const names = this.projection!;
    const selected = sameNames(batch.schema, names) ? batch : selectColumns(batch, names);
    if (selected.numRows <= this.chunkSize) return selected;
    for (let offset = this.chunkSize; offset < selected.numRows; offset += this.chunkSize) {
      this.pendingSlices.push(sliceBatch(selected, offset, Math.min(selected.numRows, offset + this.chunkSize)));
    }
    return sliceBatch(selected, 0, this.chunkSize);
  }

  private planBatchColumns(schema: Schema): void {
    // Two fields of one name cannot be told apart (apache-arrow's select mixes them up).
    checkColumnNames(this.options.format, [], schema);
    const available = schema.fields.map((field) => field.name);
    if (available.length === 0) throw noColumnsError('the Arrow data has no fields');
    this.outputColumns = this.resolveOutputColumns(available);
    const needed = new Set(this.outputColumns.map((column) => column.field));
    for (const field of this.filterPlan?.fields ?? []) if (available.includes(field)) needed.add(field);
    this.projection = available.filter((name) => needed.has(name));
  }

  /** Decides the columns from the first chunk of rows (and, for arrays, checks the rest of the array). */
  private planRowColumns(run: RowRun, array: ArrayLike<Row> | undefined): void {
    // Packed rows are plain objects that all have the packed keys: no row object is looked at.
    const first = run.packed !== undefined || run.end <= run.start ? undefined : run.rows[run.start];
    const arrayRows = isArraySafe(first);
    let available: string[];
    const keys = new Map<string, string | number>();
    if (arrayRows) {
      const specs = this.options.columns;
      if (specs === undefined) {
        throw new ExportError('invalid_options', 'rows are arrays: pass `columns` to name their fields in order', { details: { path: 'columns' } });
      }
      available = specs.map((spec) => columnField(spec));
      available.forEach((name, index) => keys.set(name, index));
    } else {
      for (const column of this.declared) keys.set(column.name, column.name);
      if (this.options.schema?.only !== true) {
        if (run.packed !== undefined) {
          for (const key of run.packed.keys) if (!keys.has(key)) keys.set(key, key);
        } else {
          for (let i = run.start; i < run.end; i++) {
            for (const key of this.keysOf(run.rows[i], i - run.start)) if (!keys.has(key)) keys.set(key, key);
          }
        }
      }
      // A listed column no row of the first chunk holds (APIs often omit null fields): an in-memory
      // array is searched for it, so only a name no row holds is unknown; a stream cannot be
      // searched ahead, so the column is written, null until rows hold it.
      for (const spec of this.options.columns ?? []) {
        const field = columnField(spec);
        if (keys.has(field)) continue;
        if (array === undefined || arrayHolds(array, run.end, field)) keys.set(field, field);
      }
      available = [...keys.keys()];
      this.knownKeys = new Set(available);
      if (available.length === 0) throw noColumnsError(`the first ${run.end - run.start} row(s) have no keys`);
    }
    this.outputColumns = this.resolveOutputColumns(available);
    const needed = new Set(this.outputColumns.map((column) => column.field));
    for (const field of this.filterPlan?.fields ?? []) if (keys.has(field)) needed.add(field);
    const declaredByName = new Map(this.declared.map((column) => [column.name, column]));
    const plans: ColumnPlan[] = available
      .filter((name) => needed.has(name))
      .map((name) => {
        const declared = declaredByName.get(name);
        return {
          name,
          key: keys.get(name)!,
          declared: declared !== undefined,
          type: declared?.type ?? { kind: 'null' },
          nullable: declared?.nullable ?? true,
        };
      });
    // Only a schema written once needs the look ahead: text formats widen int → float and null → any
    // as later chunks ask, with the same output, and a pass over a large array costs a read of every row.
    if (array !== undefined && this.format.binary) refineFromArray(plans, run, array);
    this.builder = new BatchBuilder(plans, {
      lockSchema: this.format.binary,
      nestedAsArrow: this.format.binary,
      strict: this.options.schema?.strict === true,
      report: (issue) => this.report(issue),
      checkpoint: () => this.checkAbort(),
    });
  }

  /**
   * Columns come from the first chunk. Keys that appear later are not exported; they are reported
   * once as `extra_column`. Three rows per chunk are sampled (first, middle, last): listing every
   * row's keys would cost more than building the batch.
   */
  private noticeNewKeys(run: RowRun, firstRow: number): void {
    const known = this.knownKeys;
    if (known === null) return;
    const count = run.end - run.start;
    for (const offset of run.packed !== undefined ? [0] : new Set([0, count >> 1, count - 1])) {
      if (offset < 0) continue;
      const keys = run.packed !== undefined ? run.packed.keys : this.keysOf(run.rows[run.start + offset], firstRow + offset);
      for (const key of keys) {
        if (known.has(key)) continue;
        known.add(key);
        this.report({
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
      this.report({
        code: 'invalid_value',
        message: `row ${rowIndex}: listing its keys threw: ${error instanceof Error ? error.message : String(error)}`,
        row: rowIndex,
      });
      return [];
    }
  }

  /** Output columns when the source had no rows: from `columns` or the declared schema. */
  private columnsWithoutRows(): OutputColumn[] {
    const specs = this.options.columns;
    if (specs !== undefined) return specs.map((spec) => ({ field: columnField(spec), header: columnHeader(spec) }));
    return this.declared.map((column) => ({ field: column.name, header: column.name }));
  }

  /** Runs read ahead of the first batch to type its columns, waiting their turn. */
  private readonly lookahead: RowRun[] = [];

  /**
   * For a stream exported to Parquet or Arrow: when a column has no value in the first chunk, reads
   * on (keeping the rows, up to {@link SCHEMA_LOOKAHEAD_ROWS} rows or cells' worth) until every such
   * column has one, and types it from its first values; an integer column that meets a fraction in
   * those rows becomes Float64. A column still without a value after that is nullable text.
   */
  private async lookAhead(first: RowRun, reader: SourceReader & { kind: 'rows' }, nextRow: number): Promise<void> {
    const plans = this.builder!.columns.filter((plan) => !plan.declared);
    if (plans.length === 0) return;
    const kinds = new Map(plans.map((plan) => [plan, inferKind(runValues(first, plan.key), first.end - first.start)]));
    const open = (): ColumnPlan[] => plans.filter((plan) => kinds.get(plan) === 'null');
    if (open().length === 0) return;
    const maxRows = Math.max(this.chunkSize, Math.min(SCHEMA_LOOKAHEAD_ROWS, Math.floor(SCHEMA_LOOKAHEAD_CELLS / Math.max(1, plans.length))));
    let rows = first.end - first.start;
    while (open().length > 0 && rows < maxRows) {
      const run = await this.race(Promise.resolve(reader.next(Math.min(this.chunkSize, maxRows - rows))).catch(sourceError(nextRow + rows - (first.end - first.start))));
      if (run === null) break;
      this.checkAbort();
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

  /** The schema of a source with no rows: each known column with its declared type, or the type of a column with no values. */
  private schemaWithoutRows(): Schema {
    const declaredByName = new Map(this.declared.map((column) => [column.name, column]));
    const plans: ColumnPlan[] = (this.outputColumns ?? []).map(({ field }) => {
      const declared = declaredByName.get(field);
      return { name: field, key: field, declared: declared !== undefined, type: declared?.type ?? { kind: 'null' }, nullable: declared?.nullable ?? true };
    });
    const builder = new BatchBuilder(plans, { lockSchema: this.format.binary, nestedAsArrow: this.format.binary, strict: false, report: (issue) => this.report(issue) });
    return builder.build([], 0, 0, 0).batch.schema;
  }

  private resolveOutputColumns(available: string[]): OutputColumn[] {
    const specs = this.options.columns;
    if (specs === undefined) return available.map((name) => ({ field: name, header: name }));
    const known = new Set(available);
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

  private ensureFilter(schema: Schema): void {
    if (this.compiledFilter !== null || this.filterPlan === null || this.filterPlan.never || this.filterPlan.always) return;
    this.compiledFilter = this.parts.compileFilter(this.filterPlan.filter, schema);
    if (this.builder !== null) {
      // Rows from now on are filtered before their other columns are built (see buildFiltered).
      const built = new Set(this.builder.columns.map((column) => column.name));
      const tree = this.filterPlan.filter;
      const terms = tree.op === 'and' ? tree.filters : [tree];
      this.filterStages = terms.map((term) => {
        const filter = terms.length === 1 ? this.compiledFilter! : this.parts.compileFilter(term, schema, { optimize: false });
        return { filter, columns: new Set(filter.fields.filter((field) => built.has(field))), rowsIn: 0, rowsKept: 0 };
      });
      this.outputFields = new Set((this.outputColumns ?? []).map((column) => column.field));
    }
  }

  private async encoderFor(): Promise<Encoder> {
    if (this.encoder !== null) return this.encoder;
    const context: EncoderContext = {
      columns: this.outputColumns ?? [],
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

  private report(issue: ExportIssue): void {
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
    if (maxBytes !== undefined && this.meter.bytesWritten + count > maxBytes) throw this.bytesExceeded();
  }

  countBytes(count: number): void {
    this.meter.bytesWritten += count;
  }

  /** Called once the last byte has left the engine. */
  complete(sha256?: string): void {
    clearTimeout(this.timer);
    // A cancel resolves a pending read with `done`: that is not a finished export.
    if (this.failure !== null) return;
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
    this.meter.enter(failure.code === 'aborted' ? 'aborted' : 'failed');
    return failure;
  }

  /** The consumer cancelled the stream. */
  markCancelled(reason: unknown): void {
    if (this.stage !== 'finished') this.fail(abortError(reason ?? 'the stream was cancelled'));
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

  private checkAbort(): void {
    const signal = this.options.signal;
    if (signal?.aborted) throw abortError(signal.reason);
    const timeoutMs = this.options.timeoutMs;
    if (timeoutMs !== undefined && this.meter.elapsedMs > timeoutMs) throw timeoutError(timeoutMs);
  }

  /** Waits for `promise`, or rejects as soon as the signal aborts. */
  private race<T>(promise: Promise<T>): Promise<T> {
    return this.abortPromise === null ? promise : Promise.race([promise, this.abortPromise]);
  }
}

/**
 * Most rows (and row × column cells) a stream exported to Parquet or Arrow is read ahead of its
 * first batch while a column has no value yet: one default Parquet row group. Memory holds these
 * rows at most.
 */
export const SCHEMA_LOOKAHEAD_ROWS = 65_536;
const SCHEMA_LOOKAHEAD_CELLS = 2_000_000;

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

/** `Array.isArray` that survives a revoked Proxy. */
function isArraySafe(value: unknown): boolean {
  try {
    return Array.isArray(value);
  } catch {
    return false;
  }
}

/** A file with no columns at all: no format can write it so that a reader sees what it holds. */
function noColumnsError(why: string): ExportError {
  return new ExportError('invalid_options', `nothing to export: ${why} and no columns are known; name them with \`columns\` or \`schema\` (an empty export then writes its header or schema)`, {
    details: { path: 'columns' },
  });
}

function timeoutError(timeoutMs: number): ExportError {
  return new ExportError('timeout', `the export took longer than timeoutMs (${timeoutMs} ms)`, { details: { path: 'timeoutMs', value: String(timeoutMs) } });
}

function sourceError(row: number) {
  return (error: unknown): never => {
    if (error instanceof ExportError) throw error;
    throw toExportError(error, 'source_failed', `reading the source after row ${row}`);
  };
}

/** One batch with the columns of two batches of the same rows. */
function mergeBatches(a: RecordBatch, b: RecordBatch): RecordBatch {
  const fields = [...a.schema.fields, ...b.schema.fields];
  const children = [...a.data.children, ...b.data.children];
  return makeRecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: a.numRows, nullCount: 0, children }));
}

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

/** Builds `columns` of the rows of `run` at `indexes` (relative to `run.start`). */
function buildGathered(builder: BatchBuilder, run: RowRun, indexes: Uint32Array, firstRow: number, columns: ReadonlySet<string>): BuiltBatch {
  if (run.packed !== undefined) {
    return builder.build([], 0, indexes.length, firstRow, { columns, rowIndexes: indexes, packed: gatherPacked(run.packed, run.start, indexes) });
  }
  const rows: Row[] = new Array(indexes.length);
  for (let k = 0; k < indexes.length; k++) rows[k] = run.rows[run.start + indexes[k]!]!;
  return builder.build(rows, 0, indexes.length, firstRow, { columns, rowIndexes: indexes });
}

/** A run's row objects, or none for a packed run (the builder reads its columns; making the objects is what packing avoids). */
function rowsOf(run: RowRun): ArrayLike<Row> {
  return run.packed === undefined ? run.rows : NO_ROWS;
}
const NO_ROWS: readonly Row[] = [];

/** The build option that reads a packed run's columns instead of its row objects. */
function packedPart(run: RowRun): { packed?: PackedRows } {
  return run.packed === undefined ? {} : { packed: run.packed };
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

/** The first `count` rows a chunk would write, as a selection. */
function firstSelected(chunk: Chunk, count: number): Uint32Array {
  if (chunk.selection !== null) return chunk.selection.subarray(0, count);
  const selection = new Uint32Array(count);
  for (let i = 0; i < count; i++) selection[i] = i;
  return selection;
}

function sameNames(schema: Schema, names: readonly string[]): boolean {
  return schema.fields.length === names.length && schema.fields.every((field, index) => field.name === names[index]);
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
function refineFromArray(plans: ColumnPlan[], run: RowRun, array: ArrayLike<Row>): void {
  const sample: unknown[] = [];
  for (const plan of plans) {
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
