/**
 * Everything `exportData` checks and derives on the page before the save dialog opens: the source's
 * kind, every option (the filter's syntax and the columns it and `columns` name, against the rows
 * or Arrow schema the page holds), the file name, its type, and where the bytes go.
 *
 * A chunk of its own, loaded with the first export (and fetched ahead by `exportData`'s module),
 * so an app's start-up code holds only the job shell: the rules, the format registry and the
 * filter parser would more than double it.
 */
import { fileDescription, fileExtension, fileMimeType, resolveFileName } from './file-name.js';
import { normalizeFilter } from './filter/normalize.js';
import { filterFields } from './filter/validate.js';
import { formatSpec } from './formats/registry.js';
import { collectProblems, DEFAULT_CHUNK_SIZE, type FilterChecks } from './options/rules.js';
import { resolveTarget, type TargetPlan } from './sinks/resolve-target.js';
import { classifySource, visibleColumns } from './sources/classify.js';
import type { ExportFormat, ExportOptions, ExportSource } from './types.js';

/** The filter rules the page runs: syntax, structure and the columns named (types are checked in the worker, which has the evaluator). */
const PAGE_FILTER_CHECKS: FilterChecks = {
  normalize: (input) => normalizeFilter(input as ExportOptions['filter']),
  fields: filterFields,
};

/** A checked request: what the save dialog is asked for and where the bytes go. */
export interface PreparedRequest {
  fileName: string;
  mimeType: string;
  /** Extension without the dot, e.g. `csv.gz`. */
  extension: string;
  /** For the save dialog's type list, e.g. `CSV file (gzip)`. */
  description: string;
  plan: TargetPlan;
}

/** Checks `source` and `options` as every entry point does; throws one ExportError listing every problem. */
export function prepareRequest(source: ExportSource, options: ExportOptions): PreparedRequest {
  const kind = classifySource(source);
  const chunkSize = typeof options === 'object' && options !== null && typeof options.chunkSize === 'number' ? options.chunkSize : DEFAULT_CHUNK_SIZE;
  const seen = visibleColumns(source, kind, chunkSize);
  collectProblems(options, { entry: 'export', known: seen?.names, exact: seen?.exact ?? true, filters: PAGE_FILTER_CHECKS }).throwIfAny();
  return {
    fileName: resolveFileName(options),
    mimeType: fileMimeType(options),
    extension: fileExtension(options),
    description: fileDescription(options),
    plan: resolveTarget(options.target),
  };
}

/** Throws `unsupported_format` for a name that is no format (for `preload`). */
export function checkFormats(formats: readonly unknown[]): ExportFormat[] {
  return formats.map((name) => formatSpec(name).name as ExportFormat);
}
