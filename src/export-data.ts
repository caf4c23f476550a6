/**
 * `exportData`: the page-side entry. Resolves where the file goes (the save picker first, while the
 * click's activation lasts), runs the engine in a module worker (or on the main thread), relays
 * progress and cancel, and finishes the target (a download, a Blob).
 */
import { transfer } from 'comlink';
import { abortError, deserializeError, ExportError, printValue, toExportError } from './errors.js';
import type { Filter } from './filter/ast.js';
import type { FilterLike } from './filter/builder.js';
import { triggerDownload } from './sinks/download.js';
import { cleanSpool, getSpoolFile, removeSpoolFile, retryOrphanedSpoolFiles } from './sinks/spool.js';
import { pickFile } from './sinks/picker.js';
import type { TargetPlan } from './sinks/resolve-target.js';
import type { SinkSpec } from './sinks/types.js';
import type { ExportFormat, ExportJob, ExportOptions, ExportSource, Progress, SavedExportResult } from './types.js';
import { JobState, type JobOutcome } from './job-state.js';
import { acquireWorker, fitsTextWorker, releaseWorker, type WorkerConnection, type WorkerFactory } from './worker/client.js';
import type { JobChannel, RunResult, WireOptions, WorkerSinkSpec } from './worker/protocol.js';
import type { OpfsClaim } from './sinks/opfs-claim.js';

/**
 * The library's own worker. Written literally so a consumer's bundler (Vite, webpack 5) finds the
 * worker module next to this one and bundles it; in the published package both are plain ES
 * modules emitted by tsc.
 */
function defaultWorkerFactory(): Worker {
  return new Worker(new URL('./worker/worker.js', import.meta.url), { type: 'module' });
}

/**
 * The CSV worker: text formats of page-held rows only, and a fraction of the full worker's size
 * in bundlers that put a worker in one file (see `worker/text-parts.ts`).
 */
function textWorkerFactory(): Worker {
  return new Worker(new URL('./worker/text-worker.js', import.meta.url), { type: 'module' });
}

/** True for a factory the app passed (`worker: () => Worker`), not one of the library's own workers. */
function isAppFactory(factory: WorkerFactory): boolean {
  return factory !== defaultWorkerFactory && factory !== textWorkerFactory;
}

/** How long a cancel may take before the worker is replaced: 2 s. */
export const CANCEL_GRACE_MS = 2_000;

let nextJobId = 1;
let spoolCleaned = false;
/** True while a save dialog that exportData opened is showing: a second one would be refused by the browser. */
let pickerOpen = false;

let requestChecks: Promise<typeof import('./request.js')> | undefined;

/**
 * Loads one of the library's own lazy chunks. Offline, a chunk that was never fetched cannot load:
 * that is `unsupported_environment` with the way out (`preload()` while online), not a sink failure.
 */
async function loadChunk<T>(load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (error) {
    throw new ExportError('unsupported_environment', `could not load part of the export code (${error instanceof Error ? error.message : String(error)}); an app that exports offline calls preload() while online`, { cause: error });
  }
}

/**
 * The checks that run before the save dialog opens (request.ts), loaded once: a chunk of its own
 * so the page's start-up code stays small. It is fetched as soon as the first export starts, a
 * local chunk that arrives well within the click's activation (about 5 s); `preload()` fetches it
 * ahead of any click.
 */
function loadRequestChecks(): Promise<typeof import('./request.js')> {
  requestChecks ??= loadChunk(() => import('./request.js'));
  requestChecks.catch(() => {
    requestChecks = undefined;
  });
  return requestChecks;
}

/**
 * Removes spool files that earlier page loads left (once per page), and those of dead workers
 * that were still locked when their job settled (at every export).
 */
function sweepSpool(): void {
  retryOrphanedSpoolFiles().catch(() => undefined);
  if (spoolCleaned) return;
  spoolCleaned = true;
  cleanSpool().catch(() => undefined);
}

function invalid(path: string, message: string, value: unknown): ExportError {
  return new ExportError('invalid_options', message, { details: { path, value: printValue(value) } });
}

