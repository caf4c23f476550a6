/**
 * The operator table at run time: each operator's text form is what the printer writes and the
 * parser reads, its negation is what the optimizer puts in place of a NOT, and its cost is what
 * orders the terms.
 */
import { describe, expect, it } from 'vitest';
import { FILTER_OP_TABLE, FILTER_OPS, FILTER_SHAPES, type Filter, type FilterOp, type FilterShape } from '../../../src/filter/ast.js';
import { filterCost, formatFilter, parseFilter, pushNotDown, validateFilter } from '../../../src/filter/index.js';

/** One node of each shape, for an operator of that shape. */
const SAMPLE: { [S in FilterShape]: (op: FilterOp) => Filter } = {
  junction: (op) => ({ op, filters: [{ op: 'eq', field: 'a', value: 1 }, { op: 'isNull', field: 'b' }] }) as Filter,
  negation: (op) => ({ op, filter: { op: 'contains', field: 's', value: 'x' } }) as Filter,
  comparison: (op) => ({ op, field: 'a', value: 5 }) as Filter,
  set: (op) => ({ op, field: 'a', values: [1, 'two'] }) as Filter,
  range: (op) => ({ op, field: 'a', low: 1, high: 9 }) as Filter,
  text: (op) => ({ op, field: 's', value: "it's" }) as Filter,
  regex: (op) => ({ op, field: 's', pattern: '^a.c$', flags: 'i' }) as Filter,
  null: (op) => ({ op, field: 'a' }) as Filter,
};

const sample = (op: FilterOp): Filter => SAMPLE[FILTER_OP_TABLE[op].shape](op);

describe('filter operator table', () => {
  it('lists every operator once, each with a known shape', () => {
    expect(new Set(FILTER_OPS).size).toBe(FILTER_OPS.length);
    expect(FILTER_OPS).toEqual(['and', 'or', 'not', 'eq', 'ne', 'lt', 'lte', 'gt', 'gte', 'in', 'notIn', 'between', 'contains', 'startsWith', 'endsWith', 'matches', 'isNull', 'isNotNull']);
    for (const op of FILTER_OPS) expect(Object.keys(FILTER_SHAPES)).toContain(FILTER_OP_TABLE[op].shape);
  });

  it.each(FILTER_OPS)('%s: a valid sample node prints with its text form and parses back', (op) => {
    const node = validateFilter(sample(op));
    const text = formatFilter(node);
    expect(text).toContain(FILTER_OP_TABLE[op].text);
    expect(parseFilter(text)).toEqual(node);
  });

  it.each(FILTER_OPS.filter((op) => FILTER_OP_TABLE[op].aliases.length > 0))('%s: every alias parses to the operator', (op) => {
    for (const alias of FILTER_OP_TABLE[op].aliases) {
      const text = formatFilter(sample(op)).replace(FILTER_OP_TABLE[op].text, alias);
      expect(text).toContain(alias);
      expect(parseFilter(text)).toEqual(sample(op));
    }
  });

  it('has symmetric negations within one shape', () => {
    for (const op of FILTER_OPS) {
      const negation = FILTER_OP_TABLE[op].negation;
      if (negation === null) continue;
      expect(FILTER_OP_TABLE[negation].shape, op).toBe(FILTER_OP_TABLE[op].shape);
      expect(FILTER_OP_TABLE[negation].negation, op).toBe(op);
    }
  });

  it.each(FILTER_OPS.filter((op) => FILTER_OP_TABLE[op].shape !== 'junction' && FILTER_OP_TABLE[op].shape !== 'negation'))(
    '%s: NOT is replaced by the negation from the table, or kept',
    (op) => {
      const leaf = sample(op);
      const pushed = pushNotDown({ op: 'not', filter: leaf });
      const negation = FILTER_OP_TABLE[op].negation;
      if (negation !== null) expect(pushed).toEqual({ ...leaf, op: negation });
      else if (op === 'between') expect(pushed).toEqual({ op: 'or', filters: [{ op: 'lt', field: 'a', value: 1 }, { op: 'gt', field: 'a', value: 9 }] });
      else expect(pushed).toEqual({ op: 'not', filter: leaf });
    },
  );

  it('costs leaves from the table and groups by their children', () => {
    for (const op of FILTER_OPS) {
      const spec = FILTER_OP_TABLE[op];
      if (spec.cost === null) continue;
      expect(filterCost(sample(op)), op).toBe(op === 'in' || op === 'notIn' ? spec.textCost : spec.cost);
    }
    expect(filterCost({ op: 'contains', field: 's', value: 'x', caseSensitive: false })).toBe(FILTER_OP_TABLE.contains.textCost);
    expect(filterCost({ op: 'eq', field: 's', value: 'x' })).toBe(FILTER_OP_TABLE.eq.textCost);
    expect(filterCost(sample('and'))).toBe(FILTER_OP_TABLE.eq.cost + FILTER_OP_TABLE.isNull.cost);
  });
});
