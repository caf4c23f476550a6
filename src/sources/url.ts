/**
 * `fromURL`: a file fetched where the export runs (usually the worker) and parsed as it streams,
 * so memory holds a chunk of rows, never the whole body. This module only describes the source;
 * the reader (url-reader.ts, with the parsers) loads when an export opens it.
 */
import { ExportError, printValue } from '../errors.js';

/** Body formats {@link fromURL} reads. */
export const URL_FORMATS = ['csv', 'tsv', 'ndjson', 'json', 'arrow'] as const;
/** A body format: delimited text, JSON Lines, a JSON array of rows, or Arrow IPC. */
export type UrlFormat = (typeof URL_FORMATS)[number];

/** How to read a CSV or TSV body. */
export interface UrlCsvOptions {
  /** Field separator, one character. Default `','` (`'\t'` for `'tsv'`). */
  delimiter?: string;
  /** The first row names the columns. Default `true`; when `false` they are named `column1`, `column2`, …. */
  header?: boolean;
  /** Quote character, one character. Default `'"'`. */
  quote?: string;
  /**
   * Type the values: text in JSON's number syntax becomes a number (but `007`, `+1` and integers
   * beyond ±2^53 stay text), `true`/`false` become booleans, empty fields null. Default `true`;
   * `false` keeps every field as text (empty fields as `''`). Declared `schema` types apply after.
   */
  inferTypes?: boolean;
}

/** Options for {@link fromURL}. */
export interface UrlSourceOptions {
  /** How to parse the body. */
  format: UrlFormat;
  /** Request headers (a plain object, so the description can cross to the worker). Default none. */
  headers?: Record<string, string>;
  /** Whether to send cookies. Default `'same-origin'` (fetch's default). */
  credentials?: 'omit' | 'same-origin' | 'include';
  /** CSV and TSV options. */
  csv?: UrlCsvOptions;
  /**
   * A malformed record (a CSV row with the wrong field count or a broken quote, an NDJSON line or
   * JSON array element that does not parse): `'skip'` it and record a `'malformed_input'` issue
   * naming its line, or `'fail'` the export with `'source_failed'`. Default `'skip'`.
   */
  onInvalid?: 'skip' | 'fail';
}

/** The serializable description {@link fromURL} returns; read by the export, not by the caller. */
export interface UrlSourceDescriptor extends UrlSourceOptions {
  /** Marks a URL source. */
  readonly kind: 'url';
  /** Absolute URL (resolved against the page when `fromURL` was called). */
  readonly url: string;
  readonly [key: string]: unknown;
}

/**
 * A file to fetch and export: CSV, TSV, NDJSON, a JSON array of objects, or Arrow IPC. The body is
 * fetched where the export runs (inside the worker with `exportData`) and parsed while it
 * downloads; cancelling the export aborts the request.
 *
 * Rows: CSV/TSV rows are objects keyed by the header; JSON values that are not objects (numbers,
 * strings, arrays) become `{ value: x }`. Arrow IPC stream bodies are read batch by batch; the IPC
 * *file* format has its index at the end, so such a body is read whole before its first batch.
 *
 * A relative `url` is resolved against the page's address now, because a worker would resolve it
 * against the worker script's.
 *
 * @example
 * await exportData(fromURL('/api/orders.ndjson', { format: 'ndjson' }), { format: 'parquet' });
 */
export function fromURL(url: string | URL, options: UrlSourceOptions): UrlSourceDescriptor {
  const absolute = resolveUrl(url);
  checkUrlOptions(options);
  const descriptor: { -readonly [K in keyof UrlSourceDescriptor]: UrlSourceDescriptor[K] } = { kind: 'url', url: absolute, format: options.format };
  if (options.headers !== undefined) descriptor.headers = { ...options.headers };
  if (options.credentials !== undefined) descriptor.credentials = options.credentials;
  if (options.csv !== undefined) descriptor.csv = { ...options.csv };
  if (options.onInvalid !== undefined) descriptor.onInvalid = options.onInvalid;
  return descriptor;
}

function resolveUrl(url: string | URL): string {
  const text = url instanceof URL ? url.href : url;
  if (typeof text !== 'string' || text === '') {
    throw new ExportError('invalid_options', `fromURL: url must be a non-empty string or URL, got ${printValue(url)}`, { details: { path: 'url', value: printValue(url) } });
  }
  const base = (globalThis as { location?: { href?: string } }).location?.href;
  try {
    return new URL(text, base).href;
  } catch {
    throw new ExportError('invalid_options', `fromURL: url ${printValue(text)} is not a valid URL${base === undefined ? ' (relative URLs need a page to resolve against)' : ''}`, {
      details: { path: 'url', value: text },
    });
  }
}

/** An invalid_options error for a fromURL option. */
export function invalid(path: string, message: string, value: unknown): ExportError {
  return new ExportError('invalid_options', `fromURL: ${message}`, { details: { path, value: printValue(value) } });
}

/** Checks options (again in the reader: a description may be written by hand). */
export function checkUrlOptions(options: UrlSourceOptions): void {
  if (typeof options !== 'object' || options === null) throw invalid('options', `options must be an object with a format, got ${printValue(options)}`, options);
  if (!(URL_FORMATS as readonly unknown[]).includes(options.format)) {
    throw invalid('format', `format must be one of ${URL_FORMATS.join(', ')}, got ${printValue(options.format)}`, options.format);
  }
  if (options.headers !== undefined) {
    if (typeof options.headers !== 'object' || options.headers === null || Array.isArray(options.headers) || options.headers instanceof Headers) {
      throw invalid('headers', `headers must be a plain object of names to strings, got ${printValue(options.headers)}`, options.headers);
    }
    for (const [name, value] of Object.entries(options.headers)) {
      if (typeof value !== 'string') throw invalid(`headers.${name}`, `header ${printValue(name)} must be a string, got ${printValue(value)}`, value);
    }
  }
  if (options.credentials !== undefined && !['omit', 'same-origin', 'include'].includes(options.credentials)) {
    throw invalid('credentials', `credentials must be 'omit', 'same-origin' or 'include', got ${printValue(options.credentials)}`, options.credentials);
  }
  if (options.onInvalid !== undefined && options.onInvalid !== 'skip' && options.onInvalid !== 'fail') {
    throw invalid('onInvalid', `onInvalid must be 'skip' or 'fail', got ${printValue(options.onInvalid)}`, options.onInvalid);
  }
  const csv = options.csv;
  if (csv === undefined) return;
  if (typeof csv !== 'object' || csv === null) throw invalid('csv', `csv must be an object, got ${printValue(csv)}`, csv);
  for (const key of ['delimiter', 'quote'] as const) {
    const value = csv[key];
    if (value === undefined) continue;
    if (typeof value !== 'string' || value.length !== 1 || value === '\r' || value === '\n') {
      throw invalid(`csv.${key}`, `csv ${key} must be one character (not a newline), got ${printValue(value)}`, value);
    }
  }
  if (csv.delimiter !== undefined && csv.delimiter === (csv.quote ?? '"')) {
    throw invalid('csv.delimiter', `csv delimiter and quote must differ, both are ${printValue(csv.delimiter)}`, csv.delimiter);
  }
  for (const key of ['header', 'inferTypes'] as const) {
    if (csv[key] !== undefined && typeof csv[key] !== 'boolean') throw invalid(`csv.${key}`, `csv ${key} must be a boolean, got ${printValue(csv[key])}`, csv[key]);
  }
}
