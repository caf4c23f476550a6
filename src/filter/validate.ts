/**
 * Structural validation of a filter AST on entry: every malformed node fails with
 * `ExportError('invalid_filter')` naming the path to the node (`filter.filters[2].values`).
 */
import { printValue } from '../errors.js';
import { filterError } from './error.js';
import { checkPattern } from './regex.js';

export { filterError };
import { FILTER_OP_TABLE, FILTER_OPS, FILTER_SHAPES, unhandledOp, type Filter, type FilterOp, type LeafFilter, type LeafShape, type Scalar } from './ast.js';

/** Deepest nesting a filter may have (root = depth 1). Deeper trees fail with `invalid_filter`. */
export const MAX_FILTER_DEPTH = 64;

/** Every AST operator name (see {@link FILTER_OP_TABLE}). */
export { FILTER_OPS };
/** An AST operator name (`'eq'`, `'in'`, `'and'`…). */
export type { FilterOp };

const OP_SET: ReadonlySet<string> = new Set(FILTER_OPS);

/** Keys each node kind may carry; anything else is a typo worth reporting (`caseSensitve`). */
const ALLOWED_KEYS = Object.fromEntries(
  FILTER_OPS.map((op) => [op, ['op', ...FILTER_SHAPES[FILTER_OP_TABLE[op].shape]]]),
) as Partial<Record<FilterOp, readonly string[]>> as Readonly<Record<FilterOp, readonly string[]>>;

const BIGINT_TEXT = /^-?\d+$/;


/** True for a value the AST accepts as a literal (see {@link Scalar}). */
export function isScalar(value: unknown): value is Scalar {
  return scalarProblem(value) === null;
}

function scalarProblem(value: unknown): string | null {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return null;
  if (typeof value === 'object' && !Array.isArray(value)) {
    const keys = Object.keys(value);
    if (keys.length === 1 && keys[0] === '$date') {
      return typeof (value as { $date: unknown }).$date === 'string' ? null : '$date must be an ISO date string';
    }
    if (keys.length === 1 && keys[0] === '$bigint') {
      const text = (value as { $bigint: unknown }).$bigint;
      return typeof text === 'string' && BIGINT_TEXT.test(text) ? null : '$bigint must be a decimal integer string';
    }
  }
  return `expected a string, number, boolean, null, {$date} or {$bigint}, got ${printValue(value)}`;
}

function checkScalar(value: unknown, path: string): void {
  const problem = scalarProblem(value);
  if (problem !== null) throw filterError(path, problem, { value: printValue(value) });
}

/**
 * Checks that `value` is a well-formed {@link Filter} and returns it (typed). Iterative, so a
 * hostile 100,000-deep tree fails cleanly instead of overflowing the stack.
 *
 * @param path name of the root in error messages (default `'filter'`).
 * @throws ExportError `invalid_filter` naming the path of the first bad node.
 */
export function validateFilter(value: unknown, path = 'filter'): Filter {
  const stack: Array<{ node: unknown; path: string; depth: number }> = [{ node: value, path, depth: 1 }];
  while (stack.length > 0) {
    const { node, path: at, depth } = stack.pop()!;
    if (depth > MAX_FILTER_DEPTH) {
      throw filterError(at, `nesting deeper than ${MAX_FILTER_DEPTH} levels`, { maxDepth: MAX_FILTER_DEPTH });
    }
    if (typeof node !== 'object' || node === null || Array.isArray(node)) {
      throw filterError(at, `expected a filter node object, got ${printValue(node)}`);
    }
    const record = node as Record<string, unknown>;
    const op = record['op'];
    if (typeof op !== 'string' || !OP_SET.has(op)) {
      throw filterError(`${at}.op`, `unknown operator ${printValue(op)} (expected one of ${FILTER_OPS.join(', ')})`);
    }
    const allowed = ALLOWED_KEYS[op as FilterOp];
    for (const key of Object.keys(record)) {
      if (!allowed.includes(key) && record[key] !== undefined) {
        throw filterError(`${at}.${key}`, `unexpected key "${key}" on a "${op}" node (allowed: ${allowed.join(', ')})`);
      }
    }
    const shape = FILTER_OP_TABLE[op as FilterOp].shape;
    if (shape === 'junction') {
      const filters = record['filters'];
      if (!Array.isArray(filters)) throw filterError(`${at}.filters`, `"${op}" needs an array of filters, got ${printValue(filters)}`);
      for (let i = filters.length - 1; i >= 0; i--) {
        stack.push({ node: filters[i], path: `${at}.filters[${i}]`, depth: depth + 1 });
      }
    } else if (shape === 'negation') {
      stack.push({ node: record['filter'], path: `${at}.filter`, depth: depth + 1 });
    } else {
      const field = record['field'];
      if (typeof field !== 'string' || field.length === 0) {
        throw filterError(`${at}.field`, `expected a column name, got ${printValue(field)}`);
      }
      checkLeaf(shape, op, record, at);
    }
  }
  return value as Filter;
}

function checkLeaf(shape: LeafShape, op: string, record: Record<string, unknown>, at: string): void {
  switch (shape) {
    case 'comparison':
      if (!('value' in record)) throw filterError(`${at}.value`, `"${op}" needs a value`);
      checkScalar(record['value'], `${at}.value`);
      return;
    case 'set': {
      const values = record['values'];
      if (!Array.isArray(values)) throw filterError(`${at}.values`, `"${op}" needs an array of values, got ${printValue(values)}`);
      values.forEach((item, i) => checkScalar(item, `${at}.values[${i}]`));
      return;
    }
    case 'range':
      if (!('low' in record)) throw filterError(`${at}.low`, `"${op}" needs a low bound`);
      if (!('high' in record)) throw filterError(`${at}.high`, `"${op}" needs a high bound`);
      checkScalar(record['low'], `${at}.low`);
      checkScalar(record['high'], `${at}.high`);
      return;
    case 'text': {
      if (typeof record['value'] !== 'string') {
        throw filterError(`${at}.value`, `"${op}" needs a string value, got ${printValue(record['value'])}`);
      }
      const cs = record['caseSensitive'];
      if (cs !== undefined && typeof cs !== 'boolean') throw filterError(`${at}.caseSensitive`, `expected a boolean, got ${printValue(cs)}`);
      return;
    }
    case 'regex': {
      const pattern = record['pattern'];
      const flags = record['flags'];
      if (typeof pattern !== 'string') throw filterError(`${at}.pattern`, `"${op}" needs a string pattern, got ${printValue(pattern)}`);
      if (flags !== undefined && typeof flags !== 'string') throw filterError(`${at}.flags`, `expected a string of RegExp flags, got ${printValue(flags)}`);
      checkPattern(pattern, flags, at);
      return;
    }
    case 'null':
      return;
    default:
      unhandledOp(shape);
  }
}

/** Every column name a filter reads, in first-seen order. */
export function filterFields(filter: Filter): string[] {
  const seen = new Set<string>();
  const stack: Filter[] = [filter];
  while (stack.length > 0) {
    const node = stack.pop()!;
    switch (node.op) {
      case 'and':
      case 'or':
        for (let i = node.filters.length - 1; i >= 0; i--) stack.push(node.filters[i]!);
        break;
      case 'not':
        stack.push(node.filter);
        break;
      default:
        seen.add((node satisfies LeafFilter).field);
    }
  }
  return [...seen];
}
