/**
 * The CSV worker's parts (see `engine-parts.ts`): CSV, TSV, JSON and NDJSON of rows held by the
 * page, without a filter or a checksum. Nothing here reaches the filter compiler, Arrow's IPC
 * reader and writer, parquet-wasm, the IndexedDB and URL readers or the hash code, so a bundler
 * that puts a worker in one file (Vite's default) leaves them out of this one. The page sends
 * every other export to the full worker (`client.ts`, `fitsTextWorker`); a request that reaches
 * this worker anyway fails with `'unsupported_environment'`, never with a wrong file.
 */
import type { EngineParts } from '../engine-parts.js';
import { ExportError, printValue } from '../errors.js';
import { formatInfo } from '../formats/catalog.js';
import { csvFormat, tsvFormat } from '../formats/csv.js';
import { jsonFormat, ndjsonFormat } from '../formats/json.js';
import type { FormatDefinition } from '../formats/types.js';
import type { ExportFormat } from '../types.js';
import { checkOptionsWithoutFilter } from '../validate-options.js';
import type { WorkerParts } from './api.js';

/** The formats this worker writes. */
export const TEXT_FORMATS: readonly ExportFormat[] = ['csv', 'tsv', 'json', 'ndjson'];

const FORMATS: Partial<Record<ExportFormat, FormatDefinition>> = { csv: csvFormat, tsv: tsvFormat, json: jsonFormat, ndjson: ndjsonFormat };

function notHere(what: string): ExportError {
  return new ExportError('unsupported_environment', `the CSV export worker cannot ${what}: run it in the full worker (worker.js)`);
}

const missing = (what: string) => (): never => {
  throw notHere(what);
};

/** The engine parts of the CSV worker. */
export const TEXT_PARTS: EngineParts = {
  checkOptions(options) {
    if (options.filter !== undefined) throw notHere('apply a filter');
    if (options.checksum !== undefined && options.checksum !== false) throw notHere('compute a checksum');
    checkOptionsWithoutFilter(options);
  },
  getFormat(name) {
    const format = FORMATS[formatInfo(name).name];
    if (format === undefined) throw notHere(`write ${printValue(name)}`);
    return format;
  },
  normalizeFilter: (input) => {
    if (input === undefined || input === null) return null;
    throw notHere('apply a filter');
  },
  planFilter: missing('apply a filter'),
  compileFilter: missing('apply a filter'),
  loadIntegrity: () => Promise.reject(notHere('compute a checksum')),
  loadRemote: () => Promise.reject(notHere('read IndexedDB or URL sources')),
  loadIpc: () => Promise.reject(notHere('read Arrow record batches')),
};

/** What `text-worker.ts` passes to the worker API. */
export const TEXT_WORKER_PARTS: WorkerParts = {
  ...TEXT_PARTS,
  async preload(formats) {
    for (const format of formats) if (!TEXT_FORMATS.includes(format)) throw notHere(`preload ${printValue(format)}`);
  },
  wasmMemoryBytes: async () => undefined,
};
