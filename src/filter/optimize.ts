/**
 * Filter optimizer: small rewrite rules, each exported and tested on its own, composed by
 * {@link optimizeFilter}. Constants are ASTs too: `{ op: 'and', filters: [] }` is TRUE (every row)
 * and `{ op: 'or', filters: [] }` is FALSE (no row).
 *
 * Why the rules are safe under SQL's three-valued logic: a filter keeps the rows where the root is
 * TRUE. Under AND/OR only (no NOT above a node), whether the root is TRUE depends only on which
 * rows make each child TRUE, so a child may be replaced by anything with the same TRUE set
 * (`x > 5 and x < 3` by FALSE, though on a null x it is unknown rather than false). Under an odd
 * number of NOTs the FALSE set is what counts instead. Rules track this polarity, and
 * {@link pushNotDown} first moves NOTs onto the leaves so most of the tree is positive.
 */
import { byShape, FILTER_OP_TABLE, type Filter, type LeafFilter, type LeafShape, type Scalar, type ShapeHandlers } from './ast.js';
import { filterFields, validateFilter } from './validate.js';

/** The constant TRUE (keeps every row, nulls included). */
export const TRUE_FILTER: Filter = Object.freeze({ op: 'and', filters: Object.freeze([]) as unknown as Filter[] }) as Filter;
/** The constant FALSE (keeps no row). */
export const FALSE_FILTER: Filter = Object.freeze({ op: 'or', filters: Object.freeze([]) as unknown as Filter[] }) as Filter;

/** True for the constant TRUE (`and` of nothing). */
export function isTrueFilter(filter: Filter): boolean {
  return filter.op === 'and' && filter.filters.length === 0;
}

/** True for the constant FALSE (`or` of nothing). */
export function isFalseFilter(filter: Filter): boolean {
  return filter.op === 'or' && filter.filters.length === 0;
}

function constant(value: boolean): Filter {
  return value ? { op: 'and', filters: [] } : { op: 'or', filters: [] };
}

/**
 * Moves NOT onto the leaves (De Morgan holds in three-valued logic): `not (a and b)` →
 * `not a or not b`, `not not a` → `a`, `not x > 5` → `x <= 5` (both unknown on null; NaN is
 * ordered, as in DuckDB), `not x in (…)` → `x not in (…)`, `not x between a and b` →
 * `x < a or x > b`, `not x is null` → `x is not null`. NOT stays only over text operators.
 */
export function pushNotDown(filter: Filter): Filter {
  return nnf(filter, false);
}

function nnf(filter: Filter, negate: boolean): Filter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { op: negate ? FILTER_OP_TABLE[filter.op].negation : filter.op, filters: filter.filters.map((child) => nnf(child, negate)) };
    case 'not':
      return nnf(filter.filter, !negate);
    default:
      return negate ? byShape(NEGATE_LEAF, filter) : filter;
  }
}

/** The NOT of a leaf without a NOT node where the table has a negation; else the NOT node. */
const NEGATE_LEAF: ShapeHandlers<LeafShape, Filter> = {
  comparison: (leaf) => ({ op: FILTER_OP_TABLE[leaf.op].negation, field: leaf.field, value: leaf.value }),
  set: (leaf) => ({ op: FILTER_OP_TABLE[leaf.op].negation, field: leaf.field, values: leaf.values }),
  range: (leaf) => ({ op: 'or', filters: [{ op: 'lt', field: leaf.field, value: leaf.low }, { op: 'gt', field: leaf.field, value: leaf.high }] }),
  // `not (x contains 'a')` has no simpler form.
  text: (leaf) => ({ op: 'not', filter: leaf }),
  regex: (leaf) => ({ op: 'not', filter: leaf }),
  null: (leaf) => ({ op: FILTER_OP_TABLE[leaf.op].negation, field: leaf.field }),
};

