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
  // (a+)+$ backtracks exponentially on a run of a's that ends in another character.
  const evil: Filter = { op: 'matches', field: 's', pattern: '(a+)+$' };
  const slowText = `${'a'.repeat(22)}b`;

  it('is a valid filter: nothing can tell a slow pattern from a fast one up front', () => {
    expect(validateExport({ format: 'csv', filter: evil })).toEqual([]);
  });

  /** The least of three timings of one slow match: the machine's own speed, load included. */
  function oneMatchMs(): number {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 3; i++) {
      const started = performance.now();
      /(a+)+$/.test(slowText);
      best = Math.min(best, performance.now() - started);
    }
    return best;
  }

  it('timeoutMs fails the export with timeout between chunks', async () => {
    const data = Array.from({ length: 40 }, () => ({ s: slowText }));
    const perRow = oneMatchMs();
    const started = performance.now();
    await expect(exportAll(data, { format: 'csv', filter: evil, chunkSize: 1, timeoutMs: 150 })).rejects.toMatchObject({
      code: 'timeout',
      details: { path: 'timeoutMs' },
    });
    const elapsed = performance.now() - started;
    // Forty rows would take forty matches; the budget stops it after a few chunks.
    expect(elapsed).toBeLessThan(perRow * 20 + 150);
  });

  it('cannot interrupt one chunk in Node: the timeout is seen only once that chunk is filtered', async () => {
    const data = Array.from({ length: 4 }, () => ({ s: slowText }));
    const perRow = oneMatchMs();
    const started = performance.now();
    await expect(exportAll(data, { format: 'csv', filter: evil, timeoutMs: 10 })).rejects.toMatchObject({ code: 'timeout' });
    // All four rows were in one chunk: their evaluation ran to the end before the budget was checked.
    expect(performance.now() - started).toBeGreaterThan(perRow * 2);
  });

  it('a fast pattern on long text is fine', async () => {
    const { result } = await exportAll([{ s: `${'a'.repeat(1_000_000)}b` }], { format: 'csv', filter: { op: 'matches', field: 's', pattern: 'a+b$' } });
    expect(result.rowsWritten).toBe(1);
  });
});
