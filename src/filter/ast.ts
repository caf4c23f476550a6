/**
 * The filter AST: plain JSON, so a filter crosses the worker boundary as is.
 * Null semantics are SQL's (see README): a comparison with null is unknown, and unknown rows are dropped.
 *
 * Every operator is one row of {@link FILTER_OP_TABLE}; the {@link Filter} type, the validator's
 * allowed keys, the optimizer's negations and costs, and the printed text all come from it. The
 * modules that must treat each operator differently (the evaluator, the builder) switch over it
 * exhaustively, so an operator added here without its handling fails to type-check.
 */
import { ExportError, printValue } from '../errors.js';

/** A literal: text, number, boolean, null, a timestamp (`{ $date: ISO string }`) or a 64-bit integer (`{ $bigint: decimal string }`). */
export type Scalar = string | number | boolean | null | { $date: string } | { $bigint: string };

/**
 * The keys a node of each shape carries besides `op`, in the order error messages list them
 * (`caseSensitive` and `flags` are optional). `junction` (`and`, `or`) and `negation` (`not`) are
 * the logical shapes; the others are leaves that read one column.
 */
export const FILTER_SHAPES = {
  junction: ['filters'],
  negation: ['filter'],
  comparison: ['field', 'value'],
  set: ['field', 'values'],
  range: ['field', 'low', 'high'],
  text: ['field', 'value', 'caseSensitive'],
  regex: ['field', 'pattern', 'flags'],
  null: ['field'],
} as const;

/** A node shape: which keys the node has and what they hold (see {@link FILTER_SHAPES}). */
export type FilterShape = keyof typeof FILTER_SHAPES;

/** What the table says of one operator. */
interface FilterOpSpec {
  /** The node's shape. */
  readonly shape: FilterShape;
  /** How the filter text writes it (`formatFilter` prints this; `parseFilter` reads it). */
  readonly text: string;
  /** Other spellings the filter text accepts. */
  readonly aliases: readonly string[];
  /**
   * The operator that selects the complement on the same operands under SQL's three-valued logic
   * (`not x < 5` is `x >= 5`: both unknown on null), or, for `and`/`or`, the De Morgan dual.
   * `null` when there is none, so NOT stays above the term (or, for `between`, becomes an `or`).
   */
  readonly negation: string | null;
  /**
   * A rough per-row cost for the optimizer's ordering (cheapest first); `null` for the logical
   * operators, whose cost is their children's. `textCost` applies when the term handles text: a
   * string literal in a comparison, set or range, or `caseSensitive: false` for a text operator.
   */
  readonly cost: number | null;
  /** See `cost`. */
  readonly textCost: number | null;
}

/**
 * Every filter operator, with its shape, text form, negation and cost. The order is the one
 * error messages list the operators in.
 */
export const FILTER_OP_TABLE = {
  and: { shape: 'junction', text: 'and', aliases: [], negation: 'or', cost: null, textCost: null },
  or: { shape: 'junction', text: 'or', aliases: [], negation: 'and', cost: null, textCost: null },
  not: { shape: 'negation', text: 'not', aliases: [], negation: null, cost: null, textCost: null },
  eq: { shape: 'comparison', text: '=', aliases: ['=='], negation: 'ne', cost: 2, textCost: 3 },
  ne: { shape: 'comparison', text: '!=', aliases: ['<>'], negation: 'eq', cost: 2, textCost: 3 },
  lt: { shape: 'comparison', text: '<', aliases: [], negation: 'gte', cost: 2, textCost: 3 },
  lte: { shape: 'comparison', text: '<=', aliases: [], negation: 'gt', cost: 2, textCost: 3 },
  gt: { shape: 'comparison', text: '>', aliases: [], negation: 'lte', cost: 2, textCost: 3 },
  gte: { shape: 'comparison', text: '>=', aliases: [], negation: 'lt', cost: 2, textCost: 3 },
  in: { shape: 'set', text: 'in', aliases: [], negation: 'notIn', cost: 2.5, textCost: 3 },
  notIn: { shape: 'set', text: 'not in', aliases: [], negation: 'in', cost: 2.5, textCost: 3 },
  between: { shape: 'range', text: 'between', aliases: [], negation: null, cost: 2, textCost: 3 },
  contains: { shape: 'text', text: 'contains', aliases: [], negation: null, cost: 5, textCost: 7 },
  startsWith: { shape: 'text', text: 'startswith', aliases: ['starts with'], negation: null, cost: 5, textCost: 7 },
  endsWith: { shape: 'text', text: 'endswith', aliases: ['ends with'], negation: null, cost: 5, textCost: 7 },
  matches: { shape: 'regex', text: 'matches', aliases: [], negation: null, cost: 10, textCost: 10 },
  isNull: { shape: 'null', text: 'is null', aliases: [], negation: 'isNotNull', cost: 1, textCost: 1 },
  isNotNull: { shape: 'null', text: 'is not null', aliases: [], negation: 'isNull', cost: 1, textCost: 1 },
} as const satisfies Readonly<Record<string, FilterOpSpec>>;

