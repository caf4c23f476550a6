/**
 * The page's hold on the file name of an `'opfs'` export that a worker writes. The worker removes
 * a file it created when the export fails, but a worker that dies (terminated, crashed, out of
 * memory) removes nothing: the page does it then, when the file was not there before the export
 * and no other export uses the name. Loaded only for `'opfs'` exports.
 *
 * Each such export holds a shared Web Lock named after its file from before it looks for the file
 * until it settles. After a worker death the page lets its share go and asks for the lock
 * exclusively: once granted, no other export of this origin (this tab or another) is writing that
 * name, and one that starts meanwhile waits until the removal is over. Not granted within
 * {@link EXCLUSIVE_WAIT_MS}, another export has the name, and the file is left to it. A file that
 * holds bytes is left too: the dead export's own bytes never reached it (they sat in the swap file
 * of `createWritable()`, or in a temporary file not yet moved into place), so they are another
 * export's, finished meanwhile. Where Web Locks are missing (Safari before 15.4) the page cannot
 * tell, and leaves the file.
 */
import { opfsRoot, removeEntryPatiently } from './spool.js';

/** How long the page waits for sole use of a file name after a worker death: 1 s. */
export const EXCLUSIVE_WAIT_MS = 1_000;

/** The Web Lock an `'opfs'` export holds (shared) on its file name. */
export function opfsLockName(fileName: string): string {
  return `sluice-opfs:${fileName}`;
}

/** What became of the file after a worker death. */
export type OpfsDiscard =
  /** The export created the file, and it is gone. */
  | 'removed'
  /** There is no such file (the worker removed it, or never created it). */
  | 'absent'
  /** A file of that name was there before the export: it is left (its swap file kept it intact). */
  | 'existed'
  /** Another export uses the name, or Web Locks are missing: the file is left. */
  | 'shared'
  /** The file holds bytes the dead export did not commit (another export's, finished meanwhile): left. */
  | 'written'
  /** The claim had already ended ({@link OpfsClaim.release}): nothing done. */
  | 'released'
  /** The file could not be read or removed (still locked by the browser after every attempt). */
  | 'locked';

/** The page's claim on an `'opfs'` export's file name, from before the job starts until it settles. */
export interface OpfsClaim {
  /** True when a file of that name was there before the export (or the page could not tell). */
  readonly existed: boolean;
  /** Ends the claim of an export whose worker settled it (and removed what it had to). */
  release(): void;
  /** Ends the claim of an export whose worker died, removing the file it created. Never rejects. */
  discard(): Promise<OpfsDiscard>;
}

type LockManagerLike = Pick<LockManager, 'request'>;

function lockManager(): LockManagerLike | undefined {
  const locks = (globalThis as { navigator?: { locks?: LockManagerLike } }).navigator?.locks;
  return typeof locks?.request === 'function' ? locks : undefined;
}

/** `AbortSignal.timeout` (Chrome 103, Firefox 100, Safari 16), made by hand where it is missing. */
function timeoutSignal(ms: number): AbortSignal {
  if (typeof AbortSignal.timeout === 'function') return AbortSignal.timeout(ms);
  const controller = new AbortController();
  setTimeout(() => controller.abort(new DOMException('the wait timed out', 'TimeoutError')), ms);
  return controller.signal;
}

async function exists(root: FileSystemDirectoryHandle, fileName: string): Promise<boolean> {
  try {
    await root.getFileHandle(fileName);
    return true;
  } catch (error) {
    // Only "not found" means absent; anything else (a directory of that name, a refusal) counts
    // as present, so that nothing is removed on a guess.
    const name = (error as { name?: unknown } | null)?.name;
    return name !== 'NotFoundError';
  }
}

/** The file's size, null when there is no such file, or -1 when it cannot be read (then left alone). */
async function sizeOf(root: FileSystemDirectoryHandle, fileName: string): Promise<number | null> {
  try {
    return (await (await root.getFileHandle(fileName)).getFile()).size;
  } catch (error) {
    return (error as { name?: unknown } | null)?.name === 'NotFoundError' ? null : -1;
  }
}

/**
 * Claims `fileName` in the OPFS root for one export and notes whether the file is there already.
 * Null where OPFS is missing (the worker then reports `unsupported_environment` itself).
 */
export async function claimOpfsFile(fileName: string): Promise<OpfsClaim | null> {
  const root = await opfsRoot();
  if (root === null) return null;
  const locks = lockManager();
  const lockName = opfsLockName(fileName);
  let releaseShare = (): void => undefined;
  if (locks !== undefined) {
    // Granted at once unless a page is removing a dead export's file of this name right now.
    await new Promise<void>((granted, refused) => {
      locks
        .request(lockName, { mode: 'shared' }, () => {
          granted();
          return new Promise<void>((resolve) => (releaseShare = resolve));
        })
        .catch(refused);
    }).catch(() => undefined);
  }
  const existed = await exists(root, fileName);
  let ended = false;
  const release = (): void => {
    ended = true;
    releaseShare();
  };
  return {
    existed,
    release,
    async discard() {
      if (ended) return 'released';
      release();
      if (existed) return 'existed';
      if (locks === undefined) return 'shared';
      try {
        return await locks.request(lockName, { mode: 'exclusive', signal: timeoutSignal(EXCLUSIVE_WAIT_MS) }, async (): Promise<OpfsDiscard> => {
          const size = await sizeOf(root, fileName);
          if (size === null) return 'absent';
          if (size > 0) return 'written';
          if (size < 0) return 'locked';
          return (await removeEntryPatiently(root, fileName)) ? 'removed' : 'locked';
        });
      } catch {
        // Not granted in time (TimeoutError): another export is writing this name.
        return 'shared';
      }
    },
  };
}
