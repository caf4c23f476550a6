/**
 * Filter builders: `new FilterBuilder().addFilter('amount', '>', 100)` and the fluent
 * `where('amount', '>', 100).and(where('a', '=', 1).or(where('b', '=', 2))).not()`.
 * Both are the same class, so either is accepted wherever a filter is.
 */
import { ExportError, printValue } from '../errors.js';
import { unhandledOp, type Filter, type LeafOp, type Scalar } from './ast.js';
import { validateFilter } from './validate.js';

/** Operators `addFilter` and `where` accept: symbols, words and the AST op names. */
export const FILTER_OPERATORS = [
  '=', '==', '!=', '<>', '<', '<=', '>', '>=', 'in', 'not in', 'between', 'contains', 'startsWith', 'endsWith',
  'matches', 'isNull', 'isNotNull', 'eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'notIn',
] as const;

/** An operator for {@link FilterBuilder.addFilter} and {@link where}. */
export type FilterOperator = (typeof FILTER_OPERATORS)[number];

/** A literal the builders accept: a {@link Scalar}, or a `Date` / `bigint` (converted to `{$date}` / `{$bigint}`). */
export type BuilderValue = Scalar | Date | bigint;

/**
 * Per-term options: `caseSensitive` (default `true`) for text operators, `flags` for `matches` with a string pattern.
 *
 * @inline
 */
export interface FilterTermOptions {
  /** Compare lower-cased text (`contains`, `startsWith`, `endsWith`). Default `true`. */
  caseSensitive?: boolean;
  /** RegExp flags for `matches` with a string pattern. Default none. */
  flags?: string;
}

/**
 * Anything with a `build()` that returns a filter AST (a {@link FilterBuilder}).
 *
 * @inline
 */
export interface BuildsFilter {
  /** The filter as a plain AST. */
  build(): Filter;
}

/** A filter given as an AST or a builder. */
export type FilterLike = Filter | BuildsFilter;

/** Each operator's AST name; every leaf operator is also accepted under its own name. */
const OP_ALIASES: Readonly<Record<FilterOperator, LeafOp> & { [O in LeafOp]: O }> = {
  '=': 'eq', '==': 'eq', eq: 'eq',
  '!=': 'ne', '<>': 'ne', ne: 'ne',
  '<': 'lt', lt: 'lt', '<=': 'lte', lte: 'lte', '>': 'gt', gt: 'gt', '>=': 'gte', gte: 'gte',
  in: 'in', 'not in': 'notIn', notIn: 'notIn', between: 'between',
  contains: 'contains', startsWith: 'startsWith', endsWith: 'endsWith', matches: 'matches',
  isNull: 'isNull', isNotNull: 'isNotNull',
};

function builderError(message: string, value?: unknown): ExportError {
  return new ExportError('invalid_filter', `invalid filter: ${message}`, value === undefined ? {} : { details: { value: printValue(value) } });
}

/** Converts a builder literal to an AST scalar (`Date` → `{$date}`, `bigint` → `{$bigint}`). */
export function toScalar(value: unknown, what: string): Scalar {
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw builderError(`${what} is an invalid Date`);
    return { $date: value.toISOString() };
  }
  if (typeof value === 'bigint') return { $bigint: value.toString() };
  if (value === undefined) throw builderError(`${what} is missing`);
  return value as Scalar; // checked by validateFilter in build()
}

/** Builds one AST leaf from `(field, operator, value)`. */
export function makeTerm(field: string, operator: FilterOperator, value?: unknown, options: FilterTermOptions = {}): Filter {
  if (typeof field !== 'string' || field.length === 0) throw builderError(`expected a column name, got ${printValue(field)}`, field);
  const op = OP_ALIASES[operator];
  if (op === undefined) {
    throw builderError(`unknown operator ${printValue(operator)} for "${field}" (expected one of ${FILTER_OPERATORS.join(', ')})`, operator);
  }
  const what = `the value of "${field} ${operator}"`;
  switch (op) {
    case 'eq': case 'ne': case 'lt': case 'lte': case 'gt': case 'gte':
      return { op, field, value: toScalar(value, what) };
    case 'in': case 'notIn':
      if (!Array.isArray(value)) throw builderError(`${what} must be an array`, value);
      return { op, field, values: value.map((item, i) => toScalar(item, `${what}[${i}]`)) };
    case 'between':
      if (!Array.isArray(value) || value.length !== 2) throw builderError(`${what} must be [low, high]`, value);
      return { op, field, low: toScalar(value[0], `${what} low`), high: toScalar(value[1], `${what} high`) };
    case 'contains': case 'startsWith': case 'endsWith': {
      if (typeof value !== 'string') throw builderError(`${what} must be a string`, value);
      const term: Filter = { op, field, value };
      if (options.caseSensitive !== undefined) term.caseSensitive = options.caseSensitive;
      return term;
    }
    case 'matches': {
      if (value instanceof RegExp) {
        const term: Filter = { op, field, pattern: value.source };
        if (value.flags) term.flags = value.flags;
        return term;
      }
      if (typeof value !== 'string') throw builderError(`${what} must be a RegExp or a string pattern`, value);
      const term: Filter = { op, field, pattern: value };
      if (options.flags) term.flags = options.flags;
      return term;
    }
    case 'isNull': case 'isNotNull':
      return { op, field };
    default:
      return unhandledOp(op);
  }
}

