/**
 * Makes the playground's sample rows off the page's thread. For memory, it sends the rows in
 * chunks, one chunk ahead of what the page asked for, so the page only copies finished rows in
 * (a few milliseconds a chunk, one chunk a frame). For IndexedDB it writes the store itself, so
 * the page does no work at all but drawing the progress.
 */
import { openDB, type DBSchema } from 'idb';
import { SampleGenerator, type SampleRow } from './dataset.js';

/** What the page asks for. */
export type SampleRequest =
  | { type: 'memory'; count: number; chunk: number }
  | { type: 'next' }
  | { type: 'indexeddb'; count: number; chunk: number; database: string; store: string };

/** What the worker answers. */
export type SampleReply = { type: 'rows'; rows: SampleRow[]; produced: number } | { type: 'written'; produced: number } | { type: 'done'; produced: number } | { type: 'error'; message: string };

interface SampleSchema extends DBSchema {
  rows: { key: number; value: SampleRow };
}

const post = (reply: SampleReply): void => postMessage(reply);

let generator: SampleGenerator | null = null;
let target = 0;
let chunk = 0;

function sendChunk(): void {
  if (generator === null) return;
  if (generator.produced >= target) {
    post({ type: 'done', produced: generator.produced });
    generator = null;
    return;
  }
  const rows = generator.take(Math.min(chunk, target - generator.produced));
  post({ type: 'rows', rows, produced: generator.produced });
}

async function writeStore(request: Extract<SampleRequest, { type: 'indexeddb' }>): Promise<void> {
  const db = await openDB<SampleSchema>(request.database, 1, {
    upgrade(database) {
      database.createObjectStore('rows', { keyPath: 'id' });
    },
  });
  try {
    await db.clear('rows');
    const rows = new SampleGenerator();
    while (rows.produced < request.count) {
      const tx = db.transaction('rows', 'readwrite');
      for (const row of rows.take(Math.min(request.chunk, request.count - rows.produced))) void tx.store.put(row);
      await tx.done;
      post({ type: 'written', produced: rows.produced });
    }
    post({ type: 'done', produced: rows.produced });
  } finally {
    db.close();
  }
}

addEventListener('message', (event: MessageEvent<SampleRequest>) => {
  const request = event.data;
  try {
    if (request.type === 'memory') {
      generator = new SampleGenerator();
      target = request.count;
      chunk = request.chunk;
      // Two chunks in flight: one the page is copying, one ready for its next frame.
      sendChunk();
      sendChunk();
    } else if (request.type === 'next') {
      sendChunk();
    } else {
      writeStore(request).catch((error: unknown) => post({ type: 'error', message: String(error) }));
    }
  } catch (error) {
    post({ type: 'error', message: String(error) });
  }
});
