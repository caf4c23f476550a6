/**
 * Arrow IPC output: the stream format (`.arrows`, default) or the file format (`.arrow`).
 *
 * Batches are written one by one with apache-arrow's writers and their bytes are handed on after
 * each batch, so memory holds one batch, never the whole table.
 */
import { AsyncByteQueue, RecordBatchFileWriter, RecordBatchStreamWriter, Schema } from 'apache-arrow';
import type { RecordBatch, RecordBatchWriter } from 'apache-arrow';
import { ExportError, toExportError } from '../errors.js';
import type { Chunk } from '../schema/chunk.js';
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
    if (this.plan === null) {
      // No batch came: the file still carries the schema so readers see the columns.
      const source = schema ?? new Schema([]);
      const plan = schema === null ? null : planOutput('arrow', source, this.context.columns, NULL_AS_TEXT);
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

/** The Arrow IPC encoder of one export: the stream layout by default, the file layout with `arrow: { ipc: 'file' }`. */
export function createArrowEncoder(context: EncoderContext): Encoder {
  return new ArrowEncoder(context, context.options.arrow?.ipc ?? 'stream');
}
