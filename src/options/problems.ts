/**
 * The vocabulary of option checking: a problem (code, option path, message), a collector that
 * gathers every problem of a request at once, and the small predicates the rules share.
 *
 * Page-safe: no Apache Arrow, no encoders, no filter code. `exportData` runs the rules on the
 * main thread before it opens the save dialog.
 */
import { ExportError, isExportError } from '../errors.js';

/** The error codes a validation problem can carry. */
export type ValidationProblemCode = 'invalid_options' | 'unsupported_format' | 'unknown_column' | 'invalid_filter';

const PROBLEM_CODES: readonly ValidationProblemCode[] = ['invalid_options', 'unsupported_format', 'unknown_column', 'invalid_filter'];

/** One thing wrong with a request. */
export interface ValidationProblem {
  /** The code the thrown `ExportError` would carry (`invalid_options`, `unsupported_format`, `unknown_column`, `invalid_filter`). */
  code: ValidationProblemCode;
  /** Option path, e.g. `csv.delimiter`, `columns[2]` or `filter.filters[0].field`; `''` for the options object itself. */
  path: string;
  /** A sentence naming the option and the bad value, with a did-you-mean where one is close. */
  message: string;
}

/** Records one problem: how format specs report theirs. */
export type AddProblem = (path: string, message: string, code?: ValidationProblemCode) => void;

/** Collects problems; `fromError` keeps a thrown error so a lone problem can be rethrown as it was. */
export class Problems {
  readonly list: ValidationProblem[] = [];
  readonly errors = new Map<ValidationProblem, ExportError>();

  /** Records a problem. Bound, so it can be handed around as an {@link AddProblem}. */
  readonly add: AddProblem = (path, message, code = 'invalid_options') => {
    this.list.push({ code, path, message });
  };

  /** Records a thrown error as a problem (ExportErrors keep their code and path). */
  fromError(error: unknown, fallbackPath: string, fallbackCode: ValidationProblemCode): void {
    if (isExportError(error)) {
      const code = PROBLEM_CODES.find((c) => c === error.code) ?? fallbackCode;
      const path = typeof error.details.path === 'string' ? error.details.path : fallbackPath;
      const problem: ValidationProblem = { code, path, message: error.message };
      this.list.push(problem);
      if (error instanceof ExportError) this.errors.set(problem, error);
      return;
    }
    this.add(fallbackPath, `${fallbackPath}: ${error instanceof Error ? error.message : String(error)}`, fallbackCode);
  }

  /**
   * Throws one {@link ExportError} carrying every problem in `details.problems`, or returns when
   * there are none. The code is the problems' common code when they all share one, else
   * `invalid_options`. A lone problem raised as an error (a filter's) is rethrown with its details.
   */
  throwIfAny(): void {
    const problems = this.list;
    if (problems.length === 0) return;
    const first = problems[0]!;
    const original = problems.length === 1 ? this.errors.get(first) : undefined;
    if (original !== undefined) {
      throw new ExportError(original.code, original.message, { cause: original.cause, details: { ...original.details, path: first.path, problems } });
    }
    const code = problems.every((problem) => problem.code === first.code) ? first.code : 'invalid_options';
    throw new ExportError(code, problems.map((problem) => problem.message).join('; '), { details: { path: first.path, problems } });
  }
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An integer from `min` to `max`, inclusive. */
export function isIntegerIn(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

/**
 * Reports every key of `value` that is not in `allowed`, with a did-you-mean when one is close.
 * `prefix` is the object's path (`''` for the options themselves, `'csv'`, `'limits'`).
 */
export function checkKnownKeys(add: AddProblem, prefix: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (allowed.includes(key)) continue;
    const path = prefix === '' ? key : `${prefix}.${key}`;
    const owner = prefix === '' ? 'the options have' : `${prefix} has`;
    add(path, `${owner} no option "${key}"${didYouMean(key, allowed)} (known: ${allowed.join(', ')})`);
  }
}

/** ` (did you mean "amount"?)` when one name is close: the same ignoring case, or at most two edits away; else `''`. */
export function didYouMean(name: string, names: readonly string[]): string {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    if (candidate.toLowerCase() === lower) return ` (did you mean "${candidate}"?)`;
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  if (a.length > 64 || b.length > 64) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
}
