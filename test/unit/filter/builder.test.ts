import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import type { Filter } from '../../../src/filter/ast.js';
import { FilterBuilder, where, type FilterOperator } from '../../../src/filter/builder.js';
import { normalizeFilter } from '../../../src/filter/normalize.js';

describe('FilterBuilder.addFilter', () => {
  it.each<[FilterOperator, unknown, Filter]>([
    ['=', 1, { op: 'eq', field: 'x', value: 1 }],
    ['==', 'a', { op: 'eq', field: 'x', value: 'a' }],
    ['eq', true, { op: 'eq', field: 'x', value: true }],
    ['!=', null, { op: 'ne', field: 'x', value: null }],
    ['<>', 2, { op: 'ne', field: 'x', value: 2 }],
    ['ne', 2, { op: 'ne', field: 'x', value: 2 }],
    ['<', 3, { op: 'lt', field: 'x', value: 3 }],
    ['lt', 3, { op: 'lt', field: 'x', value: 3 }],
    ['<=', 3, { op: 'lte', field: 'x', value: 3 }],
    ['lte', 3, { op: 'lte', field: 'x', value: 3 }],
    ['>', 3, { op: 'gt', field: 'x', value: 3 }],
    ['gt', 3, { op: 'gt', field: 'x', value: 3 }],
    ['>=', 3, { op: 'gte', field: 'x', value: 3 }],
    ['gte', 3, { op: 'gte', field: 'x', value: 3 }],
    ['in', [1, 'a', null], { op: 'in', field: 'x', values: [1, 'a', null] }],
    ['not in', [1], { op: 'notIn', field: 'x', values: [1] }],
    ['notIn', [], { op: 'notIn', field: 'x', values: [] }],
    ['between', [1, 5], { op: 'between', field: 'x', low: 1, high: 5 }],
    ['contains', 'lor', { op: 'contains', field: 'x', value: 'lor' }],
    ['startsWith', 'a', { op: 'startsWith', field: 'x', value: 'a' }],
    ['endsWith', 'z', { op: 'endsWith', field: 'x', value: 'z' }],
    ['matches', /^a.b$/iu, { op: 'matches', field: 'x', pattern: '^a.b$', flags: 'iu' }],
    ['matches', '^a', { op: 'matches', field: 'x', pattern: '^a' }],
    ['isNull', undefined, { op: 'isNull', field: 'x' }],
    ['isNotNull', undefined, { op: 'isNotNull', field: 'x' }],
    ['=', new Date('2024-01-02T03:04:05.006Z'), { op: 'eq', field: 'x', value: { $date: '2024-01-02T03:04:05.006Z' } }],
    ['=', 12345678901234567890n, { op: 'eq', field: 'x', value: { $bigint: '12345678901234567890' } }],
  ])('%s %o', (operator, value, expected) => {
    expect(new FilterBuilder().addFilter('x', operator, value).build()).toEqual(expected);
  });

  it('passes caseSensitive and flags options', () => {
    expect(new FilterBuilder().addFilter('x', 'contains', 'A', { caseSensitive: false }).build()).toEqual({ op: 'contains', field: 'x', value: 'A', caseSensitive: false });
    expect(where('x', 'matches', 'a', { flags: 'i' }).build()).toEqual({ op: 'matches', field: 'x', pattern: 'a', flags: 'i' });
  });

  it('ANDs chained terms and returns the same builder', () => {
    const builder = new FilterBuilder();
    expect(builder.addFilter('a', '>', 1)).toBe(builder);
    builder.addFilter('b', 'isNull');
    expect(builder.build()).toEqual({ op: 'and', filters: [{ op: 'gt', field: 'a', value: 1 }, { op: 'isNull', field: 'b' }] });
  });

  it('builds TRUE when empty', () => {
    expect(new FilterBuilder().build()).toEqual({ op: 'and', filters: [] });
  });

  it.each<[string, () => unknown, RegExp]>([
    ['an unknown operator', () => new FilterBuilder().addFilter('a', 'like' as FilterOperator, 'x'), /unknown operator "like" for "a"/],
    ['between with one value', () => new FilterBuilder().addFilter('a', 'between', [1]), /must be \[low, high\]/],
    ['in with a scalar', () => new FilterBuilder().addFilter('a', 'in', 1), /must be an array/],
    ['contains with a number', () => new FilterBuilder().addFilter('a', 'contains', 1), /must be a string/],
    ['a missing value', () => new FilterBuilder().addFilter('a', '>'), /is missing/],
    ['an invalid Date', () => new FilterBuilder().addFilter('a', '>', new Date('x')), /invalid Date/],
    ['an empty column', () => new FilterBuilder().addFilter('', '>', 1), /expected a column name/],
    ['an object value', () => new FilterBuilder().addFilter('a', '>', { x: 1 }).build(), /expected a string, number/],
  ])('rejects %s with invalid_filter', (_name, run, message) => {
    let caught: unknown;
    try {
      run();
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught) && caught.code).toBe('invalid_filter');
    expect((caught as Error).message).toMatch(message);
  });
});

