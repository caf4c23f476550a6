/**
 * `limits.maxBytes` before compression: counts what the encoder writes, and with
 * `onExceed: 'truncate'` ends the file at the last row that fits together with what `finish()`
 * adds. Text formats are cut by the engine (rows are independent bytes); binary formats measure
 * their own units and footer (`Encoder.encodeWithin`). Compressed output is counted again after
 * compression, where the limit applies (see create.ts). XLSX is cut as the binary formats are: its
 * encoder measures the workbook that would end after a row, zip directory included.
 */
import { ExportError } from '../errors.js';
import type { Encoder, FormatDefinition, OutputColumn } from '../formats/types.js';
import { rowByteBounds, type Chunk } from '../schema/chunk.js';
import type { StreamOptions } from '../types.js';

/** What the byte budget needs from the export it limits. */
export interface BudgetContext {
  readonly options: StreamOptions;
  readonly format: FormatDefinition;
  checkAbort(): void;
  race<T>(promise: Promise<T>): Promise<T>;
}

/** Rows written by {@link ByteBudget.encodeLeadingRows}. */
export interface LeadingRows {
  readonly written: number;
  /** Not one row fit after the encoder had written its header: finish() needs a fresh encoder. */
  readonly encoderSpent: boolean;
}

/** The byte limit of one export. */
export class ByteBudget {
  /** Bytes written so far, before compression. */
  private used = 0;
  private readonly context: BudgetContext;
  /** What `finish()` writes after at least one row (a JSON array's closing bracket), measured once on a spare encoder. */
  private tailBytes: number | null = null;
  /** True once the encoder has been given rows (its header, if any, is out). */
  private encoderStarted = false;

  constructor(context: BudgetContext) {
    this.context = context;
  }

  /** True when `limits.maxBytes` cuts the output at the last row that fits (`onExceed: 'truncate'` on a format that can be cut). */
  get cutsAtRows(): boolean {
    const limits = this.context.options.limits;
    return limits?.maxBytes !== undefined && limits.onExceed === 'truncate' && this.context.format.truncatableBySize;
  }

  /** The `limit_exceeded` error for `limits.maxBytes`. */
  exceeded(row?: number): ExportError {
    // Every format can be cut at a row, so under 'truncate' this is only the guard against a measure falling short.
    const limits = this.context.options.limits!;
    return new ExportError('limit_exceeded', `the export would write more than limits.maxBytes (${limits.maxBytes}) bytes`, {
      details: row === undefined ? { path: 'limits.maxBytes' } : { path: 'limits.maxBytes', row },
    });
  }

  /** Counts a chunk's bytes written whole; past the limit (uncompressed output only) it is an error. */
  addWhole(bytes: readonly Uint8Array[], row: number): void {
    const size = totalSize(bytes);
    const maxBytes = this.context.options.limits?.maxBytes;
    // Compressed output is measured after compression (see create.ts): its raw size may exceed the limit.
    if (maxBytes !== undefined && (this.context.options.compression ?? 'none') === 'none' && this.used + size > maxBytes) throw this.exceeded(row);
    this.used += size;
  }

  /** Counts what `finish()` wrote when cutting at rows: if even that does not fit, it is an error naming the size. */
  addEnding(bytes: readonly Uint8Array[], rowsWritten: number): void {
    const size = totalSize(bytes);
    const { options, format } = this.context;
    if (this.used + size > this.raw()) {
      const compressed = options.compression === undefined || options.compression === 'none' ? '' : ' before compression';
      const what = rowsWritten === 0 ? `even the ${format.name} file with no rows` : `the ${format.name} file of ${rowsWritten} rows with its ending`;
      throw new ExportError('limit_exceeded', `limits.maxBytes (${options.limits!.maxBytes}) cannot hold ${what} (${this.used + size} bytes${compressed})`, {
        details: { path: 'limits.maxBytes' },
      });
    }
    this.used += size;
  }

  /** Encodes the leading rows of `chunk` that fit with what `finish()` adds, into `emitted`. */
  async encodeLeadingRows(chunk: Chunk, encoder: Encoder, columns: readonly OutputColumn[], rowsBefore: number, emitted: Uint8Array[]): Promise<LeadingRows> {
    if (encoder.encodeWithin !== undefined) return { written: await this.encodeUnits(chunk, encoder, emitted), encoderSpent: false };
    return this.encodeTextRows(chunk, encoder, columns, rowsBefore, emitted);
  }

