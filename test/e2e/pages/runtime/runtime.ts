/**
 * Runtime test page: loads the built package (`/dist/index.js`, as a consumer would get it) and
 * exposes helpers the specs call through `page.evaluate`.
 */
import type * as Sluice from '../../../../src/index.js';
import { tableFromArrays, type Table } from 'apache-arrow';
import { standardRow, standardRows } from './rows.js';

/** Built modules. Variables, not literals, so neither tsc nor Vite resolves them ahead of time. */
const LIBRARY_URL = '/dist/index.js';
const WORKER_URL = '/dist/worker/worker.js';

export interface RuntimeHelpers {
  lib: typeof Sluice;
  standardRows: typeof standardRows;
  standardRow: typeof standardRow;
  /** An Arrow table of `n` rows: `id` (Int32) and `label` (`row <id>`). */
  arrowTable(n: number): Table;
  /** Text of an OPFS file in the root, or null when it does not exist. */
  readOpfs(name: string): Promise<string | null>;
  /** Bytes of an OPFS file, or null. */
  readOpfsBytes(name: string): Promise<number[] | null>;
  /** Writes an OPFS file in the root. */
  writeOpfs(name: string, text: string): Promise<void>;
  /** Removes every file and directory in the OPFS root. */
  clearOpfs(): Promise<void>;
  /** Names of the files in the spool directory. */
  listSpool(): Promise<string[]>;
  /** Names in the OPFS root (files and directories, swap files included), sorted. */
  listOpfs(): Promise<string[]>;
  /** A worker factory that records the workers it made (so a test can kill one). */
  recordingWorkers(): { factory: () => Worker; workers: Worker[] };
  /** The code and message of a rejected job's error. */
  errorInfo(error: unknown): { code: string; message: string };
  /** The library's worker module URL, for custom factories. */
  workerUrl: string;
  /** A worker that runs the library's worker and calls `self.close()` on a 'sluice-test:close' message. */
  closingWorker(): Worker;
}

async function opfsFile(name: string): Promise<File | null> {
  const root = await navigator.storage.getDirectory();
  try {
    return await (await root.getFileHandle(name)).getFile();
  } catch {
    return null;
  }
}

const helpers = async (): Promise<RuntimeHelpers> => ({
  lib: (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice,
  standardRows,
  standardRow,
  arrowTable: (n) => tableFromArrays({ id: Int32Array.from({ length: n }, (_, i) => i), label: Array.from({ length: n }, (_, i) => `row ${i}`) }),
  async readOpfs(name) {
    const file = await opfsFile(name);
    return file === null ? null : file.text();
  },
  async readOpfsBytes(name) {
    const file = await opfsFile(name);
    return file === null ? null : Array.from(new Uint8Array(await file.arrayBuffer()));
  },
  async writeOpfs(name, text) {
    const root = await navigator.storage.getDirectory();
    const writable = await (await root.getFileHandle(name, { create: true })).createWritable();
    await writable.write(text);
    await writable.close();
  },
  async clearOpfs() {
    const root = await navigator.storage.getDirectory();
    const names: string[] = [];
    for await (const name of root.keys()) names.push(name);
    for (const name of names) await root.removeEntry(name, { recursive: true });
  },
  async listSpool() {
    const root = await navigator.storage.getDirectory();
    let dir: FileSystemDirectoryHandle;
    try {
      dir = await root.getDirectoryHandle('sluice-spool');
    } catch {
      return [];
    }
    const names: string[] = [];
    for await (const name of dir.keys()) names.push(name);
    return names;
  },
  async listOpfs() {
    const root = await navigator.storage.getDirectory();
    const names: string[] = [];
    for await (const name of root.keys()) names.push(name);
    return names.sort();
  },
  recordingWorkers() {
    const workers: Worker[] = [];
    return {
      workers,
      factory: () => {
        const worker = new Worker(WORKER_URL, { type: 'module' });
        workers.push(worker);
        return worker;
      },
    };
  },
  errorInfo(error) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    return { code: String(code), message: String(message) };
  },
  workerUrl: WORKER_URL,
  closingWorker() {
    return new Worker(new URL('./closing-worker.ts', import.meta.url), { type: 'module' });
  },
});

declare global {
  interface Window {
    sluiceRuntime?: RuntimeHelpers;
  }
}

window.sluiceRuntime = await helpers();
document.documentElement.dataset['ready'] = 'true';
