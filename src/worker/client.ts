/**
 * The page's side of the export worker: starts it, watches it, and reuses it across jobs.
 *
 * A worker that is terminated, crashes, runs out of memory or calls `self.close()` sends no event,
 * and a comlink call to it never settles. So the worker holds a Web Lock for its lifetime and the
 * page queues a request for the same lock: the request is granted the moment the worker is gone
 * (7–70 ms in Chromium). Where Web Locks are missing (insecure contexts, old browsers) a heartbeat
 * takes its place. Either way every pending job rejects with `'worker_failed'` and the next job
 * gets a fresh worker.
 *
 * Jobs share one worker and run side by side in it (their chunks interleave on the worker's
 * event loop); a worker is retired after {@link MAX_JOBS_PER_WORKER} jobs or once parquet-wasm's
 * memory, which never shrinks, passes {@link MAX_WASM_MEMORY_BYTES}.
 */
import { proxy, transfer, wrap, type Remote } from 'comlink';
import { ExportError, toExportError } from '../errors.js';
import type { ExportWorkerApi, JobChannel, RunOutcome, RunRequest, WorkerInfo } from './protocol.js';
import { PROTOCOL_VERSION } from './protocol.js';
import { installErrorTransfer } from './transfer.js';
import { removeOrphanedSpoolFile, spoolFileName } from '../sinks/spool.js';

/** Makes the worker that runs exports. */
export type WorkerFactory = () => Worker;

/**
 * Jobs a worker runs before it is replaced (bounds leaks in long-lived pages): 1,000. Kept high
 * because a fresh worker fetches its module again, which an offline page cannot do; memory, the
 * real reason to replace one, is watched separately (the Parquet wasm limit).
 */
export const MAX_JOBS_PER_WORKER = 1000;
/** parquet-wasm memory above which an idle worker is replaced: 256 MiB. */
export const MAX_WASM_MEMORY_BYTES = 256 * 1024 * 1024;
/** How long the worker may take to start: 15 s. */
export const START_TIMEOUT_MS = 15_000;
/** Heartbeat period and the silence after which the worker counts as dead (no Web Locks only). */
export const HEARTBEAT_INTERVAL_MS = 500;
export const HEARTBEAT_TIMEOUT_MS = 1_500;

type LockManagerLike = Pick<LockManager, 'request'>;

