/**
 * Browser benchmark page: the built package (`/dist/index.js`) against `Papa.unparse` + Blob on
 * the main thread, on the standard benchmark rows (`bench/dataset.mjs`), in one page. Every run
 * measures its total time and the largest gap between animation frames while it ran.
 */
import Papa from 'papaparse';
import type * as Sluice from '../../src/index.js';
// @ts-expect-error: a plain JS module without types, shared with the Node benchmarks.
import { makeRows, rowsAsync } from '../dataset.mjs';

const LIBRARY_URL = '/dist/index.js';

/** One measured run. */
export interface BenchRun {
  name: string;
  rows: number;
  ms: number;
  bytes: number;
  maxFrameGapMs: number;
  longAnimationFrames: number[];
}

/** Measures `work` with a requestAnimationFrame loop and a long-animation-frame observer running. */
async function measure(name: string, rows: number, work: () => Promise<number>): Promise<BenchRun> {
  await new Promise((r) => setTimeout(r, 200));
  const longAnimationFrames: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) longAnimationFrames.push(Math.round(entry.duration));
  });
  observer.observe({ type: 'long-animation-frame', buffered: false });
  let measuring = true;
  let maxGap = 0;
  let last = performance.now();
  const tick = (now: number): void => {
    maxGap = Math.max(maxGap, now - last);
    last = now;
    if (measuring) requestAnimationFrame(tick);
  };
  requestAnimationFrame((now) => {
    last = now;
    requestAnimationFrame(tick);
  });
  await new Promise((r) => setTimeout(r, 100));
  const started = performance.now();
  const bytes = await work();
  const ms = performance.now() - started;
  // One more frame, so a long task at the very end shows as a gap.
  await new Promise((r) => requestAnimationFrame(() => setTimeout(r, 50)));
  measuring = false;
  observer.disconnect();
  return { name, rows, ms, bytes, maxFrameGapMs: maxGap, longAnimationFrames };
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
