/**
 * The full worker's parts: every format, filters, checksums and every source (see
 * `engine-parts.ts`). Parquet, Arrow IPC and the source readers still load on demand where the
 * bundler splits the worker (webpack, Vite with `worker.format: 'es'`).
 */
import { FULL_PARTS } from '../engine-parts.js';
import type { ExportFormat } from '../types.js';
import type { WorkerParts } from './api.js';

/** What `worker.ts` passes to the worker API. */
export const FULL_WORKER_PARTS: WorkerParts = {
  ...FULL_PARTS,
  async preload(formats: ExportFormat[]) {
    // The readers of IndexedDB and URL sources too: an offline export must not fetch a module.
    await import('../sources/remote.js');
    if (formats.includes('parquet')) {
      // The encoder module as well as the wasm: an offline export must not fetch either.
      const [{ preloadParquet }] = await Promise.all([import('../formats/parquet/wasm.js'), import('../formats/parquet.js')]);
      await preloadParquet();
    }
    if (formats.includes('arrow')) await import('../formats/arrow.js');
  },
  async wasmMemoryBytes(format: ExportFormat) {
    if (format !== 'parquet') return undefined;
    try {
      const { loadParquetWasm } = await import('../formats/parquet/wasm.js');
      const wasm = (await loadParquetWasm()) as { wasmMemory?: () => WebAssembly.Memory };
      return wasm.wasmMemory?.().buffer.byteLength;
    } catch {
      return undefined;
    }
  },
};
