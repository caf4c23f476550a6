/**
 * What `preload` loads where exports run (the worker, or the page with `worker: false`): the
 * readers of IndexedDB and URL sources, and each asked-for format's encoder and extras (Parquet's
 * wasm), so that a later export needs no network.
 */
import { formatSpec } from './formats/registry.js';

/** Loads the code (and wasm) of `formats` in this realm. Throws `unsupported_format` for an unknown name. */
export async function loadFormats(formats: readonly unknown[]): Promise<void> {
  const specs = formats.map((name) => formatSpec(name));
  await Promise.all([import('./sources/remote.js'), ...specs.map((spec) => spec.loadEncoder()), ...specs.map((spec) => spec.preload?.())]);
}
