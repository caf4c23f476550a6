/**
 * Where the sample rows live: an array in memory, or an IndexedDB store (written with idb).
 * Both are filled in steps of a few milliseconds, one per frame, so the page keeps drawing while
 * a million rows are made.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';
import { fromIndexedDB, type ExportSource } from '../src/index.js';
import { SampleGenerator, type SampleRow } from './dataset.js';

/** Where rows are kept. */
export type Storage = 'memory' | 'indexeddb';

/** The IndexedDB database and store that hold sample rows. */
export const SAMPLE_DATABASE = 'sluice-playground-data';
export const SAMPLE_STORE = 'rows';

interface SampleSchema extends DBSchema {
  rows: { key: number; value: SampleRow };
}

/** Main-thread time one step of generation may take before it lets a frame be drawn: 8 ms. */
const STEP_BUDGET_MS = 8;
/** Rows made between clock checks. Making one row takes a few µs. */
const MEMORY_BATCH = 250;
/**
 * Rows per IndexedDB transaction: `put` clones each row on the main thread (~10 µs), so one
 * transaction fits in a step.
 */
const INDEXEDDB_CHUNK = 500;

/**
 * Waits until the next frame has been drawn. Yielding to the event loop alone is not enough:
 * Chromium may run many queued tasks before it renders, and the spinner would stutter.
 * Hidden tabs get no frames, so they only yield.
 */
function nextFrame(): Promise<void> {
  if (document.hidden) return new Promise((resolve) => setTimeout(resolve, 0));
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
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
   */
  async generate(count: number, storage: Storage, onProgress: (done: number) => void): Promise<void> {
    const generation = ++this.#generation;
    const stale = (): boolean => generation !== this.#generation;
    const generator = new SampleGenerator();
    // Drop the old sample first: a million rows of it would otherwise sit beside the new one.
    this.#rows = [];
    this.#count = 0;
    this.#storage = storage;
    if (storage === 'memory') {
      const rows: SampleRow[] = [];
      while (rows.length < count && !stale()) {
        const stepEnd = performance.now() + STEP_BUDGET_MS;
        while (rows.length < count && performance.now() < stepEnd) {
          for (const row of generator.take(Math.min(MEMORY_BATCH, count - rows.length))) rows.push(row);
        }
        onProgress(rows.length);
        await nextFrame();
      }
      if (stale()) return;
      this.#rows = rows;
      this.#count = rows.length;
      return;
    }
    const db = await openSampleDatabase();
    try {
      await db.clear(SAMPLE_STORE);
      while (generator.produced < count && !stale()) {
        const chunk = generator.take(Math.min(INDEXEDDB_CHUNK, count - generator.produced));
        const tx = db.transaction(SAMPLE_STORE, 'readwrite');
        for (const row of chunk) void tx.store.put(row);
        await tx.done;
        onProgress(generator.produced);
        await nextFrame();
      }
      if (!stale()) this.#count = generator.produced;
    } finally {
      db.close();
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
