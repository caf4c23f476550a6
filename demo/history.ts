/**
 * The history of recent exports, kept in IndexedDB (with idb) so it survives a reload. Files
 * exported to the `'opfs'` target stay in the origin private file system and can be downloaded
 * again from here; other targets handed their file to the user, so only the facts are kept.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

/** One finished export. */
export interface HistoryEntry {
  /** Assigned by IndexedDB. */
  id?: number;
  fileName: string;
  format: string;
  rows: number;
  bytes: number;
  durationMs: number;
  /** The target asked for: auto, picker, download, opfs or blob. */
  target: string;
  /** When it finished (epoch ms). */
  finishedAt: number;
}

interface HistorySchema extends DBSchema {
  exports: { key: number; value: HistoryEntry; indexes: { finishedAt: number } };
}

/** Entries shown (older ones stay stored until cleared). */
const SHOWN = 8;

const numberFormat = new Intl.NumberFormat('en-US');

/** Bytes as `12.3 MB`. */
export function formatBytes(bytes: number): string {
  if (bytes < 1_000) return `${bytes} B`;
  const units = ['kB', 'MB', 'GB'];
  let value = bytes / 1_000;
  let unit = 0;
  while (value >= 1_000 && unit < units.length - 1) {
    value /= 1_000;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 2 : 1)} ${units[unit]}`;
}

/** The export history: storage and its table. */
export class ExportHistory {
  readonly #db: Promise<IDBPDatabase<HistorySchema>>;
  readonly #body: HTMLTableSectionElement;
  readonly #onError: (message: string) => void;

  constructor(body: HTMLTableSectionElement, onError: (message: string) => void) {
    this.#body = body;
    this.#onError = onError;
    this.#db = openDB<HistorySchema>('sluice-playground', 1, {
      upgrade(db) {
        db.createObjectStore('exports', { keyPath: 'id', autoIncrement: true }).createIndex('finishedAt', 'finishedAt');
      },
    });
  }

  /** Stores an entry and redraws the table. */
  async add(entry: HistoryEntry): Promise<void> {
    await (await this.#db).add('exports', entry);
    await this.render();
  }

  /** Removes every entry (and the OPFS files they kept). */
  async clear(): Promise<void> {
    const db = await this.#db;
    for (const entry of await db.getAll('exports')) if (entry.target === 'opfs') await removeOpfsFile(entry.fileName);
    await db.clear('exports');
    await this.render();
  }

  /** Redraws the table, newest first. */
  async render(): Promise<void> {
    const db = await this.#db;
    const entries: HistoryEntry[] = [];
    let cursor = await db.transaction('exports').store.index('finishedAt').openCursor(null, 'prev');
    while (cursor && entries.length < SHOWN) {
      entries.push(cursor.value);
      cursor = await cursor.continue();
    }
    const kept = await Promise.all(entries.map((entry) => (entry.target === 'opfs' ? opfsFileExists(entry.fileName) : Promise.resolve(false))));
    this.#body.replaceChildren(...entries.map((entry, index) => this.#row(entry, kept[index] ?? false)));
    if (entries.length === 0) {
      const cell = Object.assign(document.createElement('td'), { colSpan: 5, className: 'hint', textContent: 'No exports yet.' });
      const row = document.createElement('tr');
      row.append(cell);
      this.#body.append(row);
    }
  }

  #row(entry: HistoryEntry, kept: boolean): HTMLTableRowElement {
    const row = document.createElement('tr');
    const finished = new Date(entry.finishedAt);
    // Name over "format · target · time", so the table fits a third of the page.
    const file = document.createElement('td');
    file.append(
      Object.assign(document.createElement('div'), { className: 'file-name', textContent: entry.fileName, title: entry.fileName }),
      Object.assign(document.createElement('div'), {
        className: 'file-meta',
        textContent: `${entry.format} · ${entry.target} · ${finished.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' })}`,
        title: finished.toLocaleString(),
      }),
    );
    row.append(file);
    for (const text of [numberFormat.format(entry.rows), formatBytes(entry.bytes), `${(entry.durationMs / 1000).toFixed(1)} s`]) {
      row.append(Object.assign(document.createElement('td'), { textContent: text, className: 'num' }));
    }
    const action = document.createElement('td');
    if (kept) {
      const button = Object.assign(document.createElement('button'), { type: 'button', className: 'secondary small', textContent: 'Download', title: `Download ${entry.fileName} from OPFS` });
      button.addEventListener('click', () => {
        downloadOpfsFile(entry.fileName).catch((error: unknown) => this.#onError(`Could not read ${entry.fileName} from OPFS: ${String(error)}`));
      });
      action.append(button);
    } else if (entry.target === 'opfs') {
      action.append(Object.assign(document.createElement('span'), { className: 'hint', textContent: 'removed' }));
    }
    row.append(action);
    return row;
  }
}

async function opfsFile(name: string): Promise<File | null> {
  try {
    const root = await navigator.storage.getDirectory();
    return await (await root.getFileHandle(name)).getFile();
  } catch {
    return null;
  }
}

async function opfsFileExists(name: string): Promise<boolean> {
  return (await opfsFile(name)) !== null;
}

async function removeOpfsFile(name: string): Promise<void> {
  try {
    await (await navigator.storage.getDirectory()).removeEntry(name);
  } catch {
    // Already gone.
  }
}

/** Offers an OPFS file as a download. The File is disk-backed: no copy of it is made in memory. */
async function downloadOpfsFile(name: string): Promise<void> {
  const file = await opfsFile(name);
  if (file === null) throw new Error('the file is gone');
  const url = URL.createObjectURL(file);
  const link = Object.assign(document.createElement('a'), { href: url, download: name });
  document.body.append(link);
  link.click();
  link.remove();
  // The download has taken its own reference by the next minute.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
