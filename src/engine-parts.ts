/**
 * The parts of the engine that only some exports use: the filter compiler, the format table with
 * its lazily loaded binary encoders, the readers of IndexedDB, URL and Arrow IPC sources, and the
 * checksum. The engine takes them as one object instead of importing them, so an entry point can
 * leave some out of its bundle altogether.
 *
 * That matters for workers: Vite's default worker build (one IIFE file) inlines every `import()`
 * it can reach, so a lazily loaded module is only kept out of a worker file by not being reachable
 * from it. The CSV worker (`worker/text-worker.ts`) passes a smaller set, `worker/text-parts.ts`;
 * everything else — `exportStream`, the full worker, the main-thread fallback — passes
 * {@link FULL_PARTS}.
 */
import type { Filter } from './filter/ast.js';
import { compileFilters } from './engine/filter-stages.js';
import { compileFilter, compileRegex, loadRegexEngine, normalizeFilter, planFilter, regexTerms } from './filter/index.js';
import { getFormat } from './formats/registry.js';
import type { FormatDefinition } from './formats/types.js';
import type { StreamOptions } from './types.js';
import { checkStreamOptions } from './validate.js';

/** Readers of sources that only some exports have, loaded when such a source comes. */
export interface SourceLoaders {
  /** IndexedDB and URL readers (`fromIndexedDB`, `fromURL`). */
  loadRemote(): Promise<typeof import('./sources/remote.js')>;
  /** The Arrow IPC reader (IPC bytes as a source, Arrow batches sent from the page). */
  loadIpc(): Promise<typeof import('./sources/ipc.js')>;
}

/** What the engine needs beyond its core. */
export interface EngineParts extends SourceLoaders {
  /** Checks every option, throwing the first problem as an ExportError. */
  checkOptions(options: StreamOptions): void;
  /** The definition of a format, or `'unsupported_format'`. */
  getFormat(name: unknown): FormatDefinition;
  /** The filter option as one AST (null when there is none). */
  normalizeFilter(input: StreamOptions['filter']): Filter | null;
  planFilter: typeof planFilter;
  compileFilter: typeof compileFilter;
  /** Loads the regular-expression engine for a filter's `matches` terms and checks their syntax. */
  prepareRegexes(filter: Filter): Promise<void>;
  /**
   * Compiles a filter term by term, for rows the engine builds (`engine/filter-stages.ts`), so a
   * row a term drops is not built for the others; without it the filter is compiled whole.
   */
  stageFilter?: typeof compileFilters;
  /** The SHA-256 code (`checksum`). */
  loadIntegrity(): Promise<typeof import('./integrity.js')>;
  /**
   * The compressor for `compression`; a `CompressionStream` on this thread when absent. The
   * workers pass one that compresses on a thread of its own (`worker/compressor.ts`).
   */
  createCompressor?(format: 'gzip' | 'deflate', options?: { giveAway?: boolean }): ReadableWritablePair<Uint8Array, Uint8Array>;
  /**
   * False turns off encoders' direct path from row objects (`Encoder.encodeRows`), so every chunk
   * is built into a batch: tests compare the two paths byte for byte. Default: on.
   */
  writeRowsDirectly?: boolean;
}

/** Every part: what `exportStream` and the full worker use. */
export const FULL_PARTS: EngineParts = {
  checkOptions: (options) => checkStreamOptions(options),
  getFormat,
  normalizeFilter: (input) => normalizeFilter(input),
  planFilter,
  compileFilter,
  stageFilter: compileFilters,
  async prepareRegexes(filter) {
    // RE2 loads only for `matches` filters; its syntax errors surface here, before any row is read.
    const patterns = regexTerms(filter);
    if (patterns.length === 0) return;
    await loadRegexEngine();
    for (const term of patterns) compileRegex(term.pattern, term.flags, 'filter');
  },
  loadIntegrity: () => import('./integrity.js'),
  loadRemote: () => import('./sources/remote.js'),
  loadIpc: () => import('./sources/ipc.js'),
};
