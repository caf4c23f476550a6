/**
 * Hostile filters: nesting past the limit (as an AST, as text, as a cycle), very wide filters,
 * filter objects whose getters throw, and a pathological regular expression under a time budget.
 *
 * On the main thread and in Node a running regular expression cannot be interrupted: `timeoutMs`
 * is checked between chunks (and while waiting on the source), so an export fails with 'timeout'
 * only once the chunk being filtered is done. In the worker, cancel and the time budget stop such
 * a step by terminating the worker (covered by the browser tests).
 */
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError, type ExportError } from '../../../src/errors.js';
import { MAX_FILTER_DEPTH } from '../../../src/filter/index.js';
import type { Filter } from '../../../src/filter/ast.js';
import type { StreamOptions } from '../../../src/types.js';
import { validateExport } from '../../../src/validate.js';
import { exportAll } from './helpers.js';

const rows = [{ a: 1, s: 'x' }, { a: 2, s: 'y' }];

function thrownBy(fn: () => unknown): ExportError {
  try {
    fn();
  } catch (error) {
    if (isExportError(error)) return error;
    throw new Error(`expected an ExportError, got ${String(error)}`);
  }
  throw new Error('expected an ExportError');
}

function notChain(depth: number): Filter {
  let filter: Filter = { op: 'eq', field: 'a', value: 1 };
  for (let i = 1; i < depth; i++) filter = { op: 'not', filter };
  return filter;
}

function andChain(depth: number): Filter {
  let filter: Filter = { op: 'eq', field: 'a', value: 1 };
  for (let i = 1; i < depth; i++) filter = { op: 'and', filters: [{ op: 'gt', field: 'a', value: 0 }, filter] };
  return filter;
}

describe('filter nesting', () => {
  it(`accepts exactly ${MAX_FILTER_DEPTH} levels`, async () => {
    const data = [{ a: 1 }, { a: 2 }, { a: 3 }];
    const { result } = await exportAll(data, { format: 'csv', filter: notChain(MAX_FILTER_DEPTH) });
    // MAX_FILTER_DEPTH - 1 nots around a = 1: an odd count keeps a != 1 (two rows), an even one a = 1.
    expect(result.rowsWritten).toBe((MAX_FILTER_DEPTH - 1) % 2 === 1 ? 2 : 1);
  });

  it.each<[string, () => unknown]>([
    ['an AST one level too deep (not)', () => notChain(MAX_FILTER_DEPTH + 1)],
    ['an AST 100,000 levels deep (not)', () => notChain(100_000)],
    ['an AST 100,000 levels deep (and)', () => andChain(100_000)],
    ['filter text with 100,000 nested parentheses', () => `${'('.repeat(100_000)}a > 1${')'.repeat(100_000)}`],
    ['filter text with 100,000 nots', () => `${'not '.repeat(100_000)}a > 1`],
    ['filter text with 100,000 nested parentheses and no end', () => '('.repeat(100_000)],
    [
      'a filter that contains itself',
      () => {
        const cycle: Record<string, unknown> = { op: 'not' };
        cycle.filter = cycle;
        return cycle;
      },
    ],
    ['an array of one too-deep filter among good ones', () => ['a > 0', notChain(MAX_FILTER_DEPTH + 1)]],
  ])('%s fails at once with invalid_filter, no stack overflow', (_name, make) => {
    const filter = make() as NonNullable<StreamOptions['filter']>;
    const started = performance.now();
    const error = thrownBy(() => exportStream(rows, { format: 'csv', filter }));
    expect(error.code).toBe('invalid_filter');
    expect(error.message).toMatch(new RegExp(`deeper than ${MAX_FILTER_DEPTH}|nesting|unexpected end|expected`));
    expect(error.message).not.toMatch(/call stack/i);
    expect(performance.now() - started).toBeLessThan(2000);
    // validateExport reports it as a problem instead of throwing.
    expect(validateExport({ format: 'csv', filter }).map((problem) => problem.code)).toEqual(['invalid_filter']);
  });

  it('a wide filter (an or of 20,000 terms, an in of 100,000 values) works', async () => {
    const data = Array.from({ length: 1000 }, (_, i) => ({ a: i }));
    const or: Filter = { op: 'or', filters: Array.from({ length: 20_000 }, (_, i) => ({ op: 'eq', field: 'a', value: i * 2 })) };
    const inList: Filter = { op: 'in', field: 'a', values: Array.from({ length: 100_000 }, (_, i) => i * 3) };
    expect((await exportAll(data, { format: 'csv', filter: or })).result.rowsWritten).toBe(500);
    expect((await exportAll(data, { format: 'csv', filter: inList })).result.rowsWritten).toBe(334);
  });

  it('a filter object whose getter throws fails with invalid_filter naming the option', () => {
    const node = { field: 'a', value: 1, get op(): string { throw new Error('op getter'); } };
    const error = thrownBy(() => exportStream(rows, { format: 'csv', filter: node as unknown as Filter }));
    expect(error.code).toBe('invalid_filter');
    expect(error.message).toContain('op getter');
    expect(error.details.path).toBe('filter');
  });

  it('a FilterBuilder whose build() throws fails with invalid_filter', () => {
    const builder = { build: (): Filter => { throw new Error('build failed'); } };
    const error = thrownBy(() => exportStream(rows, { format: 'csv', filter: builder as unknown as Filter }));
    expect(error.code).toBe('invalid_filter');
    expect(error.message).toContain('build failed');
  });
});