/** Flattens nested `and`/`or` of the same kind and unwraps one-child groups. */
export function flattenFilter(filter: Filter): Filter {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const filters: Filter[] = [];
      for (const child of filter.filters.map(flattenFilter)) {
        if (child.op === filter.op) filters.push(...child.filters);
        else filters.push(child);
      }
      return filters.length === 1 ? filters[0]! : { op: filter.op, filters };
    }
    case 'not': {
      const inner = flattenFilter(filter.filter);
      return inner.op === 'not' ? inner.filter : { op: 'not', filter: inner };
    }
    default:
      return filter satisfies LeafFilter;
  }
}

/** `x in (v)` → `x = v`, `x not in (v)` → `x != v` (same null semantics); duplicate list values dropped. */
export function inToEq(filter: Filter): Filter {
  switch (filter.op) {
    case 'and':
    case 'or':
      return { op: filter.op, filters: filter.filters.map(inToEq) };
    case 'not':
      return { op: 'not', filter: inToEq(filter.filter) };
    case 'in':
    case 'notIn': {
      const values = dedupe(filter.values);
      if (values.length === 1) return { op: filter.op === 'in' ? 'eq' : 'ne', field: filter.field, value: values[0]! };
      return values.length === filter.values.length ? filter : { op: filter.op, field: filter.field, values };
    }
    default:
      return filter satisfies LeafFilter;
  }
}

function scalarKey(value: Scalar): string {
  if (typeof value === 'number') return Number.isNaN(value) ? 'n:NaN' : `n:${value === 0 ? 0 : value}`;
  return JSON.stringify(value);
}

function dedupe(values: Scalar[]): Scalar[] {
  const seen = new Set<string>();
  return values.filter((value) => {
    const key = scalarKey(value);
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * What a leaf can ever be, whatever the column holds: a comparison with null is unknown for
 * every row; `in ()` is false for every row and `not in ()` true; a null in an `in` list means
 * the term is never false, in a `not in` list never true.
 */
function leafCan(filter: LeafFilter): { canBeTrue: boolean; canBeFalse: boolean } {
  return byShape(LEAF_CAN, filter);
}

const ANYTHING = { canBeTrue: true, canBeFalse: true };

const LEAF_CAN: ShapeHandlers<LeafShape, { canBeTrue: boolean; canBeFalse: boolean }> = {
  comparison: (leaf) => {
    const known = leaf.value !== null;
    return { canBeTrue: known, canBeFalse: known };
  },
  // A null bound makes its half unknown: never TRUE, and FALSE only through the known half.
  range: (leaf) => ({ canBeTrue: leaf.low !== null && leaf.high !== null, canBeFalse: leaf.low !== null || leaf.high !== null }),
  set: (leaf) => {
    const isIn = leaf.op === 'in';
    if (leaf.values.length === 0) return { canBeTrue: !isIn, canBeFalse: isIn };
    const hasNull = leaf.values.includes(null);
    const hasMember = leaf.values.some((value) => value !== null);
    return isIn ? { canBeTrue: hasMember, canBeFalse: !hasNull } : { canBeTrue: !hasNull, canBeFalse: hasMember };
  },
  text: () => ANYTHING,
  regex: () => ANYTHING,
  null: () => ANYTHING,
};

/**
 * Folds constants: `and` drops TRUE terms and becomes FALSE with a FALSE term; `or` mirrors it;
 * `not TRUE` is FALSE. A leaf that can never be TRUE becomes FALSE where only TRUE sets matter
 * (positive position), and one that can never be FALSE becomes TRUE under an odd number of NOTs.
 */
export function foldConstants(filter: Filter): Filter {
  return fold(filter, true);
}

function fold(filter: Filter, positive: boolean): Filter {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const absorbing = filter.op === 'and' ? isFalseFilter : isTrueFilter;
      const neutral = filter.op === 'and' ? isTrueFilter : isFalseFilter;
      const filters: Filter[] = [];
      for (const child of filter.filters) {
        const folded = fold(child, positive);
        if (absorbing(folded)) return constant(filter.op === 'or');
        if (!neutral(folded)) filters.push(folded);
      }
      return filters.length === 1 ? filters[0]! : { op: filter.op, filters };
    }
    case 'not': {
      const inner = fold(filter.filter, !positive);
      if (isTrueFilter(inner)) return constant(false);
      if (isFalseFilter(inner)) return constant(true);
      return { op: 'not', filter: inner };
    }
    default: {
      const can = leafCan(filter);
      if (filter.op === 'in' && filter.values.length === 0) return constant(false);
      if (filter.op === 'notIn' && filter.values.length === 0) return constant(true);
      if (positive && !can.canBeTrue) return constant(false);
      if (!positive && !can.canBeFalse) return constant(true);
      return filter;
    }
  }
}

// ----- range merging

type Numeric = number | bigint;

function numericValue(value: Scalar): Numeric | null {
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && value !== null && '$bigint' in value) return BigInt(value.$bigint);
  return null;
}