/** The options that cross to the engine: no callbacks, no signal, filter builders turned into ASTs. */
export function wireOptions(options: ExportOptions): WireOptions {
  const { signal: _signal, onProgress: _onProgress, onComplete: _onComplete, fileName: _fileName, target: _target, worker: _worker, pickerId: _pickerId, filter, ...rest } = options;
  const wire: WireOptions = { ...rest };
  if (filter !== undefined) {
    // Builders keep their terms in private fields, which do not survive postMessage: send the AST.
    // (Duck-typed, so the page does not bundle the builder and its validator.)
    const one = (item: FilterLike | string): Filter | string =>
      typeof item === 'string' ? item : typeof (item as { build?: unknown }).build === 'function' ? (item as { build(): Filter }).build() : (item as Filter);
    wire.filter = Array.isArray(filter) ? filter.map(one) : one(filter);
  }
  return wire;
}

/** `AbortSignal.any` (Chrome 116, Safari 17.4, Firefox 124), linked by hand where it is missing. */
function anySignal(a: AbortSignal, b: AbortSignal): AbortSignal {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const controller = new AbortController();
  for (const signal of [a, b]) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  }
  return controller.signal;
}

function hasWorkers(): boolean {
  return typeof Worker !== 'undefined';
}

/**
 * Where the export runs: a worker factory, or null for the main thread. The library's own workers
 * are two: the CSV worker for what it can do (`fitsTextWorker`), the full worker for the rest.
 */
function chooseThread(option: ExportOptions['worker'], request?: { source: ExportSource; options: ExportOptions }): WorkerFactory | null {
  if (option === false) return null;
  if (typeof option === 'function') return option;
  if (option === undefined || option === true) {
    if (!hasWorkers()) return null;
    return request !== undefined && fitsTextWorker(request.source, request.options) ? textWorkerFactory : defaultWorkerFactory;
  }
  throw invalid('worker', `worker must be true, false or a function that returns a Worker, got ${printValue(option)}`, option);
}

function initialProgress(): Progress {
  return { phase: 'starting', rowsRead: 0, rowsWritten: 0, bytesWritten: 0, rowsPerSecond: 0, elapsedMs: 0 };
}

/**
 * Exports `source` to a file, off the main thread, and returns a job: a promise of the result that
 * can be cancelled and reports progress.
 *
 * With the (default) `'auto'` or `'picker'` target, call it directly in the click handler, before
 * any `await`: the save picker needs the click's activation. Two exports at once both run (in the
 * same worker, interleaved). On failure or cancel nothing is left behind: no download starts, a
 * created file or temporary file is removed, and a picked file keeps what it held.
 *
 * @example
 * button.onclick = () => {
 *   const job = exportData(rows, { format: 'csv', onProgress: (p) => (bar.value = p.fraction ?? 0) });
 *   cancelButton.onclick = () => job.cancel();
 *   job.then((result) => console.log(result.rowsWritten), (error) => console.error(error.code));
 * };
 */