/** An AST operator name (`'eq'`, `'in'`, `'and'`…). */
export type FilterOp = keyof typeof FILTER_OP_TABLE;

/** Every AST operator name, in table order. */
export const FILTER_OPS = Object.keys(FILTER_OP_TABLE) as readonly FilterOp[];

/**
 * The operators of each shape (`OpsByShape['set']` is `'in' | 'notIn'`).
 *
 * @inline
 */
export type OpsByShape = { [S in FilterShape]: { [O in FilterOp]: (typeof FILTER_OP_TABLE)[O]['shape'] extends S ? O : never }[FilterOp] };

/** The operators of one shape (`OpsOf<'set'>` is `'in' | 'notIn'`). */
export type OpsOf<S extends FilterShape> = OpsByShape[S];

/**
 * A filter tree node, one kind per shape, with the operators the table gives that shape:
 *
 * ```ts
 * type Filter =
 *   | { op: 'and' | 'or'; filters: Filter[] }
 *   | { op: 'not'; filter: Filter }
 *   | { op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; field: string; value: Scalar }
 *   | { op: 'in' | 'notIn'; field: string; values: Scalar[] }
 *   | { op: 'between'; field: string; low: Scalar; high: Scalar }
 *   | { op: 'contains' | 'startsWith' | 'endsWith'; field: string; value: string; caseSensitive?: boolean }
 *   | { op: 'matches'; field: string; pattern: string; flags?: string }
 *   | { op: 'isNull' | 'isNotNull'; field: string };
 * ```
 */
export type Filter =
  | { op: OpsByShape['junction']; filters: Filter[] }
  | { op: OpsByShape['negation']; filter: Filter }
  | { op: OpsByShape['comparison']; field: string; value: Scalar }
  | { op: OpsByShape['set']; field: string; values: Scalar[] }
  | { op: OpsByShape['range']; field: string; low: Scalar; high: Scalar }
  | { op: OpsByShape['text']; field: string; value: string; caseSensitive?: boolean }
  | { op: OpsByShape['regex']; field: string; pattern: string; flags?: string }
  | { op: OpsByShape['null']; field: string };

/** The nodes of one shape. */
export type FilterOfShape<S extends FilterShape> = Extract<Filter, { op: OpsOf<S> }>;

/** A leaf shape: every shape but the logical `junction` and `negation`. */
export type LeafShape = Exclude<FilterShape, 'junction' | 'negation'>;

/** A leaf: a node that reads one column. */
export type LeafFilter = FilterOfShape<LeafShape>;

/** An operator of a leaf. */
export type LeafOp = LeafFilter['op'];

/** The operators of one shape, in table order. */
export function opsOfShape<S extends FilterShape>(shape: S): Array<OpsOf<S>> {
  return FILTER_OPS.filter((op): op is OpsOf<S> => FILTER_OP_TABLE[op].shape === shape);
}

/**
 * One function per shape, each given the nodes of its shape. As a mapped type over the shapes,
 * it fails to type-check when a shape has no function.
 */
export type ShapeHandlers<S extends FilterShape, R> = { readonly [K in S]: (node: FilterOfShape<K>) => R };

/** Calls the handler of the node's shape. Not for per-row code: it is a table lookup and a call. */
export function byShape<S extends FilterShape, R>(handlers: ShapeHandlers<S, R>, node: FilterOfShape<NoInfer<S>>): R {
  // The table gives each operator one shape, so the node is one the handler was written for.
  return (handlers[FILTER_OP_TABLE[node.op].shape as S] as (node: FilterOfShape<S>) => R)(node);
}

/**
 * The branch of an exhaustive `switch` that no value can reach: the argument's type is `never`
 * when every case is handled, so a case left out is a type error at the call. At run time it
 * is reached only by a node that skipped validation.
 */
export function unhandledOp(value: never): never {
  const op = typeof value === 'object' && value !== null && 'op' in value ? (value as { op: unknown }).op : value;
  throw new ExportError('invalid_filter', `invalid filter: unknown operator ${printValue(op)}`);
}
