/**
 * Parquet options: validation with messages that name the option and the bad value, defaults, and
 * the parquet-wasm writer properties they turn into.
 */
import type { RecordBatch } from 'apache-arrow';
import { Type } from 'apache-arrow';
import { ExportError, printValue } from '../../errors.js';
import type { ParquetCompression, ParquetOptions } from '../../types.js';
import type { WriterProperties } from 'parquet-wasm/esm';
import type { ParquetWasm } from './wasm.js';

/** Codecs accepted by `parquet.compression`. */
export const PARQUET_COMPRESSIONS: readonly ParquetCompression[] = ['snappy', 'zstd', 'gzip', 'brotli', 'lz4', 'none'];

/**
 * Rows per row group when `parquet.rowGroupSize` is not given: 65,536. On 1M rows × 10 columns it
 * took the same CPU time as 131,072 (1.19 s) with less wasm memory (16–18 MiB vs 22 MiB; 25–30 vs
 * 35 MiB with dictionaries everywhere), and readers can skip finer row groups
 * (bench/parquet-probe.ts).
 */
export const DEFAULT_ROW_GROUP_SIZE = 65_536;

/** Largest accepted `parquet.rowGroupSize` (parquet-wasm takes a 32-bit count). */
export const MAX_ROW_GROUP_SIZE = 2 ** 31 - 1;

/** Parquet options with every default filled in. */
export interface ResolvedParquetOptions {
  compression: ParquetCompression;
  rowGroupSize: number;
  dictionary: 'auto' | boolean;
  statistics: boolean;
  metadata: Record<string, string>;
}

/** One problem found in the options. */
export interface OptionProblem {
  code: 'invalid_options';
  /** The option, e.g. `parquet.compression`. */
  path: string;
  message: string;
}

const KNOWN_KEYS = ['compression', 'rowGroupSize', 'dictionary', 'statistics', 'metadata'] as const;

/**
 * Every problem in `parquet` options, each naming the option and the bad value; empty when valid.
 *
 * @example validateParquetOptions({ compression: 'lzo' })
 * // [{ code: 'invalid_options', path: 'parquet.compression', message: 'parquet.compression must be one of … got "lzo"' }]
 */
export function validateParquetOptions(options: unknown): OptionProblem[] {
  const problems: OptionProblem[] = [];
  const add = (path: string, message: string): void => {
    problems.push({ code: 'invalid_options', path, message });
  };
  if (options === undefined) return problems;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    add('parquet', `parquet options must be an object, got ${printValue(options)}`);
    return problems;
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(KNOWN_KEYS as readonly string[]).includes(key)) add(`parquet.${key}`, `parquet has no option "${key}" (known: ${KNOWN_KEYS.join(', ')})`);
  }
  const { compression, rowGroupSize, dictionary, statistics, metadata } = o;
  if (compression !== undefined && !(PARQUET_COMPRESSIONS as readonly unknown[]).includes(compression)) {
    add('parquet.compression', `parquet.compression must be one of ${PARQUET_COMPRESSIONS.map((c) => `"${c}"`).join(', ')}, got ${printValue(compression)}`);
  }
  if (rowGroupSize !== undefined && (typeof rowGroupSize !== 'number' || !Number.isInteger(rowGroupSize) || rowGroupSize < 1 || rowGroupSize > MAX_ROW_GROUP_SIZE)) {
    add('parquet.rowGroupSize', `parquet.rowGroupSize must be a whole number of rows from 1 to ${MAX_ROW_GROUP_SIZE}, got ${printValue(rowGroupSize)}`);
  }
  if (dictionary !== undefined && dictionary !== 'auto' && typeof dictionary !== 'boolean') {
    add('parquet.dictionary', `parquet.dictionary must be "auto", true or false, got ${printValue(dictionary)}`);
  }
  if (statistics !== undefined && typeof statistics !== 'boolean') {
    add('parquet.statistics', `parquet.statistics must be true or false, got ${printValue(statistics)}`);
  }
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      add('parquet.metadata', `parquet.metadata must be an object of string keys and string values, got ${printValue(metadata)}`);
    } else {
      for (const [key, value] of Object.entries(metadata)) {
        if (typeof value !== 'string') add(`parquet.metadata.${key}`, `parquet.metadata values must be strings, got ${printValue(value)} for "${key}"`);
        // The writer stores the Arrow schema under this key; a user value would corrupt it.
        if (key === 'ARROW:schema') add(`parquet.metadata.${key}`, 'parquet.metadata cannot set "ARROW:schema": the writer stores the Arrow schema there');
      }
    }
  }
  return problems;
}

