/**
 * The engine suite's main page: runs `exportData` from the built package (`/dist/index.js`, as a
 * consumer gets it) with the source, target and interruption a spec describes, and returns what
 * happened as JSON. The spec checks the bytes in Node with independent readers.
 */
import type * as Sluice from '../../../src/index.js';
import type { ExportOptions, Progress } from '../../../src/types.js';
import { base64, errorInfo, expose } from './common.js';
import { engineRow, engineRows } from './rows.js';

/** Built modules. Variables, not literals, so neither tsc nor Vite resolves them ahead of time. */
const LIBRARY_URL = '/dist/index.js';
const WORKER_URL = '/dist/worker/worker.js';
const SPOOL_DIRECTORY = 'sluice-spool';

/** Where the rows come from. */
export type SourceSpec =
  /** An array held by the page (so the total is known and progress has a fraction). */
  | { kind: 'rows'; count: number }
  /**
   * An async iterable. With `holdAt`, it stops after that many rows until the export is
   * interrupted (cancel, killed worker): the interruption then lands mid-export for certain.
   */
  | { kind: 'generator'; count: number; holdAt?: number }
  /** An iterable that throws at row `failAt`. */
  | { kind: 'failing'; count: number; failAt: number }
  | { kind: 'indexeddb'; database: string; store: string; index?: string; range?: { lower?: number; upper?: number } }
  | { kind: 'url'; path: string; format: 'csv' | 'ndjson' | 'json' | 'arrow' };

/** Targets a spec can ask for; the objects (handle, stream, fake picker) are made on the page. */
export type TargetSpec = 'auto' | 'download' | 'blob' | 'opfs' | 'picker' | 'fake-picker' | 'handle' | 'writable' | 'discard';

/** One export. */
export interface RunSpec {
  source: SourceSpec;
  /** JSON-safe export options (no target, callbacks or worker). */
  options: Omit<ExportOptions, 'target' | 'onProgress' | 'onComplete' | 'signal' | 'worker'> & { worker?: boolean };
  target?: TargetSpec;
  /** With a `holdAt` source: what to do once the source holds. */
  interrupt?: 'cancel' | 'kill-worker';
  /** Return the file's bytes (Blob, WritableStream, or the OPFS file for opfs/handle/fake-picker). */
  read?: boolean;
}

/** What one export did. */
export interface RunOutcome {
  ok: boolean;
  result?: { rowsRead: number; rowsWritten: number; bytesWritten: number; fileName: string; format: string; thread: string; blobSize?: number; blobType?: string; issues: unknown[] };
  error?: { name: string; code: string; message: string };
  /** Every progress report, in order. */
  progress: Progress[];
  /** `job.progress` once the job settled. */
  final: Progress;
  base64?: string;
  /** Workers the export made (a recording factory is used for 'kill-worker'). */
  workersMade: number;
}

/**
 * One worker factory for the page, as an app would have: the library keeps one worker per factory
 * and reuses it across jobs. It records the workers it makes, so a spec can kill one.
 */
const workers: Worker[] = [];
function factory(): Worker {
  const worker = new Worker(WORKER_URL, { type: 'module' });
  workers.push(worker);
  return worker;
}

let library: Promise<typeof Sluice> | null = null;
const load = (): Promise<typeof Sluice> => (library ??= import(/* @vite-ignore */ LIBRARY_URL) as Promise<typeof Sluice>);

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

async function deleteDatabase(name: string): Promise<void> {
  await request(indexedDB.deleteDatabase(name) as unknown as IDBRequest<unknown>);
}

/** Creates `database` with a store `store` (key path `id`, index `byOk` on `ok` as 0/1) of `count` rows. */
async function fillIndexedDB(database: string, store: string, count: number): Promise<void> {
  await deleteDatabase(database);
  const open = indexedDB.open(database, 1);
  open.onupgradeneeded = () => open.result.createObjectStore(store, { keyPath: 'id' }).createIndex('byOk', 'okKey');
  const db = await request(open);
  const tx = db.transaction(store, 'readwrite');
  const objects = tx.objectStore(store);
  // Booleans are not valid IndexedDB keys, so the index reads a number.
  for (const row of engineRows(count)) objects.put({ ...row, okKey: row.ok ? 1 : 0 });
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  db.close();
}

async function opfsRoot(): Promise<FileSystemDirectoryHandle | null> {
  if (typeof navigator.storage?.getDirectory !== 'function') return null;
  return navigator.storage.getDirectory();
}

async function readOpfs(name: string): Promise<Uint8Array | null> {
  const root = await opfsRoot();
  if (root === null) return null;
  try {
    return new Uint8Array(await (await (await root.getFileHandle(name)).getFile()).arrayBuffer());
  } catch {
    return null;
  }
}

