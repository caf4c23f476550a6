/**
 * A dead worker's spool file that the browser still holds locked when its job settles is removed
 * by the page's next export, not only by the sweep of files over an hour old (src/sinks/spool.ts).
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ORPHAN_REMOVE_ATTEMPTS, SPOOL_DIRECTORY, removeOrphanedSpoolFile, retryOrphanedSpoolFiles } from '../../../src/sinks/spool.js';

/** A spool directory whose removals are refused `lockedFor` times. */
class FakeDir {
  readonly names = new Set<string>();
  lockedFor = 0;
  removals = 0;
  async removeEntry(name: string): Promise<void> {
    this.removals++;
    if (this.lockedFor > 0) {
      this.lockedFor--;
      throw new DOMException('in use', 'NoModificationAllowedError');
    }
    if (!this.names.delete(name)) throw new DOMException('no such file', 'NotFoundError');
  }
}

function install(dir: FakeDir): void {
  const root = {
    getDirectoryHandle: async (name: string) => {
      if (name !== SPOOL_DIRECTORY) throw new DOMException('no such directory', 'NotFoundError');
      return dir;
    },
  };
  vi.stubGlobal('navigator', { storage: { getDirectory: async () => root } });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('spool files of dead workers', () => {
  it('one still locked after every attempt is removed at the next export', async () => {
    const dir = new FakeDir();
    install(dir);
    dir.names.add('1764000000000-abcdefgh-x.csv');
    dir.lockedFor = ORPHAN_REMOVE_ATTEMPTS;
    await removeOrphanedSpoolFile('1764000000000-abcdefgh-x.csv');
    expect(dir.removals).toBe(ORPHAN_REMOVE_ATTEMPTS);
    expect(dir.names.has('1764000000000-abcdefgh-x.csv')).toBe(true);
    await retryOrphanedSpoolFiles();
    expect(dir.names.has('1764000000000-abcdefgh-x.csv')).toBe(false);
    // Tried once only: nothing is left to try.
    await retryOrphanedSpoolFiles();
    expect(dir.removals).toBe(ORPHAN_REMOVE_ATTEMPTS + 1);
  });

  it('one freed after a few attempts is removed at once, and not tried again', async () => {
    const dir = new FakeDir();
    install(dir);
    dir.names.add('1764000000000-abcdefgh-y.csv');
    dir.lockedFor = 2;
    await removeOrphanedSpoolFile('1764000000000-abcdefgh-y.csv');
    expect(dir.names.size).toBe(0);
    expect(dir.removals).toBe(3);
    await retryOrphanedSpoolFiles();
    expect(dir.removals).toBe(3);
  });
});
