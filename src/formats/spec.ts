/**
 * What a format is, as data: one page-safe spec per format says its file facts, its option rules,
 * how to load its encoder, what `preload` must fetch for it and how `verifyExport` rereads it.
 * Every other module (option checks, file names, the save dialog, preload, integrity, estimates,
 * the playground) reads the registry of specs (registry.ts) and names no format itself.
 *
 * A spec module imports no Apache Arrow values, no wasm and no encoder: those load through
 * `loadEncoder`, `preload` and `countRows`, which the worker (or `verifyExport`) calls.
 */
import type { ExpectedExport } from '../integrity.js';
import type { AddProblem } from '../options/problems.js';
import type { StreamOptions } from '../types.js';
import type { Encoder, EncoderContext } from './types.js';

/** Makes a format's encoder for one export. */
export type EncoderFactory = (context: EncoderContext) => Encoder | Promise<Encoder>;

/** The key of `StreamOptions` that holds a format's own options (`csv` serves csv and tsv). */
export type FormatOptionsKey = 'csv' | 'json' | 'parquet' | 'arrow' | 'xlsx';

/** One format, described. */
export interface FormatSpec {
  /** The name in `options.format`. */
  readonly name: string;
  /** How people name it: `CSV`, `Arrow IPC`. */
  readonly label: string;
  /** File extension without the dot, following the options (`arrows` or `arrow` by `arrow.ipc`). */
  extension(options: Pick<StreamOptions, 'arrow'>): string;
  /** MIME type of the file, following the options. */
  mimeType(options: Pick<StreamOptions, 'arrow'>): string;
  /** Binary formats write one schema for the whole file, fixed by the first batch. */
  readonly binary: boolean;
  /** Whether `compression: 'gzip' | 'deflate'` may wrap the file (text formats); binary formats compress inside. */
  readonly outerCompression: boolean;
  /** The key of the format's own options in `StreamOptions`, if it has any. */
  readonly optionsKey?: FormatOptionsKey;
  /**
   * Reports every problem with the format's own options (`options[optionsKey]`, possibly
   * undefined), each with its path (`csv.delimiter`). Runs on the page, in the worker and in Node.
   */
  checkOptions?(value: unknown, add: AddProblem): void;
  /** Loads the encoder's code (a dynamic import, so the page never bundles it). */
  loadEncoder(): Promise<EncoderFactory>;
  /** Fetches and compiles what an offline export of this format needs beyond its encoder (Parquet's wasm). */
  preload?(): Promise<void>;
  /** Bytes of wasm memory the format's writer holds in this realm, when it has one (reported in the result's resources). */
  wasmMemoryBytes?(): Promise<number | undefined>;
  /** Rereads a written file and counts its data rows; throws `verification_failed` when it does not parse. */
  countRows(bytes: Uint8Array | Blob, expected: ExpectedExport): Promise<number>;
}
