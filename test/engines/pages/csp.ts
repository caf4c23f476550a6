/**
 * The strict-CSP page. The driver's own script may be exempt from the page's policy in some
 * engines, so every export runs in a task the page schedules itself (a timer), never inside the
 * driver's call.
 */
import type * as Sluice from '../../../src/index.js';
import { base64, errorInfo, expose } from './common.js';
import { engineRows } from './rows.js';

const LIBRARY_URL = '/dist/index.js';

/** One export's outcome under the policy. */
export interface CspExport {
  name: string;
  format: 'csv' | 'parquet';
  thread?: string;
  rowsWritten?: number;
  base64?: string;
  error?: string;
}

const violations: string[] = [];
document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective} blocked ${event.blockedURI}`));

/** Runs `task` in a page task of its own, after the caller's task has ended. */
function inPageTask<T>(task: () => Promise<T>): Promise<T> {
  return new Promise((resolve, reject) => setTimeout(() => task().then(resolve, reject), 0));
}

function policedWorker(): Worker {
  return new Worker(new URL('./csp-worker.ts', import.meta.url), { type: 'module' });
}

async function exports(count: number): Promise<{ exports: CspExport[]; violations: string[] }> {
  return inPageTask(async () => {
    const lib = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
    const plans: Array<{ name: string; format: 'csv' | 'parquet'; worker: NonNullable<Sluice.ExportOptions['worker']> }> = [
      { name: 'main thread csv', format: 'csv', worker: false },
      { name: 'main thread parquet', format: 'parquet', worker: false },
      { name: 'policed worker csv', format: 'csv', worker: policedWorker },
      { name: 'policed worker parquet', format: 'parquet', worker: policedWorker },
      { name: 'default worker parquet', format: 'parquet', worker: true },
    ];
    const out: CspExport[] = [];
    for (const plan of plans) {
      try {
        const result = await lib.exportData(engineRows(count), { format: plan.format, target: 'blob', worker: plan.worker });
        out.push({ name: plan.name, format: plan.format, thread: result.resources.thread, rowsWritten: result.rowsWritten, base64: base64(new Uint8Array(await result.blob!.arrayBuffer())) });
      } catch (error) {
        const info = errorInfo(error);
        out.push({ name: plan.name, format: plan.format, error: `${info.code}: ${info.message}` });
      }
    }
    return { exports: out, violations: [...violations] };
  });
}

/** The control case: a deliberate eval on the page and in the policed worker must both be blocked. */
async function control(): Promise<{ page: string; worker: string }> {
  return inPageTask(async () => {
    let page: string;
    try {
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
    return { page, worker: answer };
  });
}

expose({ exports, control });
