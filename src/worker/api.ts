/**
 * What the export worker does for the page: run exports, cancel them, preload formats.
 */
import { releaseProxy, transfer, type Remote } from 'comlink';
import { abortError, serializeError, toExportError } from '../errors.js';
import { Coalescer } from '../sinks/coalesce.js';
import { FORMAT_SPECS } from '../formats/registry.js';
import { cleanSpool } from '../sinks/opfs.js';
import { createSink } from '../sinks/index.js';
import type { ByteSink } from '../sinks/types.js';
import type { ExportFormat, Progress } from '../types.js';
import { PROTOCOL_VERSION, type ExportWorkerApi, type JobChannel, type RunOutcome, type RunRequest, type WorkerInfo, type WorkerSinkSpec } from './protocol.js';
import { runExport } from './run.js';
import { workerSource } from './worker-source.js';

/** Bytes per relayed write: fewer round trips to the page, yet a steady flow for the app's stream. */
const RELAY_WRITE_SIZE = 256 * 1024;

/**
 * A sink that hands bytes to the page's WritableStream. Each write transfers its buffer (a move,
 * not a copy) and waits for the page's write, which is the backpressure.
 */
function relaySink(channel: Remote<JobChannel>): ByteSink {
  const coalescer = new Coalescer(RELAY_WRITE_SIZE);
  const send = async (bytes: Uint8Array | null): Promise<void> => {
    if (bytes === null) return;
    // Only a view over its whole buffer is moved; a view into a shared buffer is copied first.
    const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength ? bytes : bytes.slice();
    await channel.write(transfer(own, [own.buffer]));
  };
  return {
    write: (chunk) => send(coalescer.push(chunk)),
    async close() {
      await send(coalescer.take());
      await channel.close();
      return {};
    },
    async abort(reason) {
      coalescer.take();
      await channel.abort(reason instanceof Error ? reason.message : String(reason)).catch(() => undefined);
    },
  };
}

async function openSink(spec: WorkerSinkSpec, channel: Remote<JobChannel>): Promise<ByteSink> {
  return spec.kind === 'relay' ? relaySink(channel) : createSink(spec);
}

async function wasmMemoryBytes(format: ExportFormat): Promise<number | undefined> {
  try {
    return await FORMAT_SPECS[format].wasmMemoryBytes?.();
  } catch {
    return undefined;
  }
}

/**
 * The worker's API. Separate from the entry module so tests can expose it on any message port.
 */
export function createWorkerApi(): ExportWorkerApi {
  const jobs = new Map<number, AbortController>();
  const api: ExportWorkerApi = {
    init(lockName) {
      const info = (lockHeld: boolean): WorkerInfo => ({ protocol: PROTOCOL_VERSION, lockHeld });
      const locks = (globalThis as { navigator?: { locks?: LockManager } }).navigator?.locks;
      if (lockName === null || locks === undefined) return Promise.resolve(info(false));
      return new Promise((resolve) => {
        // Held until this worker ends, however it ends: the page waits on the same lock to learn
        // of the worker's death (terminate, crash, self.close()), which sends no event.
        locks
          .request(lockName, () => {
            resolve(info(true));
            return new Promise<never>(() => undefined);
          })
          .catch(() => resolve(info(false)));
      });
    },

    async run(request: RunRequest, channel: JobChannel): Promise<RunOutcome> {
      const remote = channel as unknown as Remote<JobChannel>;
      const controller = new AbortController();
      jobs.set(request.jobId, controller);
      try {
        const sink = await openSink(request.sink, remote).catch((error: unknown) => {
          throw toExportError(error, 'sink_failed', 'opening the target');
        });
        const source = workerSource(request.source, () => remote.pull());
        let last: Progress | undefined;
        const result = await runExport(source, request.options, sink, {
          signal: controller.signal,
          thread: 'worker',
          onProgress: (progress) => {
            last = progress;
            // Fire and forget: progress is at most 20 a second, and a lost one is harmless.
            remote.progress(progress).catch(() => undefined);
          },
        });
        const wasm = await wasmMemoryBytes(request.options.format);
        if (wasm !== undefined) result.resources.wasmMemoryBytes = wasm;
        return last === undefined ? { ok: true, result } : { ok: true, result, progress: last };
      } catch (error) {
        const failure = controller.signal.aborted ? abortError(controller.signal.reason) : toExportError(error, 'sink_failed');
        return { ok: false, error: serializeError(failure) };
      } finally {
        jobs.delete(request.jobId);
        remote[releaseProxy]();
      }
    },

    cancel(jobId, reason) {
      jobs.get(jobId)?.abort(abortError(reason));
    },

    async preload(formats) {
      const { loadFormats } = await import('../preload.js');
      await loadFormats(formats);
    },

    ping: () => Date.now(),

    cleanSpool: (maxAgeMs) => cleanSpool(maxAgeMs),
  };

  return api;
}