/** Turns an AST or a builder into an AST (not validated). */
export function toFilter(input: FilterLike): Filter {
  if (typeof (input as BuildsFilter).build === 'function') return (input as BuildsFilter).build();
  return input as Filter;
}

/**
 * Builds a filter AST. `addFilter` adds a term (terms are ANDed) and returns this builder;
 * `and`, `or` and `not` return a new builder and leave this one as it was.
 *
 * @example new FilterBuilder().addFilter('amount', '>', 100).addFilter('status', 'in', ['paid', 'sent']).build()
 * @example where('amount', '>', 100).and(where('region', '=', 'eu').or(where('vip', '=', true))).not()
 */
export class FilterBuilder implements BuildsFilter {
  readonly #terms: Filter[];

  constructor(terms: readonly FilterLike[] = []) {
    this.#terms = terms.map(toFilter);
  }

  /** Adds `field operator value` (ANDed with the other terms). `between` takes `[low, high]`; `isNull`/`isNotNull` no value. */
  addFilter(field: string, operator: FilterOperator, value?: unknown, options?: FilterTermOptions): this {
    this.#terms.push(makeTerm(field, operator, value, options));
    return this;
  }

  /** Adds an AST or another builder (ANDed). Returns this builder. */
  add(filter: FilterLike): this {
    this.#terms.push(toFilter(filter));
    return this;
  }

  /** A new builder: this filter AND every one of `others`. */
  and(...others: FilterLike[]): FilterBuilder {
    return new FilterBuilder([this.build(), ...others.map(toFilter)]);
  }

  /** A new builder: this filter OR any of `others`. */
  or(...others: FilterLike[]): FilterBuilder {
    return new FilterBuilder([{ op: 'or', filters: [this.build(), ...others.map(toFilter)] }]);
  }

  /** A new builder: NOT this filter (SQL semantics: not of unknown stays unknown). */
  not(): FilterBuilder {
    return new FilterBuilder([{ op: 'not', filter: this.build() }]);
  }

  /** The AST, validated: one term as is, several as `and`, none as `{ op: 'and', filters: [] }` (keeps every row). */
  build(): Filter {
    const filter: Filter = this.#terms.length === 1 ? structuredClone(this.#terms[0]!) : { op: 'and', filters: structuredClone(this.#terms) };
    return validateFilter(filter);
  }

  /** The AST, so `JSON.stringify(builder)` gives the filter. */
  toJSON(): Filter {
    return this.build();
  }
}

/**
 * Starts a fluent filter: `where('amount', '>', 100)`; also `where(filterOrBuilder)`.
 *
 * @example where('name', 'contains', 'lor', { caseSensitive: false }).or(where('score', 'isNull'))
 */
export function where(field: string, operator: FilterOperator, value?: unknown, options?: FilterTermOptions): FilterBuilder;
/** Starts a fluent filter from an existing filter AST or builder. */
export function where(filter: FilterLike): FilterBuilder;
export function where(fieldOrFilter: string | FilterLike, operator?: FilterOperator, value?: unknown, options?: FilterTermOptions): FilterBuilder {
  if (typeof fieldOrFilter !== 'string') return new FilterBuilder([fieldOrFilter]);
  if (operator === undefined) throw builderError(`where("${fieldOrFilter}") needs an operator`);
  return new FilterBuilder().addFilter(fieldOrFilter, operator, value, options);
}
