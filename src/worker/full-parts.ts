/**
 * The full worker's parts: every format, filters, checksums and every source (see
 * `engine-parts.ts`). Parquet, Arrow IPC and the source readers still load on demand where the
 * bundler splits the worker (webpack, Vite with `worker.format: 'es'`).
 */
import { FULL_PARTS } from '../engine-parts.js';
import { FORMAT_SPECS } from '../formats/registry.js';
import type { ExportFormat } from '../types.js';
import type { WorkerParts } from './api.js';
import { createCompressor } from './compressor.js';

/** What `worker.ts` passes to the worker API. */
export const FULL_WORKER_PARTS: WorkerParts = {
  ...FULL_PARTS,
  // Deflate on a worker of its own, beside the encoder (falls back to this thread).
  createCompressor,
  async preload(formats: ExportFormat[]) {
    // Every asked-for format's encoder and extras (Parquet's wasm), and the IndexedDB and URL
    // readers: an offline export must not fetch a module.
    const { loadFormats } = await import('../preload.js');
    await loadFormats(formats);
  },
  async wasmMemoryBytes(format: ExportFormat) {
    try {
      return await FORMAT_SPECS[format].wasmMemoryBytes?.();
    } catch {
      return undefined;
    }
  },
};