/** Names in the OPFS root and in the spool directory, or null without OPFS. */
async function opfsNames(): Promise<{ root: string[]; spool: string[] } | null> {
  const root = await opfsRoot();
  if (root === null) return null;
  const list = async (dir: FileSystemDirectoryHandle): Promise<string[]> => {
    const names: string[] = [];
    for await (const name of (dir as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
    return names.sort();
  };
  let spool: string[] = [];
  try {
    spool = await list(await root.getDirectoryHandle(SPOOL_DIRECTORY));
  } catch {
    // No spool directory yet.
  }
  return { root: (await list(root)).filter((name) => name !== SPOOL_DIRECTORY), spool };
}

/** Text of a file in the OPFS root, or null (no such file, or no OPFS). */
async function opfsText(name: string): Promise<string | null> {
  const bytes = await readOpfs(name);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** Writes a file in the OPFS root. */
async function writeOpfs(name: string, text: string): Promise<void> {
  const root = await opfsRoot();
  if (root === null) throw new Error('writeOpfs needs OPFS');
  const writable = await (await root.getFileHandle(name, { create: true })).createWritable();
  await writable.write(text);
  await writable.close();
}

async function clearOpfs(): Promise<void> {
  const root = await opfsRoot();
  if (root === null) return;
  const names: string[] = [];
  for await (const name of (root as unknown as { keys(): AsyncIterable<string> }).keys()) names.push(name);
  for (const name of names) await root.removeEntry(name, { recursive: true });
}

/** What this engine has, probed the way the library probes it. */
async function env(): Promise<Record<string, unknown>> {
  const root = await opfsRoot().catch(() => null);
  let createWritable = false;
  if (root !== null) {
    const handle = await root.getFileHandle('probe.tmp', { create: true });
    createWritable = typeof (handle as { createWritable?: unknown }).createWritable === 'function';
    await root.removeEntry('probe.tmp');
  }
  let transferableStreams = false;
  try {
    const stream = new ReadableStream();
    new MessageChannel().port1.postMessage(stream, [stream as unknown as Transferable]);
    transferableStreams = true;
  } catch {
    // DataCloneError: streams cannot be transferred here.
  }
  return {
    userAgent: navigator.userAgent,
    savePicker: typeof (window as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function',
    opfs: root !== null,
    createWritable,
    compressionStream: typeof CompressionStream === 'function',
    webLocks: typeof navigator.locks?.request === 'function',
    transferableStreams,
  };
}

async function makeSource(lib: typeof Sluice, spec: SourceSpec, held: { reached: Promise<void>; release: () => void; onReach: () => void }): Promise<Sluice.ExportSource> {
  switch (spec.kind) {
    case 'rows':
      return engineRows(spec.count);
    case 'generator':
      return (async function* () {
        for (let i = 0; i < spec.count; i++) {
          if (i === spec.holdAt) {
            held.onReach();
            await held.reached;
          }
          yield engineRow(i);
        }
      })();
    case 'failing':
      return (function* () {
        for (let i = 0; i < spec.count; i++) {
          if (i === spec.failAt) throw new Error(`the source broke at row ${spec.failAt}`);
          yield engineRow(i);
        }
      })();
    case 'indexeddb': {
      const options: Parameters<typeof lib.fromIndexedDB>[0] = { database: spec.database, store: spec.store };
      if (spec.index !== undefined) options.index = spec.index;
      if (spec.range !== undefined) options.range = spec.range as NonNullable<typeof options.range>;
      return lib.fromIndexedDB(options);
    }
    case 'url':
      return lib.fromURL(new URL(spec.path, location.href).href, { format: spec.format });
  }
}

/** Runs one export as `spec` says. */
async function run(spec: RunSpec): Promise<RunOutcome> {
  const lib = await load();
  let release = (): void => undefined;
  const gate = new Promise<void>((resolve) => (release = resolve));
  let reach = (): void => undefined;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const source = await makeSource(lib, spec.source, { reached: gate, release, onReach: reach });

  const workersBefore = workers.length;
  const { worker: useWorker, ...rest } = spec.options;
  const options: ExportOptions = { ...rest, worker: useWorker === false ? false : factory } as ExportOptions;
  const fileName = spec.options.fileName ?? 'export';
  let collected: Uint8Array[] | null = null;
  const target = spec.target ?? 'auto';
  switch (target) {
    case 'fake-picker': {
      // A picker that answers at once with an OPFS file: a real handle with the same swap-file
      // semantics, which a headless browser's real dialog cannot give.
      const root = await opfsRoot();
      if (root === null) throw new Error('fake-picker needs OPFS');
      (window as { showSaveFilePicker?: unknown }).showSaveFilePicker = async (o: { suggestedName: string }) => root.getFileHandle(o.suggestedName, { create: true });
      options.target = 'auto';
      break;
    }
    case 'handle': {
      const root = await opfsRoot();
      if (root === null) throw new Error('handle needs OPFS');
      options.target = await root.getFileHandle(fileName, { create: true });
      break;
    }
    case 'writable': {
      const parts: Uint8Array[] = [];
      collected = parts;
      options.target = new WritableStream<Uint8Array>({ write: (chunk) => void parts.push(chunk.slice()) });
      break;
    }
    case 'discard':
      // Counts the bytes and drops them: the export's own memory, with no file held anywhere.
      options.target = new WritableStream<Uint8Array>({ write: () => undefined });
      break;
    case 'auto':
    case 'download':
    case 'blob':
    case 'opfs':
    case 'picker':
      options.target = target;
  }

  const progress: Progress[] = [];
  options.onProgress = (p) => progress.push(p);
  const job = lib.exportData(source, options);
  if (spec.interrupt !== undefined) {
    void reached.then(() => {
      if (spec.interrupt === 'cancel') job.cancel('stopped by the test');
      else workers.at(-1)?.terminate();
      // The source goes on (a stalled one would keep the job from settling: the page waits for
      // an async iterator's return(), which waits for its pending next()).
      release();
    });
  }
  const out: RunOutcome = { ok: false, progress, final: job.progress, workersMade: 0 };
  try {
    const result = await job;
    out.ok = true;
    out.result = {
      rowsRead: result.rowsRead,
      rowsWritten: result.rowsWritten,
      bytesWritten: result.bytesWritten,
      fileName: result.fileName,
      format: result.format,
      thread: result.resources.thread,
      issues: result.issues,
    };
    if (result.blob !== undefined) {
      out.result.blobSize = result.blob.size;
      out.result.blobType = result.blob.type;
    }
    if (spec.read === true) {
      let bytes: Uint8Array | null = null;
      if (result.blob !== undefined) bytes = new Uint8Array(await result.blob.arrayBuffer());
      else if (collected !== null) bytes = concat(collected);
      else bytes = await readOpfs(fileName);
      if (bytes === null) throw new Error(`nothing to read back for target ${spec.target ?? 'auto'}`);
      out.base64 = base64(bytes);
    }
  } catch (error) {
    out.error = errorInfo(error);
  } finally {
    release();
  }
  out.final = job.progress;
  out.workersMade = workers.length - workersBefore;
  return out;
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, part) => n + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

/** `preload` for these formats (the worker and, for Parquet, the wasm). */
async function preload(formats: Sluice.ExportFormat[]): Promise<void> {
  const lib = await load();
  await lib.preload({ formats, worker: factory });
}

/**
 * Two exports at once through one worker factory: both must finish with their own rows.
 */
async function twoAtOnce(count: number): Promise<{ a: RunOutcome; b: RunOutcome; workersMade: number }> {
  const before = workers.length;
  const [a, b] = await Promise.all([
    run({ source: { kind: 'rows', count }, options: { format: 'csv', fileName: 'a.csv' }, target: 'blob', read: true }),
    run({ source: { kind: 'rows', count: count + 1 }, options: { format: 'ndjson', fileName: 'b.ndjson' }, target: 'blob', read: true }),
  ]);
  return { a, b, workersMade: workers.length - before };
}

/** Memory figures the page itself can see (Chromium's `performance.memory`, page heap only). */
function pageHeap(): { usedJSHeapSize: number } | null {
  const memory = (performance as { memory?: { usedJSHeapSize: number } }).memory;
  return memory === undefined ? null : { usedJSHeapSize: memory.usedJSHeapSize };
}

/**
 * Whether a Web Lock held by a worker is released when the page terminates the worker, and how
 * long that took (ms), or null when it was not released within `waitMs`.
 */
async function lockReleaseProbe(waitMs: number): Promise<{ workerHasLocks: boolean; releasedAfterMs: number | null }> {
  const name = `probe-${Math.random()}`;
  const source = `self.onmessage = (e) => { if (!self.navigator.locks) { postMessage(false); return; } navigator.locks.request(e.data, () => { postMessage(true); return new Promise(() => {}); }); };`;
  const worker = new Worker(URL.createObjectURL(new Blob([source], { type: 'text/javascript' })));
  const held = await new Promise<boolean>((resolve) => {
    worker.onmessage = (event: MessageEvent<boolean>) => resolve(event.data);
    worker.postMessage(name);
  });
  if (!held) return { workerHasLocks: false, releasedAfterMs: null };
  const started = performance.now();
  worker.terminate();
  const granted = await Promise.race([navigator.locks.request(name, () => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), waitMs))]);
  return { workerHasLocks: true, releasedAfterMs: granted ? performance.now() - started : null };
}

expose({ env, lockReleaseProbe, run, fillIndexedDB, deleteDatabase, opfsNames, opfsText, writeOpfs, clearOpfs, preload, twoAtOnce, pageHeap, load: async () => void (await load()) });
