/**
 * Request validation: every problem at once, each with its option path, before any work starts.
 *
 * `validateExport` is the one list of rules (validate-options.ts, plus the filter checks here);
 * `checkStreamOptions` (called by `exportStream` before it reads anything) turns that list into one
 * thrown {@link ExportError}.
 */
import type { Filter } from './filter/ast.js';
import { compileFilter } from './filter/evaluate.js';
import { normalizeFilter } from './filter/normalize.js';
import { filterFields } from './filter/validate.js';
import type { ExportOptions, StreamOptions } from './types.js';
import { collectProblems, throwProblems, type FilterChecks, type KnownColumns, type ValidationProblem } from './validate-options.js';

export * from './validate-options.js';

const FILTER_CHECKS: FilterChecks = {
  normalize: (input) => normalizeFilter(input as StreamOptions['filter']),
  fields: (filter: Filter) => filterFields(filter),
};

/**
 * Every problem with an export request (empty when it is fine): formats, targets, file names, the
 * CSV dialect, codecs, limits, options that do not apply to the format, the filter's structure,
 * and — when `schema` is given — that `columns` and the filter name columns the source has (with
 * the filter's literals type-checked against an Arrow schema).
 *
 * @param schema the source's columns when known: an Arrow `Schema` or a list of names. Default: not known.
 * @example
 * const problems = validateExport({ format: 'csv', fileName: 'CON.csv', csv: { delimiter: ';;' } });
 * // [{ code: 'invalid_options', path: 'fileName', … }, { code: 'invalid_options', path: 'csv.delimiter', … }]
 */
export function validateExport(options: ExportOptions | StreamOptions, schema?: KnownColumns): ValidationProblem[] {
  return collectProblems(options, schema, { ...FILTER_CHECKS, compile: compileFilter }).list;
}

/** Every problem with the stream options (empty when they are fine): {@link validateExport} without a known schema. */
export function streamOptionProblems(options: StreamOptions): ValidationProblem[] {
  return validateExport(options);
}

/**
 * Throws one {@link ExportError} carrying every problem in `details.problems`, or returns when the
 * options are fine. The code is the problems' common code (`unsupported_format`, `invalid_filter`,
 * `unknown_column`) when they all share one, else `invalid_options`. A lone problem raised by the
 * filter or schema checks is rethrown as that error, with its own details.
 */
export function checkStreamOptions(options: StreamOptions, schema?: KnownColumns): void {
  throwProblems(collectProblems(options, schema, FILTER_CHECKS));
}
