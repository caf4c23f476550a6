import * as arrow from 'apache-arrow';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Filter } from '../../../src/filter/ast.js';
import { compileFilter } from '../../../src/filter/evaluate.js';
import { explainFilter } from '../../../src/filter/explain.js';
import {
  filterCost, flattenFilter, foldConstants, inToEq, mergeRanges, optimizeFilter, orderByCost, planFilter, pushNotDown,
} from '../../../src/filter/optimize.js';
import { parseFilter } from '../../../src/filter/parse.js';
import { keptRows, makeBatch } from './helpers.js';
import { loadRegexEngine } from '../../../src/filter/regex.js';

// compileFilter runs `matches` with RE2, which an export loads before it reads its source.
beforeAll(() => loadRegexEngine());

const p = parseFilter;
const TRUE: Filter = { op: 'and', filters: [] };
const FALSE: Filter = { op: 'or', filters: [] };

describe('pushNotDown', () => {
  it.each<[string, string]>([
    ['not (a = 1 and b = 2)', 'a != 1 or b != 2'],
    ['not (a = 1 or b = 2)', 'a != 1 and b != 2'],
    ['not not a > 1', 'a > 1'],
    ['not a > 1', 'a <= 1'],
    ['not a >= 1', 'a < 1'],
    ['not a < 1', 'a >= 1'],
    ['not a <= 1', 'a > 1'],
    ['not a != 1', 'a = 1'],
    ['not a in (1, 2)', 'a not in (1, 2)'],
    ['not a not in (1, null)', 'a in (1, null)'],
    ['not a between 1 and 5', 'a < 1 or a > 5'],
    ['not a is null', 'a is not null'],
    ['not a is not null', 'a is null'],
    ["not a contains 'x'", "not a contains 'x'"],
    ["not not a matches 'x'", "a matches 'x'"],
    ['not true', 'false'],
  ])('%s → %s', (input, output) => {
    expect(pushNotDown(p(input))).toEqual(p(output));
  });
});

describe('flattenFilter', () => {
  it.each<[Filter, Filter]>([
    [{ op: 'and', filters: [p('a = 1'), { op: 'and', filters: [p('b = 1'), { op: 'and', filters: [p('c = 1')] }] }] }, p('a = 1 and b = 1 and c = 1')],
    [{ op: 'or', filters: [{ op: 'or', filters: [p('a = 1'), p('b = 1')] }, p('c = 1')] }, p('a = 1 or b = 1 or c = 1')],
    [{ op: 'and', filters: [p('a = 1')] }, p('a = 1')],
    [{ op: 'and', filters: [p('a = 1'), { op: 'or', filters: [p('b = 1'), p('c = 1')] }] }, p('a = 1 and (b = 1 or c = 1)')],
    [{ op: 'not', filter: { op: 'not', filter: p('a = 1') } }, p('a = 1')],
  ])('%j', (input, output) => {
    expect(flattenFilter(input)).toEqual(output);
  });
});

describe('inToEq', () => {
  it.each<[string, string]>([
    ['a in (1)', 'a = 1'],
    ['a not in (1)', 'a != 1'],
    ['a in (1, 1, 1)', 'a = 1'],
    ["a in ('x', 'y', 'x')", "a in ('x', 'y')"],
    ['a in (null)', 'a = null'],
    ['a in (1, 2)', 'a in (1, 2)'],
    ['not a in (nan, nan)', 'not a = nan'],
  ])('%s → %s', (input, output) => {
    expect(inToEq(p(input))).toEqual(p(output));
  });
});

describe('foldConstants', () => {
  it.each<[string, Filter]>([
    ['a = 1 and true', p('a = 1')],
    ['a = 1 and false', FALSE],
    ['a = 1 or true', TRUE],
    ['a = 1 or false', p('a = 1')],
    ['not true', FALSE],
    ['not false', TRUE],
    ['a = null', FALSE],
    ['a > null or b = 1', p('b = 1')],
    ['a in ()', FALSE],
    ['a not in ()', TRUE],
    ['a in (null)', FALSE],
    ['a not in (1, null)', FALSE],
    ['a between null and 5', FALSE],
    ['a in (1, null)', p('a in (1, null)')],
    // Under NOT only the FALSE set counts: `a = null` is never false, so TRUE there
    // (unknown or x is never false, so its NOT is never true).
    ['not (a = null or b = 1)', FALSE],
    ['not (a = null and b = 1)', p('not b = 1')],
    ['not a in (1, null)', FALSE],
    ['not a not in (1, null)', p('not a not in (1, null)')],
    ['not (a between null and 5)', p('not a between null and 5')],
  ])('%s', (input, output) => {
    expect(foldConstants(p(input))).toEqual(output);
  });
});

