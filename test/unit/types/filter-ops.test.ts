/**
 * Type-level checks of the filter operator table (run by `npm run typecheck`; the `expectTypeOf`
 * calls are no-ops at run time): the AST type derived from the table is the one the design names,
 * and a handler left out, by a table of handlers or by a `switch`, is a type error.
 */
import { describe, expect, expectTypeOf, it } from 'vitest';
import {
  FILTER_OP_TABLE, unhandledOp, type Filter, type FilterOp, type FilterShape, type LeafOp, type LeafShape, type OpsOf, type Scalar,
  type ShapeHandlers,
} from '../../../src/filter/ast.js';
import type { FilterOperator } from '../../../src/filter/builder.js';

/** The AST as the design spells it out (children typed as `Filter`, so the comparison is one level). */
type DesignFilter =
  | { op: 'and' | 'or'; filters: Filter[] }
  | { op: 'not'; filter: Filter }
  | { op: 'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'; field: string; value: Scalar }
  | { op: 'in' | 'notIn'; field: string; values: Scalar[] }
  | { op: 'between'; field: string; low: Scalar; high: Scalar }
  | { op: 'contains' | 'startsWith' | 'endsWith'; field: string; value: string; caseSensitive?: boolean }
  | { op: 'matches'; field: string; pattern: string; flags?: string }
  | { op: 'isNull' | 'isNotNull'; field: string };

type Spec<O extends FilterOp> = (typeof FILTER_OP_TABLE)[O];
type Negation<O extends FilterOp> = Spec<O>['negation'];

describe('filter operator table types', () => {
  it('derives the AST the design names', () => {
    expectTypeOf<Filter>().toEqualTypeOf<DesignFilter>();
    expectTypeOf<FilterOp>().toEqualTypeOf<DesignFilter['op']>();
    expectTypeOf<OpsOf<'comparison'>>().toEqualTypeOf<'eq' | 'ne' | 'lt' | 'lte' | 'gt' | 'gte'>();
    expectTypeOf<LeafOp>().toEqualTypeOf<Exclude<FilterOp, 'and' | 'or' | 'not'>>();
  });

  it('gives every operator a negation of its own shape, or none', () => {
    type Sound = { [O in FilterOp]: Negation<O> extends null ? true : Negation<O> extends FilterOp ? (Spec<Negation<O>>['shape'] extends Spec<O>['shape'] ? true : O) : O }[FilterOp];
    expectTypeOf<Sound>().toEqualTypeOf<true>();
  });

  it('lets the builder take every leaf operator by its name', () => {
    expectTypeOf<LeafOp>().toMatchTypeOf<FilterOperator>();
  });

  it('rejects a table of handlers that leaves a shape out', () => {
    const handlers = {
      comparison: (leaf) => leaf.field,
      set: (leaf) => leaf.field,
      range: (leaf) => leaf.field,
      text: (leaf) => leaf.value,
      regex: (leaf) => leaf.pattern,
      null: (leaf) => leaf.field,
    } satisfies ShapeHandlers<LeafShape, string>;
    // @ts-expect-error: no function for the `null` shape
    const partial: ShapeHandlers<LeafShape, string> = { comparison: handlers.comparison, set: handlers.set, range: handlers.range, text: handlers.text, regex: handlers.regex };
    // @ts-expect-error: every shape, the logical ones too
    const leavesOnly: ShapeHandlers<FilterShape, string> = handlers;
    expect(Object.keys(handlers)).toHaveLength(6);
    void partial;
    void leavesOnly;
  });

  it('rejects a switch over the operators that leaves one out', () => {
    function kind(filter: Filter): string {
      switch (filter.op) {
        case 'and': case 'or': case 'not':
          return 'logical';
        case 'eq': case 'ne': case 'lt': case 'lte': case 'gt': case 'gte': case 'in': case 'notIn': case 'between':
          return 'compares';
        case 'contains': case 'startsWith': case 'endsWith': case 'matches':
          return 'text';
        // `isNull` and `isNotNull` are left out, so they reach the branch typed `never`.
        default:
          // @ts-expect-error: `{ op: 'isNull' | 'isNotNull'; field: string }` is not `never`
          return unhandledOp(filter);
      }
    }
    expect(kind({ op: 'eq', field: 'a', value: 1 })).toBe('compares');
    expect(() => kind({ op: 'isNull', field: 'a' })).toThrow(/unknown operator "isNull"/);
  });

  it('rejects a record of operators that leaves one out', () => {
    // @ts-expect-error: `isNotNull` is missing
    const words: Record<LeafOp, string> = {
      eq: '=', ne: '!=', lt: '<', lte: '<=', gt: '>', gte: '>=', in: 'in', notIn: 'not in', between: 'between',
      contains: 'contains', startsWith: 'startswith', endsWith: 'endswith', matches: 'matches', isNull: 'is null',
    };
    void words;
  });
});