describe('where (fluent)', () => {
  it('builds nested trees with and/or/not', () => {
    const filter = where('amount', '>', 100).and(where('region', '=', 'eu').or(where('vip', '=', true))).not();
    expect(filter.build()).toEqual({
      op: 'not',
      filter: {
        op: 'and',
        filters: [
          { op: 'gt', field: 'amount', value: 100 },
          { op: 'or', filters: [{ op: 'eq', field: 'region', value: 'eu' }, { op: 'eq', field: 'vip', value: true }] },
        ],
      },
    });
  });

  it('leaves the receiver unchanged in and/or/not', () => {
    const base = where('a', '=', 1);
    base.or(where('b', '=', 2));
    base.and({ op: 'isNull', field: 'c' });
    base.not();
    expect(base.build()).toEqual({ op: 'eq', field: 'a', value: 1 });
  });

  it('accepts ASTs and builders as operands, and where(filter)', () => {
    const ast: Filter = { op: 'isNull', field: 'z' };
    expect(where(ast).or(new FilterBuilder().addFilter('y', '<', 0)).build()).toEqual({
      op: 'or',
      filters: [ast, { op: 'lt', field: 'y', value: 0 }],
    });
  });

  it('serializes to the AST with JSON.stringify', () => {
    expect(JSON.parse(JSON.stringify({ filter: where('a', 'in', [1, 2]) }))).toEqual({ filter: { op: 'in', field: 'a', values: [1, 2] } });
  });

  it('returns copies: editing a built AST does not change the builder', () => {
    const builder = where('a', 'in', [1, 2]);
    const built = builder.build() as { values: unknown[] };
    built.values.push(3);
    expect(builder.build()).toEqual({ op: 'in', field: 'a', values: [1, 2] });
  });
});

describe('normalizeFilter', () => {
  it.each<[string, unknown, Filter | null]>([
    ['undefined', undefined, null],
    ['null', null, null],
    ['an empty array', [], null],
    ['an AST', { op: 'eq', field: 'a', value: 1 }, { op: 'eq', field: 'a', value: 1 }],
    ['text', 'a = 1', { op: 'eq', field: 'a', value: 1 }],
    ['a builder', new FilterBuilder().addFilter('a', '=', 1), { op: 'eq', field: 'a', value: 1 }],
    ['a fluent node', where('a', '=', 1).not(), { op: 'not', filter: { op: 'eq', field: 'a', value: 1 } }],
    ['a one-item array', ['a = 1'], { op: 'eq', field: 'a', value: 1 }],
    [
      'a mixed array (ANDed)',
      ['a = 1', where('b', 'isNull'), { op: 'gt', field: 'c', value: 2 }],
      { op: 'and', filters: [{ op: 'eq', field: 'a', value: 1 }, { op: 'isNull', field: 'b' }, { op: 'gt', field: 'c', value: 2 }] },
    ],
  ])('accepts %s', (_name, input, expected) => {
    expect(normalizeFilter(input as never)).toEqual(expected);
  });

  it.each<[string, unknown, string]>([
    ['a number', 5, 'filter'],
    ['a bad AST in an array', ['a = 1', { op: 'eq', field: 'a' }], 'filter[1].value'],
    ['bad text in an array', ['a = 1', 'a >'], 'filter[1]'],
    ['a nested array', [['a = 1']], 'filter[0]'],
  ])('rejects %s naming the path', (_name, input, path) => {
    let caught: unknown;
    try {
      normalizeFilter(input as never);
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught) && caught.code).toBe('invalid_filter');
    expect(isExportError(caught) && caught.details['path']).toBe(path);
  });
});