export function exportData(source: ExportSource, options: ExportOptions): ExportJob<SavedExportResult> {
  const controller = new AbortController();
  let latest = initialProgress();
  let settled = false;
  const onProgress = typeof options === 'object' && options !== null && typeof options.onProgress === 'function' ? options.onProgress : undefined;
  const state = new JobState<SavedExportResult>(latest);
  const publish = (progress: Progress, outcome?: JobOutcome<SavedExportResult>): void => {
    latest = progress;
    state.update(progress, outcome);
    try {
      onProgress?.(progress);
    } catch {
      // A throwing progress callback must not break the export.
    }
  };

  // The time budget is kept here too: a worker stuck in one step (a pathological regular
  // expression) cannot check it, and is stopped the way a cancel stops it (terminated after the
  // grace period).
  const timeoutMs = typeof options === 'object' && options !== null ? options.timeoutMs : undefined;
  const budget =
    typeof timeoutMs === 'number' && timeoutMs > 0
      ? setTimeout(() => controller.abort(new ExportError('timeout', `the export took longer than timeoutMs (${timeoutMs} ms)`)), timeoutMs)
      : undefined;

  const promise = run(source, options, controller.signal, (progress) => {
    if (settled) return;
    // The engine's 'done' comes before the file is committed and downloaded: the page reports
    // 'done' itself at the very end. Its 'failed'/'aborted' likewise wait for the page's verdict.
    if (progress.phase === 'failed' || progress.phase === 'aborted') return;
    // A report overtaken by a later one (the last report also comes with the outcome) is stale.
    if (progress.rowsRead < latest.rowsRead || progress.bytesWritten < latest.bytesWritten) return;
    publish(progress.phase === 'done' ? { ...progress, phase: 'finalizing' } : progress);
  }).then(
    (result) => {
      settled = true;
      clearTimeout(budget);
      const done: Progress = { ...latest, phase: 'done', rowsRead: result.rowsRead, rowsWritten: result.rowsWritten, bytesWritten: result.bytesWritten, elapsedMs: result.durationMs };
      if (done.totalRows !== undefined) {
        done.fraction = 1;
        done.etaMs = 0;
      }
      publish(done, { result });
      return result;
    },
    (error: unknown) => {
      settled = true;
      clearTimeout(budget);
      const failure = toExportError(error, 'sink_failed');
      publish({ ...latest, phase: failure.code === 'aborted' ? 'aborted' : 'failed' }, { error: failure });
      throw failure;
    },
  );
  // A job nobody awaits rejects visibly, as fetch does (a button's one-liner must not fail
  // silently); only a cancel the app asked for may go unawaited.
  let cancelled = false;

  return {
    then: (onfulfilled, onrejected) => promise.then(onfulfilled, onrejected),
    catch: (onrejected) => promise.catch(onrejected),
    finally: (onfinally) => promise.finally(onfinally),
    cancel(reason?: string) {
      if (!cancelled) {
        cancelled = true;
        promise.catch(() => undefined);
      }
      if (!controller.signal.aborted) controller.abort(abortError(reason));
    },
    get progress() {
      return latest;
    },
    subscribe: state.subscribe,
    getSnapshot: state.getSnapshot,
  };
}

async function run(source: ExportSource, options: ExportOptions, signal: AbortSignal, onProgress: (progress: Progress) => void): Promise<SavedExportResult> {
  // Everything up to the picker call is quick: it must run inside the click's activation.
  // Every check that can run on the page runs first (the options, the source, the filter's syntax,
  // the columns named against the rows or Arrow schema the page holds), so a mistake never costs
  // the user a trip through the save dialog, nor leaves an empty file behind.
  const { prepareRequest } = await loadRequestChecks();
  const { fileName, mimeType, extension, description, plan } = prepareRequest(source, options);
  const factory = chooseThread(options.worker, { source, options });
  const userSignal = options.signal;
  if (userSignal?.aborted) throw abortError(userSignal.reason);

  let handle: FileSystemFileHandle | undefined;
  if (plan.kind === 'picker') {
    if (pickerOpen) {
      throw new ExportError('picker_busy', 'a save dialog is already open for another export; finish or close it first (this export did not start)');
    }
    const request = { suggestedName: fileName, mimeType, extension, description };
    pickerOpen = true;
    try {
      handle = await pickFile(options.pickerId === undefined ? request : { ...request, id: options.pickerId });
    } finally {
      pickerOpen = false;
    }
  } else if (plan.kind === 'handle') {
    handle = plan.handle;
  }
  try {
    return await runTo(plan, handle, fileName, mimeType, factory, source, options, signal, onProgress);
  } catch (error) {
    // The save dialog created the file (or emptied the one chosen): a failed export removes it
    // rather than leave an empty file in the user's folder.
    if (plan.kind === 'picker' && handle !== undefined) await discardEmptyFile(handle);
    throw error;
  }
}

/**
 * Removes a picked file that holds nothing. `FileSystemHandle.remove()` is Chromium's (110+);
 * elsewhere there is no picker, so nothing to remove.
 */
async function discardEmptyFile(handle: FileSystemFileHandle): Promise<void> {
  try {
    const file = await handle.getFile();
    const remove = (handle as { remove?: () => Promise<void> }).remove;
    if (file.size === 0 && typeof remove === 'function') await remove.call(handle);
  } catch {
    // Best effort: the export's own error is what the caller needs to see.
  }
}

