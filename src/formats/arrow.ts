/**
 * Arrow IPC output: the stream format (`.arrows`, default) or the file format (`.arrow`).
 *
 * Batches are written one by one with apache-arrow's writers and their bytes are handed on after
 * each batch, so memory holds one batch, never the whole table.
 */
import { AsyncByteQueue, RecordBatchFileWriter, RecordBatchStreamWriter, Schema, Type } from 'apache-arrow';
import type { RecordBatch, RecordBatchWriter } from 'apache-arrow';
import { ExportError, toExportError } from '../errors.js';
import { selectedRowCount, type Chunk } from '../schema/chunk.js';
import type { ArrowOptions } from '../types.js';
import { NULL_AS_TEXT, checkBatchSchema, planOutput, projectChunk } from './parquet/batch.js';
import type { OutputPlan } from './parquet/batch.js';
import type { Emit, Encoder, EncoderContext } from './types.js';

/** Which IPC layout to write: the stream format (default) or the random-access file format. */
export type ArrowIpcFormat = NonNullable<ArrowOptions['ipc']>;

/**
 * A sink for the Arrow writer that collects the pieces it writes (headers, padding, views of the
 * batch's own buffers) so they can be joined into one fresh array per batch. Joining copies, which
 * matters: the pieces alias the caller's Arrow buffers, and the engine may transfer what it is given.
 */
class CollectingSink extends AsyncByteQueue {
  private pieces: Uint8Array[] = [];
  private size = 0;

  override write(value: Uint8Array): void {
    if (value.byteLength === 0) return;
    this.pieces.push(value);
    this.size += value.byteLength;
  }

  /** The bytes written since the last call, as one new array (null when nothing was written). */
  take(): Uint8Array | null {
    if (this.size === 0) return null;
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const piece of this.pieces) {
      out.set(piece, at);
      at += piece.byteLength;
    }
    this.pieces = [];
    this.size = 0;
    return out;
  }
}

class ArrowEncoder implements Encoder {
  private readonly sink = new CollectingSink();
  private readonly writer: RecordBatchWriter;
  private plan: OutputPlan | null = null;
  private closed = false;
  private started = false;

  private readonly context: EncoderContext;

  constructor(context: EncoderContext, ipc: ArrowIpcFormat) {
    this.context = context;
    this.ipc = ipc;
    this.writer = ipc === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
    // The writer only accepts an AsyncByteQueue as its sink; ours hands the bytes back synchronously.
    this.writer.reset(this.sink);
  }

  encode(chunk: Chunk, emit: Emit): void {
    if (this.closed) throw new ExportError('invalid_value', 'arrow: encode called after the output was closed');
    if (this.plan === null) this.plan = planOutput('arrow', chunk.batch.schema, this.context.columns, NULL_AS_TEXT);
    checkBatchSchema('arrow', this.plan, chunk.batch);
    const batch = projectChunk(this.plan, chunk, NULL_AS_TEXT);
    // An empty selection still starts the output (the schema message), but writes no batch.
    if (batch.numRows > 0) this.write(batch);
    else this.start(this.plan.schema);
    const bytes = this.sink.take();
    if (bytes !== null) emit(bytes);
  }

  finish(emit: Emit, schema: Schema | null): void {
    if (this.closed) return;
    if (!this.started) {
      // No batch was written: the file still carries the schema so readers see the columns.
      const plan = this.plan ?? (schema === null ? null : planOutput('arrow', schema, this.context.columns, NULL_AS_TEXT));
      this.start(plan === null ? new Schema([]) : plan.schema);
    }
    this.closed = true;
    this.writer.finish();
    const bytes = this.sink.take();
    if (bytes !== null) emit(bytes);
  }

  abort(): void {
    this.closed = true;
    this.sink.take();
  }

  /**
   * Writes the leading rows of `chunk` that fit in `room` bytes with the footer after them (see
   * Encoder.encodeWithin). Sizes come from a spare writer of the same layout: a record batch's
   * message depends only on its rows, and the footer only on how many blocks it lists, so the
   * measure is exact for batches without dictionaries (with one, the spare writer repeats the
   * dictionary the real one may skip: the measure then errs on the safe side).
   */
  encodeWithin(chunk: Chunk, emit: Emit, room: number): number {
    if (this.closed) throw new ExportError('invalid_value', 'arrow: encode called after the output was closed');
    if (this.plan === null) this.plan = planOutput('arrow', chunk.batch.schema, this.context.columns, NULL_AS_TEXT);
    checkBatchSchema('arrow', this.plan, chunk.batch);
    const count = selectedRowCount(chunk);
    const fits = (rows: number): boolean => this.measureFirst(chunk, rows) <= room;
    let rows = count;
    if (!fits(count)) {
      // The largest count that fits, by bisection: a batch's message grows with its rows.
      let low = 0;
      let high = count - 1;
      while (low < high) {
        const mid = Math.ceil((low + high) / 2);
        if (fits(mid)) low = mid;
        else high = mid - 1;
      }
      rows = low;
    }
    if (rows === 0) return 0;
    this.encode(rows === count ? chunk : { ...chunk, selection: leadingSelection(chunk, rows) }, emit);
    return rows;
  }

