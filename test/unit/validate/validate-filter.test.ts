import { Field, Float64, Schema, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { validateFilter, where } from '../../../src/index.js';

describe('validateFilter', () => {
  it('returns no problem for a good filter, text or builder', () => {
    expect(validateFilter("amount > 5 and name = 'a'", ['amount', 'name'])).toEqual([]);
    expect(validateFilter(where('amount', '>', 5))).toEqual([]);
  });

  it('reports syntax, unknown columns and type mismatches as problems with paths, never throws', () => {
    expect(validateFilter('amount >> 5')).toMatchObject([{ code: 'invalid_filter', path: 'filter' }]);
    expect(validateFilter('amout > 5', ['amount'])).toMatchObject([{ code: 'unknown_column', path: 'filter', message: expect.stringContaining('did you mean "amount"') }]);
    const schema = new Schema([new Field('amount', new Float64()), new Field('name', new Utf8())]);
    expect(validateFilter("amount > 'x'", schema)).toMatchObject([{ code: 'invalid_filter' }]);
    expect(validateFilter({ op: 'gt', field: 'amount' } as never)[0]?.path).toMatch(/^filter/);
  });
});