/** Total order of DuckDB doubles and exact integers: NaN above +Infinity, -0 = 0. */
export function compareNumeric(a: Numeric, b: Numeric): number {
  if (typeof a === 'number' && typeof b === 'number') {
    if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : -1;
    return a < b ? -1 : a > b ? 1 : 0;
  }
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'number') return -compareNumeric(b, a);
  // a: bigint, b: number
  const n = b as number;
  if (Number.isNaN(n) || n === Infinity) return -1;
  if (n === -Infinity) return 1;
  const floor = BigInt(Math.floor(n));
  if (a < floor) return -1;
  if (a > floor) return 1;
  return Number.isInteger(n) ? 0 : -1;
}

interface Bound {
  value: Numeric;
  scalar: Scalar;
  inclusive: boolean;
}

interface Interval {
  lo: Bound | null;
  hi: Bound | null;
}

function toInterval(filter: Filter): Interval | null {
  switch (filter.op) {
    case 'eq': case 'lt': case 'lte': case 'gt': case 'gte': {
      const value = numericValue(filter.value);
      if (value === null) return null;
      const bound = { value, scalar: filter.value, inclusive: filter.op === 'eq' || filter.op === 'lte' || filter.op === 'gte' };
      if (filter.op === 'eq') return { lo: bound, hi: bound };
      return filter.op === 'lt' || filter.op === 'lte' ? { lo: null, hi: bound } : { lo: bound, hi: null };
    }
    case 'between': {
      const low = numericValue(filter.low);
      const high = numericValue(filter.high);
      if (low === null || high === null) return null;
      return { lo: { value: low, scalar: filter.low, inclusive: true }, hi: { value: high, scalar: filter.high, inclusive: true } };
    }
    default:
      // Not a range (`ne`, sets, text): left out of merging, which only ever tightens ranges.
      return null;
  }
}

function tighterLow(a: Bound | null, b: Bound | null): Bound | null {
  if (a === null) return b;
  if (b === null) return a;
  const cmp = compareNumeric(a.value, b.value);
  if (cmp !== 0) return cmp > 0 ? a : b;
  return a.inclusive ? b : a;
}

function tighterHigh(a: Bound | null, b: Bound | null): Bound | null {
  if (a === null) return b;
  if (b === null) return a;
  const cmp = compareNumeric(a.value, b.value);
  if (cmp !== 0) return cmp < 0 ? a : b;
  return a.inclusive ? b : a;
}

function isEmpty(interval: Interval): boolean {
  const { lo, hi } = interval;
  if (lo === null || hi === null) return false;
  const cmp = compareNumeric(lo.value, hi.value);
  return cmp > 0 || (cmp === 0 && !(lo.inclusive && hi.inclusive));
}

