/**
 * Runs one export into a sink: the engine's byte stream, pumped into the sink one awaited write
 * at a time. The same code runs in the worker and, with `worker: false`, on the main thread.
 */
import type { EngineParts } from '../engine-parts.js';
import { createExport } from '../engine/create.js';
import { abortError, toExportError } from '../errors.js';
import type { ByteSink } from '../sinks/types.js';
import type { ExportSource, Progress, StreamOptions } from '../types.js';
import type { ExportResources, RunResult } from './protocol.js';

/** Hooks for {@link runExport}. */
export interface RunHooks {
  /** Cancels the export. */
  signal: AbortSignal;
  /** Progress from the engine (≤ 20 a second, plus a final call). */
  onProgress?: (progress: Progress) => void;
  /** Where the export runs, for the result's resources. */
  thread: ExportResources['thread'];
  /** The engine parts this thread carries (see `engine-parts.ts`). */
  parts: EngineParts;
}

/** Stream options without the ones {@link runExport} sets itself. */
export type RunOptions = Omit<StreamOptions, 'signal' | 'onProgress' | 'onComplete'>;

/** Work the page's thread does between turns of its event loop, at most about this long (plus one chunk). */
const PAGE_TURN_MS = 10;

/** Lets the event loop run (rendering, input): `scheduler.yield()` where it exists, else a timer. */
function yieldToEventLoop(): Promise<void> {
  const scheduler = (globalThis as { scheduler?: { yield?: () => Promise<void> } }).scheduler;
  if (typeof scheduler?.yield === 'function') return scheduler.yield();
  return new Promise((resolve) => setTimeout(resolve, 0));
}

/** `performance.memory.usedJSHeapSize` where the realm exposes it (Chromium pages), else undefined. */
export function heapUsedBytes(): number | undefined {
  const memory = (globalThis as { performance?: { memory?: { usedJSHeapSize?: unknown } } }).performance?.memory;
  return typeof memory?.usedJSHeapSize === 'number' ? memory.usedJSHeapSize : undefined;
}

/**
 * Exports `source` into `sink`. On any failure (or cancel) the engine is stopped, the sink aborted
 * (nothing is left behind), and the error rethrown as an ExportError: `'aborted'` when cancelled,
 * the engine's own code for source and option errors, `'sink_failed'`/`'quota_exceeded'` for the sink.
 */
export async function runExport(source: ExportSource, options: RunOptions, sink: ByteSink, hooks: RunHooks): Promise<RunResult> {
  const { signal } = hooks;
  let peakBufferedBytes = 0;
  const streamOptions: StreamOptions = {
    ...options,
    signal,
    ...(hooks.onProgress === undefined ? {} : { onProgress: hooks.onProgress }),
  };

  // On the page's thread (worker: false) the engine's chunks and the sink's writes can follow
  // each other as microtasks for many frames: the event loop gets a turn once a frame's share of
  // work has run.
  const onPage = hooks.thread === 'main';
  let turnStart = performance.now();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  // Cancelling the reader settles a pending read at once, so a cancel is seen even while the
  // engine waits on a slow source.
  const onAbort = (): void => {
    reader?.cancel(abortError(signal.reason)).catch(() => undefined);
  };
  try {
    if (signal.aborted) throw abortError(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const exported = createExport(hooks.parts, source, streamOptions);
    reader = exported.stream.getReader();
    for (;;) {
      const { done, value } = await reader.read();
      if (signal.aborted) throw abortError(signal.reason);
      if (done) break;
      if (value.byteLength > peakBufferedBytes) peakBufferedBytes = value.byteLength;
      try {
        await sink.write(value);
      } catch (error) {
        throw toExportError(error, 'sink_failed', 'writing the export');
      }
      if (onPage && performance.now() - turnStart > PAGE_TURN_MS) {
        await yieldToEventLoop();
        turnStart = performance.now();
      }
    }
    let outcome;
    try {
      outcome = await sink.close();
    } catch (error) {
      throw toExportError(error, 'sink_failed', 'saving the export');
    }
    if (signal.aborted) {
      // Cancelled while the file was being committed: too late to undo a picked file's write,
      // but the caller still sees the cancel and starts no download.
      throw abortError(signal.reason);
    }
    // Settled already: the engine completes the result before it closes the stream.
    const counts = await exported.result;
    const resources: ExportResources = { thread: hooks.thread, peakBufferedBytes };
    const heap = heapUsedBytes();
    if (heap !== undefined) resources.heapUsedBytes = heap;
    return {
      rowsRead: counts.rowsRead,
      rowsFiltered: counts.rowsFiltered,
      rowsWritten: counts.rowsWritten,
      bytesWritten: counts.bytesWritten,
      issues: counts.issues,
      issueCount: counts.issueCount,
      formulaCellsEscaped: counts.formulaCellsEscaped,
      truncated: counts.truncated,
      ...(counts.sha256 === undefined ? {} : { sha256: counts.sha256 }),
      ...outcome,
      resources,
    };
  } catch (error) {
    const failure = signal.aborted ? abortError(signal.reason) : toExportError(error, 'sink_failed');
    await reader?.cancel(failure).catch(() => undefined);
    await sink.abort(failure);
    throw failure;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}
