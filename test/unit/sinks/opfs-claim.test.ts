/**
 * What the page does with an `'opfs'` export's file after its worker died (src/sinks/opfs-claim.ts),
 * against a stand-in OPFS root and Web Lock manager. The browsers' own behaviour (swap files, a dead
 * worker's file locks) is tested in Chromium and Firefox: test/e2e/runtime/failures.spec.ts and
 * test/engines/specs/failures.spec.ts.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { claimOpfsFile, EXCLUSIVE_WAIT_MS, opfsLockName } from '../../../src/sinks/opfs-claim.js';

function notFound(): DOMException {
  return new DOMException('no such file', 'NotFoundError');
}

/** An OPFS root that holds files by name; `lockedFor` refuses removal that many times. */
class FakeRoot {
  readonly files = new Map<string, Uint8Array>();
  lockedFor = 0;
  removals = 0;
  async getFileHandle(name: string): Promise<{ getFile(): Promise<{ size: number }> }> {
    const bytes = this.files.get(name);
    if (bytes === undefined) throw notFound();
    return { getFile: async () => ({ size: bytes.byteLength }) };
  }
  async removeEntry(name: string): Promise<void> {
    this.removals++;
    if (this.lockedFor > 0) {
      this.lockedFor--;
      throw new DOMException('in use', 'NoModificationAllowedError');
    }
    if (!this.files.delete(name)) throw notFound();
  }
}

/** Web Locks, enough of them: shared holds, and exclusive requests that wait for none or give up on their signal. */
class FakeLocks {
  readonly shared = new Map<string, number>();
  readonly #waiting: Array<() => void> = [];
  request(name: string, options: { mode?: 'shared' | 'exclusive'; signal?: AbortSignal }, callback: (lock: unknown) => Promise<unknown>): Promise<unknown> {
    if (options.mode === 'shared') {
      this.shared.set(name, (this.shared.get(name) ?? 0) + 1);
      return callback({ name }).finally(() => {
        this.shared.set(name, this.shared.get(name)! - 1);
        for (const wake of this.#waiting.splice(0)) wake();
      });
    }
    return new Promise((resolve, reject) => {
      const attempt = (): void => {
        if (options.signal?.aborted) {
          reject(options.signal.reason);
          return;
        }
        if ((this.shared.get(name) ?? 0) === 0) callback({ name }).then(resolve, reject);
        else this.#waiting.push(attempt);
      };
      options.signal?.addEventListener('abort', () => reject(options.signal!.reason), { once: true });
      queueMicrotask(attempt);
    });
  }
}

function install(root: FakeRoot, locks: FakeLocks | undefined): void {
  vi.stubGlobal('navigator', { storage: { getDirectory: async () => root }, ...(locks === undefined ? {} : { locks }) });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

describe('claimOpfsFile after a worker death', () => {
  it('removes the empty file the export created, and lets go of the name', async () => {
    const root = new FakeRoot();
    const locks = new FakeLocks();
    install(root, locks);
    const claim = (await claimOpfsFile('x.csv'))!;
    expect(claim.existed).toBe(false);
    expect(locks.shared.get(opfsLockName('x.csv'))).toBe(1);
    root.files.set('x.csv', new Uint8Array(0));
    expect(await claim.discard()).toBe('removed');
    expect(root.files.has('x.csv')).toBe(false);
    expect(locks.shared.get(opfsLockName('x.csv'))).toBe(0);
  });

  it('tries again while the browser still holds the dead worker’s lock on the file', async () => {
    const root = new FakeRoot();
    install(root, new FakeLocks());
    const claim = (await claimOpfsFile('x.csv'))!;
    root.files.set('x.csv', new Uint8Array(0));
    root.lockedFor = 2;
    expect(await claim.discard()).toBe('removed');
    expect(root.removals).toBe(3);
    expect(root.files.has('x.csv')).toBe(false);
  });

  it('leaves a file that was there before the export', async () => {
    const root = new FakeRoot();
    root.files.set('x.csv', new TextEncoder().encode('old'));
    install(root, new FakeLocks());
    const claim = (await claimOpfsFile('x.csv'))!;
    expect(claim.existed).toBe(true);
    expect(await claim.discard()).toBe('existed');
    expect(root.files.get('x.csv')).toEqual(new TextEncoder().encode('old'));
    expect(root.removals).toBe(0);
  });

  it('leaves a file that holds bytes: another export of that name finished meanwhile', async () => {
    const root = new FakeRoot();
    install(root, new FakeLocks());
    const claim = (await claimOpfsFile('x.csv'))!;
    root.files.set('x.csv', new TextEncoder().encode('id\r\n1\r\n'));
    expect(await claim.discard()).toBe('written');
    expect(root.files.has('x.csv')).toBe(true);
    expect(root.removals).toBe(0);
  });

  it('leaves the file while another export holds the name, after waiting EXCLUSIVE_WAIT_MS at most', async () => {
    const root = new FakeRoot();
    install(root, new FakeLocks());
    const other = (await claimOpfsFile('x.csv'))!;
    const claim = (await claimOpfsFile('x.csv'))!;
    root.files.set('x.csv', new Uint8Array(0));
    const started = Date.now();
    expect(await claim.discard()).toBe('shared');
    expect(Date.now() - started).toBeGreaterThanOrEqual(EXCLUSIVE_WAIT_MS - 50);
    expect(root.files.has('x.csv')).toBe(true);
    other.release();
  });

  it('removes the file once the other export lets go of the name within the wait', async () => {
    const root = new FakeRoot();
    install(root, new FakeLocks());
    const other = (await claimOpfsFile('x.csv'))!;
    const claim = (await claimOpfsFile('x.csv'))!;
    root.files.set('x.csv', new Uint8Array(0));
    const discarding = claim.discard();
    // The other export failed in its live worker, which removed nothing (the file was there when it started).
    other.release();
    expect(await discarding).toBe('removed');
    expect(root.files.has('x.csv')).toBe(false);
  });

  it('reports a file already gone (the worker removed it, or never made it)', async () => {
    const root = new FakeRoot();
    install(root, new FakeLocks());
    const claim = (await claimOpfsFile('x.csv'))!;
    expect(await claim.discard()).toBe('absent');
  });

  it('without Web Locks, cannot tell whether another tab uses the name: leaves the file', async () => {
    const root = new FakeRoot();
    install(root, undefined);
    const claim = (await claimOpfsFile('x.csv'))!;
    root.files.set('x.csv', new Uint8Array(0));
    expect(await claim.discard()).toBe('shared');
    expect(root.files.has('x.csv')).toBe(true);
  });

  it('a released claim removes nothing; without OPFS there is no claim', async () => {
    const root = new FakeRoot();
    install(root, new FakeLocks());
    const claim = (await claimOpfsFile('x.csv'))!;
    root.files.set('x.csv', new Uint8Array(0));
    claim.release();
    expect(await claim.discard()).toBe('released');
    expect(root.files.has('x.csv')).toBe(true);
    vi.stubGlobal('navigator', {});
    expect(await claimOpfsFile('x.csv')).toBeNull();
  });
});
