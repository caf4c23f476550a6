/**
 * Parquet output through parquet-wasm's streaming writer (`transformParquetStream`).
 *
 * parquet-wasm streams its output as row groups are written, with bounded memory, but it
 * swallows problems: a batch with another schema is skipped, an error in its input yields a
 * valid-looking short file, and a batch with another column count hangs it. So this module wraps it
 * in a guard: every batch is checked against the first before it goes in, the writer is fed one
 * batch at a time (the returned promise is the backpressure), any failure errors its input and
 * cancels its output, and the footer's row count must equal the rows sent before the last bytes
 * (which hold the footer) are handed on.
 */
import { Data, DateUnit, Field, IntervalUnit, RecordBatch, Schema, Struct, Table, TimeUnit, TimestampMillisecond, Type, Utf8, makeData, tableToIPC } from 'apache-arrow';
import type { DataType, Interval, Timestamp } from 'apache-arrow';
import { ExportError, abortError, toExportError } from '../errors.js';
import { selectedRowCount, type Chunk } from '../schema/chunk.js';
import { NULL_AS_TEXT, checkBatchSchema, describeType, planOutput, projectChunk } from './parquet/batch.js';
import type { ColumnConversion, OutputPlan } from './parquet/batch.js';
import { FooterError, footerLength, readFooterRowCount } from './parquet/footer.js';
import { buildWriterProperties, columnsWithoutDictionary, resolveParquetOptions } from './parquet/options.js';
import type { ResolvedParquetOptions } from './parquet/options.js';
import { fileSize, measureGroup, type MeasuredGroup } from './parquet/layout.js';
import { loadParquetWasm } from './parquet/wasm.js';
import type { ParquetWasm } from './parquet/wasm.js';
import type { Table as WasmTable, RecordBatch as WasmRecordBatch, WriterProperties as WasmWriterProperties } from 'parquet-wasm/esm';
import type { Emit, Encoder, EncoderContext, OutputColumn } from './types.js';

export { preloadParquet } from './parquet/wasm.js';
export { DEFAULT_ROW_GROUP_SIZE } from './parquet/options.js';

/**
 * Types Parquet cannot store as they are: an all-null (`Null`) column becomes nullable text, so
 * every reader gets a usable column; `Date64` becomes a UTC millisecond timestamp, because
 * parquet-wasm writes Date64 as a plain INT64 that non-Arrow readers see as numbers.
 */
const PARQUET_CONVERSION: ColumnConversion = {
  convertType(type: DataType): DataType | null {
    if (type.typeId === Type.Date && (type as { unit?: unknown }).unit === DateUnit.MILLISECOND) return new TimestampMillisecond('UTC');
    // Parquet has no seconds: parquet-wasm writes Timestamp(s) as a plain INT64, which readers
    // other than Arrow's see as a number. Milliseconds keep every instant and its time zone.
    if (type.typeId === Type.Timestamp && (type as Timestamp).unit === TimeUnit.SECOND) return new TimestampMillisecond((type as Timestamp).timezone);
    return NULL_AS_TEXT.convertType(type);
  },
  convertData(data: Data, type: DataType): Data {
    // Date64 and Timestamp(ms) share their layout (one int64 per value): only the type changes.
    if (data.type.typeId === Type.Date && type.typeId === Type.Timestamp) return new Data(type, data.offset, data.length, data.nullCount, data);
    if (data.type.typeId === Type.Timestamp && type.typeId === Type.Timestamp) return secondsToMillis(data, type);
    return NULL_AS_TEXT.convertData(data, type);
  },
};

/** Timestamp(s) data as Timestamp(ms); a value beyond what int64 milliseconds hold (±292 million years) is an error. */
function secondsToMillis(data: Data, type: DataType): Data {
  const seconds = data.values as BigInt64Array;
  const millis = new BigInt64Array(data.length);
  const limit = 9223372036854775n;
  for (let i = 0; i < data.length; i++) {
    const value = seconds[i]!;
    if (value > limit || value < -limit) {
      const bitmap = data.nullBitmap;
      const bit = data.offset + i;
      const valid = data.nullCount === 0 || bitmap === undefined || bitmap.length === 0 || (bitmap[bit >> 3]! & (1 << (bit & 7))) !== 0;
      if (valid) {
        throw new ExportError('invalid_value', `parquet: the timestamp ${value} s is beyond what Parquet's milliseconds hold (±${limit} s)`, { details: { value: `${value}` } });
      }
      continue;
    }
    millis[i] = value * 1000n;
  }
  return new Data(type, data.offset, data.length, data.nullCount, [undefined, millis, data.nullBitmap] as unknown as ConstructorParameters<typeof Data>[4]);
}

