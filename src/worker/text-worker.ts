/**
 * The CSV export worker's entry: the worker API with the text formats only (see
 * `text-parts.ts`). `exportData` starts it for CSV, TSV, JSON and NDJSON exports of an array of
 * rows without a filter or a checksum, so the common export loads a small worker; every other
 * export runs in the full worker (`worker.ts`).
 */
import { expose } from 'comlink';
import { createWorkerApi } from './api.js';
import { TEXT_WORKER_PARTS } from './text-parts.js';
import { installErrorTransfer } from './transfer.js';

installErrorTransfer();
expose(createWorkerApi(TEXT_WORKER_PARTS));
