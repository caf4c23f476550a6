/**
 * Prints a filter AST in the text syntax of `parseFilter`, so that
 * `parseFilter(formatFilter(ast))` gives `ast` back (for `and`/`or` nodes with 0 or ≥ 2 children;
 * a one-child `and`/`or` prints as its child, and `caseSensitive: true` / empty `flags` as the default).
 */
import { byShape, FILTER_OP_TABLE, type Filter, type LeafShape, type Scalar, type ShapeHandlers } from './ast.js';
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
      const text = filter.filters.map((child) => formatNode(child, true)).join(` ${FILTER_OP_TABLE[filter.op].text} `);
      return nested ? `(${text})` : text;
    }
    case 'not':
      return `${FILTER_OP_TABLE.not.text} ${formatNode(filter.filter, true)}`;
    default:
      return byShape(FORMAT_LEAF, filter);
  }
}

/** Each leaf as `column operator operands`, the operator written as the table's text form. */
const FORMAT_LEAF: ShapeHandlers<LeafShape, string> = {
  comparison: (leaf) => `${formatField(leaf.field)} ${FILTER_OP_TABLE[leaf.op].text} ${formatScalar(leaf.value)}`,
  set: (leaf) => `${formatField(leaf.field)} ${FILTER_OP_TABLE[leaf.op].text} (${leaf.values.map(formatScalar).join(', ')})`,
  range: (leaf) => `${formatField(leaf.field)} ${FILTER_OP_TABLE[leaf.op].text} ${formatScalar(leaf.low)} ${FILTER_OP_TABLE.and.text} ${formatScalar(leaf.high)}`,
  // `icontains`, `istartswith`, `iendswith`: the parser reads a leading "i" as case-insensitive.
  text: (leaf) => `${formatField(leaf.field)} ${leaf.caseSensitive === false ? 'i' : ''}${FILTER_OP_TABLE[leaf.op].text} ${formatString(leaf.value)}`,
  regex: (leaf) => `${formatField(leaf.field)} ${FILTER_OP_TABLE[leaf.op].text} ${formatString(`/${leaf.pattern}/${leaf.flags ?? ''}`)}`,
  null: (leaf) => `${formatField(leaf.field)} ${FILTER_OP_TABLE[leaf.op].text}`,
};

/**
 * Prints a filter in the text syntax (`amount > 100 and (a = 1 or b is null)`).
 *
 * @example formatFilter({ op: 'gt', field: 'amount', value: 100 }) // "amount > 100"
 */
export function formatFilter(filter: Filter): string {
  validateFilter(filter);
  return formatNode(filter, false);
}

