/**
 * Public option, result and source types. Every field says its default.
 */
import type { RecordBatch, Table } from 'apache-arrow';
import type { ExportError, ExportErrorCode } from './errors.js';
import type { Filter } from './filter/ast.js';
import type { FilterBuilder } from './filter/builder.js';
import type { IndexedDBSourceDescriptor } from './sources/indexeddb.js';
import type { UrlSourceDescriptor } from './sources/url.js';
import type { ExportResources } from './worker/protocol.js';

export type { Filter, Scalar } from './filter/ast.js';
import type { XlsxOptions } from './formats/xlsx/options.js';
export type { XlsxOptions, XlsxOverflow } from './formats/xlsx/options.js';
export type { ExportResources } from './worker/protocol.js';

/** The file formats Sluice writes. */
export const EXPORT_FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow', 'xlsx'] as const;
/** A file format name. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * A row as an object (`{ id: 1, name: 'a' }`, including rows typed with an interface) or, with
 * `columns`, as an array (`[1, 'a']`).
 */
export type Row = object;

/** A source description that is read where the export runs (the worker): `fromIndexedDB(…)` or `fromURL(…)`. */
export type RemoteSourceDescriptor = IndexedDBSourceDescriptor | UrlSourceDescriptor;

/**
 * What can be exported: rows (arrays, iterables, async iterables, `ReadableStream`s), Arrow
 * tables and record batches, Arrow IPC bytes, or a remote source description.
 */
export type ExportSource =
  | Iterable<Row>
  | AsyncIterable<Row>
  | ReadableStream<Row>
  | Table
  | RecordBatch
  | Iterable<RecordBatch>
  | AsyncIterable<RecordBatch>
  | Uint8Array
  | ArrayBuffer
  | RemoteSourceDescriptor;

/** A column type name for `schema`. */
export type FieldTypeName =
  | 'string'
  | 'float64'
  | 'float32'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'int64'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'boolean'
  | 'timestamp'
  | 'timestamp[ms]'
  | 'timestamp[us]'
  | 'date'
  | 'json';

/** A column type with parameters. */
export type FieldSpec =
  | FieldTypeName
  | { type: FieldTypeName; nullable?: boolean }
  | { type: 'decimal'; precision: number; scale: number; nullable?: boolean };

/**
 * Declared column types. Declared columns come first, in this order; other columns are inferred
 * unless `only` is true.
 *
 * @example { fields: { id: 'int32', amount: { type: 'decimal', precision: 12, scale: 2 } }, strict: true }
 */
export interface SchemaSpec {
  /** Column name → its type, e.g. `{ id: 'int32', price: { type: 'decimal', precision: 12, scale: 2 } }`. */
  fields: Record<string, FieldSpec>;
  /** Fail with `'schema_mismatch'` on a value that does not fit its declared type. Default `false`: the value is written as text (null in binary formats) and an issue is recorded. */
  strict?: boolean;
  /** Export only the declared fields. Default `false`. */
  only?: boolean;
}

/** CSV and TSV options. */
export interface CsvOptions {
  /** Field separator, one character. Default `','` (`'\t'` for TSV). */
  delimiter?: string;
  /** Write a header row. Default `true`. */
  header?: boolean;
  /** Row terminator. Default `'\r\n'` (RFC 4180). */
  newline?: '\r\n' | '\n' | '\r';
  /** Quote character, one character. Default `'"'`. */
  quote?: string;
  /** Quote every text field. Default `false`. */
  quoteAll?: boolean;
  /** Start the file with a UTF-8 byte-order mark so Excel reads it as UTF-8. Default `false`. */
  bom?: boolean;
  /** Text written for null and undefined, unquoted. Default `''` (an empty string is written `""`). */
  nullValue?: string;
  /** Guard cells that spreadsheets would run as formulas (`=`, `+`, `-`, `@`, tab, CR, LF) with a leading `'`, leaving plain numbers alone. Default `true`. */
  escapeFormulae?: boolean;
  /** How dates are written: ISO 8601 UTC with milliseconds, `YYYY-MM-DD`, or epoch milliseconds. Default `'iso'`. */
  dateFormat?: DateFormat;
}

/** How timestamps are written in text formats. */
export type DateFormat = 'iso' | 'date' | 'epoch';

/** JSON and NDJSON options. */
export interface JsonOptions {
  /** BigInt values: numbers when within ±2^53 (`'auto'`), always strings, or always numbers. Default `'auto'`. */
  bigint?: 'auto' | 'string' | 'number';
  /** How dates are written. Default `'iso'`. */
  dateFormat?: DateFormat;
}

/** Parquet codecs. */
export type ParquetCompression = 'snappy' | 'zstd' | 'gzip' | 'brotli' | 'lz4' | 'none';