describe('mergeRanges', () => {
  it.each<[string, Filter]>([
    ['x > 1 and x > 3', p('x > 3')],
    ['x > 3 and x >= 3', p('x > 3')],
    ['x >= 1 and x <= 5', p('x between 1 and 5')],
    ['x >= 1 and x < 5', p('x >= 1 and x < 5')],
    ['x > 5 and x < 3', FALSE],
    ['x > 5 and x <= 5', FALSE],
    ['x >= 5 and x <= 5', p('x = 5')],
    ['x = 3 and x > 1', p('x = 3')],
    ['x = 3 and x > 4', FALSE],
    ['x between 1 and 10 and x between 5 and 20', p('x between 5 and 10')],
    ['x in (1, 5, 9) and x > 4', p('x in (5, 9)')],
    ['x in (1, 5, 9) and x > 8', p('x = 9')],
    ['x in (1, 5) and x in (5, 6)', p('x = 5')],
    ['x in (1, 2) and x > 4', FALSE],
    ['x < nan and x > 1e308', p('x > 1e308 and x < nan')],
    ['x > nan', p('x > nan')],
    ['x > 1 and y > 5 and x < 10 and y < 2', FALSE],
    ['x > 1 and x > 5n', p('x > 5n')],
    ['x > 9007199254740993n and x > 9007199254740992', p('x > 9007199254740993n')],
    ["x > 'b' and x > 'a'", p("x > 'b' and x > 'a'")],
    ['a = 1 and x > 1 and b = 2 and x > 2', p('a = 1 and x > 2 and b = 2')],
    ['(x > 5 and x < 3) or y = 1', p('false or y = 1')],
  ])('%s', (input, output) => {
    expect(mergeRanges(p(input))).toEqual(output);
  });

  it('keeps a contradiction under NOT (it is unknown, not false, on null rows)', () => {
    const input = p('not (x > 5 and x < 3)');
    expect(mergeRanges(input)).toEqual(input);
    const batch = makeBatch({ x: { type: 'float64', values: [1, null, 7] } });
    // Rows 0 and 2 are non-null: the contradiction is false there, so NOT keeps them; row 1 is unknown.
    expect(keptRows(compileFilter(input, batch.schema).evaluate(batch), 3)).toEqual([0, 2]);
    expect(planFilter(input).never).toBe(false);
  });
});

describe('orderByCost', () => {
  it('puts null checks, then numbers, then text, then substring tests, then regexes first', () => {
    const input = p("s matches 'x' and s contains 'a' and s = 'q' and n > 1 and n is null and s icontains 'b'");
    expect(orderByCost(input)).toEqual(p("n is null and n > 1 and s = 'q' and s contains 'a' and s icontains 'b' and s matches 'x'"));
  });

  it('orders nested groups by their total cost, stably', () => {
    expect(orderByCost(p("(s matches 'x' or a = 1) and b = 2 and c = 3"))).toEqual(p("b = 2 and c = 3 and (a = 1 or s matches 'x')"));
    expect(filterCost(p("a = 1 or s matches 'x'"))).toBe(12);
  });
});

describe('optimizeFilter and planFilter', () => {
  it.each<[string, string]>([
    ['not (x <= 3 or x <= 1)', 'x > 3'],
    ["x > 1 and (y = 'a' and x > 3)", "x > 3 and y = 'a'"],
    ['x in (4) and x >= 1 and x <= 5', 'x = 4'],
    ['not not (x >= 1 and x <= 5 and true)', 'x between 1 and 5'],
    ["s contains 'a' and n is null and n = null", 'false'],
  ])('%s → %s', (input, output) => {
    expect(optimizeFilter(p(input))).toEqual(p(output));
  });

  it('plans never for a contradiction, always for TRUE, and lists only the columns left', () => {
    expect(planFilter(p('x > 5 and x < 3'))).toEqual({ filter: FALSE, never: true, always: false, fields: [] });
    expect(planFilter(p('true or x > 1'))).toEqual({ filter: TRUE, never: false, always: true, fields: [] });
    expect(planFilter(p("(a = 1 or false) and b is null and (c = 2 or true)"))).toMatchObject({ never: false, always: false, fields: ['b', 'a'] });
  });

  it('does not read the columns of removed terms', () => {
    const batch = makeBatch({ a: { type: 'int32', values: [1, 2] } });
    const plan = planFilter(p('a = 1 or (missing > 5 and missing < 3)'));
    expect(plan.fields).toEqual(['a']);
    expect(keptRows(compileFilter(plan.filter, batch.schema).evaluate(batch), 2)).toEqual([0]);
  });
});

describe('explainFilter', () => {
  it('prints the optimized tree with costs and, given a schema, column types', () => {
    const schema = new arrow.Schema([new arrow.Field('x', new arrow.Float64()), new arrow.Field('name', new arrow.Utf8())]);
    expect(explainFilter(p("x > 1 and x > 3 and (name = 'a' or x is null) and not name matches 'q'"), schema)).toBe(
      [
        'AND (cost 16)',
        '  x > 3  [cost 2, Float64]',
        '  OR (cost 4)',
        '    x is null  [cost 1, Float64]',
        "    name = 'a'  [cost 3, Utf8]",
        "  not name matches '/q/'  [cost 10, Utf8]",
      ].join('\n'),
    );
    expect(explainFilter(p('x > 5 and x < 3'))).toMatch(/^FALSE/);
    expect(explainFilter(p('true'))).toMatch(/^TRUE/);
  });
});
