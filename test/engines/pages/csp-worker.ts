/**
 * The library's worker, loaded from a script that carries the page's CSP (a dedicated worker's
 * policy comes from its own script's response: see csp-worker.ts.headers.json), so the engine,
 * apache-arrow and parquet-wasm run under the policy in the worker too. `sluice-test:eval` asks it
 * to break the policy on purpose (the control case). Messages that arrive before the library's
 * module has loaded are held and replayed to it.
 */
export {};

const WORKER_URL = '/dist/worker/worker.js';

const early: MessageEvent[] = [];
const hold = (event: MessageEvent): void => {
  if (event.data === 'sluice-test:eval') return;
  early.push(event);
  event.stopImmediatePropagation();
};
self.addEventListener('message', (event: MessageEvent) => {
  if (event.data !== 'sluice-test:eval') return;
  let outcome: string;
  try {
    outcome = String(new Function('return "compiled"')());
  } catch (error) {
    outcome = `blocked: ${error instanceof Error ? error.name : String(error)}`;
  }
  self.postMessage({ 'sluice-test': 'eval', outcome });
});
self.addEventListener('message', hold);
await import(/* @vite-ignore */ WORKER_URL);
self.removeEventListener('message', hold);
for (const event of early) self.dispatchEvent(new MessageEvent('message', { data: event.data, ports: [...event.ports] }));
