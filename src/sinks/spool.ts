/**
 * The spool behind the `'download'` target, as the page sees it: finding, reading and removing
 * temporary OPFS files. Kept apart from the sinks that write them (opfs.ts, in the worker), so the
 * page's bundle stays small.
 *
 * Temporary files live in one directory and carry their creation time in their name, so files left
 * by a closed tab are found and removed at the next start.
 */
import { ExportError, toExportError } from '../errors.js';

/** The OPFS directory that holds temporary spool files. */
export const SPOOL_DIRECTORY = 'sluice-spool';

/** Spool files older than this are removed by {@link cleanSpool}: 1 hour. */
export const SPOOL_MAX_AGE_MS = 60 * 60 * 1000;

/** The OPFS root, or null where OPFS is missing or refused (old browsers, some private modes). */
export async function opfsRoot(): Promise<FileSystemDirectoryHandle | null> {
  const storage = (globalThis as { navigator?: { storage?: StorageManager } }).navigator?.storage;
  if (typeof storage?.getDirectory !== 'function') return null;
  try {
    return await storage.getDirectory();
  } catch {
    return null;
  }
}

/** The spool directory, created when missing; null without OPFS. */
export async function spoolDirectory(): Promise<FileSystemDirectoryHandle | null> {
  const root = await opfsRoot();
  if (root === null) return null;
  try {
    return await root.getDirectoryHandle(SPOOL_DIRECTORY, { create: true });
  } catch {
    return null;
  }
}

/** A unique spool file name: creation time, a random part, then the (shortened) file name. */
export function spoolFileName(fileName: string, now: number = Date.now()): string {
  const random = Math.random().toString(36).slice(2, 10).padEnd(8, '0');
  return `${now}-${random}-${fileName.slice(-120)}`;
}

/** The creation time encoded in a spool file name, or null for a name this module did not make. */
export function spoolFileTime(name: string): number | null {
  const match = /^(\d{10,})-[0-9a-z]{8}-/.exec(name);
  return match ? Number(match[1]) : null;
}

/**
 * Removes spool files older than `maxAgeMs`, and names it did not make. Files still open (a download
 * in another tab) cannot be removed and are skipped. Returns how many were removed.
 */
export async function cleanSpool(maxAgeMs: number = SPOOL_MAX_AGE_MS, now: number = Date.now()): Promise<number> {
  const root = await opfsRoot();
  if (root === null) return 0;
  let dir: FileSystemDirectoryHandle;
  try {
    dir = await root.getDirectoryHandle(SPOOL_DIRECTORY);
  } catch {
    return 0;
  }
  const stale: string[] = [];
  for await (const name of dir.keys()) {
    const time = spoolFileTime(name);
    if (time === null || now - time > maxAgeMs) stale.push(name);
  }
  let removed = 0;
  for (const name of stale) {
    try {
      await dir.removeEntry(name);
      removed++;
    } catch {
      // Still open elsewhere; the next start tries again.
    }
  }
  return removed;
}

/** The spooled file as a disk-backed `File`. */
export async function getSpoolFile(spoolName: string): Promise<File> {
  const dir = await spoolDirectory();
  if (dir === null) throw new ExportError('sink_failed', 'the origin private file system is no longer available to read the spooled export');
  try {
    return await (await dir.getFileHandle(spoolName)).getFile();
  } catch (error) {
    throw toExportError(error, 'sink_failed', `reading the spooled export "${spoolName}"`);
  }
}

/** Removes a spool file; never rejects. */
export async function removeSpoolFile(spoolName: string): Promise<void> {
  const dir = await spoolDirectory();
  await dir?.removeEntry(spoolName).catch(() => undefined);
}

/** Attempts {@link removeEntryPatiently} makes, and the pause between them: 10 × 200 ms. */
export const ORPHAN_REMOVE_ATTEMPTS = 10;
export const ORPHAN_REMOVE_PAUSE_MS = 200;

/**
 * Removes a file that a dead worker was writing. The browser may keep the file locked for a
 * moment after the worker is gone (`NoModificationAllowedError` while the worker's sync access
 * handle or writable is being dropped), so removal is tried again a few times. True once the file
 * is gone (or was not there), false if it is still locked after every attempt. Never rejects.
 */
export async function removeEntryPatiently(dir: FileSystemDirectoryHandle, name: string): Promise<boolean> {
  for (let attempt = 0; attempt < ORPHAN_REMOVE_ATTEMPTS; attempt++) {
    if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, ORPHAN_REMOVE_PAUSE_MS));
    try {
      await dir.removeEntry(name);
      return true;
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'NotFoundError') return true;
    }
  }
  return false;
}

/**
 * Spool files of dead workers that were still locked when their job settled. {@link cleanSpool}
 * only takes files over an hour old, so the page's next export tries these again
 * ({@link retryOrphanedSpoolFiles}).
 */
const orphans = new Set<string>();

/**
 * Removes the spool file of a job whose worker died; a file that is still locked after every
 * attempt is tried again by the page's next export. Never rejects.
 */
export async function removeOrphanedSpoolFile(spoolName: string): Promise<void> {
  const root = await opfsRoot();
  if (root === null) return;
  let dir: FileSystemDirectoryHandle;
  try {
    // Not created here: a worker that died before it made the spool directory left nothing.
    dir = await root.getDirectoryHandle(SPOOL_DIRECTORY);
  } catch {
    return;
  }
  if (!(await removeEntryPatiently(dir, spoolName))) orphans.add(spoolName);
}

/** Tries once more to remove the spool files {@link removeOrphanedSpoolFile} could not. Never rejects. */
export async function retryOrphanedSpoolFiles(): Promise<void> {
  if (orphans.size === 0) return;
  const dir = await spoolDirectory();
  for (const name of [...orphans]) {
    try {
      await dir?.removeEntry(name);
      orphans.delete(name);
    } catch (error) {
      if ((error as { name?: unknown } | null)?.name === 'NotFoundError') orphans.delete(name);
    }
  }
}
