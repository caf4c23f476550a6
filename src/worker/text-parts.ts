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
import type { EncoderFactory } from '../formats/spec.js';
import type { FormatDefinition } from '../formats/types.js';
import type { ExportFormat } from '../types.js';
import type { WorkerParts } from './api.js';
import { createCompressor } from './compressor.js';

/** The formats this worker writes. */
export const TEXT_FORMATS: readonly ExportFormat[] = ['csv', 'tsv', 'json', 'ndjson'];

/**
 * The text formats' encoders, imported here rather than through the format specs
 * (`formats/csv/spec.ts`, …), which also hold `verifyExport`'s readers (papaparse), and the spec
 * table every format's code. Each is imported when first used: a bundler that splits the worker
 * (webpack) then loads the JSON encoder only for JSON exports; Vite's one-file worker inlines both.
 */
const loadCsv = () => import('../formats/csv.js');
const loadJson = () => import('../formats/json.js');
const ENCODERS: Readonly<Record<string, EncoderFactory>> = {
  csv: async (context) => (await loadCsv()).createCsvEncoder(context, false),
  tsv: async (context) => (await loadCsv()).createCsvEncoder(context, true),
  json: async (context) => (await loadJson()).createJsonEncoder(context, false),
  ndjson: async (context) => (await loadJson()).createJsonEncoder(context, true),
};

/** A text format's definition, as `formats/registry.ts` makes them. */
function definition(name: ExportFormat, factory: EncoderFactory): FormatDefinition {
  return { name, binary: false, truncatableBySize: true, createEncoder: async (context) => factory(context) };
}

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
    // The page checked every option with the full rules before it sent the request (exportData's
    // prepareRequest); the rule table reaches every format's spec, and so every format's code,
    // which this worker exists to leave out.
  },
  getFormat(name) {
    const factory = typeof name === 'string' && Object.hasOwn(ENCODERS, name) ? ENCODERS[name] : undefined;
    if (factory === undefined) throw notHere(`write ${printValue(name)}`);
    return definition(name as ExportFormat, factory);
  },
  normalizeFilter: (input) => {
    if (input === undefined || input === null) return null;
    throw notHere('apply a filter');
  },
  planFilter: missing('apply a filter'),
  compileFilter: missing('apply a filter'),
  prepareRegexes: () => Promise.reject(notHere('apply a filter')),
  loadIntegrity: () => Promise.reject(notHere('compute a checksum')),
  loadRemote: () => Promise.reject(notHere('read IndexedDB or URL sources')),
  loadIpc: () => Promise.reject(notHere('read Arrow record batches')),
};

/** What `text-worker.ts` passes to the worker API. */
export const TEXT_WORKER_PARTS: WorkerParts = {
  ...TEXT_PARTS,
  // Deflate on a worker of its own, beside the encoder (falls back to this thread).
  createCompressor,
  async preload(formats) {
    for (const format of formats) if (!TEXT_FORMATS.includes(format)) throw notHere(`preload ${printValue(format)}`);
    // An offline export must not need to fetch its encoder: load every text format's now.
    await Promise.all([loadCsv(), loadJson()]);
  },
  wasmMemoryBytes: async () => undefined,
};
