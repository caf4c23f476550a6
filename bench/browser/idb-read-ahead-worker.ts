/**
 * A module worker for bench/browser/profile-idb.ts: exports an IndexedDB store to a CSV file in
 * OPFS with `exportStream`, fed by an async generator that reads the store `batch` records per
 * read-only transaction — either one batch at a time (as the engine pulls), or with the next
 * batch's request already sent while the current one is encoded (`readAhead`). The difference
 * between the two is what overlapping IndexedDB reads with encoding would save.
 */
import type * as Sluice from '../../src/index.js';

const LIBRARY_URL = '/dist/index.js';

/** What the page sends. */
export interface ReadAheadRequest {
  database: string;
  store: string;
  batch: number;
  readAhead: boolean;
}

/** What the worker answers. */
export interface ReadAheadResult {
  ms: number;
  rowsWritten: number;
  bytesWritten: number;
}

function request<T>(req: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

interface RecordsCapable {
  getAllRecords(options: { query?: IDBKeyRange | null; count?: number }): IDBRequest<Array<{ primaryKey: IDBValidKey; value: unknown }>>;
}

async function* records(db: IDBDatabase, store: string, batch: number, readAhead: boolean): AsyncGenerator<Record<string, unknown>> {
  const read = (after: IDBValidKey | undefined) => {
    const objects = db.transaction(store, 'readonly').objectStore(store) as unknown as RecordsCapable;
    return request(objects.getAllRecords({ query: after === undefined ? null : IDBKeyRange.lowerBound(after, true), count: batch }));
  };
  let pending: ReturnType<typeof read> | null = read(undefined);
  while (pending !== null) {
    const got: Array<{ primaryKey: IDBValidKey; value: unknown }> = await pending;
    const last = got.at(-1);
    const more = got.length === batch && last !== undefined;
    pending = null;
    if (readAhead && more) pending = read(last.primaryKey);
    for (const record of got) yield record.value as Record<string, unknown>;
    if (!readAhead && more) pending = read(last.primaryKey);
  }
}

self.onmessage = async (event: MessageEvent<ReadAheadRequest>) => {
  const { database, store, batch, readAhead } = event.data;
  const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
  const root = await navigator.storage.getDirectory();
  const handle = await root.getFileHandle(`idb-read-ahead-${readAhead}.csv`, { create: true });
  const started = performance.now();
  const db = await request(indexedDB.open(database));
  let result: Sluice.ExportResult | undefined;
  const writable = await handle.createWritable();
  await lib.exportStream(records(db, store, batch, readAhead), { format: 'csv', onComplete: (r) => (result = r) }).pipeTo(writable);
  db.close();
  const answer: ReadAheadResult = { ms: performance.now() - started, rowsWritten: result?.rowsWritten ?? -1, bytesWritten: result?.bytesWritten ?? -1 };
  self.postMessage(answer);
};
