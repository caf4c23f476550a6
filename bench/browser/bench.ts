/**
 * Browser benchmark page: the built package (`/dist/index.js`) against `Papa.unparse` + Blob on
 * the main thread, on the standard benchmark rows (`bench/dataset.mjs`), in one page: rows the
 * page holds, and the same rows stored in IndexedDB (`fromIndexedDB` in the worker against
 * `getAll()` on the main thread). Every run measures its total time and the largest gap between
 * animation frames while it ran.
 */
import Papa from 'papaparse';
import type * as Sluice from '../../src/index.js';
// @ts-expect-error: a plain JS module without types, shared with the Node benchmarks.
import { makeRows, rowsAsync, rowsSync } from '../dataset.mjs';

const LIBRARY_URL = '/dist/index.js';

/** One measured run. */
export interface BenchRun {
  name: string;
  rows: number;
  ms: number;
  bytes: number;
  maxFrameGapMs: number;
  /** Gaps between animation frames longer than 50 ms while it ran. */
  frameGapsOver50ms: number;
  longAnimationFrames: number[];
  /** Rows the run wrote, when it reports them (the IndexedDB runs). */
  rowsWritten?: number;
  /** Time spent in each step, for runs made of separate steps (ms). */
  phases?: Record<string, number>;
}

/** What a measured piece of work returns: bytes written, or bytes with rows and step timings. */
type WorkOutcome = number | { bytes: number; rowsWritten: number; phases?: Record<string, number> };

/** Measures `work` with a requestAnimationFrame loop and a long-animation-frame observer running. */
async function measure(name: string, rows: number, work: () => Promise<WorkOutcome>): Promise<BenchRun> {
  await new Promise((r) => setTimeout(r, 200));
  const longAnimationFrames: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longAnimationFrames.push(Math.round(entry.duration));
  });
  observer.observe({ type: 'long-animation-frame', buffered: false });
  let measuring = true;
  let maxGap = 0;
  let gapsOver50 = 0;
  let last = performance.now();
  const tick = (now: number): void => {
    maxGap = Math.max(maxGap, now - last);
    if (now - last > 50) gapsOver50++;
    last = now;
    if (measuring) requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => {
    last = now;
    requestAnimationFrame(tick);
  });
  await new Promise((r) => setTimeout(r, 100));
  const started = performance.now();
  const outcome = await work();
  const ms = performance.now() - started;
  // One more frame, so a long task at the very end shows as a gap.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
  measuring = false;
  observer.disconnect();
  if (typeof outcome === 'number') return { name, rows, ms, bytes: outcome, maxFrameGapMs: maxGap, frameGapsOver50ms: gapsOver50, longAnimationFrames };
  const run: BenchRun = { name, rows, ms, bytes: outcome.bytes, maxFrameGapMs: maxGap, frameGapsOver50ms: gapsOver50, longAnimationFrames, rowsWritten: outcome.rowsWritten };
  if (outcome.phases !== undefined) run.phases = outcome.phases;
  return run;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

function transactionDone(tx: IDBTransaction): Promise<void> {
  return new Promise((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error ?? new Error('the transaction was aborted'));
  });
}

/** Opens an existing database at its current version. */
function openDatabase(name: string): Promise<IDBDatabase> {
  return request(indexedDB.open(name));
}

async function deleteDatabase(name: string): Promise<void> {
  await request(indexedDB.deleteDatabase(name) as unknown as IDBRequest<unknown>);
}

/** Records per `getAll` in the raw read that `fromIndexedDB` is compared with. */
const IDB_READ_BATCH = 16_384;

/** Records written per transaction while filling a store. */
const FILL_BATCH = 50_000;

/**
 * Creates `database` with one object store `store` (key path `id`) holding the first `n` rows of
 * the standard dataset, generated lazily and written `FILL_BATCH` records per transaction, so the
 * page never holds them all. Returns the time it took and the store's count afterwards.
 */
