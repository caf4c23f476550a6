/**
 * CSP page: the exports run from page code started by a click (code that Playwright's
 * `page.evaluate` runs directly is exempt from the eval ban, so it must not call the library).
 * Results land in `window.sluiceCsp` and `data-state` turns `done` (or `failed`).
 */
import type * as Sluice from '../../../../src/index.js';

/** The built package. A variable, not a literal, so neither tsc nor Vite resolves it ahead of time. */
const LIBRARY_URL = '/dist/index.js';

/** Rows every export writes: text that needs quoting, numbers, booleans, dates, nulls. */
export const CSP_ROW_COUNT = 1000;

/** One export's outcome. */
export interface CspExport {
  name: string;
  format: 'csv' | 'parquet';
  thread: string;
  rowsWritten: number;
  /** CSV text, or the Parquet file's bytes. */
  text?: string;
  bytes?: number[];
  error?: string;
}

/** What the page reports to the spec. */
export interface CspState {
  exports: CspExport[];
  /** `securitypolicyviolation` events the page saw (violations inside workers never show here). */
  violations: string[];
  /** The control case: what happened to a deliberate eval on the page and in the worker. */
  control?: { page: string; worker: string };
}

declare global {
  interface Window {
    sluiceCsp?: CspState;
  }
}

const state: CspState = { exports: [], violations: [] };
window.sluiceCsp = state;
document.addEventListener('securitypolicyviolation', (event) => {
  state.violations.push(`${event.violatedDirective} blocked ${event.blockedURI} at ${event.sourceFile}:${event.lineNumber}`);
});

function rows(): Array<Record<string, unknown>> {
  return Array.from({ length: CSP_ROW_COUNT }, (_, i) => ({
    id: i,
    name: i % 7 === 0 ? `quote "${i}", comma` : `name ${i}`,
    amount: i / 4,
    active: i % 2 === 0,
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
    note: i % 5 === 0 ? null : 'x',
  }));
}

/** A worker running the library under the page's policy. */
function policedWorker(): Worker {
  return new Worker(new URL('./csp-worker.ts', import.meta.url), { type: 'module' });
}

async function runExports(): Promise<void> {
  const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
  const plans: Array<{ name: string; format: 'csv' | 'parquet'; worker: NonNullable<Sluice.ExportOptions['worker']> }> = [
    { name: 'main thread csv', format: 'csv', worker: false },
    { name: 'main thread parquet', format: 'parquet', worker: false },
    { name: 'policed worker csv', format: 'csv', worker: policedWorker },
    { name: 'policed worker parquet', format: 'parquet', worker: policedWorker },
    { name: 'default worker csv', format: 'csv', worker: true },
    { name: 'default worker parquet', format: 'parquet', worker: true },
  ];
  for (const plan of plans) {
    try {
      const result = await lib.exportData(rows(), { format: plan.format, target: 'blob', worker: plan.worker });
      const outcome: CspExport = { name: plan.name, format: plan.format, thread: result.resources.thread, rowsWritten: result.rowsWritten };
      if (plan.format === 'csv') outcome.text = await result.blob!.text();
      else outcome.bytes = Array.from(new Uint8Array(await result.blob!.arrayBuffer()));
      state.exports.push(outcome);
    } catch (error) {
      state.exports.push({ name: plan.name, format: plan.format, thread: '?', rowsWritten: 0, error: `${(error as { code?: string }).code ?? ''} ${String((error as Error).message ?? error)}` });
    }
  }
}

async function runControl(): Promise<void> {
  let page: string;
  try {
    // Deliberately compiled from a string: the policy must block it and send a report.
    page = String((0, eval)('"evaluated"'));
  } catch (error) {
    page = `blocked: ${error instanceof Error ? error.name : String(error)}`;
  }
  const worker = policedWorker();
  const answer = await new Promise<string>((resolve) => {
    worker.addEventListener('message', (event: MessageEvent<{ 'sluice-test'?: string; outcome?: string }>) => {
      if (event.data?.['sluice-test'] === 'eval') resolve(String(event.data.outcome));
    });
    worker.postMessage('sluice-test:eval');
  });
  worker.terminate();
  state.control = { page, worker: answer };
}

function wire(id: string, task: () => Promise<void>): void {
  document.getElementById(id)!.addEventListener('click', () => {
    document.documentElement.dataset['state'] = 'running';
    task().then(
      () => (document.documentElement.dataset['state'] = 'done'),
      (error: unknown) => {
        state.violations.push(`the page task failed: ${String(error)}`);
        document.documentElement.dataset['state'] = 'failed';
      },
    );
  });
}

wire('run', runExports);
wire('control', runControl);
document.documentElement.dataset['ready'] = 'true';
