/**
 * The origin private file system (OPFS): the `'opfs'` target, and the spool behind `'download'`.
 *
 * The download target spools to a temporary OPFS file and then downloads that disk-backed `File`,
 * so memory stays flat however large the export is (a Blob of the same size would sit in memory
 * in incognito-like profiles). Temporary files live in one directory and carry their creation
 * time in their name, so files left by a closed tab are found and removed at the next start.
 */
import { ExportError, toExportError } from '../errors.js';
import { Coalescer } from './coalesce.js';
import { createHandleSink } from './handle.js';
import { createMemorySink } from './memory.js';
import { opfsRoot, spoolDirectory, spoolFileName } from './spool.js';
import type { ByteSink, SinkOutcome } from './types.js';

export { SPOOL_DIRECTORY, SPOOL_MAX_AGE_MS, cleanSpool, getSpoolFile, opfsRoot, removeSpoolFile, spoolDirectory, spoolFileName, spoolFileTime } from './spool.js';

/** `FileSystemSyncAccessHandle` (workers only); not in TypeScript's DOM library. */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options?: { at?: number }): number;
  flush(): void;
  close(): void;
}

type SyncCapableHandle = FileSystemFileHandle & {
  createSyncAccessHandle?: () => Promise<SyncAccessHandle>;
  move?: (directory: FileSystemDirectoryHandle, name: string) => Promise<void>;
};

/**
 * Writes through a sync access handle (workers only): the fastest OPFS path. At the quota Chromium
 * returned a short count instead of throwing, so every write's count is checked.
 */
function syncAccessSink(access: SyncAccessHandle, what: string, commit: () => Promise<SinkOutcome>, discard: () => Promise<void>): ByteSink {
  const coalescer = new Coalescer();
  let offset = 0;
  let open = true;
  const flush = (bytes: Uint8Array | null): void => {
    if (bytes === null) return;
    let written: number;
    try {
      written = access.write(bytes, { at: offset });
    } catch (error) {
      throw toExportError(error, 'sink_failed', `writing ${what}`);
    }
    if (written !== bytes.byteLength) {
      throw new ExportError('quota_exceeded', `storage quota exceeded while writing ${what}: ${written} of ${bytes.byteLength} bytes written at offset ${offset}`, {
        details: { offset, written, expected: bytes.byteLength },
      });
    }
    offset += written;
  };
  const shut = (): void => {
    if (!open) return;
    open = false;
    try {
      access.close();
    } catch {
      // Already closed.
    }
  };
  return {
    write: (chunk) => flush(coalescer.push(chunk)),
    async close() {
      flush(coalescer.take());
      try {
        access.flush();
      } catch (error) {
        shut();
        throw toExportError(error, 'sink_failed', `saving ${what}`);
      }
      shut();
      return commit();
    },
    async abort() {
      coalescer.take();
      shut();
      await discard();
    },
  };
}

/** Opens a sync access handle where the environment allows one (dedicated workers), else null. */
async function trySyncAccess(handle: SyncCapableHandle): Promise<SyncAccessHandle | null> {
  if (typeof handle.createSyncAccessHandle !== 'function') return null;
  try {
    return await handle.createSyncAccessHandle();
  } catch {
    return null;
  }
}

/** Runs `sink`'s abort, then `after`. */
function withAfterAbort(sink: ByteSink, after: () => Promise<void>): ByteSink {
  return {
    write: (chunk) => sink.write(chunk),
    close: () => sink.close(),
    async abort(reason) {
      await sink.abort(reason);
      await after();
    },
  };
}

/**
 * The spool behind the `'download'` target. Falls back to an in-memory Blob only where OPFS is
 * missing; the outcome names the spool file (or holds the Blob). `spoolName` is the temporary
 * file's name in the spool directory (made from `fileName` when not given).
 */
export async function createSpoolSink(fileName: string, mimeType: string, spoolName: string = spoolFileName(fileName)): Promise<ByteSink> {
  const dir = await spoolDirectory();
  if (dir === null) return createMemorySink(mimeType);
  const name = spoolName;
  const what = `the temporary file for "${fileName}"`;
  let handle: SyncCapableHandle;
  try {
    handle = (await dir.getFileHandle(name, { create: true })) as SyncCapableHandle;
  } catch (error) {
    throw toExportError(error, 'sink_failed', `creating ${what}`);
  }
  const remove = (): Promise<void> => dir.removeEntry(name).catch(() => undefined);
  const access = await trySyncAccess(handle);
  if (access !== null) return syncAccessSink(access, what, async () => ({ spoolName: name }), remove);
  if (typeof handle.createWritable === 'function') {
    try {
      const sink = await createHandleSink(handle, what);
      return withAfterAbort({ ...sink, close: async () => ({ ...(await sink.close()), spoolName: name }) }, remove);
    } catch (error) {
      await remove();
      throw error;
    }
  }
  await remove();
  return createMemorySink(mimeType);
}

/**
 * The `'opfs'` target: the file `fileName` in the OPFS root. Written through `createWritable()`'s
 * swap file where it exists, so a failure leaves an older file of that name as it was; a file this
 * export created is removed again on failure. `spoolName` names the temporary file used where
 * `createWritable()` is missing.
 */
export async function createOpfsSink(fileName: string, spoolName: string = spoolFileName(fileName)): Promise<ByteSink> {
  const root = await opfsRoot();
  if (root === null) {
    throw new ExportError('unsupported_environment', `target "opfs" needs the origin private file system (navigator.storage.getDirectory), which is not available here`, {
      details: { path: 'target', value: '"opfs"' },
    });
  }
  const what = `the OPFS file "${fileName}"`;
  const existed = await root.getFileHandle(fileName).then(
    () => true,
    () => false,
  );
  let handle: SyncCapableHandle;
  try {
    handle = (await root.getFileHandle(fileName, { create: true })) as SyncCapableHandle;
  } catch (error) {
    throw toExportError(error, 'sink_failed', `creating ${what}`);
  }
  const removeIfNew = async (): Promise<void> => {
    if (!existed) await root.removeEntry(fileName).catch(() => undefined);
  };
  if (typeof handle.createWritable === 'function') {
    try {
      return withAfterAbort(await createHandleSink(handle, what), removeIfNew);
    } catch (error) {
      await removeIfNew();
      throw error;
    }
  }
  // No createWritable (older Safari): write a spool file with a sync handle, then move it into place.
  const dir = await spoolDirectory();
  const temp = dir === null ? null : ((await dir.getFileHandle(spoolName, { create: true })) as SyncCapableHandle);
  const access = temp === null ? null : await trySyncAccess(temp);
  if (dir === null || temp === null || access === null || typeof temp.move !== 'function') {
    if (dir !== null && temp !== null) await dir.removeEntry(temp.name).catch(() => undefined);
    await removeIfNew();
    throw new ExportError('unsupported_environment', `target "opfs" needs createWritable() or a sync access handle with move() in this browser`);
  }
  const move = temp.move.bind(temp);
  return syncAccessSink(
    access,
    what,
    async () => {
      try {
        await move(root, fileName);
      } catch (error) {
        await dir.removeEntry(temp.name).catch(() => undefined);
        await removeIfNew();
        throw toExportError(error, 'sink_failed', `moving the finished export to ${what}`);
      }
      return {};
    },
    async () => {
      await dir.removeEntry(temp.name).catch(() => undefined);
      await removeIfNew();
    },
  );
}