async function runTo(
  plan: TargetPlan,
  handle: FileSystemFileHandle | undefined,
  fileName: string,
  mimeType: string,
  factory: WorkerFactory | null,
  source: ExportSource,
  options: ExportOptions,
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
): Promise<SavedExportResult> {
  const userSignal = options.signal;
  const combined = userSignal === undefined ? signal : anySignal(signal, userSignal);
  if (combined.aborted) throw abortError(combined.reason);

  sweepSpool();
  const startedAt = performance.now();
  const wire = wireOptions(options);
  const sinkSpec = sinkFor(plan, handle, fileName, mimeType);

  let outcome: RunResult;
  if (factory === null) {
    outcome = await runOnMainThread(source, wire, sinkSpec, combined, onProgress);
  } else {
    outcome = await runInWorker(factory, source, wire, sinkSpec, plan, combined, onProgress);
  }

  const { spoolName, blob, resources, ...counts } = outcome;
  const result: SavedExportResult = {
    ...counts,
    fileName,
    format: options.format as ExportFormat,
    durationMs: 0,
    resources,
  };
  try {
    if (combined.aborted) throw abortError(combined.reason);
    if (plan.kind === 'download') {
      const file = spoolName !== undefined ? await getSpoolFile(spoolName) : blob;
      if (file === undefined) throw new ExportError('sink_failed', 'the export produced no file to download');
      if (combined.aborted) throw abortError(combined.reason);
      triggerDownload(file, fileName, spoolName);
    } else if (blob !== undefined) {
      result.blob = blob;
    }
  } catch (error) {
    if (spoolName !== undefined) await removeSpoolFile(spoolName);
    throw error;
  }
  result.durationMs = performance.now() - startedAt;
  return result;
}

/** The sink for a target plan (the download spool falls back to memory by itself where OPFS is missing). */
function sinkFor(plan: TargetPlan, handle: FileSystemFileHandle | undefined, fileName: string, mimeType: string): SinkSpec {
  switch (plan.kind) {
    case 'picker':
    case 'handle':
      return { kind: 'handle', handle: handle as FileSystemFileHandle };
    case 'download':
      return { kind: 'spool', fileName, mimeType };
    case 'blob':
      return { kind: 'memory', mimeType };
    case 'opfs':
      return { kind: 'opfs', fileName };
    case 'writable':
      return { kind: 'writable', stream: plan.stream };
  }
}

async function runOnMainThread(
  source: ExportSource,
  wire: WireOptions,
  sinkSpec: SinkSpec,
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
): Promise<RunResult> {
  // Loaded on demand: an app that always uses the worker keeps the engine out of its main bundle.
  const [{ runExport }, { createSink }, { FULL_PARTS }] = await loadChunk(() => Promise.all([import('./worker/run.js'), import('./sinks/index.js'), import('./engine-parts.js')]));
  const sink = await createSink(sinkSpec).catch((error: unknown) => {
    throw toExportError(error, 'sink_failed', 'opening the target');
  });
  return runExport(source, wire, sink, { signal, onProgress, thread: 'main', parts: FULL_PARTS });
}

