/**
 * `matches` runs on RE2: the same syntax and rows as DuckDB's regexp_matches, linear time, and a
 * clear invalid_filter, before anything is written, for what RE2 cannot run.
 */
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { parseFilter } from '../../../src/filter/index.js';
import { checkPattern } from '../../../src/filter/regex.js';
import { duckdb, readAll } from '../../helpers/readers.js';

const TEXTS = ['apple', 'Apple pie', 'banana', 'line one\nline two', 'x😀y', 'ÄÖÜ äöü', '', 'a.b', 'aaa!', 'tab\there', 'ﬀ', 'Kelvin K'];

/** Rows (by index) whose `s` a `matches` filter keeps, through a whole export. */
async function kept(pattern: string, flags?: string): Promise<number[]> {
  const rows = TEXTS.map((s, i) => ({ i, s }));
  const filter = flags === undefined ? { op: 'matches' as const, field: 's', pattern } : { op: 'matches' as const, field: 's', pattern, flags };
  const text = new TextDecoder().decode(await readAll(exportStream(rows, { format: 'ndjson', filter, columns: ['i'] })));
  return text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { i: number }).i);
}

/** The same with DuckDB's regexp_matches (RE2). */
async function keptByDuckdb(pattern: string, options?: string): Promise<number[]> {
  const connection = await duckdb();
  const values = TEXTS.map((s, i) => `(${i}, '${s.replaceAll("'", "''")}')`).join(', ');
  const sql = `SELECT i FROM (VALUES ${values}) t(i, s) WHERE regexp_matches(s, '${pattern.replaceAll("'", "''")}'${options ? `, '${options}'` : ''}) ORDER BY i`;
  const reader = await connection.runAndReadAll(sql);
  return reader.getRows().map((row) => Number(row[0]));
}

describe('matches selects the rows DuckDB regexp_matches selects', () => {
  const patterns = ['^a', 'pie$', '^(a+)+$', 'a{3}', '\\d', '[[:upper:]]', '\\pL+ \\pL', '(?i)apple', '^.$', 'x.y', '😀', '\\x{1F600}', '(?P<w>an)+', '(?:na)+$', 'line.two', '(?s)line.line', '\\bpie\\b', '[^a-z]', '\\Qa.b\\E', 'K', '^$'];
  for (const pattern of patterns) {
    it(`/${pattern}/`, async () => {
      expect(await kept(pattern)).toEqual(await keptByDuckdb(pattern));
    });
  }
  it('the i flag is regexp_matches\' i option', async () => {
    for (const pattern of ['^APPLE', 'äöü', 'k']) expect(await kept(pattern, 'i')).toEqual(await keptByDuckdb(pattern, 'i'));
  });
});

describe('flags', () => {
  it('m makes ^ and $ match at line breaks; s makes . match a line break', async () => {
    expect(await kept('^line two$')).toEqual([]);
    expect(await kept('^line two$', 'm')).toEqual([3]);
    expect(await kept('one.line')).toEqual([]);
    expect(await kept('one.line', 's')).toEqual([3]);
  });
  it('u, g and y change nothing', async () => {
    const plain = await kept('^.$');
    for (const flags of ['u', 'g', 'y', 'gu']) expect(await kept('^.$', flags)).toEqual(plain);
  });
  it.each(['d', 'v', 'x', 'ii'])('refuses the flags "%s" with invalid_filter', (flags) => {
    expect(() => checkPattern('a', flags, 'filter')).toThrow(/flag "[dvxi]" is (not supported|repeated)/);
  });
});

describe('syntax errors are invalid_filter before anything is written', () => {
  it.each([
    ['(', /missing closing \)/],
    ['a)', /unexpected \)/],
    ['[ab', /missing closing \]/],
    ['*a', /missing argument to repetition operator/],
    ['a|+', /missing argument to repetition operator/],
    ['ab\\', /trailing backslash/],
  ])('%s fails while parsing, on the page', (pattern, reason) => {
    expect(() => parseFilter(`s matches '${pattern}'`)).toThrow(reason);
    expect(() => checkPattern(pattern, undefined, 'filter')).toThrow(reason);
  });

  it.each([
    ['a{1001}', /repeat/],
    ['\\u00e9', /invalid escape/],
    ['[[:nope:]]', /character class range|invalid/],
    ['a**', /bad repetition|invalid nested repetition/],
  ])('%s (found by RE2) fails when the export starts, before a byte or a row', async (pattern, reason) => {
    let pulled = 0;
    function* rows(): Generator<{ s: string }> {
      for (;;) {
        pulled++;
        yield { s: 'x' };
      }
    }
    // Thrown by exportStream itself once RE2 is loaded (an earlier export loaded it), else by the
    // first read, when the export loads RE2 and compiles the pattern.
    let failure: unknown = null;
    try {
      const reader = exportStream(rows(), { format: 'csv', filter: { op: 'matches', field: 's', pattern } }).getReader();
      await reader.read();
    } catch (error) {
      failure = error;
    }
    expect(isExportError(failure) && failure.code).toBe('invalid_filter');
    expect((failure as Error).message).toMatch(reason);
    expect((failure as Error).message).toMatch(/RE2 syntax/);
    // The first item is read to tell rows from batches; nothing more.
    expect(pulled).toBeLessThanOrEqual(1);
  });
});
