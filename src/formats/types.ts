import type { Schema } from 'apache-arrow';
import type { Chunk } from '../schema/chunk.js';
import type { PackedColumn } from '../schema/packed.js';
import type { ExportFormat, ExportIssue, Row, StreamOptions } from '../types.js';

/** A column the encoder writes: the batch column it reads and the name it writes. */
export interface OutputColumn {
  /** Column name in the record batch. */
  readonly field: string;
  /** Name written to the file (header, JSON key, Parquet/Arrow field name). */
  readonly header: string;
}

/**
 * How {@link Encoder.encodeRows} reads one output column from row objects: its key, and the kind
 * earlier batches settled for it, which every non-null value of the rows must have.
 */
export interface RowColumn {
  /** Property name (object rows) or index (array rows). */
  readonly key: string | number;
  /** `float64`, `int32` (numbers `(v | 0) === v`), `utf8` (strings), `bool`, `timestamp` (valid Dates), or `null` (no value yet). */
  readonly kind: 'float64' | 'int32' | 'utf8' | 'bool' | 'timestamp' | 'null';
}

/** What the engine gives an encoder. */
export interface EncoderContext {
  /** Columns to write, in order. Batches may hold more (columns only a filter reads). */
  readonly columns: readonly OutputColumn[];
  /** The export's options, as the caller passed them (already validated). */
  readonly options: StreamOptions;
  /** Records a per-row problem. */
  report(issue: ExportIssue): void;
  /** Counts text cells the CSV formula guard changed. */
  countEscapedFormula(count: number): void;
  /**
   * A gzip compressor for encoders that deflate inside the file (XLSX), where the thread's parts
   * offer one that runs on a thread of its own; absent, the encoder uses `CompressionStream`.
   * Chunks written to it are copied (`giveAway: false`), so the encoder may reuse its buffers.
   */
  readonly createCompressor?: (format: 'gzip') => ReadableWritablePair<Uint8Array, Uint8Array>;
}

/** Receives encoded bytes. Never hand it a buffer you will write to again. */
export type Emit = (bytes: Uint8Array) => void;

/**
 * Turns chunks into bytes. The engine calls `encode` once per chunk in order, then `finish` once;
 * an encoder may emit any number of byte arrays from each. Returning a promise is the backpressure.
 */
export interface Encoder {
  encode(chunk: Chunk, emit: Emit): void | Promise<void>;
  /** Writes what comes after the last row (a closing bracket, a footer). `schema` is the last batch's, or null when no batch came. */
  finish(emit: Emit, schema: Schema | null): void | Promise<void>;
  /** Releases resources after a failure or cancel. */
  abort?(reason: unknown): void;
  /**
   * For `limits.maxBytes` with `onExceed: 'truncate'` on a file that cannot be cut at any byte (a
   * binary format): encodes the leading rows of `chunk` whose bytes, together with everything
   * `finish()` would write after them, fit in `room` bytes, and returns how many it encoded. When
   * not even the first row fits it emits nothing and returns 0, and `finish()` still writes a
   * valid file of the rows before.
   */
  encodeWithin?(chunk: Chunk, emit: Emit, room: number): number | Promise<number>;
  /**
   * A faster way for rows whose columns are settled: writes rows `[start, end)` of `rows`
   * straight from the objects, with no record batch between, and returns true. The bytes must be
   * the ones `encode` writes for the batch the engine would have built from the same rows. At the
   * first value that is not of its column's kind (or null/undefined), or a read that throws, it
   * returns false having emitted and reported nothing: the engine builds the batch and calls
   * `encode`, which writes the issues such values get. Offered when no filter, schema or byte cut
   * applies (see the engine's `step`).
   */
  encodeRows?(rows: ArrayLike<Row>, start: number, end: number, columns: readonly RowColumn[], emit: Emit): boolean;
  /**
   * The same for rows the page packed by column (rows a worker pulled from the page): writes rows
   * `[start, end)` of `packed[c]`, output column `c`'s packed column, whose settled kind is
   * `columns[c].kind`. The engine offers only columns whose values the batch path would build as
   * they are (the packed kind matches, no fraction in an int32 column, no invalid date); an
   * encoder returns false, having emitted and reported nothing, for a value its format reports
   * (JSON's NaN and Infinity).
   */
  encodePacked?(packed: readonly PackedColumn[], start: number, end: number, columns: readonly RowColumn[], emit: Emit): boolean;
}

/** The engine's view of a format (see `getFormat` in registry.ts): its name, whether it is binary, and its encoder. */
export interface FormatDefinition {
  readonly name: ExportFormat;
  /** Binary formats need one schema for every batch; the engine then locks the schema after the first batch. */
  readonly binary: boolean;
  /**
   * Whether `limits.maxBytes` can truncate the output at a row: a text format's rows are
   * independent bytes; a binary format's encoder (and the XLSX one) measures its units and footer (`encodeWithin`).
   */
  readonly truncatableBySize: boolean;
  /** The most data rows a file can hold with these options, if the format has such a cap. */
  rowCap?(options: StreamOptions): number | undefined;
  /** Loads the encoder's code on first use and makes the encoder of one export. */
  createEncoder(context: EncoderContext): Promise<Encoder>;
}