/** Parquet options. */
export interface ParquetOptions {
  /** Page compression. Default `'snappy'`. */
  compression?: ParquetCompression;
  /** Rows per row group; caps memory. Default 65,536. */
  rowGroupSize?: number;
  /** Dictionary encoding: on for low-cardinality text when `'auto'`. Default `'auto'`. */
  dictionary?: 'auto' | boolean;
  /** Write column statistics. Default `true`. */
  statistics?: boolean;
  /** Key-value metadata stored in the footer. */
  metadata?: Record<string, string>;
}

/** Arrow IPC options. */
export interface ArrowOptions {
  /** IPC stream (`.arrows`) or file (`.arrow`) format. Default `'stream'`. */
  ipc?: 'stream' | 'file';
}

/** A column to export: its field name, or the field with a header to write instead. */
export type ColumnSpec = string | { field: string; header?: string };

/** Size limits. */
export interface ExportLimits {
  /** Most rows to write. */
  maxRows?: number;
  /** Most bytes to write. */
  maxBytes?: number;
  /** Fail with `'limit_exceeded'`, or stop cleanly at the limit and mark the result truncated. Default `'error'`. */
  onExceed?: 'error' | 'truncate';
}

/** Options for {@link exportStream}. */
export interface StreamOptions {
  /** The file format. */
  format: ExportFormat;
  /** Columns to export, in order, optionally renamed. Default: every column of the source. */
  columns?: ColumnSpec[];
  /** Keep only matching rows: a filter AST, a builder, or the text syntax. */
  filter?: Filter | FilterBuilder | string | Array<Filter | FilterBuilder | string>;
  /** Outer compression for text formats. Default `'none'`. */
  compression?: 'gzip' | 'deflate' | 'none';
  /** CSV and TSV options (delimiter, header, BOM, formula guard…); each field states its default. */
  csv?: CsvOptions;
  /** JSON and NDJSON options (BigInt and date writing). */
  json?: JsonOptions;
  /** Parquet options (codec, row group size, dictionary, statistics, metadata). */
  parquet?: ParquetOptions;
  /** Arrow IPC options (stream or file layout). */
  arrow?: ArrowOptions;
  /** Options of the `xlsx` format. */
  xlsx?: XlsxOptions;
  /** Declared column types; override inference. */
  schema?: SchemaSpec;
  /** Most rows or bytes to write, and what happens at the limit. Default: no limit. */
  limits?: ExportLimits;
  /** Rows per record batch. Default 8,192. */
  chunkSize?: number;
  /** Aborts the export with `'aborted'`. */
  signal?: AbortSignal;
  /**
   * Time budget in milliseconds: past it the export fails with `'timeout'`. Checked between chunks and
   * while waiting for the source; in a worker, a step that never yields (a pathological regular
   * expression) is stopped by terminating the worker. Default: no limit.
   */
  timeoutMs?: number;
  /**
   * Compute a SHA-256 of the bytes written, incrementally as they stream (`result.sha256`).
   * Off by default: hashing in JavaScript runs at a few hundred MB/s and would cost a large export
   * a noticeable share of its time. Default `false`.
   */
  checksum?: boolean | 'sha256';
  /** Called at most 20 times a second, and once at the end. */
  onProgress?: (progress: Progress) => void;
  /** Called once when the export ends, with its result. */
  onComplete?: (result: ExportResult) => void;
}

/** Where {@link exportData} saves the file. */
export type ExportTarget =
  | 'auto'
  | 'picker'
  | 'download'
  | 'blob'
  | 'opfs'
  | FileSystemFileHandle
  | WritableStream<Uint8Array>;

/** Options for {@link exportData}. */
export interface ExportOptions extends StreamOptions {
  /** File name. Default `export-YYYYMMDD-HHmmss.<ext>`. */
  fileName?: string;
  /** Where the bytes go. Default `'auto'`: the save picker where it exists, else a download. */
  target?: ExportTarget;
  /** Run in a module worker (`true`, default), on the main thread (`false`), or in a worker the app creates. */
  worker?: boolean | (() => Worker);
  /** `id` for `showSaveFilePicker`, so it reopens the last folder. */
  pickerId?: string;
}

/** A per-row problem that did not stop the export. */
export interface ExportIssue {
  /** What kind of problem it was. */
  code: ExportIssueCode;
  /** A sentence naming the value, row and column. */
  message: string;
  /** Source row index (0-based). */
  row?: number;
  /** The column (field) name, when the problem is in one cell or column. */
  column?: string;
}

/** Reasons for an {@link ExportIssue}. */
export type ExportIssueCode =
  | 'type_mismatch'
  | 'invalid_value'
  | 'extra_column'
  | 'non_finite_number'
  | 'unsafe_integer'
  | 'formula_escaped'
  | 'malformed_input'
  | 'truncated';

