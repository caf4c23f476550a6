/**
 * The typed boundary between the page and the export worker (comlink underneath).
 *
 * Everything here is structured-cloneable data: options without functions or signals, source and
 * sink descriptions, results, and errors in their serialized form. Callbacks go the other way
 * through one proxied {@link JobChannel} per job; cancel is a call (an AbortSignal cannot be cloned).
 */
import type { SerializedExportError } from '../errors.js';
import type { Filter } from '../filter/ast.js';
import type { SinkOutcome, SinkSpec } from '../sinks/types.js';
import type { PackedRows } from './pack.js';
import type { ExportFormat, ExportResult, Progress, RemoteSourceDescriptor, Row, StreamOptions } from '../types.js';

/** Bumped when the messages change shape, so a page and a stale cached worker fail clearly. */
export const PROTOCOL_VERSION = 1;

/** Stream options as they cross to the worker: no callbacks, no signal, filters as ASTs or text. */
export type WireOptions = Omit<StreamOptions, 'signal' | 'onProgress' | 'onComplete' | 'filter'> & {
  filter?: Filter | string | Array<Filter | string>;
};

/** What the worker reads. */
export type SourceSpec =
  /** Rows or record batches held by the page, pulled chunk by chunk through {@link JobChannel.pull}. */
  | { kind: 'pull'; totalRows?: number }
  /** Arrow IPC bytes (copied to the worker). */
  | { kind: 'bytes'; bytes: Uint8Array }
  /** A source the worker reads itself (IndexedDB, URL). */
  | { kind: 'remote'; descriptor: RemoteSourceDescriptor };

/** One answer to {@link JobChannel.pull}. */
export type PullResult =
  /** Rows, structured-cloned (arrays, class instances, rows of differing shapes). */
  | { kind: 'rows'; rows: Row[] }
  /** Plain-object rows of one shape, packed column by column (typed buffers transferred). */
  | { kind: 'packed'; packed: PackedRows }
  /** One record batch as Arrow IPC stream bytes (transferred). */
  | { kind: 'batch'; ipc: Uint8Array }
  /** No more data. */
  | { kind: 'end' }
  /** The page-side source threw. */
  | { kind: 'error'; error: SerializedExportError };

/** Where the worker writes: a sink it opens itself, or `relay` back to the page's `WritableStream`. */
export type WorkerSinkSpec = SinkSpec | { kind: 'relay' };

/** One export, as sent to the worker. */
export interface RunRequest {
  /** Unique per page; names the job in {@link ExportWorkerApi.cancel}. */
  jobId: number;
  options: WireOptions;
  source: SourceSpec;
  sink: WorkerSinkSpec;
}

/** Memory and resources an export used, as far as the runtime can see them. */
export interface ExportResources {
  /** Where the export ran. */
  thread: 'worker' | 'main';
  /** Most encoded bytes held between the encoder and the sink at one time. */
  peakBufferedBytes: number;
  /** Size of parquet-wasm's linear memory after the export (Parquet exports; it never shrinks). */
  wasmMemoryBytes?: number;
  /** JS heap in use where the export ran, where `performance.memory` is exposed (Chromium pages, not workers). */
  heapUsedBytes?: number;
}

/** What the worker reports back; the page adds the file name, format, duration and download. */
export type RunResult = Omit<ExportResult, 'fileName' | 'durationMs' | 'format' | 'blob'> & SinkOutcome & { resources: ExportResources };

/** A run's outcome as data, so errors keep their code and details whatever comlink does with throws. */
export type RunOutcome =
  /** `progress` is the engine's last report: progress travels on another port, so it may arrive after the outcome. */
  | { ok: true; result: RunResult; progress?: Progress }
  | { ok: false; error: SerializedExportError };

/** Calls the worker makes to the page during one job. */
export interface JobChannel {
  /** The next chunk of the page-held source. */
  pull(): Promise<PullResult>;
  /** A progress snapshot (the engine sends at most 20 a second, plus a final one). */
  progress(progress: Progress): void;
  /** Bytes for a `relay` sink (the page's WritableStream); resolves when written, for backpressure. */
  write(bytes: Uint8Array): Promise<void>;
  /** Closes a `relay` sink's stream. */
  close(): Promise<void>;
  /** Aborts a `relay` sink's stream. */
  abort(reason: string): Promise<void>;
}

/** What the worker says when it starts. */
export interface WorkerInfo {
  protocol: number;
  /** The worker holds a Web Lock for its lifetime (so its death is seen at once); else the page sends heartbeats. */
  lockHeld: boolean;
}

/** The API the worker exposes. */
export interface ExportWorkerApi {
  /** Takes the lifetime lock `lockName` (when given) and resolves once it is held. */
  init(lockName: string | null): Promise<WorkerInfo>;
  /** Runs one export. Never rejects for an export failure: the outcome carries the error. */
  run(request: RunRequest, channel: JobChannel): Promise<RunOutcome>;
  /** Cancels a running job; it then settles with an `'aborted'` outcome. */
  cancel(jobId: number, reason?: string): void;
  /** Loads what the formats need (the Parquet wasm) ahead of time. */
  preload(formats: ExportFormat[]): Promise<void>;
  /** Heartbeat: answers with the worker's clock. */
  ping(): number;
  /** Removes stale spool files; resolves with how many. */
  cleanSpool(maxAgeMs: number): Promise<number>;
}
