/**
 * Parquet: file facts, the `parquet` option rules, and how the encoder, its wasm and the
 * verifier load.
 */
import { printValue } from '../../errors.js';
import { checkKnownKeys, isIntegerIn, isRecord, type AddProblem } from '../../options/problems.js';
import type { ParquetCompression } from '../../types.js';
import type { FormatSpec } from '../spec.js';

/** Codecs accepted by `parquet.compression`. */
export const PARQUET_COMPRESSIONS: readonly ParquetCompression[] = ['snappy', 'zstd', 'gzip', 'brotli', 'lz4', 'none'];

/** Largest accepted `parquet.rowGroupSize` (parquet-wasm takes a 32-bit count). */
export const MAX_ROW_GROUP_SIZE = 2 ** 31 - 1;

/** The keys `parquet` accepts. */
export const PARQUET_OPTION_KEYS = ['compression', 'rowGroupSize', 'dictionary', 'statistics', 'metadata'] as const;

/** Reports every problem with `parquet` options (`value` may be undefined), each naming the option and the bad value. */
export function checkParquetOptions(value: unknown, add: AddProblem): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    add('parquet', `parquet options must be an object, got ${printValue(value)}`);
    return;
  }
  checkKnownKeys(add, 'parquet', value, PARQUET_OPTION_KEYS);
  const { compression, rowGroupSize, dictionary, statistics, metadata } = value;
  if (compression !== undefined && !(PARQUET_COMPRESSIONS as readonly unknown[]).includes(compression)) {
    add('parquet.compression', `parquet.compression must be one of ${PARQUET_COMPRESSIONS.map((c) => `"${c}"`).join(', ')}, got ${printValue(compression)}`);
  }
  if (rowGroupSize !== undefined && !isIntegerIn(rowGroupSize, 1, MAX_ROW_GROUP_SIZE)) {
    add('parquet.rowGroupSize', `parquet.rowGroupSize must be a whole number of rows from 1 to ${MAX_ROW_GROUP_SIZE}, got ${printValue(rowGroupSize)}`);
  }
  if (dictionary !== undefined && dictionary !== 'auto' && typeof dictionary !== 'boolean') {
    add('parquet.dictionary', `parquet.dictionary must be "auto", true or false, got ${printValue(dictionary)}`);
  }
  if (statistics !== undefined && typeof statistics !== 'boolean') {
    add('parquet.statistics', `parquet.statistics must be true or false, got ${printValue(statistics)}`);
  }
  if (metadata !== undefined) {
    if (!isRecord(metadata)) {
      add('parquet.metadata', `parquet.metadata must be an object of string keys and string values, got ${printValue(metadata)}`);
    } else {
      for (const [key, entry] of Object.entries(metadata)) {
        if (typeof entry !== 'string') add(`parquet.metadata.${key}`, `parquet.metadata values must be strings, got ${printValue(entry)} for "${key}"`);
        // The writer stores the Arrow schema under this key; a user value would corrupt it.
        if (key === 'ARROW:schema') add(`parquet.metadata.${key}`, 'parquet.metadata cannot set "ARROW:schema": the writer stores the Arrow schema there');
      }
    }
  }
}

/** Parquet, written by parquet-wasm in the worker; the wasm loads with the first Parquet export or with `preload`. */
export const parquetSpec: FormatSpec = {
  name: 'parquet',
  label: 'Parquet',
  extension: () => 'parquet',
  mimeType: () => 'application/vnd.apache.parquet',
  binary: true,
  // The encoder measures each row group and the footer before it writes them (encodeWithin).
  truncatableBySize: true,
  outerCompression: false,
  optionsKey: 'parquet',
  checkOptions: checkParquetOptions,
  loadEncoder: async () => (await import('../parquet.js')).createParquetEncoder,
  preload: async () => {
    // The encoder module as well as the wasm: an offline export must fetch neither.
    const [{ preloadParquet }] = await Promise.all([import('./wasm.js'), import('../parquet.js')]);
    await preloadParquet();
  },
  wasmMemoryBytes: async () => {
    const { loadParquetWasm } = await import('./wasm.js');
    const wasm = (await loadParquetWasm()) as { wasmMemory?: () => WebAssembly.Memory };
    return wasm.wasmMemory?.().buffer.byteLength;
  },
  countRows: async (bytes) => (await import('./footer.js')).countParquetRows(bytes),
};
