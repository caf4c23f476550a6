/**
 * Prints a filter AST in the text syntax of `parseFilter`, so that
 * `parseFilter(formatFilter(ast))` gives `ast` back (for `and`/`or` nodes with 0 or ≥ 2 children;
 * a one-child `and`/`or` prints as its child, and `caseSensitive: true` / empty `flags` as the default).
 */
import type { Filter, Scalar } from './ast.js';
import { FILTER_KEYWORDS } from './parse.js';
import { validateFilter } from './validate.js';

// Bare only for plain ASCII names; anything else is quoted, which always reads back the same.
const PLAIN_IDENT = /^[A-Za-z_][A-Za-z0-9_.$]*$/;

/** A column name as the parser reads it: bare when possible, else double-quoted. */
export function formatField(field: string): string {
  if (PLAIN_IDENT.test(field) && !FILTER_KEYWORDS.has(field.toLowerCase())) return field;
  return `"${field.replaceAll('"', '""')}"`;
}

/** A single-quoted string literal. */
export function formatString(value: string): string {
  return `'${value.replaceAll("'", "''")}'`;
}

/** A literal in the text syntax. */
export function formatScalar(value: Scalar): string {
  if (value === null) return 'null';
  if (typeof value === 'string') return formatString(value);
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'nan';
    if (value === Infinity) return 'inf';
    if (value === -Infinity) return '-inf';
    if (Object.is(value, -0)) return '-0';
    // Whole numbers past 2^53 would read back as exact 64-bit integers: print them with an exponent.
    if (Number.isInteger(value) && !Number.isSafeInteger(value)) return value.toExponential();
    return String(value);
  }
  if ('$date' in value) return `timestamp ${formatString(value.$date)}`;
  return `${value.$bigint}n`;
}


function formatNode(filter: Filter, nested: boolean): string {
  switch (filter.op) {
    case 'and':
    case 'or': {
      if (filter.filters.length === 0) return filter.op === 'and' ? 'true' : 'false';
      if (filter.filters.length === 1) return formatNode(filter.filters[0]!, nested);
      const text = filter.filters.map((child) => formatNode(child, true)).join(` ${filter.op} `);
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `not ${formatNode(filter.filter, true)}`;
    case 'eq': return `${formatField(filter.field)} = ${formatScalar(filter.value)}`;
    case 'ne': return `${formatField(filter.field)} != ${formatScalar(filter.value)}`;
    case 'lt': return `${formatField(filter.field)} < ${formatScalar(filter.value)}`;
    case 'lte': return `${formatField(filter.field)} <= ${formatScalar(filter.value)}`;
    case 'gt': return `${formatField(filter.field)} > ${formatScalar(filter.value)}`;
    case 'gte': return `${formatField(filter.field)} >= ${formatScalar(filter.value)}`;
    case 'in':
    case 'notIn':
      return `${formatField(filter.field)} ${filter.op === 'in' ? 'in' : 'not in'} (${filter.values.map(formatScalar).join(', ')})`;
    case 'between':
      return `${formatField(filter.field)} between ${formatScalar(filter.low)} and ${formatScalar(filter.high)}`;
    case 'contains':
    case 'startsWith':
    case 'endsWith': {
      const word = filter.op === 'contains' ? 'contains' : filter.op === 'startsWith' ? 'startswith' : 'endswith';
      return `${formatField(filter.field)} ${filter.caseSensitive === false ? 'i' : ''}${word} ${formatString(filter.value)}`;
    }
    case 'matches':
      return `${formatField(filter.field)} matches ${formatString(`/${filter.pattern}/${filter.flags ?? ''}`)}`;
    case 'isNull': return `${formatField(filter.field)} is null`;
    case 'isNotNull': return `${formatField(filter.field)} is not null`;
  }
}

/**
 * Prints a filter in the text syntax (`amount > 100 and (a = 1 or b is null)`).
 *
 * @example formatFilter({ op: 'gt', field: 'amount', value: 100 }) // "amount > 100"
 */
export function formatFilter(filter: Filter): string {
  validateFilter(filter);
  return formatNode(filter, false);
}

