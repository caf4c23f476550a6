/**
 * The export worker's entry: exposes the worker API (see `api.ts` and `protocol.ts`) to the page.
 *
 * Started by `exportData` with `new Worker(new URL('./worker/worker.js', import.meta.url), { type: 'module' })`;
 * an app that builds its own worker (`worker: () => Worker`) points it at this module.
 */
import { expose } from 'comlink';
import { createWorkerApi } from './api.js';
import { FULL_WORKER_PARTS } from './full-parts.js';
import { installErrorTransfer } from './transfer.js';

installErrorTransfer();
expose(createWorkerApi(FULL_WORKER_PARTS));
