/**
 * The one error class Sluice throws, and the per-row issues it reports as data.
 *
 * Errors must survive a trip across a worker boundary (structured clone keeps only
 * `name`, `message` and `stack`), so they serialize to plain objects and back.
 */

/** Every reason an export can fail. Codes are added over time, never renamed. */
export const EXPORT_ERROR_CODES = [
  'invalid_options',
  'unsupported_format',
  'unknown_column',
  'invalid_filter',
  'schema_mismatch',
  'invalid_value',
  'limit_exceeded',
  'aborted',
  'timeout',
  'source_failed',
  'sink_failed',
  'quota_exceeded',
  'picker_cancelled',
  'picker_busy',
  'worker_failed',
  'verification_failed',
  'unsupported_environment',
] as const;

/** A machine-readable reason for an {@link ExportError}. */
export type ExportErrorCode = (typeof EXPORT_ERROR_CODES)[number];

/** Extra, serializable facts about a failure (the row, column, value or option at fault). */
export interface ExportErrorDetails {
  /** Source row index (0-based) where the problem was found. */
  row?: number;
  /** Column (field) name involved. */
  column?: string;
  /** The offending option path, e.g. `csv.delimiter`. */
  path?: string;
  /** A printable form of the offending value. */
  value?: string;
  /** Every problem found, when several were collected (validation). */
  problems?: ReadonlyArray<{ code: string; path: string; message: string }>;
  /** Anything else worth knowing; must be structured-cloneable. */
  [key: string]: unknown;
}

/** Options for constructing an {@link ExportError}. */
export interface ExportErrorOptions {
  cause?: unknown;
  details?: ExportErrorDetails;
}

/**
 * The error every Sluice failure rejects with.
 *
 * @example
 * try { await exportData(rows, { format: 'csv' }); }
 * catch (error) { if (isExportError(error) && error.code === 'aborted') return; throw error; }
 */
export class ExportError extends Error {
  override readonly name = 'ExportError' as const;
  /** Why the export failed. */
  readonly code: ExportErrorCode;
  /** Serializable facts about the failure. */
  readonly details: ExportErrorDetails;

  constructor(code: ExportErrorCode, message: string, options: ExportErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details ?? {};
  }
}

/**
 * True for an {@link ExportError}, also one made in another realm (a worker, an iframe),
 * which `instanceof` would miss.
 */
export function isExportError(value: unknown): value is ExportError {
  return (
    value instanceof ExportError ||
    (typeof value === 'object' &&
      value !== null &&
      (value as { name?: unknown }).name === 'ExportError' &&
      typeof (value as { code?: unknown }).code === 'string')
  );
}

/** The plain-object form of an {@link ExportError}, safe for `postMessage`. */
export interface SerializedExportError {
  name: 'ExportError';
  code: ExportErrorCode;
  message: string;
  details: ExportErrorDetails;
  stack?: string;
  cause?: { name: string; message: string };
}

/** Turns any thrown value into a cloneable description of an {@link ExportError}. */
export function serializeError(error: unknown): SerializedExportError {
  const exportError = toExportError(error, 'sink_failed');
  const cause = exportError.cause;
  const serialized: SerializedExportError = {
    name: 'ExportError',
    code: exportError.code,
    message: exportError.message,
    details: cloneableDetails(exportError.details),
  };
  if (exportError.stack !== undefined) serialized.stack = exportError.stack;
  if (cause instanceof Error) serialized.cause = { name: cause.name, message: cause.message };
  return serialized;
}

/** Rebuilds an {@link ExportError} from {@link serializeError}'s output. */
export function deserializeError(serialized: SerializedExportError): ExportError {
  const cause = serialized.cause ? Object.assign(new Error(serialized.cause.message), { name: serialized.cause.name }) : undefined;
  const error = new ExportError(serialized.code, serialized.message, { cause, details: serialized.details });
  if (serialized.stack !== undefined) error.stack = serialized.stack;
  return error;
}

/**
 * Wraps anything thrown into an {@link ExportError}; an ExportError passes through as is.
 * `fallback` is the code for errors Sluice did not raise itself (a source or sink throwing).
 */
export function toExportError(error: unknown, fallback: ExportErrorCode, context?: string): ExportError {
  if (error instanceof ExportError) return error;
  if (isExportError(error)) {
    return new ExportError(error.code, error.message, { cause: error.cause, details: error.details ?? {} });
  }
  if (isQuotaError(error)) {
    return new ExportError('quota_exceeded', `storage quota exceeded${context ? ` while ${context}` : ''}: ${describe(error)}`, { cause: error });
  }
  const prefix = context ? `${context} failed` : fallback === 'source_failed' ? 'the source failed' : 'the export failed';
  return new ExportError(fallback, `${prefix}: ${describe(error)}`, { cause: error });
}

/** The `'aborted'` error for a signal's reason (or a cancel's message). */
export function abortError(reason?: unknown): ExportError {
  if (isExportError(reason)) return reason;
  const text = reason === undefined ? '' : reason instanceof Error ? reason.message : String(reason);
  const suffix = text && !/aborted/i.test(text) ? `: ${text}` : '';
  return new ExportError('aborted', `the export was aborted${suffix}`, { cause: reason });
}

function isQuotaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'QuotaExceededError';
}

function describe(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  try {
    return String(error);
  } catch {
    return Object.prototype.toString.call(error);
  }
}

function cloneableDetails(details: ExportErrorDetails): ExportErrorDetails {
  const out: ExportErrorDetails = {};
  for (const [key, value] of Object.entries(details)) {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') continue;
    out[key] = typeof value === 'bigint' ? value.toString() : value;
  }
  return out;
}

/** Quotes a value for an error message: strings in double quotes, the rest as JS text, cut at 80 chars. */
export function printValue(value: unknown): string {
  let text: string;
  try {
    if (typeof value === 'string') text = JSON.stringify(value);
    else if (typeof value === 'bigint') text = `${value}n`;
    else if (value instanceof Date) text = Number.isNaN(value.getTime()) ? 'Invalid Date' : value.toISOString();
    else if (typeof value === 'object' && value !== null) text = JSON.stringify(value) ?? String(value);
    else text = String(value);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}