function lockManager(): LockManagerLike | undefined {
  return (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
}

function uniqueName(): string {
  const random = typeof crypto !== 'undefined' && typeof crypto.randomUUID === 'function' ? crypto.randomUUID() : `${Date.now()}-${Math.random().toString(36).slice(2)}`;
  return `sluice-worker-${random}`;
}

/** One worker and what the page knows about it. */
export class WorkerConnection {
  readonly #worker: Worker;
  readonly #api: Remote<ExportWorkerApi>;
  readonly #ready: Promise<WorkerInfo>;
  readonly #lockAbort = new AbortController();
  readonly #pending = new Set<(error: ExportError) => void>();
  #failure: ExportError | null = null;
  #rejectDead: (error: ExportError) => void = () => undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #retired = false;
  /** Jobs started on this worker. */
  jobsStarted = 0;
  /** Jobs running now. */
  active = 0;
  /** parquet-wasm memory reported by the last job. */
  wasmMemoryBytes = 0;
  /** Called once when the worker dies (not when it is retired). */
  onDeath: (() => void) | undefined;

  /** Starts a worker from `factory`. Throws `'unsupported_environment'` when none can be made. */
  constructor(factory: WorkerFactory) {
    installErrorTransfer();
    try {
      this.#worker = factory();
    } catch (error) {
      throw toExportError(error, 'unsupported_environment', 'starting the export worker');
    }
    this.#api = wrap<ExportWorkerApi>(this.#worker);
    this.#worker.addEventListener('error', (event) => {
      const detail = event.message ? `: ${event.message}` : ' (it could not be loaded, or threw an uncaught error)';
      this.fail(`the export worker failed${detail}`);
    });
    this.#worker.addEventListener('messageerror', () => this.fail('the export worker sent a message that could not be read'));
    const dead = new Promise<never>((_, reject) => {
      this.#rejectDead = reject;
    });
    dead.catch(() => undefined);
    this.#ready = Promise.race([this.#start(), dead]);
    this.#ready.catch(() => undefined);
  }

  /** The failure that ended this worker, or null while it lives. */
  get failure(): ExportError | null {
    return this.#failure;
  }

  /** True once the worker has died or been retired. */
  get closed(): boolean {
    return this.#failure !== null || this.#retired;
  }

  /** Resolves once the worker has started (and holds its lock). */
  get ready(): Promise<WorkerInfo> {
    return this.#ready;
  }

  /** The worker's API (for preload and maintenance calls). */
  get api(): Remote<ExportWorkerApi> {
    return this.#api;
  }

  async #start(): Promise<WorkerInfo> {
    const locks = lockManager();
    const lockName = locks === undefined ? null : uniqueName();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new ExportError('worker_failed', `the export worker did not start within ${START_TIMEOUT_MS / 1000} s`)), START_TIMEOUT_MS);
    });
    let info: WorkerInfo;
    try {
      info = await Promise.race([this.#api.init(lockName), timeout]);
    } catch (error) {
      const failure = toExportError(error, 'worker_failed', 'starting the export worker');
      this.fail(failure.message);
      throw failure;
    } finally {
      clearTimeout(timer);
    }
    if (info.protocol !== PROTOCOL_VERSION) {
      const message = `the export worker speaks protocol ${info.protocol}, the page ${PROTOCOL_VERSION}: a stale cached copy? reload the page`;
      this.fail(message);
      throw new ExportError('worker_failed', message);
    }
    if (info.lockHeld && locks !== undefined && lockName !== null) {
      // Granted only when the worker's own hold on the lock ends, i.e. when the worker is gone.
      locks
        .request(lockName, { signal: this.#lockAbort.signal }, async () => {
          this.fail('the export worker stopped (it was terminated, crashed or ran out of memory)');
        })
        .catch(() => undefined);
    } else {
      this.#startHeartbeat();
    }
    return info;
  }

  #startHeartbeat(): void {
    let lastAnswer = Date.now();
    this.#heartbeat = setInterval(() => {
      if (Date.now() - lastAnswer > HEARTBEAT_TIMEOUT_MS) {
        this.fail(`the export worker stopped answering (no heartbeat for ${HEARTBEAT_TIMEOUT_MS} ms)`);
        return;
      }
      this.#api.ping().then(
        () => {
          lastAnswer = Date.now();
        },
        () => undefined,
      );
    }, HEARTBEAT_INTERVAL_MS);
  }

  #shutdown(): void {
    clearInterval(this.#heartbeat);
    this.#lockAbort.abort();
    this.#worker.terminate();
  }

  /** Declares the worker dead: terminates it and rejects every pending job with `'worker_failed'`. */
  fail(message: string): void {
    if (this.#failure !== null || this.#retired) return;
    const failure = new ExportError('worker_failed', message);
    this.#failure = failure;
    this.#shutdown();
    this.#rejectDead(failure);
    for (const reject of this.#pending) reject(failure);
    this.#pending.clear();
    this.onDeath?.();
  }

  /** Ends a healthy worker (no job is running); its lock's release then means nothing. */
  retire(): void {
    if (this.closed) return;
    this.#retired = true;
    this.#shutdown();
  }

  /**
   * Runs one job. Rejects with `'worker_failed'` if the worker dies first; an export failure comes
   * back as an outcome, not a rejection.
   */
  run(request: RunRequest, channel: JobChannel, transferables: Transferable[] = []): Promise<RunOutcome> {
    this.jobsStarted++;
    this.active++;
    // The page names the download's spool file (and the temporary file of an 'opfs' export where
    // createWritable() is missing), so that if the worker dies (and cannot abort its sink) the
    // page can still remove the file it left. The 'opfs' file itself is exportData's to remove.
    let spoolName: string | undefined;
    if (request.sink.kind === 'spool' || request.sink.kind === 'opfs') {
      spoolName = request.sink.spoolName ?? spoolFileName(request.sink.fileName);
      request = { ...request, sink: { ...request.sink, spoolName } };
    }
    return new Promise<RunOutcome>((resolve, reject) => {
      if (this.#failure !== null) {
        reject(this.#failure);
        return;
      }
      this.#pending.add(reject);
      this.#ready
        .then(() => this.#api.run(transfer(request, transferables), proxy(channel)) as Promise<RunOutcome>)
        .then(resolve, (error: unknown) => reject(toExportError(error, 'worker_failed', 'the export worker call')))
        .finally(() => this.#pending.delete(reject));
    })
      .catch(async (error: unknown) => {
        // Only a dead worker leaves its spool file; an export that failed in a live worker has
        // aborted its sink itself (and comes back as an outcome, not a rejection). The job
        // rejects once the file is gone, so a failed export has left nothing when it settles.
        if (spoolName !== undefined && this.#failure !== null) await removeOrphanedSpoolFile(spoolName);
        throw error;
      })
      .finally(() => {
        this.active--;
      });
  }

  /** Asks the worker to cancel a job (its run then settles with `'aborted'`). */
  cancel(jobId: number, reason: string | undefined): void {
    if (this.closed) return;
    this.#ready.then(() => this.#api.cancel(jobId, reason)).catch(() => undefined);
  }

  /** True when this worker should be replaced once idle. */
  get worn(): boolean {
    return this.jobsStarted >= MAX_JOBS_PER_WORKER || this.wasmMemoryBytes > MAX_WASM_MEMORY_BYTES;
  }
}

/**
 * True when the CSV worker (`text-worker.ts`) can run this export: CSV, TSV, JSON or NDJSON of an
 * array of rows (not record batches), with no filter and no checksum. Other sources (iterables
 * and streams, which may turn out to hold record batches; IndexedDB; URLs; Arrow data) and other
 * formats go to the full worker. Only cheap checks: this runs on the page before every export.
 */
export function fitsTextWorker(source: unknown, options: { format?: unknown; filter?: unknown; checksum?: unknown }): boolean {
  const format = options.format;
  if (format !== 'csv' && format !== 'tsv' && format !== 'json' && format !== 'ndjson') return false;
  if (options.filter !== undefined || (options.checksum !== undefined && options.checksum !== false)) return false;
  if (!Array.isArray(source)) return false;
  try {
    const first: unknown = source[0];
    // A record batch (from any copy of apache-arrow) has a schema and data; rows are sent as rows.
    return !(typeof first === 'object' && first !== null && 'schema' in first && 'data' in first && 'numRows' in first);
  } catch {
    // A hostile first row (a revoked Proxy): the full worker reports it as it always has.
    return false;
  }
}

const connections = new Map<WorkerFactory, WorkerConnection>();
/** Factories that an app passed (`worker: () => new Worker(…)`), as opposed to the library's own. */
const appFactories = new WeakSet<WorkerFactory>();
const idleTimers = new Map<WorkerConnection, ReturnType<typeof setTimeout>>();

/**
 * How long a worker made by an app's factory may sit idle before it is ended: 30 s. The library's
 * own worker stays (an offline page could not fetch it again); an app's factory may be an inline
 * arrow function that makes a new worker per export, and those must not pile up.
 */
export const APP_WORKER_IDLE_MS = 30_000;

/**
 * The live worker for `factory`, started when there is none (or the last one died or was retired).
 * `appFactory` marks a factory the app passed: its idle workers are ended after
 * {@link APP_WORKER_IDLE_MS}, and at once when another app factory takes over (an inline factory is
 * a new function on every call, so its last worker would never be used again).
 */
export function acquireWorker(factory: WorkerFactory, options: { appFactory?: boolean } = {}): WorkerConnection {
  const existing = connections.get(factory);
  if (existing !== undefined) clearIdleTimer(existing);
  if (existing !== undefined && !existing.closed && !existing.worn) return existing;
  if (existing !== undefined && !existing.closed && existing.active === 0) existing.retire();
  if (options.appFactory === true) {
    appFactories.add(factory);
    for (const [other, connection] of connections) {
      if (other !== factory && appFactories.has(other) && connection.active === 0) retireConnection(connection);
    }
  }
  const connection = new WorkerConnection(factory);
  connection.onDeath = () => {
    clearIdleTimer(connection);
    if (connections.get(factory) === connection) connections.delete(factory);
  };
  connections.set(factory, connection);
  return connection;
}

/** Called after each job: retires a worn worker once no job runs on it, and schedules an idle app worker's end. */
export function releaseWorker(connection: WorkerConnection): void {
  if (connection.active !== 0 || connection.closed) return;
  if (connection.worn) {
    retireConnection(connection);
    return;
  }
  const factory = [...connections].find(([, current]) => current === connection)?.[0];
  if (factory !== undefined && appFactories.has(factory)) {
    clearIdleTimer(connection);
    const timer = setTimeout(() => {
      idleTimers.delete(connection);
      if (connection.active === 0) retireConnection(connection);
    }, APP_WORKER_IDLE_MS);
    // An idle timer must not keep a Node process (tests, server-side use) alive.
    (timer as { unref?: () => void }).unref?.();
    idleTimers.set(connection, timer);
  }
}

function retireConnection(connection: WorkerConnection): void {
  clearIdleTimer(connection);
  if (!connection.closed) connection.retire();
  for (const [factory, current] of connections) if (current === connection) connections.delete(factory);
}

function clearIdleTimer(connection: WorkerConnection): void {
  const timer = idleTimers.get(connection);
  if (timer !== undefined) clearTimeout(timer);
  idleTimers.delete(connection);
}

/** Workers alive now (for tests and diagnostics). */
export function liveWorkerCount(): number {
  return [...connections.values()].filter((connection) => !connection.closed).length;
}

/** Terminates every worker this page started (for tests and page teardown). */
export function terminateWorkers(): void {
  for (const connection of connections.values()) {
    clearIdleTimer(connection);
    connection.retire();
  }
  connections.clear();
}