async function runInWorker(
  factory: WorkerFactory,
  source: ExportSource,
  wire: WireOptions,
  sinkSpec: SinkSpec,
  plan: TargetPlan,
  signal: AbortSignal,
  onProgress: (progress: Progress) => void,
): Promise<RunResult> {
  const jobId = nextJobId++;
  // Loaded with the first export, not at start-up: only an export needs it.
  const { createPageSource, pullTransferables } = await loadChunk(() => import('./worker/page-source.js'));
  const pageSource = createPageSource(source);
  let workerSink: WorkerSinkSpec = sinkSpec;
  // The app's WritableStream stays on the page; the worker sends it bytes with their buffers
  // transferred. Transferring the stream itself would copy every chunk (≈ 370 MB/s), resolve the
  // worker's close() before the app's sink has closed, and hide the sink's errors.
  let relay: WritableStreamDefaultWriter<Uint8Array> | undefined;
  if (plan.kind === 'writable') {
    relay = plan.stream.getWriter();
    workerSink = { kind: 'relay' };
  }
  const channel: JobChannel = {
    async pull() {
      const result = await pageSource.pull();
      const buffers = pullTransferables(result);
      return buffers.length === 0 ? result : transfer(result, buffers);
    },
    progress: onProgress,
    async write(bytes) {
      if (relay === undefined) throw new ExportError('sink_failed', 'no relayed stream for this export');
      await relay.ready;
      await relay.write(bytes);
    },
    async close() {
      await relay?.close();
    },
    async abort(reason) {
      await relay?.abort(reason).catch(() => undefined);
    },
  };

  // A worker that dies cannot remove the 'opfs' file it created: the page notes beforehand
  // whether the file was there, and removes it after a death if not (see sinks/opfs-claim.ts).
  let claim: OpfsClaim | null = null;
  let connection: WorkerConnection;
  try {
    if (sinkSpec.kind === 'opfs') {
      const { claimOpfsFile } = await loadChunk(() => import('./sinks/opfs-claim.js'));
      claim = await claimOpfsFile(sinkSpec.fileName);
    }
    connection = acquireWorker(factory, { appFactory: isAppFactory(factory) });
  } catch (error) {
    claim?.release();
    await pageSource.close().catch(() => undefined);
    throw error;
  }
  let graceTimer: ReturnType<typeof setTimeout> | undefined;
  const onAbort = (): void => {
    connection.cancel(jobId, signal.reason instanceof Error ? signal.reason.message : undefined);
    // Stop handing out rows at once, whatever the worker is doing.
    pageSource.close().catch(() => undefined);
    // A worker that does not settle a cancelled job in time is stuck: replace it.
    graceTimer = setTimeout(() => connection.fail(`the export worker did not stop within ${CANCEL_GRACE_MS} ms of a cancel`), CANCEL_GRACE_MS);
  };
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    if (signal.aborted) throw abortError(signal.reason);
    const outcome = await connection.run({ jobId, options: wire, source: pageSource.spec, sink: workerSink }, channel);
    if (!outcome.ok) throw deserializeError(outcome.error);
    if (outcome.progress !== undefined) onProgress(outcome.progress);
    if (outcome.result.resources.wasmMemoryBytes !== undefined) connection.wasmMemoryBytes = outcome.result.resources.wasmMemoryBytes;
    return outcome.result;
  } catch (error) {
    // A cancel wins over whatever the worker said after it (including a worker killed for not
    // stopping in time), and keeps the page's reason.
    const failure = signal.aborted ? abortError(signal.reason) : error;
    // The worker aborts the app's stream itself, unless it died first.
    await relay?.abort(failure).catch(() => undefined);
    // A dead worker (also one killed for not stopping after a cancel) left its 'opfs' file: the
    // job settles once the page has removed it.
    if (claim !== null && connection.failure !== null) await claim.discard();
    throw failure;
  } finally {
    claim?.release();
    clearTimeout(graceTimer);
    signal.removeEventListener('abort', onAbort);
    // Not awaited: closing a stalled async iterable waits for its pending next(), which may never
    // come (a worker that died mid-pull), and the job must settle all the same.
    pageSource.close().catch(() => undefined);
    if (relay !== undefined) relay.releaseLock();
    releaseWorker(connection);
  }
}

/**
 * Loads what later exports need — starts the worker and, for `formats: ['parquet']`, fetches and
 * compiles the Parquet wasm — so an offline-first app can export later without the network.
 * Resolves once everything is ready.
 *
 * @example await preload({ formats: ['csv', 'parquet'] });
 */
export async function preload(
  options: {
    /** Formats to make ready: `'parquet'` fetches and compiles the wasm; every format named loads its writer. Default: none (only the worker). */
    formats?: ExportFormat[];
    /** The same `worker` option as {@link exportData}'s: warm the worker that exports will use. Default `true`. */
    worker?: ExportOptions['worker'];
  } = {},
): Promise<void> {
  const formats = (await loadRequestChecks()).checkFormats(options.formats ?? []);
  const factory = chooseThread(options.worker);
  if (factory === null) {
    const [{ loadFormats }] = await Promise.all([import('./preload.js'), import('./worker/run.js')]);
    await loadFormats(formats);
    return;
  }
  const connection = acquireWorker(factory, { appFactory: isAppFactory(factory) });
  // The CSV worker too, when it is the library's: exports it can run go to it.
  const text = factory === defaultWorkerFactory ? acquireWorker(textWorkerFactory) : null;
  // The page's own chunks that a worker export loads: an offline page could not fetch them later.
  await Promise.all([connection.ready, text?.ready, import('./worker/page-source.js'), import('./sinks/opfs-claim.js')]);
  await connection.api.preload(formats);
}
