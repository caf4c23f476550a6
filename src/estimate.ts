/**
 * Size estimates before an export: how many rows and bytes it will write, from a small sample
 * exported through the real engine (so format, columns, filter and compression all count).
 */
import { RecordBatch, Table, tableFromIPC } from 'apache-arrow';
import { exportStream } from './engine.js';
import { ExportError, printValue } from './errors.js';
import type { ExportSource, Row, StreamOptions } from './types.js';
import { classifySource } from './sources/classify.js';
import { checkStreamOptions } from './validate.js';

/** What {@link estimateExport} expects an export to write. */
export interface ExportEstimate {
  /** Rows the export will write: known for arrays, Arrow tables and IPC bytes (after the filter, estimated from the sample). */
  rows?: number;
  /** Bytes of the file, extrapolated from the sample; undefined when the source could not be sampled. */
  bytes?: number;
  /** Source rows exported to make the estimate (0 when nothing was sampled). */
  sampledRows: number;
  /** True when the sample was the whole source, so `rows` and `bytes` are what the export will write. */
  exact: boolean;
}

/** Options for {@link estimateExport}: the export's options, plus the sample size. */
export interface EstimateOptions extends StreamOptions {
  /** Source rows to export for the estimate. Default 1,000. */
  sampleRows?: number;
}

/** Default sample size: large enough to smooth out short rows, small enough to take milliseconds. */
export const DEFAULT_SAMPLE_ROWS = 1000;
/** The sample is taken as this many evenly spaced blocks, so a source whose rows change along its length is still represented. */
const SAMPLE_BLOCKS = 10;
const KNOWN_TOTAL = Symbol.for('sluice.knownTotal');

/**
 * Estimates how many rows and bytes `exportStream(source, options)` would write, without writing
 * them: about 1,000 rows, taken as evenly spaced blocks, are exported through the same engine to a
 * byte counter, and the result is scaled to the whole source (`bytes ≈ fixed overhead + bytes per
 * row × rows`; with a filter, the rows it keeps in the sample scale too). `limits.maxRows` is
 * applied; `limits.maxBytes` is not (the estimate says how big the file would be without it).
 *
 * Only sources that can be read without being consumed are sampled: arrays, Arrow tables, record
 * batches and IPC bytes. Iterators, async iterables, `ReadableStream`s and remote sources are
 * one-shot: they are **not** read, and the estimate has `rows` undefined (unless the iterable was
 * marked with a known total, then `rows` is that total) and `bytes` undefined.
 *
 * Options errors throw like `exportStream` does; `signal` aborts the sampling.
 *
 * @example
 * const { bytes } = await estimateExport(rows, { format: 'parquet' });
 * if (bytes !== undefined && bytes > 500e6) warnUser();
 */
export async function estimateExport(source: ExportSource, options: EstimateOptions): Promise<ExportEstimate> {
  const { sampleRows = DEFAULT_SAMPLE_ROWS, onProgress: _onProgress, onComplete: _onComplete, limits, ...rest } = options;
  const sampleOptions: StreamOptions = rest;
  if (!Number.isSafeInteger(sampleRows) || sampleRows < 2) {
    throw new ExportError('invalid_options', `sampleRows must be an integer of at least 2, got ${printValue(sampleRows)}`, { details: { path: 'sampleRows' } });
  }
  const sampler = samplerFor(source);
  if (sampler === null) {
    // Validates the options all the same, so a bad request fails here as it would in the export.
    checkStreamOptions(sampleOptions);
    const total = typeof source === 'object' && source !== null ? (source as { [KNOWN_TOTAL]?: unknown })[KNOWN_TOTAL] : undefined;
    const estimate: ExportEstimate = { sampledRows: 0, exact: false };
    if (typeof total === 'number' && options.filter === undefined) estimate.rows = capRows(total, limits?.maxRows);
    return estimate;
  }
  const total = sampler.total;
  if (total <= sampleRows) {
    const { written, bytes } = await measure(sampler.take(0, total), sampleOptions, limits);
    return { rows: written, bytes, sampledRows: total, exact: true };
  }
  // Two sizes of the same spread-out sample separate the per-row cost from the fixed overhead
  // (a header, a footer, the JSON brackets).
  const half = Math.max(1, Math.floor(sampleRows / 2));
  const small = await measure(spread(sampler, half), sampleOptions, undefined);
  const large = await measure(spread(sampler, sampleRows), sampleOptions, undefined);
  const keptShare = large.written / sampleRows;
  const rows = capRows(Math.round(total * keptShare), limits?.maxRows);
  const extraRows = large.written - small.written;
  const perRow = extraRows > 0 ? (large.bytes - small.bytes) / extraRows : large.written > 0 ? large.bytes / large.written : 0;
  const overhead = Math.max(0, large.bytes - perRow * large.written);
  return { rows, bytes: Math.round(overhead + perRow * rows), sampledRows: sampleRows, exact: false };
}

interface Sampler {
  total: number;
  /** Rows `[start, end)` as an exportable source. */
  take(start: number, end: number): ExportSource;
  /** Several runs joined into one source. */
  join(parts: ExportSource[]): ExportSource;
}

function samplerFor(source: ExportSource): Sampler | null {
  switch (classifySource(source)) {
    case 'bytes':
      // IPC bytes are already in memory; decoding is zero-copy for the column buffers.
      return tableSampler(tableFromIPC(source instanceof ArrayBuffer ? new Uint8Array(source) : (source as Uint8Array)));
    case 'table':
      return tableSampler(source as Table);
    case 'batch':
      return tableSampler(new Table([source as RecordBatch]));
    case 'batches':
      return tableSampler(new Table(source as RecordBatch[]));
    case 'array': {
      const rows = source as readonly Row[];
      return {
        total: rows.length,
        take: (start, end) => rows.slice(start, end),
        join: (parts) => (parts as Row[][]).flat(1) as Row[],
      };
    }
    default:
      return null;
  }
}

function tableSampler(table: Table): Sampler {
  return {
    total: table.numRows,
    take: (start, end) => table.slice(start, end),
    join: (parts) => new Table((parts as Table[]).flatMap((part) => part.batches)),
  };
}

/** `count` rows from `SAMPLE_BLOCKS` evenly spaced blocks of the source. */
function spread(sampler: Sampler, count: number): ExportSource {
  const blocks = Math.min(SAMPLE_BLOCKS, count);
  const parts: ExportSource[] = [];
  let taken = 0;
  for (let b = 0; b < blocks; b++) {
    const size = Math.floor((count * (b + 1)) / blocks) - taken;
    const start = Math.min(sampler.total - size, Math.floor((sampler.total * b) / blocks));
    parts.push(sampler.take(start, start + size));
    taken += size;
  }
  return sampler.join(parts);
}

/** Exports `source` to a byte counter. */
async function measure(source: ExportSource, options: StreamOptions, limits: StreamOptions['limits']): Promise<{ written: number; bytes: number }> {
  let written = 0;
  const withLimits: StreamOptions = { ...options, onComplete: (result) => (written = result.rowsWritten) };
  if (limits?.maxRows !== undefined) withLimits.limits = { maxRows: limits.maxRows, onExceed: 'truncate' };
  const reader = exportStream(source, withLimits).getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  return { written, bytes };
}

function capRows(rows: number, maxRows: number | undefined): number {
  return maxRows === undefined ? rows : Math.min(rows, maxRows);
}
