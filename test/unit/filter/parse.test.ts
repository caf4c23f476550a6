import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import type { Filter, Scalar } from '../../../src/filter/ast.js';
import { formatFilter } from '../../../src/filter/format.js';
import { parseFilter } from '../../../src/filter/parse.js';

const RUNS = Number(process.env['FILTER_PROPERTY_RUNS'] ?? 2000);

describe('parseFilter', () => {
  it('parses the documented example', () => {
    const text =
      "amount > 100 and (category in ('alpha', 'beta') or not active) and name contains 'lor' and created_at between '2024-01-01' and '2024-06-30' and score is not null";
    expect(parseFilter(text)).toEqual({
      op: 'and',
      filters: [
        { op: 'gt', field: 'amount', value: 100 },
        { op: 'or', filters: [{ op: 'in', field: 'category', values: ['alpha', 'beta'] }, { op: 'not', filter: { op: 'eq', field: 'active', value: true } }] },
        { op: 'contains', field: 'name', value: 'lor' },
        { op: 'between', field: 'created_at', low: '2024-01-01', high: '2024-06-30' },
        { op: 'isNotNull', field: 'score' },
      ],
    });
  });

  it.each<[string, Filter]>([
    ['a = 1', { op: 'eq', field: 'a', value: 1 }],
    ['a == 1', { op: 'eq', field: 'a', value: 1 }],
    ['a != 1', { op: 'ne', field: 'a', value: 1 }],
    ['a <> 1', { op: 'ne', field: 'a', value: 1 }],
    ['a < -1.5e3', { op: 'lt', field: 'a', value: -1500 }],
    ['a <= .5', { op: 'lte', field: 'a', value: 0.5 }],
    ['a > +2', { op: 'gt', field: 'a', value: 2 }],
    ['a >= 1E-2', { op: 'gte', field: 'a', value: 0.01 }],
    ['a = -0', { op: 'eq', field: 'a', value: -0 }],
    ['a = nan', { op: 'eq', field: 'a', value: Number.NaN }],
    ['a < -inf', { op: 'lt', field: 'a', value: -Infinity }],
    ['a < Infinity', { op: 'lt', field: 'a', value: Infinity }],
    ['a = 9007199254740993', { op: 'eq', field: 'a', value: { $bigint: '9007199254740993' } }],
    ['a = -42n', { op: 'eq', field: 'a', value: { $bigint: '-42' } }],
    ['a = null', { op: 'eq', field: 'a', value: null }],
    ['a = TRUE', { op: 'eq', field: 'a', value: true }],
    ["a = 'it''s'", { op: 'eq', field: 'a', value: "it's" }],
    ["a = ''", { op: 'eq', field: 'a', value: '' }],
    ["a = '日本 😀'", { op: 'eq', field: 'a', value: '日本 😀' }],
    ["t > timestamp '2024-01-01T10:00:00Z'", { op: 'gt', field: 't', value: { $date: '2024-01-01T10:00:00Z' } }],
    ["t > DATE '2024-01-01'", { op: 'gt', field: 't', value: { $date: '2024-01-01' } }],
    ['"unit price" > 1', { op: 'gt', field: 'unit price', value: 1 }],
    ['"say ""hi""" = 1', { op: 'eq', field: 'say "hi"', value: 1 }],
    ['"and" = 1', { op: 'eq', field: 'and', value: 1 }],
    ['order.total >= 1', { op: 'gte', field: 'order.total', value: 1 }],
    ['prénom = 1', { op: 'eq', field: 'prénom', value: 1 }],
    ['a IS NULL', { op: 'isNull', field: 'a' }],
    ['a is not null', { op: 'isNotNull', field: 'a' }],
    ['a in ()', { op: 'in', field: 'a', values: [] }],
    ["a IN (1, 'x', null, true)", { op: 'in', field: 'a', values: [1, 'x', null, true] }],
    ['a not in (1)', { op: 'notIn', field: 'a', values: [1] }],
    ['a between 1 and 5', { op: 'between', field: 'a', low: 1, high: 5 }],
    ['a not between 1 and 5', { op: 'not', filter: { op: 'between', field: 'a', low: 1, high: 5 } }],
    ["a contains 'x'", { op: 'contains', field: 'a', value: 'x' }],
    ["a not contains 'x'", { op: 'not', filter: { op: 'contains', field: 'a', value: 'x' } }],
    ["a starts with 'x'", { op: 'startsWith', field: 'a', value: 'x' }],
    ["a startswith 'x'", { op: 'startsWith', field: 'a', value: 'x' }],
    ["a ENDS WITH 'x'", { op: 'endsWith', field: 'a', value: 'x' }],
    ["a endswith 'x'", { op: 'endsWith', field: 'a', value: 'x' }],
    ["a icontains 'X'", { op: 'contains', field: 'a', value: 'X', caseSensitive: false }],
    ["a istartswith 'X'", { op: 'startsWith', field: 'a', value: 'X', caseSensitive: false }],
    ["a iends with 'X'", { op: 'endsWith', field: 'a', value: 'X', caseSensitive: false }],
    ["a matches '^x+$'", { op: 'matches', field: 'a', pattern: '^x+$' }],
    ["a matches '/^x+$/i'", { op: 'matches', field: 'a', pattern: '^x+$', flags: 'i' }],
    ["a matches '/a/b/'", { op: 'matches', field: 'a', pattern: 'a/b' }],
    ['active', { op: 'eq', field: 'active', value: true }],
    ['not active', { op: 'not', filter: { op: 'eq', field: 'active', value: true } }],
    ['not not a = 1', { op: 'not', filter: { op: 'not', filter: { op: 'eq', field: 'a', value: 1 } } }],
    ['true', { op: 'and', filters: [] }],
    ['false', { op: 'or', filters: [] }],
    ['a = 1 or b = 2 and c = 3', { op: 'or', filters: [{ op: 'eq', field: 'a', value: 1 }, { op: 'and', filters: [{ op: 'eq', field: 'b', value: 2 }, { op: 'eq', field: 'c', value: 3 }] }] }],
    ['(a = 1 or b = 2) and c = 3', { op: 'and', filters: [{ op: 'or', filters: [{ op: 'eq', field: 'a', value: 1 }, { op: 'eq', field: 'b', value: 2 }] }, { op: 'eq', field: 'c', value: 3 }] }],
    ['((a))', { op: 'eq', field: 'a', value: true }],
    ['a and b or c', { op: 'or', filters: [{ op: 'and', filters: [{ op: 'eq', field: 'a', value: true }, { op: 'eq', field: 'b', value: true }] }, { op: 'eq', field: 'c', value: true }] }],
    ['  a\n=\t1  ', { op: 'eq', field: 'a', value: 1 }],
  ])('%s', (text, expected) => {
    expect(parseFilter(text)).toEqual(expected);
  });

  it.each<[string, number, RegExp]>([
    ['', 0, /empty filter/],
    ['amount > ', 9, /expected a value after ">"/],
    ['amount > and', 9, /expected a value after ">", got "and"/],
    ["a = 'open", 4, /unterminated string/],
    ['"a = 1', 0, /unterminated quoted column name/],
    ['a = 1 b = 2', 6, /unexpected "b"; expected "and", "or" or the end/],
    ['(a = 1', 6, /expected "\)" to close the "\(" opened at offset 0/],
    ['a in (1, 2', 10, /expected "\)" to close the "in" list/],
    ['a in 1', 5, /expected "\(" after "in"/],
    ['a between 1 or 2', 12, /expected "and" between the bounds/],
    ['a is 1', 5, /expected "null" after "is"/],
    ['a contains 5', 11, /expected a quoted string after "contains"/],
    ['a like 1', 2, /"like" is not supported/],
    ['a = 1 and', 9, /expected a column name, got the end of the filter/],
    ['and = 1', 0, /quote a column named like a keyword/],
    ["a matches '('", 10, /bad regular expression/],
    ['a = 1x', 4, /bad number/],
    ['a = 1.5n', 4, /must be whole/],
    ['a ; 1', 2, /unexpected character ";"/],
    ['a = - x', 6, /expected a number after "-"/],
    ['a not 1', 6, /expected "in", "between" or a text operator/],
    ['a = 1 )', 6, /unexpected "\)"/],
  ])('rejects %j at offset %i', (text, offset, message) => {
    let caught: unknown;
    try {
      parseFilter(text);
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught) && caught.code).toBe('invalid_filter');
    if (!isExportError(caught)) return;
    expect(caught.details['offset']).toBe(offset);
    expect(caught.message).toMatch(message);
    // The caret sits under the offending character of the excerpt.
    const lines = caught.message.split('\n');
    expect(lines[2]!.indexOf('^') - 2).toBe(lines[1]!.slice(2).startsWith('…') ? offset - Math.max(0, offset - 40) + 1 : offset);
  });

  it('shows an excerpt with a caret for a long filter', () => {
    const text = `${'a = 1 and '.repeat(20)}b = = 2`;
    let message = '';
    try {
      parseFilter(text);
    } catch (error) {
      message = (error as Error).message;
    }
    const [, excerpt, caret] = message.split('\n');
    expect(excerpt!.trimStart().startsWith('…')).toBe(true);
    expect(excerpt![caret!.indexOf('^')]).toBe('=');
  });

  it('rejects nesting deeper than the limit without overflowing the stack', () => {
    for (const text of ['('.repeat(100_000) + 'a' + ')'.repeat(100_000), 'not '.repeat(100_000) + 'a']) {
      let caught: unknown;
      try {
        parseFilter(text);
      } catch (error) {
        caught = error;
      }
      expect(isExportError(caught) && caught.code).toBe('invalid_filter');
      expect((caught as Error).message).toMatch(/nesting deeper than 64 levels/);
    }
  });

  it('parses a long flat conjunction', () => {
    const text = Array.from({ length: 5000 }, (_, i) => `c${i} = ${i}`).join(' and ');
    const filter = parseFilter(text);
    expect(filter.op === 'and' && filter.filters.length).toBe(5000);
  });
});

