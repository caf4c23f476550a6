/**
 * Request validation: every problem at once, each with its option path, before any work starts.
 *
 * The rules are those of options/rules.ts, run the same way by every entry point; this module adds
 * the filter checks (the parser and the type checker), which the page loads only on demand.
 */
import type { Filter } from './filter/ast.js';
import { compileFilter } from './filter/evaluate.js';
import { normalizeFilter } from './filter/normalize.js';
import { filterFields } from './filter/validate.js';
import { checkFilter, collectProblems, type FilterChecks, type KnownColumns } from './options/rules.js';
import { Problems, type ValidationProblem } from './options/problems.js';
import type { ExportOptions, StreamOptions } from './types.js';

export type { KnownColumns } from './options/rules.js';
export type { ValidationProblem, ValidationProblemCode } from './options/problems.js';

/** The filter rules with the type checker (needs the evaluator: worker and Node). */
export const FILTER_CHECKS: FilterChecks = {
  normalize: (input) => normalizeFilter(input as StreamOptions['filter']),
  fields: (filter: Filter) => filterFields(filter),
  compile: compileFilter,
};

/**
 * Every problem with an export request (empty when it is fine): unknown options (with a
 * did-you-mean), formats, targets, file names, the CSV dialect, codecs, limits, options that do not
 * apply to the format, the filter's syntax and structure, and — when `schema` is given — that
 * `columns`, `schema` and the filter name columns the source has (with the filter's literals
 * type-checked against an Arrow schema).
 *
 * @param schema the source's columns when known: an Arrow `Schema` or a list of names. Default: not known.
 * @example
 * const problems = validateExport({ format: 'csv', fileName: 'CON.csv', csv: { delimiter: ';;' } });
 * // [{ code: 'invalid_options', path: 'fileName', … }, { code: 'invalid_options', path: 'csv.delimiter', … }]
 */
export function validateExport(options: ExportOptions | StreamOptions, schema?: KnownColumns): ValidationProblem[] {
  return collectProblems(options, { entry: 'export', known: schema, filters: FILTER_CHECKS }).list;
}

/**
 * Throws one ExportError carrying every problem in `details.problems`, or returns when the
 * options of `exportStream` are fine.
 */
export function checkStreamOptions(options: StreamOptions, schema?: KnownColumns): void {
  collectProblems(options, { entry: 'stream', known: schema, filters: FILTER_CHECKS }).throwIfAny();
}

/**
 * Every problem with a filter (empty when it is fine), as {@link validateExport} reports them:
 * text syntax, AST structure, and — when `schema` is given — the columns it names and, against an
 * Arrow `Schema`, whether its literals fit the columns' types.
 *
 * @example validateFilter('amount >> 5') // [{ code: 'invalid_filter', path: 'filter', message: 'filter: … ' }]
 */
export function validateFilter(filter: StreamOptions['filter'], schema?: KnownColumns): ValidationProblem[] {
  const problems = new Problems();
  const names = schema === undefined ? undefined : Array.isArray(schema) ? schema.map(String) : (schema as { fields: Array<{ name: string }> }).fields.map((field) => field.name);
  checkFilter(problems, filter, schema, names, FILTER_CHECKS);
  return problems.list;
}
