/**
 * Request validation: every problem at once, each with its option path, before any work starts.
 */
import { ExportError, printValue } from './errors.js';
import { csvOptionProblems, resolveCsvOptions, type ResolvedCsvOptions } from './formats/csv.js';
import { EXPORT_FORMATS, type StreamOptions } from './types.js';

/** One thing wrong with a request. */
export interface ValidationProblem {
  code: 'invalid_options' | 'unsupported_format' | 'unknown_column';
  /** Option path, e.g. `csv.delimiter` or `columns[2]`. */
  path: string;
  message: string;
}

/** Largest `chunkSize` accepted: bigger batches only cost memory. */
export const MAX_CHUNK_SIZE = 1 << 20;

/** Every problem with stream options (empty when they are fine). */
export function streamOptionProblems(options: StreamOptions): ValidationProblem[] {
  const problems: ValidationProblem[] = [];
  const add = (path: string, message: string, code: ValidationProblem['code'] = 'invalid_options'): void => {
    problems.push({ code, path, message });
  };
  if (options === null || typeof options !== 'object') {
    add('', `options must be an object with a format, got ${printValue(options)}`);
    return problems;
  }
  const format = options.format;
  if (!(EXPORT_FORMATS as readonly unknown[]).includes(format)) {
    add('format', `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${printValue(format)}`, 'unsupported_format');
  }
  const text = format === 'csv' || format === 'tsv' || format === 'json' || format === 'ndjson';
  if (options.compression !== undefined && !['gzip', 'deflate', 'none'].includes(options.compression)) {
    add('compression', `compression must be "gzip", "deflate" or "none", got ${printValue(options.compression)}`);
  } else if (options.compression !== undefined && options.compression !== 'none' && !text && typeof format === 'string') {
    add('compression', `compression applies to text formats; ${format} compresses inside the file (use parquet.compression)`);
  }
  if (options.chunkSize !== undefined && !isIntegerIn(options.chunkSize, 1, MAX_CHUNK_SIZE)) {
    add('chunkSize', `chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${printValue(options.chunkSize)}`);
  }
  const limits = options.limits;
  if (limits !== undefined) {
    if (limits === null || typeof limits !== 'object') add('limits', `limits must be an object, got ${printValue(limits)}`);
    else {
      if (limits.maxRows !== undefined && !isIntegerIn(limits.maxRows, 0, Number.MAX_SAFE_INTEGER)) {
        add('limits.maxRows', `limits.maxRows must be a non-negative integer, got ${printValue(limits.maxRows)}`);
      }
      if (limits.maxBytes !== undefined && !isIntegerIn(limits.maxBytes, 0, Number.MAX_SAFE_INTEGER)) {
        add('limits.maxBytes', `limits.maxBytes must be a non-negative integer, got ${printValue(limits.maxBytes)}`);
      }
      if (limits.onExceed !== undefined && limits.onExceed !== 'error' && limits.onExceed !== 'truncate') {
        add('limits.onExceed', `limits.onExceed must be "error" or "truncate", got ${printValue(limits.onExceed)}`);
      }
    }
  }
  if (options.columns !== undefined) {
    if (!Array.isArray(options.columns)) add('columns', `columns must be an array, got ${printValue(options.columns)}`);
    else {
      const headers = new Set<string>();
      options.columns.forEach((spec, index) => {
        const field = typeof spec === 'string' ? spec : spec !== null && typeof spec === 'object' ? spec.field : undefined;
        const header = typeof spec === 'string' ? spec : spec !== null && typeof spec === 'object' ? spec.header ?? spec.field : undefined;
        if (typeof field !== 'string') {
          add(`columns[${index}]`, `columns[${index}] must be a field name or { field, header }, got ${printValue(spec)}`);
        } else if (typeof header !== 'string') {
          add(`columns[${index}].header`, `columns[${index}].header must be a string, got ${printValue(header)}`);
        } else if (headers.has(header)) {
          add(`columns[${index}]`, `columns[${index}]: the header ${printValue(header)} appears twice`);
        } else {
          headers.add(header);
        }
      });
    }
  }
  if (options.signal !== undefined && !(typeof AbortSignal !== 'undefined' && options.signal instanceof AbortSignal)) {
    add('signal', `signal must be an AbortSignal, got ${printValue(options.signal)}`);
  }
  if (options.onProgress !== undefined && typeof options.onProgress !== 'function') {
    add('onProgress', `onProgress must be a function, got ${printValue(options.onProgress)}`);
  }
  if (format === 'csv' || format === 'tsv') {
    const csv = options.csv ?? {};
    const resolved = { ...defaultsFor(format === 'tsv'), ...stripUndefined(csv) } as ResolvedCsvOptions;
    for (const problem of csvOptionProblems(resolved)) add(problem.path, problem.message);
  } else if (options.csv !== undefined) {
    add('csv', `csv options apply to csv and tsv, not ${printValue(format)}`);
  }
  if (options.json !== undefined && format !== 'json' && format !== 'ndjson') {
    add('json', `json options apply to json and ndjson, not ${printValue(format)}`);
  }
  if (options.parquet !== undefined && format !== 'parquet') add('parquet', `parquet options apply to parquet, not ${printValue(format)}`);
  if (options.arrow !== undefined && format !== 'arrow') add('arrow', `arrow options apply to arrow, not ${printValue(format)}`);
  return problems;
}

function defaultsFor(tab: boolean): ResolvedCsvOptions {
  return resolveCsvOptions(undefined, tab);
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/** Throws one {@link ExportError} carrying every problem, or returns when the options are fine. */
export function checkStreamOptions(options: StreamOptions): void {
  const problems = streamOptionProblems(options);
  if (problems.length === 0) return;
  const code = problems.every((problem) => problem.code === 'unsupported_format') ? 'unsupported_format' : 'invalid_options';
  throw new ExportError(code, problems.map((problem) => problem.message).join('; '), {
    details: { path: problems[0]!.path, problems },
  });
}