describe('formatFilter', () => {
  it.each<[Filter, string]>([
    [{ op: 'gt', field: 'amount', value: 100 }, 'amount > 100'],
    [{ op: 'eq', field: 'unit price', value: "o'k" }, `"unit price" = 'o''k'`],
    [{ op: 'eq', field: 'not', value: null }, '"not" = null'],
    [{ op: 'in', field: 'a', values: [1, { $bigint: '5' }, { $date: '2024-01-01' }] }, "a in (1, 5n, timestamp '2024-01-01')"],
    [{ op: 'contains', field: 'a', value: 'x', caseSensitive: false }, "a icontains 'x'"],
    [{ op: 'matches', field: 'a', pattern: 'x/y', flags: 'i' }, "a matches '/x/y/i'"],
    [{ op: 'and', filters: [{ op: 'or', filters: [{ op: 'isNull', field: 'a' }, { op: 'isNotNull', field: 'b' }] }, { op: 'not', filter: { op: 'eq', field: 'c', value: true } }] }, '(a is null or b is not null) and not c = true'],
    [{ op: 'eq', field: 'a', value: 2 ** 60 }, 'a = 1.152921504606847e+18'],
    [{ op: 'and', filters: [] }, 'true'],
    [{ op: 'or', filters: [] }, 'false'],
  ])('%j → %s', (filter, text) => {
    expect(formatFilter(filter)).toBe(text);
    expect(parseFilter(text)).toEqual(filter);
  });
});

