/**
 * Loads parquet-wasm on first use (≈1.6 MB gzip of wasm), once per realm.
 *
 * Browsers fetch the wasm from the URL below; bundlers (Vite, webpack) see the literal
 * `new URL('…', import.meta.url)` and emit the file as an asset. Node reads the file from disk
 * through `process.getBuiltinModule`, so no `node:` import appears for a browser bundler to follow.
 */
import { ExportError } from '../../errors.js';

/** The parquet-wasm ES module, initialised. */
export type ParquetWasm = typeof import('parquet-wasm/esm');

let loading: Promise<ParquetWasm> | null = null;

/**
 * parquet-wasm, loaded and initialised; the same promise for every caller in this realm.
 * Rejects with `'unsupported_environment'` when the module or its wasm cannot be loaded (then the
 * next call tries again, e.g. after the network comes back).
 */
export function loadParquetWasm(): Promise<ParquetWasm> {
  loading ??= load().catch((error: unknown) => {
    loading = null;
    const text = error instanceof Error ? error.message : String(error);
    throw new ExportError('unsupported_environment', `parquet: could not load parquet-wasm: ${text}`, { cause: error });
  });
  return loading;
}

/**
 * Loads and initialises the Parquet writer ahead of time, so an offline-first app can write
 * Parquet later without the network. Resolves once it is ready.
 */
export async function preloadParquet(): Promise<void> {
  await loadParquetWasm();
}

async function load(): Promise<ParquetWasm> {
  const wasm = await import('parquet-wasm/esm');
  const node = nodeBuiltins();
  if (node !== null) {
    const path = node.module.createRequire(import.meta.url).resolve('parquet-wasm/esm/parquet_wasm_bg.wasm');
    const bytes = await node.fs.readFile(path);
    await wasm.default({ module_or_path: await WebAssembly.compile(bytes) });
  } else {
    await wasm.default({ module_or_path: new URL('parquet-wasm/esm/parquet_wasm_bg.wasm', import.meta.url) });
  }
  return wasm;
}

interface NodeBuiltins {
  fs: { readFile(path: string): Promise<Uint8Array<ArrayBuffer>> };
  module: { createRequire(from: string): { resolve(id: string): string } };
}

/** Node's fs and module, or null outside Node (browsers, workers). */
function nodeBuiltins(): NodeBuiltins | null {
  const proc = (globalThis as { process?: { versions?: { node?: string }; getBuiltinModule?: (id: string) => unknown } }).process;
  if (typeof proc?.versions?.node !== 'string' || typeof proc.getBuiltinModule !== 'function') return null;
  // getBuiltinModule (Node ≥ 20.16) keeps `node:` specifiers out of the module graph.
  const fs = proc.getBuiltinModule('node:fs/promises') as NodeBuiltins['fs'] | undefined;
  const module = proc.getBuiltinModule('node:module') as NodeBuiltins['module'] | undefined;
  return fs !== undefined && module !== undefined ? { fs, module } : null;
}