/** What an export did. */
export interface ExportResult {
  /** Rows taken from the source (0 when the filter can match nothing: the source is then not read). */
  rowsRead: number;
  /** Rows the filter dropped. */
  rowsFiltered: number;
  /** Rows written to the file. */
  rowsWritten: number;
  /** Bytes written, after compression: the file's size. */
  bytesWritten: number;
  /** Wall-clock time from the call to the end, in milliseconds. */
  durationMs: number;
  /** The file's name: as saved, as offered for download, or, for the `'opfs'` target, its name in the OPFS root. */
  fileName: string;
  /** The format written. */
  format: ExportFormat;
  /** The file, for the `'blob'` target (and the in-memory download fallback). */
  blob?: Blob;
  /** Per-row problems; at most 1,000 are kept, `issueCount` counts all. */
  issues: ExportIssue[];
  /** Every issue found, including those beyond the first 1,000 kept in `issues`. */
  issueCount: number;
  /** Text cells prefixed by the formula guard. */
  formulaCellsEscaped: number;
  /** True when `limits.onExceed: 'truncate'` stopped the export early. */
  truncated: boolean;
  /** SHA-256 of the bytes written (after compression), as 64 hex digits, when `checksum` was set. */
  sha256?: string;
}

/**
 * What {@link exportData} resolves with: the {@link ExportResult} of an export it saved, plus where
 * the export ran and the memory it used (which `exportStream`, running where it is called, does
 * not report).
 */
export interface SavedExportResult extends ExportResult {
  /** Where the export ran and the memory it used. */
  resources: ExportResources;
}

/** A progress snapshot. */
export interface Progress {
  /**
   * `'starting'` (options checked, save target opened, source opening), `'running'` (rows
   * flowing), `'finalizing'` (the last bytes written, the file being committed or downloaded),
   * then `'done'`, `'failed'` or `'aborted'` (cancelled).
   */
  phase: 'starting' | 'running' | 'finalizing' | 'done' | 'failed' | 'aborted';
  /** Rows taken from the source so far. */
  rowsRead: number;
  /** Rows written so far (after the filter). */
  rowsWritten: number;
  /** Bytes written so far (after compression). */
  bytesWritten: number;
  /** Known for arrays, Arrow tables and IndexedDB stores. */
  totalRows?: number;
  /** `rowsRead / totalRows`, when the total is known. */
  fraction?: number;
  /** Rows read per second since the start. */
  rowsPerSecond: number;
  /** Milliseconds since the export started. */
  elapsedMs: number;
  /** Estimated time left, when the total is known. */
  etaMs?: number;
}

/**
 * A running export: a promise of its result (`then`, `catch`, `finally`) that can be cancelled,
 * and an external store of its state (`subscribe`, `getSnapshot`). {@link exportData} returns one.
 * `R` is the result's type, {@link ExportResult} unless a wrapper adds to it.
 */
export interface ExportJob<R extends ExportResult = ExportResult> extends PromiseLike<R> {
  /** Like `Promise.prototype.then`: the result once the file is saved, or the {@link ExportError}. */
  then<R1 = R, R2 = never>(
    onfulfilled?: ((value: R) => R1 | PromiseLike<R1>) | null,
    onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null,
  ): Promise<R1 | R2>;
  /** Like `Promise.prototype.catch`: handles a failure or cancel (an {@link ExportError}). */
  catch<R2 = never>(onrejected?: ((reason: unknown) => R2 | PromiseLike<R2>) | null): Promise<R | R2>;
  /** Like `Promise.prototype.finally`. */
  finally(onfinally?: (() => void) | null): Promise<R>;
  /** Stops the export; the job rejects with `'aborted'` and nothing is left behind. */
  cancel(reason?: string): void;
  /** The latest progress snapshot. */
  readonly progress: Progress;
  /**
   * Calls `listener` (with no arguments) whenever {@link ExportJob.getSnapshot} would return a new
   * object: after each progress report and once when the job settles. Returns the function that
   * unsubscribes. This is the external-store contract of React's `useSyncExternalStore`.
   *
   * @example
   * const snapshot = useSyncExternalStore(job.subscribe, job.getSnapshot);
   */
  subscribe(listener: () => void): () => void;
  /**
   * The job's state as a frozen object, the same one until something changes, so that stores
   * comparing with `Object.is` update only on news. Both methods are bound: pass them on as they are.
   */
  getSnapshot(): JobSnapshot<R>;
}

/**
 * An immutable picture of a running or finished job, as {@link ExportJob.getSnapshot} returns it.
 * `result` is set once the phase is `'done'`; `error` once it is `'failed'` or `'aborted'`.
 */
export interface JobSnapshot<R extends ExportResult = ExportResult> {
  /** `'starting'`, `'running'`, `'finalizing'`, then one of `'done'`, `'failed'` or `'aborted'`. */
  readonly phase: Progress['phase'];
  /** The latest progress report (frozen). */
  readonly progress: Readonly<Progress>;
  /** What the export did, once it is done. */
  readonly result?: R;
  /** Why the export stopped, once it failed or was cancelled (`code` `'aborted'`). */
  readonly error?: ExportError;
}

export type { ExportErrorCode };