// Round trip: any AST whose and/or nodes have 0 or ≥ 2 children and no default-valued options.
const fieldName = fc.oneof(
  fc.constantFrom('a', 'amount', 'order.total', 'and', 'NULL', 'x_1', 'date'),
  fc.string({ minLength: 1, maxLength: 6 }),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 4 }),
);
const scalar: fc.Arbitrary<Scalar> = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.double(),
  fc.integer(),
  fc.boolean(),
  fc.constant(null),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }).map((b) => ({ $bigint: b.toString() })),
  fc.date({ noInvalidDate: true }).map((d) => ({ $date: d.toISOString() })),
);
const roundTripLeaf: fc.Arbitrary<Filter> = fc.oneof(
  fc.record({ op: fc.constantFrom('eq' as const, 'ne' as const, 'lt' as const, 'lte' as const, 'gt' as const, 'gte' as const), field: fieldName, value: scalar }),
  fc.record({ op: fc.constantFrom('in' as const, 'notIn' as const), field: fieldName, values: fc.array(scalar, { maxLength: 4 }) }),
  fc.record({ op: fc.constant('between' as const), field: fieldName, low: scalar, high: scalar }),
  fc.record({ op: fc.constantFrom('contains' as const, 'startsWith' as const, 'endsWith' as const), field: fieldName, value: fc.string({ unit: 'binary', maxLength: 5 }) }),
  fc.record({ op: fc.constantFrom('contains' as const, 'startsWith' as const, 'endsWith' as const), field: fieldName, value: fc.string({ maxLength: 5 }), caseSensitive: fc.constant(false) }),
  fc.record({ op: fc.constant('matches' as const), field: fieldName, pattern: fc.constantFrom('a', '^x/y$', "it's", '\\d+', '') }),
  fc.record({ op: fc.constant('matches' as const), field: fieldName, pattern: fc.constantFrom('a', '/'), flags: fc.constantFrom('i', 'su') }),
  fc.record({ op: fc.constantFrom('isNull' as const, 'isNotNull' as const), field: fieldName }),
);
const roundTripTree = fc.letrec<{ node: Filter }>((tie) => ({
  node: fc.oneof(
    { maxDepth: 3, depthSize: 'small' },
    roundTripLeaf,
    fc.record({ op: fc.constantFrom('and' as const, 'or' as const), filters: fc.oneof(fc.constant<Filter[]>([]), fc.array(tie('node'), { minLength: 2, maxLength: 3 })) }),
    fc.record({ op: fc.constant('not' as const), filter: tie('node') }),
  ),
})).node;

describe('text round trip', () => {
  it(`parseFilter(formatFilter(ast)) equals ast (${RUNS} runs)`, () => {
    fc.assert(
      fc.property(roundTripTree, (filter) => {
        const text = formatFilter(filter);
        expect(parseFilter(text), text).toEqual(filter);
      }),
      { numRuns: RUNS },
    );
  });
});
