/**
 * Where the sample rows live: an array in memory, or an IndexedDB store (written with idb).
 * A worker makes the rows; the page copies them in a chunk a frame, so it keeps drawing while a
 * million rows are made.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { fromIndexedDB, type ExportSource } from '../src/index.js';
import type { SampleRow } from './dataset.js';
import type { SampleReply, SampleRequest } from './sample-worker.js';

/** Where rows are kept. */
export type Storage = 'memory' | 'indexeddb';

/** The IndexedDB database and store that hold sample rows. */
export const SAMPLE_DATABASE = 'sluice-playground-data';
export const SAMPLE_STORE = 'rows';

interface SampleSchema extends DBSchema {
  rows: { key: number; value: SampleRow };
}

/**
 * Rows the worker sends at a time: copying a row in costs the page about 1 µs, so a chunk takes a
 * few milliseconds of a frame.
 */
const MEMORY_CHUNK = 2_000;
/** Page time spent copying chunks in before a frame is let through: 6 ms of the 16.7 ms. */
const STEP_BUDGET_MS = 6;
/** Rows per IndexedDB transaction, in the worker. */
const INDEXEDDB_CHUNK = 2_000;

/**
 * Waits until the next frame has been drawn. Yielding to the event loop alone is not enough:
 * Chromium may run many queued tasks before it renders, and the spinner would stutter.
 * Hidden tabs get no frames, so they only yield.
 */
function nextFrame(): Promise<void> {
  if (document.hidden) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}

/** The worker's replies, one at a time, in order; a worker error becomes an error reply. */
function replyQueue(worker: Worker): { next(): Promise<SampleReply> } {
  const queued: SampleReply[] = [];
  let waiting: ((reply: SampleReply) => void) | null = null;
  const deliver = (reply: SampleReply): void => {
    if (waiting !== null) {
      const resolve = waiting;
      waiting = null;
      resolve(reply);
    } else {
      queued.push(reply);
    }
  };
  worker.addEventListener('message', (event: MessageEvent<SampleReply>) => deliver(event.data));
  worker.addEventListener('error', (event) => deliver({ type: 'error', message: event.message || 'the sample worker failed to start' }));
  return {
    next: () => (queued.length > 0 ? Promise.resolve(queued.shift()!) : new Promise((resolve) => (waiting = resolve))),
  };
}

function openSampleDatabase(): Promise<IDBPDatabase<SampleSchema>> {
  return openDB<SampleSchema>(SAMPLE_DATABASE, 1, {
    upgrade(db) {
      db.createObjectStore(SAMPLE_STORE, { keyPath: 'id' });
    },
  });
}

/** The current sample: where it lives, how many rows, and the rows themselves when in memory. */
export class SampleStore {
  #storage: Storage = 'memory';
  #rows: SampleRow[] = [];
  #count = 0;
  #generation = 0;

  /** Where the current sample lives. */
  get storage(): Storage {
    return this.#storage;
  }

  /** Rows in the current sample. */
  get count(): number {
    return this.#count;
  }

  /** Rows in the IndexedDB store left by an earlier visit (0 when none), without touching memory. */
  async storedCount(): Promise<number> {
    const db = await openSampleDatabase();
    try {
      return await db.count(SAMPLE_STORE);
    } finally {
      db.close();
    }
  }

  /** Uses what IndexedDB already holds as the sample. */
  useStored(count: number): void {
    this.#generation++;
    this.#rows = [];
    this.#storage = 'indexeddb';
    this.#count = count;
  }

  /**
   * Replaces the sample with `count` fresh rows in `storage`, reporting the rows made so far.
   * A later call stops an earlier one that is still running.
   *
   * The rows are made in a worker (sample-worker.ts): making a million rows on this thread, even
   * in 8 ms slices, stalled the page for 50–133 ms at a time. Here the page only copies finished
   * chunks in, one a frame, or (for IndexedDB) only shows the worker's progress.
   */
  async generate(count: number, storage: Storage, onProgress: (done: number) => void): Promise<void> {
    const generation = ++this.#generation;
    const stale = (): boolean => generation !== this.#generation;
    // Drop the old sample first: a million rows of it would otherwise sit beside the new one.
    this.#rows = [];
    this.#count = 0;
    this.#storage = storage;
    const worker = new Worker(new URL('./sample-worker.ts', import.meta.url), { type: 'module' });
    const replies = replyQueue(worker);
    try {
      if (storage === 'memory') {
        const rows: SampleRow[] = [];
        worker.postMessage({ type: 'memory', count, chunk: MEMORY_CHUNK } satisfies SampleRequest);
        let frameStart = performance.now();
        for (;;) {
          const reply = await replies.next();
          if (stale()) return;
          if (reply.type === 'error') throw new Error(reply.message);
          if (reply.type === 'done') break;
          if (reply.type !== 'rows') continue;
          // Ask for the next chunk at once, so the worker makes it while this one is copied in.
          worker.postMessage({ type: 'next' } satisfies SampleRequest);
          // A loop, not push(...rows): spreading thousands of arguments can overflow the stack.
          for (const row of reply.rows) rows.push(row);
          onProgress(rows.length);
          // Several chunks fit in a frame; once this frame's share is used, let it be drawn.
          if (performance.now() - frameStart > STEP_BUDGET_MS) {
            await nextFrame();
            frameStart = performance.now();
          }
        }
        this.#rows = rows;
        this.#count = rows.length;
        return;
      }
      worker.postMessage({ type: 'indexeddb', count, chunk: INDEXEDDB_CHUNK, database: SAMPLE_DATABASE, store: SAMPLE_STORE } satisfies SampleRequest);
      for (;;) {
        const reply = await replies.next();
        if (stale()) return;
        if (reply.type === 'error') throw new Error(reply.message);
        if (reply.type === 'written') onProgress(reply.produced);
        if (reply.type === 'done') {
          this.#count = reply.produced;
          return;
        }
      }
    } finally {
      worker.terminate();
    }
  }

  /** The first `count` rows, for the preview. */
  async head(count: number): Promise<SampleRow[]> {
    if (this.#storage === 'memory') return this.#rows.slice(0, count);
    const db = await openSampleDatabase();
    try {
      return await db.getAll(SAMPLE_STORE, undefined, count);
    } finally {
      db.close();
    }
  }

  /** The sample as an export source: the array itself, or the store read inside the worker. */
  source(): ExportSource {
    if (this.#storage === 'memory') return this.#rows;
    return fromIndexedDB({ database: SAMPLE_DATABASE, store: SAMPLE_STORE });
  }
}
