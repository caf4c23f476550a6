/**
 * The engine's entry point for the `filter` option: whatever form the user gave, one validated AST.
 */
import { ExportError, printValue } from '../errors.js';
import type { Filter } from './ast.js';
import type { BuildsFilter } from './builder.js';
import { parseFilter } from './parse.js';
import { validateFilter } from './validate.js';

/** Every form the `filter` option accepts: an AST, a builder (`FilterBuilder`, `where(…)`), filter text, or an array of those (ANDed). */
export type FilterInput = Filter | BuildsFilter | string | ReadonlyArray<Filter | BuildsFilter | string>;

function one(input: unknown, path: string): Filter {
  if (typeof input === 'string') {
    try {
      return parseFilter(input);
    } catch (error) {
      if (error instanceof ExportError && path !== 'filter') {
        throw new ExportError(error.code, error.message.replace('invalid filter text:', `invalid filter text at ${path}:`), { cause: error.cause, details: { ...error.details, path } });
      }
      throw error;
    }
  }
  if (typeof input === 'object' && input !== null && typeof (input as BuildsFilter).build === 'function') {
    return validateFilter((input as BuildsFilter).build(), path);
  }
  if (typeof input === 'object' && input !== null && !Array.isArray(input)) return validateFilter(input, path);
  throw new ExportError('invalid_filter', `invalid filter at ${path}: expected a filter object, a FilterBuilder or filter text, got ${printValue(input)}`, {
    details: { path, value: printValue(input) },
  });
}

/**
 * Turns the `filter` option into one validated AST: text is parsed, builders are built, arrays
 * are ANDed. `undefined`, `null` and an empty array give `null` (no filter).
 *
 * @example normalizeFilter(['amount > 100', where('region', '=', 'eu')])
 * @throws ExportError `invalid_filter` naming the path of the bad part (`filter[1].filters[0].value`).
 */
export function normalizeFilter(input: FilterInput | null | undefined): Filter | null {
  if (input === undefined || input === null) return null;
  if (Array.isArray(input)) {
    const filters = (input as ReadonlyArray<unknown>).map((item, i) => one(item, `filter[${i}]`));
    if (filters.length === 0) return null;
    return filters.length === 1 ? filters[0]! : { op: 'and', filters };
  }
  return one(input, 'filter');
}