describe('a pathological regular expression', () => {
  // (a+)+$ backtracks exponentially in a backtracking engine on a run of a's that ends in another
  // character (13–20 s for 27 a's in V8); RE2 matches in time linear in the text.
  const evil: Filter = { op: 'matches', field: 's', pattern: '^(a+)+$' };

  it('is a valid filter', () => {
    expect(validateExport({ format: 'csv', filter: evil })).toEqual([]);
  });

  it('runs in linear time: thousands of worst-case values finish well within a generous bound', async () => {
    const data = Array.from({ length: 2_000 }, (_, i) => ({ s: i % 2 === 0 ? `${'a'.repeat(27)}!` : 'a'.repeat(27) }));
    const started = performance.now();
    const { bytes, result } = await exportAll(data, { format: 'csv', filter: evil, timeoutMs: 200_000 });
    // A backtracking engine takes seconds per value here; 2,000 values would take hours.
    expect(performance.now() - started).toBeLessThan(60_000);
    expect(result.rowsWritten).toBe(1_000);
    expect(new TextDecoder().decode(bytes).split('\r\n').slice(1, 3)).toEqual(['a'.repeat(27), 'a'.repeat(27)]);
  });

  it('the string form with timeoutMs: 200 finishes (or times out) in well under the 13 s a backtracking engine took', async () => {
    const started = performance.now();
    const { result } = await exportAll([{ s: `${'a'.repeat(27)}!` }, { s: 'aaa' }], { format: 'csv', filter: "s matches '/^(a+)+$/'", timeoutMs: 200 }).catch((error: unknown) => {
      // A loaded machine may still spend the 200 ms elsewhere: then the budget says so.
      expect(error).toMatchObject({ code: 'timeout' });
      return { result: null };
    });
    expect(performance.now() - started).toBeLessThan(5_000);
    if (result !== null) expect(result.rowsWritten).toBe(1);
  });

  it('a fast pattern on long text is fine', async () => {
    const { result } = await exportAll([{ s: `${'a'.repeat(1_000_000)}b` }], { format: 'csv', filter: { op: 'matches', field: 's', pattern: 'a+b$' } });
    expect(result.rowsWritten).toBe(1);
  });

  it.each([
    ['(?=a)x', /lookahead/],
    ['(?!a)x', /negative lookahead/],
    ['(?<=a)x', /lookbehind/],
    ['(?<!a)x', /negative lookbehind/],
    ['(a)\\1', /backreference/],
    ['(?<n>a)\\k<n>', /named backreference/],
    ['(?>a+)b', /atomic group/],
  ])('refuses %s by name with invalid_filter, before anything is written', async (pattern, construct) => {
    const error = thrownBy(() => exportStream(rows, { format: 'csv', filter: { op: 'matches', field: 's', pattern } }));
    expect(error.code).toBe('invalid_filter');
    expect(error.message).toMatch(construct);
    expect(error.message).toMatch(/RE2/);
    // The text form too, while parsing.
    const parsed = thrownBy(() => exportStream(rows, { format: 'csv', filter: `s matches '${pattern}'` }));
    expect(parsed.code).toBe('invalid_filter');
    expect(parsed.message).toMatch(construct);
  });
});
