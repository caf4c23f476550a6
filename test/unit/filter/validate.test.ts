import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import type { Filter } from '../../../src/filter/ast.js';
import { filterFields, MAX_FILTER_DEPTH, validateFilter } from '../../../src/filter/validate.js';

function failure(run: () => unknown): { code: string; message: string; path: unknown } {
  try {
    run();
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message, path: error.details['path'] };
  }
  throw new Error('expected a failure');
}

describe('validateFilter', () => {
  it.each<[string, unknown, string, RegExp]>([
    ['a non-object', 42, 'filter', /expected a filter node object, got 42/],
    ['null', null, 'filter', /got null/],
    ['an unknown op', { op: 'like', field: 'a', value: 'x' }, 'filter.op', /unknown operator "like"/],
    ['a missing op', { field: 'a' }, 'filter.op', /unknown operator undefined/],
    ['and without filters', { op: 'and' }, 'filter.filters', /needs an array of filters/],
    ['a bad child', { op: 'and', filters: [{ op: 'eq', field: 'a', value: 1 }, 'x'] }, 'filter.filters[1]', /got "x"/],
    ['not without filter', { op: 'not' }, 'filter.filter', /got undefined/],
    ['an empty field', { op: 'eq', field: '', value: 1 }, 'filter.field', /expected a column name/],
    ['a numeric field', { op: 'eq', field: 3, value: 1 }, 'filter.field', /expected a column name, got 3/],
    ['a missing value', { op: 'eq', field: 'a' }, 'filter.value', /needs a value/],
    ['an object value', { op: 'gt', field: 'a', value: { x: 1 } }, 'filter.value', /expected a string, number, boolean, null/],
    ['an array value', { op: 'gt', field: 'a', value: [1] }, 'filter.value', /expected a string/],
    ['a bad $bigint', { op: 'eq', field: 'a', value: { $bigint: '1.5' } }, 'filter.value', /\$bigint must be a decimal integer string/],
    ['a bad $date', { op: 'eq', field: 'a', value: { $date: 5 } }, 'filter.value', /\$date must be an ISO date string/],
    ['in without values', { op: 'in', field: 'a', value: [1] }, 'filter.value', /unexpected key "value"/],
    ['a bad in member', { op: 'and', filters: [{ op: 'eq', field: 'a', value: 1 }, { op: 'eq', field: 'a', value: 1 }, { op: 'in', field: 'a', values: [1, undefined] }] }, 'filter.filters[2].values[1]', /got undefined/],
    ['in with a non-array', { op: 'notIn', field: 'a', values: 'ab' }, 'filter.values', /needs an array of values/],
    ['between without high', { op: 'between', field: 'a', low: 1 }, 'filter.high', /needs a high bound/],
    ['contains with a number', { op: 'contains', field: 'a', value: 1 }, 'filter.value', /needs a string value/],
    ['a misspelt option', { op: 'contains', field: 'a', value: 'x', caseSensitve: false }, 'filter.caseSensitve', /unexpected key "caseSensitve"/],
    ['a non-boolean caseSensitive', { op: 'startsWith', field: 'a', value: 'x', caseSensitive: 'no' }, 'filter.caseSensitive', /expected a boolean/],
    ['a bad pattern', { op: 'matches', field: 'a', pattern: '(' }, 'filter', /bad regular expression \/\(\//],
    ['bad flags', { op: 'matches', field: 'a', pattern: 'x', flags: 'q' }, 'filter', /flag "q" is not supported/],
    ['a numeric pattern', { op: 'matches', field: 'a', pattern: 5 }, 'filter.pattern', /needs a string pattern/],
  ])('rejects %s with invalid_filter naming the path', (_name, input, path, message) => {
    const error = failure(() => validateFilter(input));
    expect(error.code).toBe('invalid_filter');
    expect(error.path).toBe(path);
    expect(error.message).toMatch(message);
    expect(error.message).toContain(path);
  });

  it('accepts every node kind and returns the filter', () => {
    const filter: Filter = {
      op: 'or',
      filters: [
        { op: 'and', filters: [] },
        { op: 'not', filter: { op: 'isNull', field: 'a' } },
        { op: 'in', field: 'a', values: [1, 'x', null, true, { $date: '2024-01-01' }, { $bigint: '-12' }] },
        { op: 'between', field: 'a', low: 1, high: 2 },
        { op: 'contains', field: 'a', value: 'x', caseSensitive: false },
        { op: 'matches', field: 'a', pattern: '^x', flags: 'i' },
        { op: 'isNotNull', field: 'b' },
      ],
    };
    expect(validateFilter(filter)).toBe(filter);
    expect(filterFields(filter)).toEqual(['a', 'b']);
  });

  it(`accepts nesting of ${MAX_FILTER_DEPTH} levels and rejects one more`, () => {
    const nest = (depth: number): Filter => {
      let node: Filter = { op: 'isNull', field: 'a' };
      for (let i = 1; i < depth; i++) node = { op: 'not', filter: node };
      return node;
    };
    expect(() => validateFilter(nest(MAX_FILTER_DEPTH))).not.toThrow();
    const error = failure(() => validateFilter(nest(MAX_FILTER_DEPTH + 1)));
    expect(error.code).toBe('invalid_filter');
    expect(error.message).toMatch(/nesting deeper than 64 levels/);
  });

  it('fails cleanly (no stack overflow) on a 200,000-deep tree', () => {
    let node: Filter = { op: 'isNull', field: 'a' };
    for (let i = 0; i < 200_000; i++) node = { op: 'and', filters: [node] };
    expect(failure(() => validateFilter(node)).code).toBe('invalid_filter');
  });
});