  /** Bytes of uncompressed output that surely compress to at most `limits.maxBytes` (the whole limit when not compressing). */
  private raw(): number {
    const maxBytes = this.context.options.limits!.maxBytes!;
    const compression = this.context.options.compression ?? 'none';
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

  /**
   * For a format whose encoder measures its own units (a record batch, a row group) and footer:
   * the encoder writes the leading rows that fit in what is left.
   */
  private async encodeUnits(chunk: Chunk, encoder: Encoder, emitted: Uint8Array[]): Promise<number> {
    const budget = this.raw();
    const pieces: Uint8Array[] = [];
    const written = await encoder.encodeWithin!(chunk, (bytes) => pieces.push(bytes), budget - this.used);
    const size = totalSize(pieces);
    // The encoder's measure is the contract; should it ever fall short, fail rather than overflow.
    if (this.used + size > budget) throw this.exceeded(chunk.firstRow);
    this.used += size;
    for (const bytes of pieces) emitted.push(bytes);
    return written;
  }

  private async measureTail(chunk: Chunk, columns: readonly OutputColumn[]): Promise<number> {
    if (this.tailBytes !== null) return this.tailBytes;
    const { format, options } = this.context;
    const spare = await this.context.race(Promise.resolve(format.createEncoder({ columns, options, report: () => undefined, countEscapedFormula: () => undefined })));
    await spare.encode({ ...chunk, selection: leadingSelection(chunk, 1) }, () => undefined);
    let size = 0;
    await spare.finish((bytes) => (size += bytes.byteLength), chunk.batch.schema);
    this.tailBytes = size;
    return size;
  }

  /**
   * For a text format: encodes the chunk's rows while they fit with what `finish()` adds. Rows
   * whose upper bound (see rowByteBounds) fits are encoded together; past that, one row at a time,
   * so the file ends at the last row that fits, whatever the chunk size. A row that does not fit is
   * encoded but its bytes are dropped, and the export stops there.
   */
  private async encodeTextRows(chunk: Chunk, encoder: Encoder, columns: readonly OutputColumn[], rowsBefore: number, emitted: Uint8Array[]): Promise<LeadingRows> {
    const budget = this.raw();
    const tail = await this.measureTail(chunk, columns);
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
      const remaining = budget - this.used - tail - (this.encoderStarted ? 0 : headerBound);
      let sum = 0;
      let end = done;
      while (end < count && sum + bounds[end]! <= remaining) sum += bounds[end++]!;
      if (end === done) end = done + 1;
      const pieceBytes: Uint8Array[] = [];
      await encoder.encode({ batch: chunk.batch, selection: positions.subarray(done, end), firstRow: chunk.firstRow, mismatches: chunk.mismatches }, (bytes) => pieceBytes.push(bytes));
      this.encoderStarted = true;
      const size = totalSize(pieceBytes);
      if (this.used + size + tail > budget) {
        // Only a single row can get here (the bound holds for the others); should a bound ever fall
        // short, the file still ends at whole rows, if fewer than would fit.
        if (rowsBefore + done === 0) {
          // Not one row fits: the file is the empty one (header, `[]`), from a fresh encoder.
          encoder.abort?.(undefined);
          return { written: 0, encoderSpent: true };
        }
        return { written: done, encoderSpent: false };
      }
      this.used += size;
      for (const bytes of pieceBytes) emitted.push(bytes);
      done = end;
      if (done < count) this.context.checkAbort();
    }
    return { written: count, encoderSpent: false };
  }
}

function totalSize(bytes: readonly Uint8Array[]): number {
  let size = 0;
  for (const piece of bytes) size += piece.byteLength;
  return size;
}

/** The first `count` rows a chunk would write, as a selection. */
export function leadingSelection(chunk: Chunk, count: number): Uint32Array {
  if (chunk.selection !== null) return chunk.selection.subarray(0, count);
  const selection = new Uint32Array(count);
  for (let i = 0; i < count; i++) selection[i] = i;
  return selection;
}