/** The options with defaults filled in; throws `'invalid_options'` listing every problem. */
export function resolveParquetOptions(options: ParquetOptions | undefined): ResolvedParquetOptions {
  const problems = validateParquetOptions(options);
  if (problems.length > 0) {
    throw new ExportError('invalid_options', problems.map((p) => p.message).join('; '), { details: { path: problems[0]!.path, problems } });
  }
  return {
    compression: options?.compression ?? 'snappy',
    rowGroupSize: options?.rowGroupSize ?? DEFAULT_ROW_GROUP_SIZE,
    dictionary: options?.dictionary ?? 'auto',
    statistics: options?.statistics ?? true,
    metadata: { ...options?.metadata },
  };
}

/** Rows looked at per column when `dictionary: 'auto'` decides. */
const DICTIONARY_SAMPLE_ROWS = 8_192;
/** Dictionary encoding pays when values repeat: at most this share of the sampled values distinct. */
const DICTIONARY_MAX_DISTINCT_RATIO = 0.5;

/**
 * For `dictionary: 'auto'`: the top-level columns where dictionary encoding does not pay, judged on
 * the first batch. Dictionary encoding of near-unique columns costs time (measured: 0.51 s vs
 * 0.27 s for 1M rows × 8 columns) and bytes, while low-cardinality text shrinks a lot.
 */
export function columnsWithoutDictionary(batch: RecordBatch): string[] {
  const off: string[] = [];
  const rows = Math.min(batch.numRows, DICTIONARY_SAMPLE_ROWS);
  for (let c = 0; c < batch.schema.fields.length; c++) {
    const field = batch.schema.fields[c]!;
    switch (field.type.typeId) {
      case Type.Bool:
      case Type.Null:
        // Nothing to gain: a bit per value already, or no values at all.
        off.push(field.name);
        continue;
      case Type.Utf8:
      case Type.LargeUtf8:
      case Type.Binary:
      case Type.LargeBinary:
      case Type.Int:
      case Type.Float:
      case Type.Date:
      case Type.Timestamp:
      case Type.Time:
      case Type.Decimal:
      case Type.Duration:
      case Type.FixedSizeBinary:
        break;
      default:
        // Nested columns: the per-column setting addresses top-level names only; keep the default.
        continue;
    }
    const vector = batch.getChildAt(c);
    if (vector === null) continue;
    const distinct = new Set<unknown>();
    let present = 0;
    for (let i = 0; i < rows; i++) {
      const value: unknown = vector.get(i);
      if (value === null || value === undefined) continue;
      present++;
      distinct.add(typeof value === 'object' ? String(value) : value);
    }
    if (present === 0 || distinct.size > present * DICTIONARY_MAX_DISTINCT_RATIO) off.push(field.name);
  }
  return off;
}

/** Writer properties for parquet-wasm. Built fresh for every writer: parquet-wasm consumes them. */
export function buildWriterProperties(wasm: ParquetWasm, options: ResolvedParquetOptions, dictionaryOff: readonly string[]): WriterProperties {
  const codecs: Record<ParquetCompression, number> = {
    snappy: wasm.Compression.SNAPPY,
    zstd: wasm.Compression.ZSTD,
    gzip: wasm.Compression.GZIP,
    brotli: wasm.Compression.BROTLI,
    // LZ4_RAW: the old "LZ4" codec is deprecated and read inconsistently across readers.
    lz4: wasm.Compression.LZ4_RAW,
    none: wasm.Compression.UNCOMPRESSED,
  };
  // Each setter consumes the builder and returns a new one, so every call is reassigned.
  let builder = new wasm.WriterPropertiesBuilder();
  builder = builder.setCompression(codecs[options.compression]);
  builder = builder.setMaxRowGroupSize(options.rowGroupSize);
  builder = builder.setStatisticsEnabled(options.statistics ? wasm.EnabledStatistics.Page : wasm.EnabledStatistics.None);
  builder = builder.setDictionaryEnabled(options.dictionary !== false);
  if (options.dictionary === 'auto') {
    for (const name of dictionaryOff) builder = builder.setColumnDictionaryEnabled(name, false);
  }
  const entries = Object.entries(options.metadata);
  if (entries.length > 0) builder = builder.setKeyValueMetadata(new Map(entries));
  return builder.build();
}
