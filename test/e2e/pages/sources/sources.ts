/**
 * Source test page: fills IndexedDB stores and exports them (and fetched files) with the built
 * package, on the main thread (`exportStream`) or in the worker (`exportData`). The specs call
 * `window.sluiceSources.*` and check the output in Node.
 */
import type * as Sluice from '../../../../src/index.js';
import type * as IndexedDBSource from '../../../../src/sources/indexeddb.js';
import type * as UrlSource from '../../../../src/sources/url.js';
import type { ExportResult, Progress, StreamOptions } from '../../../../src/types.js';

// Variables, not literals, so neither tsc nor Vite resolves them ahead of time: the page runs the
// built package as a consumer would.
const LIBRARY_URL = '/dist/index.js';
const INDEXEDDB_URL = '/dist/sources/indexeddb.js';
const URL_SOURCE_URL = '/dist/sources/url.js';

type Library = typeof Sluice & typeof IndexedDBSource & typeof UrlSource;

/** A source description, built in the page from the spec's arguments. */
export type SourceSpec = { kind: 'indexeddb'; options: IndexedDBSource.IndexedDBSourceOptions } | { kind: 'url'; url: string; options: UrlSource.UrlSourceOptions };

/** What one export produced. */
export interface ExportOutcome {
  /** The file as text (UTF-8), or its bytes base64-encoded for binary formats. */
  text: string;
  base64?: string;
  result: Omit<ExportResult, 'blob'>;
  progress: Progress[];
  ms: number;
}

/** A failure, as data the spec can check. */
export interface FailureOutcome {
  name: string;
  code: string;
  message: string;
}

/** How a store is filled. */
export type FillKind = 'rows' | 'odd-records' | 'index-duplicates';

let library: Promise<Library> | null = null;

function load(): Promise<Library> {
  library ??= Promise.all([
    import(/* @vite-ignore */ LIBRARY_URL) as Promise<typeof Sluice>,
    import(/* @vite-ignore */ INDEXEDDB_URL) as Promise<typeof IndexedDBSource>,
    import(/* @vite-ignore */ URL_SOURCE_URL) as Promise<typeof UrlSource>,
  ]).then(([main, idb, url]) => ({ ...main, ...idb, ...url }));
  return library;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Deletes a database (waits for it to be gone). */
async function deleteDatabase(name: string): Promise<void> {
  await request(indexedDB.deleteDatabase(name) as unknown as IDBRequest<unknown>);
}

/**
 * Creates `database` with one store `store` (key path `id`, an index `byGroup` on `group`) holding
 * `count` records, in one transaction. Returns the time it took.
 */
async function fill(database: string, store: string, count: number, kind: FillKind = 'rows'): Promise<number> {
  await deleteDatabase(database);
  const started = performance.now();
  const open = indexedDB.open(database, 1);
  open.onupgradeneeded = () => {
    const created = kind === 'odd-records' ? open.result.createObjectStore(store) : open.result.createObjectStore(store, { keyPath: 'id' });
    if (kind !== 'odd-records') created.createIndex('byGroup', 'group');
  };
  const db = await request(open);
  const tx = db.transaction(store, 'readwrite');
  const objects = tx.objectStore(store);
  if (kind === 'odd-records') {
    class Point {
      x = 1;
      y = 2;
      get sum(): number {
        return this.x + this.y;
      }
    }
    objects.put({ id: 1, name: 'plain' }, 1);
    objects.put(42, 2);
    objects.put('text', 3);
    objects.put(new Blob(['bytes']), 4);
    objects.put({ id: 5, name: 'has a blob', file: new Blob(['x']) }, 5);
    objects.put(new Point(), 6);
    objects.put(new Date(Date.UTC(2024, 0, 2)), 7);
  } else {
    for (let i = 0; i < count; i++) {
      // index-duplicates: few groups, so index keys repeat across batch boundaries.
      const group = kind === 'index-duplicates' ? (i * 7) % 3 : i % 100;
      objects.put({ id: i, name: `name ${i}`, group, amount: i * 0.5, active: i % 2 === 0 });
    }
  }
  await new Promise<void>((resolve, reject) => {
    tx.oncomplete = () => resolve();
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error);
  });
  db.close();
  return performance.now() - started;
}

async function source(spec: SourceSpec): Promise<Sluice.ExportSource> {
  const lib = await load();
  return spec.kind === 'indexeddb' ? lib.fromIndexedDB(spec.options) : lib.fromURL(spec.url, spec.options);
}