function fromInterval(field: string, interval: Interval): Filter[] {
  const { lo, hi } = interval;
  if (lo !== null && hi !== null && lo.inclusive && hi.inclusive) {
    return compareNumeric(lo.value, hi.value) === 0
      ? [{ op: 'eq', field, value: lo.scalar }]
      : [{ op: 'between', field, low: lo.scalar, high: hi.scalar }];
  }
  const out: Filter[] = [];
  if (lo !== null) out.push({ op: lo.inclusive ? 'gte' : 'gt', field, value: lo.scalar });
  if (hi !== null) out.push({ op: hi.inclusive ? 'lte' : 'lt', field, value: hi.scalar });
  return out;
}

function inInterval(value: Numeric, interval: Interval): boolean {
  const { lo, hi } = interval;
  if (lo !== null) {
    const cmp = compareNumeric(value, lo.value);
    if (cmp < 0 || (cmp === 0 && !lo.inclusive)) return false;
  }
  if (hi !== null) {
    const cmp = compareNumeric(value, hi.value);
    if (cmp > 0 || (cmp === 0 && !hi.inclusive)) return false;
  }
  return true;
}

/**
 * Merges numeric range terms on one column inside an `and`: `x > 1 and x > 3` → `x > 3`,
 * `x >= 1 and x <= 5` → `x between 1 and 5`, `x in (1, 5, 9) and x > 4` → `x in (5, 9)`. An empty
 * range (`x > 5 and x < 3`) becomes FALSE in positive position; under a NOT it is left alone,
 * because there it is false on non-null rows but unknown on null ones.
 * Only number and `{$bigint}` literals are merged (text order depends on the column's type).
 */
export function mergeRanges(filter: Filter): Filter {
  return merge(filter, true);
}

function merge(filter: Filter, positive: boolean): Filter {
  switch (filter.op) {
    case 'or':
      return { op: 'or', filters: filter.filters.map((child) => merge(child, positive)) };
    case 'not':
      return { op: 'not', filter: merge(filter.filter, !positive) };
    case 'and':
      return mergeAnd(filter.filters.map((child) => merge(child, positive)), positive);
    default:
      return filter satisfies LeafFilter;
  }
}

function mergeAnd(children: Filter[], positive: boolean): Filter {
  const groups = new Map<string, { interval: Interval; members: Numeric[] | null; memberScalars: Scalar[] | null; count: number; first: number }>();
  const rest: Array<{ at: number; filter: Filter }> = [];
  children.forEach((child, at) => {
    const interval = toInterval(child);
    const isMembership = child.op === 'in' && child.values.length > 0 && child.values.every((v) => numericValue(v) !== null);
    if (interval === null && !isMembership) {
      rest.push({ at, filter: child });
      return;
    }
    const field = (child as { field: string }).field;
    const group = groups.get(field) ?? { interval: { lo: null, hi: null }, members: null, memberScalars: null, count: 0, first: at };
    group.count++;
    if (interval !== null) {
      group.interval = { lo: tighterLow(group.interval.lo, interval.lo), hi: tighterHigh(group.interval.hi, interval.hi) };
    } else if (child.op === 'in') {
      const values = child.values.map((v) => numericValue(v)!);
      if (group.members === null) {
        group.members = values;
        group.memberScalars = child.values;
      } else {
        const keep = group.members.map((m) => values.some((v) => compareNumeric(m, v) === 0));
        group.memberScalars = group.memberScalars!.filter((_, i) => keep[i]);
        group.members = group.members.filter((_, i) => keep[i]);
      }
    }
    groups.set(field, group);
  });
  const out: Array<{ at: number; filter: Filter }> = [...rest];
  for (const [field, group] of groups) {
    const originals = children.filter((child) => (child as { field?: string }).field === field && (toInterval(child) !== null || child.op === 'in') && rest.every((r) => r.filter !== child));
    if (group.count === 1) {
      out.push({ at: group.first, filter: originals[0]! });
      continue;
    }
    let merged: Filter[];
    if (group.members !== null) {
      const scalars = group.memberScalars!.filter((_, i) => inInterval(group.members![i]!, group.interval));
      merged = scalars.length === 0 ? [] : scalars.length === 1 ? [{ op: 'eq', field, value: scalars[0]! }] : [{ op: 'in', field, values: scalars }];
    } else {
      merged = isEmpty(group.interval) ? [] : fromInterval(field, group.interval);
    }
    if (merged.length === 0) {
      if (positive) return constant(false);
      for (const original of originals) out.push({ at: group.first, filter: original });
      continue;
    }
    for (const term of merged) out.push({ at: group.first, filter: term });
  }
  out.sort((a, b) => a.at - b.at);
  const filters = out.map((entry) => entry.filter);
  return filters.length === 1 ? filters[0]! : { op: 'and', filters };
}