async function idbFill(database: string, store: string, n: number): Promise<{ ms: number; count: number }> {
  await deleteDatabase(database);
  const started = performance.now();
  const open = indexedDB.open(database, 1);
  open.onupgradeneeded = () => {
    open.result.createObjectStore(store, { keyPath: 'id' });
  };
  const db = await request(open);
  try {
    const rows = (rowsSync as (n: number) => Iterator<Record<string, unknown>>)(n);
    for (let done = false; !done; ) {
      const tx = db.transaction(store, 'readwrite', { durability: 'relaxed' });
      const objects = tx.objectStore(store);
      for (let i = 0; i < FILL_BATCH; i++) {
        const next = rows.next();
        if (next.done === true) {
          done = true;
          break;
        }
        objects.put(next.value);
      }
      await transactionDone(tx);
    }
    const count = await request(db.transaction(store, 'readonly').objectStore(store).count());
    return { ms: performance.now() - started, count };
  } finally {
    db.close();
  }
}

async function opfsWritable(name: string): Promise<FileSystemWritableFileStream> {
  const root = await navigator.storage.getDirectory();
  return (await root.getFileHandle(name, { create: true })).createWritable();
}

async function clearOpfs(): Promise<void> {
  const root = await navigator.storage.getDirectory();
  const names: string[] = [];
  for await (const name of root.keys()) names.push(name);
  for (const name of names) await root.removeEntry(name, { recursive: true });
}

/**
 * The floors under Sluice's file exports, measured in the same page: a worker that holds an
 * export's bytes already (made before the clock starts) and only writes them to a file through
 * `createWritable()` (4 MiB writes, each waiting for the stream's room, as Sluice's file sink
 * does), or only gzips them with `CompressionStream` (its one level). An export to that file can
 * be no faster than its write floor, and CSV with gzip no faster than the deflate floor.
 */
const FLOOR_WORKER = `
  let bytes;
  onmessage = async (event) => {
    const message = event.data;
    if (message.t === 'load') {
      bytes = new Uint8Array(await message.blob.arrayBuffer());
      postMessage({ t: 'loaded' });
      return;
    }
    let out = 0;
    if (message.t === 'write') {
      const root = await navigator.storage.getDirectory();
      const handle = await root.getFileHandle(message.name, { create: true });
      const writer = (await handle.createWritable()).getWriter();
      const piece = 4 << 20;
      for (let at = 0; at < bytes.length; at += piece) {
        await writer.ready;
        writer.write(bytes.slice(at, at + piece)).catch(() => undefined);
      }
      await writer.close();
      out = bytes.length;
    } else {
      const stream = new CompressionStream('gzip');
      const writer = stream.writable.getWriter();
      const reader = stream.readable.getReader();
      const drained = (async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          out += value.byteLength;
        }
      })();
      for (let at = 0; at < bytes.length; at += 1 << 20) {
        await writer.ready;
        writer.write(bytes.subarray(at, at + (1 << 20))).catch(() => undefined);
      }
      await writer.close();
      await drained;
    }
    postMessage({ t: 'done', bytes: out });
  };`;

/** Each format's export of the bench rows as a Blob, made once (outside every measurement). */
const exportedBytes = new Map<string, Blob>();

async function bytesOf(format: 'csv' | 'json'): Promise<Blob> {
  let blob = exportedBytes.get(format);
  if (blob === undefined) {
    const rows = (window as unknown as { benchRows: unknown[] }).benchRows;
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    blob = await new Response(lib.exportStream(rows as never, { format })).blob();
    exportedBytes.set(format, blob);
  }
  return blob;
}

/** Runs one floor in a fresh worker that already holds the bytes; resolves with the bytes it wrote or compressed. */
async function floorRun(name: string, format: 'csv' | 'json', kind: 'write' | 'gzip'): Promise<BenchRun> {
  const blob = await bytesOf(format);
  const url = URL.createObjectURL(new Blob([FLOOR_WORKER], { type: 'text/javascript' }));
  const worker = new Worker(url);
  const next = (): Promise<{ t: string; bytes?: number }> =>
    new Promise((resolve, reject) => {
      worker.onmessage = (event) => resolve(event.data as { t: string; bytes?: number });
      worker.onerror = (event) => reject(new Error(event.message));
    });
  try {
    const loaded = next();
    worker.postMessage({ t: 'load', blob });
    await loaded;
    return await measure(name, (window as unknown as { benchRows: unknown[] }).benchRows.length, async () => {
      const done = next();
      worker.postMessage({ t: kind, name: `floor-${format}` });
      return (await done).bytes ?? 0;
    });
  } finally {
    worker.terminate();
    URL.revokeObjectURL(url);
  }
}

