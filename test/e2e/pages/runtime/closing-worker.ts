/**
 * A worker for the "worker ends itself" test: the library's worker, plus a listener that calls
 * `self.close()` when the page asks, which ends the worker without any event reaching the page.
 *
 * The library's module is imported dynamically (its URL is only known at run time), so messages
 * that arrive before it has loaded are held and replayed to it.
 */
export {};

const WORKER_URL = '/dist/worker/worker.js';

const early: MessageEvent[] = [];
const hold = (event: MessageEvent): void => {
  if (event.data === 'sluice-test:close') return;
  early.push(event);
  event.stopImmediatePropagation();
};
self.addEventListener('message', (event: MessageEvent) => {
  if (event.data === 'sluice-test:close') self.close();
});
self.addEventListener('message', hold);
await import(/* @vite-ignore */ WORKER_URL);
self.removeEventListener('message', hold);
for (const event of early) self.dispatchEvent(new MessageEvent('message', { data: event.data, ports: [...event.ports] }));
