/**
 * Workers made by an app's factory do not pile up: an inline `worker: () => new Worker(…)` is a
 * new function on every export, and each export's worker is ended once the next one takes over.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { exportData } from '../../../src/export-data.js';
import { APP_WORKER_IDLE_MS, liveWorkerCount, terminateWorkers } from '../../../src/worker/client.js';
import { FakeWorker } from './fake-worker.js';

afterEach(() => {
  vi.useRealTimers();
  terminateWorkers();
});

const rows = [{ id: 1 }, { id: 2 }];

describe('workers from an app factory', () => {
  it('keeps at most one alive across five exports with inline factories', async () => {
    const made: FakeWorker[] = [];
    for (let i = 0; i < 5; i++) {
      await exportData(rows, {
        format: 'csv',
        target: 'blob',
        worker: () => {
          const worker = new FakeWorker();
          made.push(worker);
          return worker as unknown as Worker;
        },
      });
    }
    expect(made).toHaveLength(5);
    expect(made.filter((worker) => !worker.terminated)).toHaveLength(1);
    expect(liveWorkerCount()).toBe(1);
  });

  it('reuses the worker of a stable factory, and ends it after it sits idle', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const made: FakeWorker[] = [];
    const factory = (): Worker => {
      const worker = new FakeWorker();
      made.push(worker);
      return worker as unknown as Worker;
    };
    for (let i = 0; i < 3; i++) await exportData(rows, { format: 'csv', target: 'blob', worker: factory });
    expect(made).toHaveLength(1);
    expect(made[0]!.terminated).toBe(false);
    vi.advanceTimersByTime(APP_WORKER_IDLE_MS + 1);
    expect(made[0]!.terminated).toBe(true);
    expect(liveWorkerCount()).toBe(0);
  });
});