const api = {
  /** Builds the rows once (outside every measurement); returns how many. */
  prepare(n: number): number {
    (window as unknown as { benchRows: unknown[] }).benchRows = makeRows(n) as unknown[];
    return n;
  },
  clearOpfs,
  /** Sluice: exportData in its worker, to a file handle (what the save picker returns). */
  async sluice(): Promise<BenchRun> {
    const rows = (window as unknown as { benchRows: unknown[] }).benchRows;
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle('sluice.csv', { create: true });
    return measure('sluice exportData → file (worker)', rows.length, async () => (await lib.exportData(rows as never, { format: 'csv', target: handle })).bytesWritten);
  },
  /**
   * Sluice in its worker to a file handle in another format (or CSV with gzip), for the format
   * ratios; with `maxBytes`, under that limit with `onExceed: 'truncate'`.
   */
  async sluiceFormat(format: 'json' | 'ndjson' | 'parquet' | 'arrow' | 'xlsx' | 'csv', compression: 'none' | 'gzip' = 'none', maxBytes?: number): Promise<BenchRun> {
    const rows = (window as unknown as { benchRows: unknown[] }).benchRows;
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle(`sluice-${format}-${compression}`, { create: true });
    const limited = maxBytes === undefined ? '' : ` (maxBytes ${maxBytes}, truncate)`;
    const name = `sluice exportData → ${format}${compression === 'none' ? '' : `+${compression}`} file (worker)${limited}`;
    const limits = maxBytes === undefined ? {} : { limits: { maxBytes, onExceed: 'truncate' as const } };
    return measure(name, rows.length, async () => (await lib.exportData(rows as never, { format, compression, target: handle, ...limits })).bytesWritten);
  },
  /** Sluice with worker: false, for comparison. */
  async sluiceMain(): Promise<BenchRun> {
    const rows = (window as unknown as { benchRows: unknown[] }).benchRows;
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle('sluice-main.csv', { create: true });
    return measure('sluice exportData → file (main thread)', rows.length, async () => (await lib.exportData(rows as never, { format: 'csv', target: handle, worker: false })).bytesWritten);
  },
  /** Papa.unparse + Blob on the main thread, then the Blob written to a file. */
  async papa(): Promise<BenchRun> {
    const rows = (window as unknown as { benchRows: unknown[] }).benchRows;
    return measure('Papa.unparse + Blob → file (main thread)', rows.length, async () => {
      const blob = new Blob([Papa.unparse(rows as object[])], { type: 'text/csv' });
      const writable = await opfsWritable('papa.csv');
      await writable.write(blob);
      await writable.close();
      return blob.size;
    });
  },
  /** Papa.unparse + Blob only (no save step). */
  async papaBlobOnly(): Promise<BenchRun> {
    const rows = (window as unknown as { benchRows: unknown[] }).benchRows;
    return measure('Papa.unparse + Blob (main thread, no save)', rows.length, async () => new Blob([Papa.unparse(rows as object[])], { type: 'text/csv' }).size);
  },
  /** The CSV export's bytes, already made, only written to a file from a worker (see FLOOR_WORKER). */
  writeFloorCsv: (): Promise<BenchRun> => floorRun('floor: CSV bytes → file (worker, bytes made beforehand)', 'csv', 'write'),
  /** The JSON export's bytes, already made, only written to a file from a worker. */
  writeFloorJson: (): Promise<BenchRun> => floorRun('floor: JSON bytes → file (worker, bytes made beforehand)', 'json', 'write'),
  /** The CSV export's bytes, already made, only gzipped by CompressionStream in a worker. */
  gzipFloorCsv: (): Promise<BenchRun> => floorRun('floor: CompressionStream gzip of the CSV bytes (worker)', 'csv', 'gzip'),
  /** Fills an IndexedDB store with `n` standard rows (outside every measurement). */
  idbFill,
  deleteDatabase,
  /** Sluice: `fromIndexedDB` read by its worker → CSV → a file handle; the page only waits. */
  async idbSluice(database: string, store: string, n: number): Promise<BenchRun> {
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    const root = await navigator.storage.getDirectory();
    const handle = await root.getFileHandle('idb-sluice.csv', { create: true });
    return measure('sluice fromIndexedDB → file (worker)', n, async () => {
      const result = await lib.exportData(lib.fromIndexedDB({ database, store }), { format: 'csv', target: handle });
      return { bytes: result.bytesWritten, rowsWritten: result.rowsWritten };
    });
  },
  /**
   * What apps do today: open the database on the main thread, `getAll()`, `Papa.unparse`, a Blob,
   * and the Blob saved to a file (an OPFS file through createWritable, as `papa` does).
   */
  async idbPapa(database: string, store: string, n: number): Promise<BenchRun> {
    return measure('IndexedDB getAll + Papa.unparse + Blob → file (main thread)', n, async () => {
      let t = performance.now();
      const phases: Record<string, number> = {};
      const step = (name: string): void => {
        const now = performance.now();
        phases[name] = Math.round(now - t);
        t = now;
      };
      const db = await openDatabase(database);
      let records: object[];
      try {
        records = await request(db.transaction(store, 'readonly').objectStore(store).getAll());
      } finally {
        db.close();
      }
      step('getAll');
      const csv = Papa.unparse(records);
      step('unparse');
      const blob = new Blob([csv], { type: 'text/csv' });
      step('blob');
      const writable = await opfsWritable('idb-papa.csv');
      await writable.write(blob);
      await writable.close();
      step('save');
      return { bytes: blob.size, rowsWritten: records.length, phases };
    });
  },
  /**
   * The fastest plain read of the store on the page, for `fromIndexedDB`'s target: `getAll` with a
   * key range, `IDB_READ_BATCH` records at a time (the next range starts after the last key), each batch in its own transaction (as a worker
   * reading in batches must, so as not to hold one transaction for the whole export). Nothing is
   * encoded: the time is the floor that IndexedDB itself sets.
   */
  async idbRawRead(database: string, store: string, n: number): Promise<BenchRun> {
    return measure('IndexedDB getAll(range, batch) read only (main thread)', n, async () => {
      const db = await openDatabase(database);
      let count = 0;
      try {
        let after: IDBValidKey | undefined;
        for (;;) {
          const range = after === undefined ? null : IDBKeyRange.lowerBound(after, true);
          const objects = db.transaction(store, 'readonly').objectStore(store);
          const records = (await request(objects.getAll(range, IDB_READ_BATCH))) as Array<{ id: IDBValidKey }>;
          count += records.length;
          if (records.length < IDB_READ_BATCH) break;
          // The store's key path is `id`.
          after = records.at(-1)!.id;
        }
      } finally {
        db.close();
      }
      return { bytes: 0, rowsWritten: count };
    });
  },
  /** An async generator of `n` rows (never all in memory) → download, in the worker. */
  async streamToDownload(n: number): Promise<BenchRun> {
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    return measure('sluice async generator → download (worker)', n, async () => {
      const result = await lib.exportData(rowsAsync(n) as AsyncIterable<Record<string, unknown>>, { format: 'csv', target: 'download', fileName: 'stream.csv' });
      return result.bytesWritten;
    });
  },
  /** The page's JS heap in use (Chromium), in bytes. */
  heap(): number | null {
    return (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? null;
  },
};

declare global {
  interface Window {
    sluiceBench?: typeof api;
  }
}

window.sluiceBench = api;
document.documentElement.dataset['ready'] = 'true';