// ----- cost ordering

/**
 * A rough per-row cost of a term: null checks 1, numeric/boolean comparisons 2, text equality
 * and `in` 3, substring tests 5 (7 case-insensitive), regular expressions 10; groups add up.
 */
export function filterCost(filter: Filter): number {
  switch (filter.op) {
    case 'and':
    case 'or':
      return filter.filters.reduce((sum, child) => sum + filterCost(child), 0);
    case 'not':
      return filterCost(filter.filter);
    default: {
      const spec = FILTER_OP_TABLE[filter.op];
      return byShape(HANDLES_TEXT, filter) ? spec.textCost : spec.cost;
    }
  }
}

/** Whether a term costs its `textCost` (see {@link FILTER_OP_TABLE}). */
const HANDLES_TEXT: ShapeHandlers<LeafShape, boolean> = {
  comparison: (leaf) => typeof leaf.value === 'string',
  set: (leaf) => leaf.values.some((value) => typeof value === 'string'),
  range: (leaf) => typeof leaf.low === 'string',
  text: (leaf) => leaf.caseSensitive === false,
  regex: () => false,
  null: () => false,
};

/** Orders the terms of every `and`/`or` by {@link filterCost}, cheapest first (stable; AND/OR are commutative in SQL). */
export function orderByCost(filter: Filter): Filter {
  switch (filter.op) {
    case 'and':
    case 'or': {
      const scored = filter.filters.map((child, i) => ({ child: orderByCost(child), cost: filterCost(child), i }));
      scored.sort((a, b) => a.cost - b.cost || a.i - b.i);
      return { op: filter.op, filters: scored.map((entry) => entry.child) };
    }
    case 'not':
      return { op: 'not', filter: orderByCost(filter.filter) };
    default:
      return filter satisfies LeafFilter;
  }
}

/**
 * All rules in order: push NOT down, flatten, `in` of one value → `=`, fold constants, merge
 * ranges, flatten and fold again, order by cost. The result keeps exactly the same rows.
 */
export function optimizeFilter(filter: Filter): Filter {
  validateFilter(filter);
  let tree = flattenFilter(pushNotDown(filter));
  tree = foldConstants(inToEq(tree));
  tree = foldConstants(flattenFilter(mergeRanges(tree)));
  return orderByCost(flattenFilter(tree));
}

/** What the engine needs before reading a source. */
export interface FilterPlan {
  /** The optimized filter, for {@link compileFilter}. */
  filter: Filter;
  /** No row can pass: the source need not be read at all. */
  never: boolean;
  /** Every row passes: skip filtering. */
  always: boolean;
  /** Columns the optimized filter reads (build only these plus the output columns). */
  fields: string[];
}

/**
 * Optimizes a filter and says whether it can pass any row at all, for the engine to call before
 * reading the source. Columns in terms the optimizer removed are not checked against the schema.
 *
 * @example planFilter(parseFilter('x > 5 and x < 3')).never // true
 */
export function planFilter(filter: Filter): FilterPlan {
  const optimized = optimizeFilter(filter);
  return { filter: optimized, never: isFalseFilter(optimized), always: isTrueFilter(optimized), fields: filterFields(optimized) };
}