  /** The layout this encoder writes. */
  private readonly ipc: ArrowIpcFormat;

  /**
   * Bytes the first `rows` rows of `chunk` add as one record batch (with the schema message when
   * nothing was written yet), plus what `finish()` would write after them.
   */
  private measureFirst(chunk: Chunk, rows: number): number {
    const plan = this.plan!;
    const batch = projectChunk(plan, { ...chunk, selection: leadingSelection(chunk, rows) }, NULL_AS_TEXT);
    const spare = this.spareWriter(plan.schema);
    const header = spare.take()?.byteLength ?? 0;
    spare.writer.write(batch);
    const message = spare.take()?.byteLength ?? 0;
    const counts = this.blockCounts();
    // The spare writer's blocks: the real writer's so far, plus this batch and its dictionaries.
    return (this.started ? 0 : header) + message + this.footerSize(plan.schema, counts.batches + 1, counts.dictionaries + dictionaryCount(plan.schema));
  }

  /** A fresh writer of this layout with the schema written. */
  private spareWriter(schema: Schema): { writer: RecordBatchWriter; take(): Uint8Array | null } {
    const sink = new CollectingSink();
    const writer = this.ipc === 'file' ? new RecordBatchFileWriter() : new RecordBatchStreamWriter();
    writer.reset(sink, schema);
    // Reset with a schema writes the schema message (the file layout: its magic) at once.
    return { writer, take: () => sink.take() };
  }

  /** Record batches and dictionary batches the real writer has listed for its footer. */
  private blockCounts(): { batches: number; dictionaries: number } {
    const internals = this.writer as unknown as FileWriterBlocks;
    return { batches: internals._recordBatchBlocks?.length ?? 0, dictionaries: internals._dictionaryBlocks?.length ?? 0 };
  }

  private readonly footerSizes = new Map<string, number>();

  /**
   * What `finish()` writes once the file lists so many blocks: the end-of-stream marker, and for
   * the file layout the footer, whose size depends on the block counts alone (offsets are fixed-width).
   */
  private footerSize(schema: Schema, batches: number, dictionaries: number): number {
    const key = this.ipc === 'file' ? `${batches}/${dictionaries}` : '';
    const known = this.footerSizes.get(key);
    if (known !== undefined) return known;
    const spare = this.spareWriter(schema);
    spare.take();
    if (this.ipc === 'file') {
      // List as many (placeholder) blocks as the real file will.
      const internals = spare.writer as unknown as FileWriterBlocks;
      const block = { offset: 0, metaDataLength: 0, bodyLength: 0 };
      internals._recordBatchBlocks = Array.from({ length: batches }, () => ({ ...block }));
      internals._dictionaryBlocks = Array.from({ length: dictionaries }, () => ({ ...block }));
    }
    spare.writer.finish();
    const size = spare.take()?.byteLength ?? 0;
    this.footerSizes.set(key, size);
    return size;
  }

  private write(batch: RecordBatch): void {
    this.started = true;
    try {
      // Every batch carries the same Schema object (the plan's), so the writer never sees a
      // "different" schema; a different one would make it close the output silently.
      this.writer.write(batch);
    } catch (error) {
      // e.g. a dictionary column whose dictionary changes, which the IPC file format cannot hold.
      throw toExportError(error, 'invalid_value', 'arrow: writing a record batch');
    }
  }

  private start(schema: Schema): void {
    if (this.started) return;
    this.started = true;
    this.writer.reset(this.sink, schema);
  }
}

/** The writer's lists of blocks for the file footer (apache-arrow internals, absent in the stream layout). */
interface FileWriterBlocks {
  _recordBatchBlocks?: { offset: number; metaDataLength: number; bodyLength: number }[];
  _dictionaryBlocks?: { offset: number; metaDataLength: number; bodyLength: number }[];
}

/** The first `count` rows a chunk would write, as a selection. */
function leadingSelection(chunk: Chunk, count: number): Uint32Array {
  if (chunk.selection !== null) return chunk.selection.subarray(0, count);
  const selection = new Uint32Array(count);
  for (let i = 0; i < count; i++) selection[i] = i;
  return selection;
}

/** Dictionary-encoded fields of a schema, each of which a fresh writer sends one dictionary batch for. */
function dictionaryCount(schema: Schema): number {
  let count = 0;
  const visit = (type: { typeId: number; children?: { type: unknown }[] | null }): void => {
    if (type.typeId === Type.Dictionary) count++;
    for (const child of type.children ?? []) visit(child.type as { typeId: number; children?: { type: unknown }[] | null });
  };
  for (const field of schema.fields) visit(field.type);
  return count;
}

/** The Arrow IPC encoder of one export: the stream layout by default, the file layout with `arrow: { ipc: 'file' }`. */
export function createArrowEncoder(context: EncoderContext): Encoder {
  return new ArrowEncoder(context, context.options.arrow?.ipc ?? 'stream');
}