/** Throws `'invalid_value'` for a column type parquet-wasm cannot write. */
function checkWritable(plan: OutputPlan): void {
  const visit = (name: string, type: DataType): void => {
    const unsupported =
      type.typeId === Type.Union ||
      type.typeId === Type.SparseUnion ||
      type.typeId === Type.DenseUnion ||
      (type.typeId === Type.Interval && (type as Interval).unit === IntervalUnit.MONTH_DAY_NANO);
    if (unsupported) {
      throw new ExportError('invalid_value', `parquet cannot store column "${name}" of type ${describeType(type)}`, {
        details: { column: name, value: describeType(type) },
      });
    }
    if (type.typeId === Type.Struct && (type.children ?? []).length === 0) {
      // Parquet has no group with no fields (parquet-wasm fails with "undefined").
      throw new ExportError('invalid_value', `parquet cannot store column "${name}": a struct with no fields (${describeType(type)}); convert it to text or drop it`, {
        details: { column: name, value: describeType(type) },
      });
    }
    for (const child of (type.children ?? []) as Field[]) visit(name, child.type);
  };
  for (const field of plan.schema.fields) visit(field.name, field.type);
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Bytes of already-emitted output kept (copied) in case the footer spans the last two chunks. */
const TAIL_BYTES = 1 << 16;

/**
 * One parquet-wasm streaming writer with the guard around it. The input stream has no buffer
 * (high-water mark 0), so `write` resolves only when the writer has pulled the batch.
 */
class GuardedWriter {
  private controller!: ReadableStreamDefaultController<WasmRecordBatch>;
  private demand = deferred<void>();
  private readonly failure = deferred<never>();
  private readonly outputDone = deferred<void>();
  private reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  private failed: ExportError | null = null;
  private inputClosed = false;
  private rowsSent = 0;
  /** Output ready to hand on. */
  private ready: Uint8Array[] = [];
  /** The newest output chunk, held back: the last one holds the footer, checked before it goes out. */
  private held: Uint8Array | null = null;
  /** A copy of the last bytes before `held`. */
  private tail = new Uint8Array(0);

  private readonly wasm: ParquetWasm;

  private constructor(wasm: ParquetWasm) {
    this.wasm = wasm;
    // A rejection nobody awaits yet must not be reported as unhandled; awaiting code still sees it.
    this.failure.promise.catch(() => {});
  }

  static start(wasm: ParquetWasm, properties: WasmWriterProperties): GuardedWriter {
    const writer = new GuardedWriter(wasm);
    const input = new ReadableStream<WasmRecordBatch>(
      {
        start: (controller) => {
          writer.controller = controller;
        },
        pull: () => {
          writer.demand.resolve();
        },
        cancel: (reason) => {
          if (!writer.inputClosed) writer.fail(toExportError(reason, 'invalid_value', 'writing Parquet'));
        },
      },
      { highWaterMark: 0 },
    );
    // transformParquetStream reads the first batch (for the schema) before it resolves, so it is
    // not awaited here: the first `write` provides that batch. Called in a `then` so that a
    // synchronous throw becomes a rejection the pump reports.
    const starting = Promise.resolve().then(() => wasm.transformParquetStream(input, properties) as Promise<ReadableStream<Uint8Array>>);
    void writer.pump(starting);
    return writer;
  }

  /** Hands one batch to the writer; resolves once the writer has taken it. */
  async write(batch: RecordBatch): Promise<void> {
    this.throwIfFailed();
    // Arrow data enters parquet-wasm only as IPC stream bytes.
    let wasmBatches: WasmRecordBatch[];
    try {
      const table = this.wasmTable(batch);
      wasmBatches = table.recordBatches();
      table.free();
    } catch (error) {
      throw this.fail(toExportError(error, 'invalid_value', 'passing a batch to the Parquet writer'));
    }
    for (let i = 0; i < wasmBatches.length; i++) {
      try {
        await Promise.race([this.demand.promise, this.failure.promise]);
      } catch (error) {
        for (let j = i; j < wasmBatches.length; j++) wasmBatches[j]!.free();
        throw error;
      }
      const wasmBatch = wasmBatches[i]!;
      this.rowsSent += wasmBatch.numRows;
      this.demand = deferred<void>();
      this.controller.enqueue(wasmBatch);
    }
  }

  /** Emits the output that is ready. */
  flush(emit: Emit): void {
    this.throwIfFailed();
    const ready = this.ready;
    this.ready = [];
    for (const bytes of ready) emit(bytes);
  }

  /** Ends the input, waits for the footer, checks its row count, and emits the rest. */
  async close(emit: Emit): Promise<void> {
    this.throwIfFailed();
    this.inputClosed = true;
    this.controller.close();
    await Promise.race([this.outputDone.promise, this.failure.promise]);
    this.flush(emit);
    const last = this.held;
    if (last === null) throw this.fail(new ExportError('verification_failed', 'parquet: the writer produced no output'));
    this.verify(last);
    this.held = null;
    emit(last);
  }

  /** Stops the writer after a failure elsewhere: errors its input and cancels its output. */
  abort(reason: unknown): void {
    this.fail(abortError(reason));
  }

  private wasmTable(batch: RecordBatch): WasmTable {
    return this.wasm.Table.fromIPCStream(tableToIPC(new Table(batch), 'stream'));
  }

  private verify(last: Uint8Array): void {
    let footerTail = last;
    try {
      const needed = footerLength(last);
      if (needed === null || needed > last.length) {
        // The footer starts in an earlier chunk: join the kept tail.
        footerTail = new Uint8Array(this.tail.length + last.length);
        footerTail.set(this.tail);
        footerTail.set(last, this.tail.length);
      }
      const written = readFooterRowCount(footerTail);
      if (written !== this.rowsSent) {
        throw this.fail(
          new ExportError('verification_failed', `parquet: the file's footer counts ${written} rows but ${this.rowsSent} were written`, {
            details: { expected: this.rowsSent, actual: written },
          }),
        );
      }
    } catch (error) {
      if (error instanceof FooterError) {
        throw this.fail(new ExportError('verification_failed', `parquet: could not read the written file's footer: ${error.message}`, { cause: error }));
      }
      throw error;
    }
  }

  private async pump(starting: Promise<ReadableStream<Uint8Array>>): Promise<void> {
    try {
      const reader = (await starting).getReader();
      this.reader = reader;
      if (this.failed !== null) {
        reader.cancel(this.failed).catch(() => {});
        return;
      }
      for (;;) {
        const { done, value } = await reader.read();
        if (this.failed !== null) return;
        if (done) {
          if (!this.inputClosed) {
            this.fail(new ExportError('verification_failed', 'parquet: the writer stopped before every batch was written'));
          } else {
            this.outputDone.resolve();
          }
          return;
        }
        // Output in JS memory is ours; a view into wasm memory would change under us, so copy it.
        this.accept(value.buffer === this.wasm.wasmMemory().buffer ? value.slice() : value);
      }
    } catch (error) {
      this.fail(toExportError(error, 'invalid_value', 'writing Parquet'));
    }
  }

  private accept(chunk: Uint8Array): void {
    const previous = this.held;
    this.held = chunk;
    if (previous === null) return;
    this.ready.push(previous);
    // Copy before handing it on: the consumer may transfer (detach) what it is given.
    if (previous.length >= TAIL_BYTES) {
      this.tail = previous.slice(previous.length - TAIL_BYTES);
    } else {
      const keep = Math.min(this.tail.length, TAIL_BYTES - previous.length);
      const next = new Uint8Array(keep + previous.length);
      next.set(this.tail.subarray(this.tail.length - keep));
      next.set(previous, keep);
      this.tail = next;
    }
  }

  /** Records the first failure and tears the writer down; returns the failure to throw. */
  private fail(error: ExportError): ExportError {
    if (this.failed !== null) return this.failed;
    this.failed = error;
    this.failure.reject(error);
    this.ready = [];
    this.held = null;
    if (!this.inputClosed) {
      this.inputClosed = true;
      try {
        this.controller.error(error);
      } catch {
        // Already closed or errored.
      }
    }
    this.reader?.cancel(error).catch(() => {});
    return error;
  }

  private throwIfFailed(): void {
    if (this.failed !== null) throw this.failed;
  }
}

/** A schema for an export that saw no batch: the requested columns, all-null. */
function emptySchema(columns: readonly OutputColumn[]): Schema {
  return new Schema(columns.map((column) => new Field(column.field, new Utf8(), true)));
}

class ParquetEncoder implements Encoder {
  private plan: OutputPlan | null = null;
  private writer: GuardedWriter | null = null;
  private aborted: ExportError | null = null;
  /** Columns written without a dictionary, decided from the first batch (see `dictionary: 'auto'`). */
  private dictionaryOff: string[] | null = null;
  /** Under a byte limit: the row groups written whole, measured (see encodeWithin). */
  private readonly fullGroups: MeasuredGroup[] = [];
  /** Under a byte limit: the rows of the row group being filled, as the writer was given them. */
  private openGroup: RecordBatch[] = [];
  private openGroupRows = 0;
  /** Bytes handed on so far (the file's budget is what the engine says is left plus these). */
  private bytesOut = 0;
  private readonly wasm: ParquetWasm;
  private readonly context: EncoderContext;
  private readonly options: ResolvedParquetOptions;

  constructor(wasm: ParquetWasm, context: EncoderContext, options: ResolvedParquetOptions) {
    this.wasm = wasm;
    this.context = context;
    this.options = options;
  }

  async encode(chunk: Chunk, emit: Emit): Promise<void> {
    if (this.aborted !== null) throw this.aborted;
    try {
      await this.encodeChunk(chunk, emit);
    } catch (error) {
      throw this.failWith(error);
    }
  }

  async finish(emit: Emit, schema: Schema | null): Promise<void> {
    if (this.aborted !== null) throw this.aborted;
    try {
      await this.finishFile(emit, schema);
    } catch (error) {
      throw this.failWith(error);
    }
  }

  abort(reason: unknown): void {
    this.aborted ??= abortError(reason);
    this.writer?.abort(reason);
  }

  /**
   * Writes the leading rows of `chunk` that fit in `room` bytes with everything `finish()` adds
   * (see Encoder.encodeWithin). The rows of the row group being filled are kept; before rows join
   * it, the group with them is written on its own (a trial file, same writer properties, same
   * batches) and the size of the whole file with that group last is computed from the measured
   * groups (see layout.ts). When they do not all fit, the most that do are found by bisection on
   * the row count, so the file ends at the last row that fits, with its footer.
   */
  async encodeWithin(chunk: Chunk, emit: Emit, room: number): Promise<number> {
    if (this.aborted !== null) throw this.aborted;
    try {
      const counted: Emit = (bytes) => {
        this.bytesOut += bytes.byteLength;
        emit(bytes);
      };
      const budget = room + this.bytesOut;
      const plan = this.planFor(chunk.batch.schema);
      checkBatchSchema('parquet', plan, chunk.batch);
      const count = selectedRowCount(chunk);
      const positions = chunk.selection ?? Uint32Array.from({ length: count }, (_, i) => i);
      const piece = (from: number, to: number): RecordBatch => projectChunk(plan, { ...chunk, selection: positions.subarray(from, to) }, PARQUET_CONVERSION);
      // Decided from the whole first chunk, as an export without the limit decides it.
      this.dictionaryOff ??= this.options.dictionary === 'auto' ? columnsWithoutDictionary(projectChunk(plan, chunk, PARQUET_CONVERSION)) : [];
      let done = 0;
      while (done < count) {
        // A piece never crosses a row group boundary, so the writer's groups are the ones measured.
        const end = Math.min(count, done + this.options.rowGroupSize - this.openGroupRows);
        const fits = async (rows: number): Promise<MeasuredGroup | null> => {
          const group = await this.measure([...this.openGroup, piece(done, done + rows)]);
          return fileSize([...this.fullGroups, group]) <= budget ? group : null;
        };
        let rows = end - done;
        let group = await fits(rows);
        if (group === null) {
          let low = 0;
          let high = rows - 1;
          while (low < high) {
            const mid = Math.ceil((low + high) / 2);
            if ((await fits(mid)) !== null) low = mid;
            else high = mid - 1;
          }
          rows = low;
          group = null;
        }
        if (rows > 0) {
          const batch = piece(done, done + rows);
          const writer = this.writer ?? (await this.startWriter(batch));
          await writer.write(batch);
          writer.flush(counted);
          this.openGroup.push(batch);
          this.openGroupRows += rows;
          done += rows;
        }
        if (group === null) return done;
        if (this.openGroupRows === this.options.rowGroupSize) {
          this.fullGroups.push(group);
          this.openGroup = [];
          this.openGroupRows = 0;
        }
      }
      return done;
    } catch (error) {
      throw this.failWith(error);
    }
  }

  /** The row group of `batches` written on its own, with this file's writer properties. */
  private async measure(batches: RecordBatch[]): Promise<MeasuredGroup> {
    const table = this.wasm.Table.fromIPCStream(tableToIPC(new Table(batches), 'stream'));
    const properties = buildWriterProperties(this.wasm, this.options, this.dictionaryOff ?? []);
    // writeParquet takes ownership of the table and the properties (it frees them).
    const file = this.wasm.writeParquet(table, properties);
    try {
      return measureGroup(file);
    } catch (error) {
      throw new ExportError('limit_exceeded', `parquet: cannot measure a row group to truncate by size (${error instanceof Error ? error.message : String(error)}); use limits.maxRows`, {
        details: { path: 'limits.maxBytes' },
        cause: error,
      });
    }
  }

  /** A failure of our own also stops the writer, so no wasm stream is left waiting for input. */
  private failWith(error: unknown): ExportError {
    const failure = toExportError(error, 'invalid_value', 'writing Parquet');
    this.aborted ??= failure;
    this.writer?.abort(failure);
    return failure;
  }

  private async encodeChunk(chunk: Chunk, emit: Emit): Promise<void> {
    const plan = this.planFor(chunk.batch.schema);
    checkBatchSchema('parquet', plan, chunk.batch);
    const batch = projectChunk(plan, chunk, PARQUET_CONVERSION);
    if (batch.numRows === 0) {
      this.writer?.flush(emit);
      return;
    }
    const writer = this.writer ?? (await this.startWriter(batch));
    await writer.write(batch);
    writer.flush(emit);
  }

  private async finishFile(emit: Emit, schema: Schema | null): Promise<void> {
    let writer = this.writer;
    if (writer === null) {
      // No rows: still write a valid file that carries the columns.
      const plan = this.plan ?? this.planFor(schema ?? emptySchema(this.context.columns));
      const empty = projectChunk(plan, { batch: emptyBatchOf(schema ?? emptySchema(this.context.columns)), selection: null, firstRow: 0, mismatches: null }, PARQUET_CONVERSION);
      writer = await this.startWriter(empty);
      await writer.write(empty);
    }
    await writer.close(emit);
  }

  private planFor(schema: Schema): OutputPlan {
    if (this.plan === null) {
      const plan = planOutput('parquet', schema, this.context.columns, PARQUET_CONVERSION);
      checkWritable(plan);
      this.plan = plan;
    }
    return this.plan;
  }

  private async startWriter(first: RecordBatch): Promise<GuardedWriter> {
    this.dictionaryOff ??= this.options.dictionary === 'auto' ? columnsWithoutDictionary(first) : [];
    const dictionaryOff = this.dictionaryOff;
    // Built here, once per writer: parquet-wasm consumes writer properties.
    const properties = buildWriterProperties(this.wasm, this.options, dictionaryOff);
    const writer = GuardedWriter.start(this.wasm, properties);
    if (this.aborted !== null) {
      writer.abort(this.aborted);
      throw this.aborted;
    }
    this.writer = writer;
    return writer;
  }
}

/** A batch of no rows with the given schema (built without Arrow's Builders, which need `new Function`). */
function emptyBatchOf(schema: Schema): RecordBatch {
  const children = schema.fields.map((field) => emptyData(field.type));
  return new RecordBatch(schema, makeData({ type: new Struct(schema.fields), length: 0, nullCount: 0, children }));
}

function emptyData(type: DataType): Data {
  const childTypes = ((type.children ?? []) as Field[]).map((child) => child.type);
  switch (type.typeId) {
    case Type.List:
    case Type.FixedSizeList:
    case Type.Map:
      return makeData({ type, length: 0, nullCount: 0, child: emptyData(childTypes[0]!) } as Parameters<typeof makeData>[0]);
    case Type.Struct:
      return makeData({ type, length: 0, nullCount: 0, children: childTypes.map(emptyData) } as Parameters<typeof makeData>[0]);
    default:
      return makeData({ type, length: 0, nullCount: 0 } as Parameters<typeof makeData>[0]);
  }
}

/**
 * The Parquet encoder of one export: parquet-wasm, loaded on first use. Options:
 * `parquet: { compression, rowGroupSize, dictionary, statistics, metadata }`.
 */
export async function createParquetEncoder(context: EncoderContext): Promise<Encoder> {
  const options = resolveParquetOptions(context.options.parquet);
  const wasm = await loadParquetWasm();
  return new ParquetEncoder(wasm, context, options);
}
