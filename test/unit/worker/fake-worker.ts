/**
 * A stand-in for a module Worker in Node: the real worker API exposed with comlink on one end of
 * a MessageChannel. `terminate()` closes the channel, which, like a real dead worker, sends nothing.
 */
import { expose } from 'comlink';
import { MessageChannel, type MessagePort } from 'node:worker_threads';
import { createWorkerApi, type WorkerParts } from '../../../src/worker/api.js';
import { FULL_WORKER_PARTS } from '../../../src/worker/full-parts.js';
import { installErrorTransfer } from '../../../src/worker/transfer.js';

export class FakeWorker extends EventTarget {
  readonly #page: MessagePort;
  readonly #worker: MessagePort;
  terminated = false;
  /** Every message the page posted. */
  readonly posted: unknown[] = [];

  /** `parts`: the full worker's by default; the CSV worker's to stand in for `text-worker.ts`. */
  constructor(parts: WorkerParts = FULL_WORKER_PARTS) {
    super();
    installErrorTransfer();
    const { port1, port2 } = new MessageChannel();
    this.#page = port1;
    this.#worker = port2;
    expose(createWorkerApi(parts), port2 as unknown as Parameters<typeof expose>[1]);
  }

  postMessage(message: unknown, transfer?: Transferable[]): void {
    if (this.terminated) return;
    this.posted.push(message);
    this.#page.postMessage(message, (transfer ?? []) as never);
  }

  override addEventListener(type: string, listener: EventListenerOrEventListenerObject | null, options?: AddEventListenerOptions | boolean): void {
    if (type === 'message') this.#page.addEventListener('message', listener as never, options as never);
    else super.addEventListener(type, listener, options);
  }

  override removeEventListener(type: string, listener: EventListenerOrEventListenerObject | null): void {
    if (type === 'message') this.#page.removeEventListener('message', listener as never);
    else super.removeEventListener(type, listener);
  }

  start(): void {
    this.#page.start();
  }

  terminate(): void {
    this.terminated = true;
    this.#page.close();
    this.#worker.close();
  }

  /** Simulates an uncaught error inside the worker. */
  crash(message: string): void {
    const event = new Event('error') as Event & { message: string };
    event.message = message;
    this.dispatchEvent(event);
  }
}

/** A factory for `exportData({ worker })` that records the workers it made (full workers unless `parts` says otherwise). */
export function fakeWorkerFactory(parts: WorkerParts = FULL_WORKER_PARTS): { factory: () => Worker; workers: FakeWorker[] } {
  const workers: FakeWorker[] = [];
  return {
    workers,
    factory: () => {
      const worker = new FakeWorker(parts);
      workers.push(worker);
      return worker as unknown as Worker;
    },
  };
}