function base64(bytes: Uint8Array): string {
  let binary = '';
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

async function outcome(bytes: Uint8Array, binary: boolean, result: ExportResult, progress: Progress[], ms: number): Promise<ExportOutcome> {
  const { blob: _blob, ...plain } = result;
  const out: ExportOutcome = { text: binary ? '' : new TextDecoder().decode(bytes), result: plain, progress, ms };
  if (binary) out.base64 = base64(bytes);
  return out;
}

/** Exports on the main thread with exportStream. */
async function exportOnPage(spec: SourceSpec, options: Omit<StreamOptions, 'onProgress' | 'onComplete'>): Promise<ExportOutcome> {
  const lib = await load();
  const progress: Progress[] = [];
  let result: ExportResult | undefined;
  const started = performance.now();
  const stream = lib.exportStream(await source(spec), { ...options, onProgress: (p) => progress.push(p), onComplete: (r) => (result = r) });
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    size += value.byteLength;
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  const ms = performance.now() - started;
  if (result === undefined) throw new Error('onComplete was not called');
  return outcome(bytes, options.format === 'parquet' || options.format === 'arrow', result, progress, ms);
}

/** Exports in the worker with exportData to a Blob. */
async function exportInWorker(spec: SourceSpec, options: Omit<StreamOptions, 'onProgress' | 'onComplete'>): Promise<ExportOutcome> {
  const lib = await load();
  const progress: Progress[] = [];
  const started = performance.now();
  const result = await lib.exportData(await source(spec), { ...options, target: 'blob', onProgress: (p) => progress.push(p) });
  const ms = performance.now() - started;
  if (result.blob === undefined) throw new Error('the blob target returned no blob');
  const bytes = new Uint8Array(await result.blob.arrayBuffer());
  return outcome(bytes, options.format === 'parquet' || options.format === 'arrow', result, progress, ms);
}

/** Runs an export expected to fail; returns the error as data. */
async function failure(where: 'page' | 'worker', spec: SourceSpec, options: Omit<StreamOptions, 'onProgress' | 'onComplete'>): Promise<FailureOutcome> {
  try {
    await (where === 'page' ? exportOnPage(spec, options) : exportInWorker(spec, options));
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    return { name: String(e.name), code: String(e.code), message: String(e.message) };
  }
  throw new Error('the export did not fail');
}

/**
 * Hides `getAllRecords` (Chrome 141+) on this page, so reads take the cursor path that browsers
 * without it use. Returns whether it was there.
 */
function hideGetAllRecords(): boolean {
  const proto = IDBObjectStore.prototype as { getAllRecords?: unknown };
  const had = typeof proto.getAllRecords === 'function';
  delete proto.getAllRecords;
  return had;
}

/**
 * Starts exporting `database`/`store` to CSV in small chunks, then, after the first chunk, opens
 * the database at a higher version (as another tab upgrading it would). Returns how the export
 * ended and whether the upgrade went through.
 */
async function upgradeDuringExport(database: string, store: string): Promise<{ error: FailureOutcome | null; upgraded: boolean; chunksBefore: number }> {
  const lib = await load();
  const reader = lib.exportStream(lib.fromIndexedDB({ database, store }), { format: 'csv', chunkSize: 10 }).getReader();
  await reader.read();
  const open = indexedDB.open(database, 2);
  const upgraded = await new Promise<boolean>((resolve) => {
    open.onsuccess = () => {
      open.result.close();
      resolve(true);
    };
    open.onerror = () => resolve(false);
    open.onblocked = () => resolve(false);
  });
  let chunksBefore = 1;
  try {
    for (;;) {
      const { done } = await reader.read();
      if (done) return { error: null, upgraded, chunksBefore };
      chunksBefore++;
    }
  } catch (error) {
    const e = error as { name?: string; code?: string; message?: string };
    return { error: { name: String(e.name), code: String(e.code), message: String(e.message) }, upgraded, chunksBefore };
  }
}

async function databaseNames(): Promise<string[]> {
  return (await indexedDB.databases()).map((info) => info.name ?? '');
}

async function preload(formats: Sluice.ExportFormat[]): Promise<void> {
  const lib = await load();
  await lib.preload({ formats });
}

declare global {
  interface Window {
    /** Set once the page has loaded. */
    sluiceSources?: {
      load(): Promise<void>;
      fill: typeof fill;
      deleteDatabase: typeof deleteDatabase;
      databaseNames: typeof databaseNames;
      exportOnPage: typeof exportOnPage;
      exportInWorker: typeof exportInWorker;
      failure: typeof failure;
      preload: typeof preload;
      hideGetAllRecords: typeof hideGetAllRecords;
      upgradeDuringExport: typeof upgradeDuringExport;
    };
  }
}

window.sluiceSources = {
  load: async () => {
    await load();
  },
  fill,
  deleteDatabase,
  databaseNames,
  exportOnPage,
  exportInWorker,
  failure,
  preload,
  hideGetAllRecords,
  upgradeDuringExport,
};
document.documentElement.dataset['ready'] = 'true';
