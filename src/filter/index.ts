/**
 * The filter system: AST, builders, text syntax, optimizer and vectorized evaluation.
 *
 * The engine calls `normalizeFilter(options.filter)`, then `planFilter(ast)` before reading the
 * source, then `compileFilter(plan.filter, schema)` once the first batch's schema is known, and
 * `evaluate(batch)` per batch.
 */
export type { Filter, Scalar, FilterShape, OpsOf, LeafFilter, LeafOp, LeafShape, FilterOfShape, ShapeHandlers } from './ast.js';
export { FILTER_OP_TABLE, FILTER_SHAPES, opsOfShape, byShape, unhandledOp } from './ast.js';
export { FilterBuilder, where, FILTER_OPERATORS } from './builder.js';
export type { FilterOperator, FilterLike, FilterTermOptions, BuilderValue, BuildsFilter } from './builder.js';
export { parseFilter } from './parse.js';
export { formatFilter } from './format.js';
export { explainFilter } from './explain.js';
export { normalizeFilter } from './normalize.js';
export type { FilterInput } from './normalize.js';
export {
  planFilter, optimizeFilter, pushNotDown, flattenFilter, inToEq, foldConstants, mergeRanges, orderByCost, filterCost,
  isTrueFilter, isFalseFilter, TRUE_FILTER, FALSE_FILTER,
} from './optimize.js';
export type { FilterPlan } from './optimize.js';
export { compileFilter } from './evaluate.js';
export type { CompiledFilter, CompileFilterOptions } from './evaluate.js';
export { validateFilter, filterFields, MAX_FILTER_DEPTH, FILTER_OPS } from './validate.js';
export type { FilterOp } from './validate.js';
export { compileRegex, loadRegexEngine, regexTerms } from './regex.js';
