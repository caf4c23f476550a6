/**
 * The streaming parsers fed whole, one character at a time, seven at a time and split at every
 * position, checked against papaparse and JSON.parse reading the whole text at once.
 */
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { CsvParser, typed, type CsvParserOptions } from '../../../src/sources/parse/csv.js';
import { JsonArrayParser } from '../../../src/sources/parse/json-array.js';
import { NdjsonParser } from '../../../src/sources/parse/ndjson.js';
import type { MalformedInput, TextRowParser } from '../../../src/sources/parse/types.js';
import type { Row } from '../../../src/types.js';

type Make = (onMalformed: (problem: MalformedInput) => void) => TextRowParser;

/** Feeds `pieces` to a fresh parser; returns its rows and the malformed records it reported. */
function feed(make: Make, pieces: readonly string[]): { rows: Row[]; malformed: MalformedInput[] } {
  const malformed: MalformedInput[] = [];
  const parser = make((problem) => malformed.push(problem));
  const rows: Row[] = [];
  for (const piece of pieces) parser.push(piece, rows);
  parser.end(rows);
  return { rows, malformed };
}

function strides(text: string, size: number): string[] {
  const pieces: string[] = [];
  for (let i = 0; i < text.length; i += size) pieces.push(text.slice(i, i + size));
  return pieces;
}

/** Whole, stride 1, stride 7, and every two-way split. */
function splits(text: string): Array<[string, string[]]> {
  const cases: Array<[string, string[]]> = [
    ['whole', [text]],
    ['stride 1', strides(text, 1)],
    ['stride 7', strides(text, 7)],
  ];
  for (let at = 1; at < text.length; at++) cases.push([`split at ${at}`, [text.slice(0, at), text.slice(at)]]);
  return cases;
}

const csv = (options: Partial<CsvParserOptions> = {}): Make => (onMalformed) =>
  new CsvParser({ delimiter: ',', quote: '"', header: true, inferTypes: false, ...options }, onMalformed);

describe('CsvParser', () => {
  const text =
    'id,name,note\r\n' +
    '1,"Smith, ""Jr.""","line one\nline two"\r\n' +
    '2,Zoë 😀,"a ""quoted"" \r\n crlf inside"\r\n' +
    '3,,plain\r\n' +
    '4,"","ends with quote"""\r\n';

  it.each(splits(text))('matches papaparse on quoted newlines, quotes and CRLF (%s)', (_name, pieces) => {
    const expected = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(expected.errors).toEqual([]);
    const { rows, malformed } = feed(csv(), pieces);
    expect(malformed).toEqual([]);
    expect(rows).toEqual(expected.data);
  });

  it.each(splits('a\tb\nx y\t"t\tab"\n1\t2'))('reads TSV with LF and no final newline (%s)', (_name, pieces) => {
    const { rows } = feed(csv({ delimiter: '\t', inferTypes: true }), pieces);
    expect(rows).toEqual([
      { a: 'x y', b: 't\tab' },
      { a: 1, b: 2 },
    ]);
  });

  it('reads CR-only line ends, skips blank lines and names header-less columns', () => {
    const { rows } = feed(csv({ header: false, inferTypes: true }), strides('1,a\r\r2,"b\rc"\r', 3));
    expect(rows).toEqual([
      { column1: 1, column2: 'a' },
      { column1: 2, column2: 'b\rc' },
    ]);
  });

  it.each(splits("a;b\n'x;y';'it''s'\n"))('takes another delimiter and quote (%s)', (_name, pieces) => {
    expect(feed(csv({ delimiter: ';', quote: "'" }), pieces).rows).toEqual([{ a: 'x;y', b: "it's" }]);
  });

  it('renames empty and repeated header names', () => {
    const { rows } = feed(csv(), ['a,,a,a\n1,2,3,4\n']);
    expect(rows).toEqual([{ a: '1', column2: '2', a_2: '3', a_3: '4' }]);
  });

  it.each(splits('id,v\n1,a\n2,"multi\nline"\n3\n4,d,extra\n5,e\n'))('reports rows with the wrong field count with their line (%s)', (_name, pieces) => {
    const { rows, malformed } = feed(csv({ inferTypes: true }), pieces);
    expect(rows).toEqual([
      { id: 1, v: 'a' },
      { id: 2, v: 'multi\nline' },
      { id: 5, v: 'e' },
    ]);
    expect(malformed.map(({ line, reason, excerpt }) => ({ line, reason, excerpt }))).toEqual([
      { line: 5, reason: 'expected 2 fields, found 1', excerpt: '3' },
      { line: 6, reason: 'expected 2 fields, found 3', excerpt: '4,d,extra' },
    ]);
  });

  it('reports an unterminated quote at the end of the body', () => {
    const { rows, malformed } = feed(csv(), ['a,b\n1,2\n3,"never closed\n4,5\n']);
    expect(rows).toEqual([{ a: '1', b: '2' }]);
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatchObject({ line: 3, reason: 'Quoted field unterminated' });
  });

  it('reads a header only, and nothing at all', () => {
    expect(feed(csv(), ['a,b\r\n']).rows).toEqual([]);
    expect(feed(csv(), []).rows).toEqual([]);
  });
});

describe('typed', () => {
  it.each<[string, unknown]>([
    ['', null],
    ['0', 0],
    ['-12', -12],
    ['3.25', 3.25],
    ['-0.5', -0.5],
    ['1.50', 1.5],
    ['5.0', 5],
    ['1e3', 1000],
    ['-2.5E-3', -0.0025],
    ['9007199254740991', 9007199254740991],
    ['true', true],
    ['false', false],
    // Kept as text.
    ['007', '007'],
    ['-01', '-01'],
    ['+1', '+1'],
    ['.5', '.5'],
    ['1.', '1.'],
    ['1e400', '1e400'],
    ['9007199254740993', '9007199254740993'],
    ['12345678901234567890', '12345678901234567890'],
    ['NaN', 'NaN'],
    ['Infinity', 'Infinity'],
    ['-Infinity', '-Infinity'],
    ['TRUE', 'TRUE'],
    [' 1', ' 1'],
    ['2024-01-02', '2024-01-02'],
    ['0x10', '0x10'],
  ])('%j → %j', (text, value) => {
    expect(typed(text)).toEqual(value);
  });
});

describe('NdjsonParser', () => {
  const lines = [{ a: 1, s: 'x\ny' }, { a: 2, s: 'é😀' }, 5, 'text', [1, 2], null];
  const text = lines.map((line) => JSON.stringify(line)).join('\r\n') + '\n\n  \n';

  it.each(splits(text))('reads values split anywhere, with CRLF and blank lines (%s)', (_name, pieces) => {
    const { rows, malformed } = feed((m) => new NdjsonParser(m), pieces);
    expect(malformed).toEqual([]);
    expect(rows).toEqual([{ a: 1, s: 'x\ny' }, { a: 2, s: 'é😀' }, { value: 5 }, { value: 'text' }, { value: [1, 2] }, { value: null }]);
  });

  it.each(splits('{"a":1}\n\n{"a":2,}\n{"a":3}'))('reports a malformed line with its line number (%s)', (_name, pieces) => {
    const { rows, malformed } = feed((m) => new NdjsonParser(m), pieces);
    expect(rows).toEqual([{ a: 1 }, { a: 3 }]);
    expect(malformed).toHaveLength(1);
    expect(malformed[0]).toMatchObject({ line: 3, excerpt: '{"a":2,}' });
  });
});

describe('JsonArrayParser', () => {
  const elements = [
    { id: 1, text: 'brackets ] [ and braces } { inside', nested: { list: [1, [2, { deep: '}' }]], empty: {} } },
    { id: 2, text: 'escaped \\" quote, backslash \\\\ and \\\\" pair', unicode: '\u00e9\ud83d\ude00 \u2028' },
    { id: 3, text: 'ends with backslash \\', n: -1.5e-3, t: true, f: false, z: null },
    7,
    'a "string" element',
    [1, { a: [] }],
  ];
  const text = `\ufeff [\n  ${elements.map((element) => JSON.stringify(element, null, 1)).join(' ,\n  ')}\n]\n`;

  it.each(splits(text))('finds element boundaries in strings, escapes and nesting (%s)', (_name, pieces) => {
    const { rows, malformed } = feed((m) => new JsonArrayParser(m), pieces);
    expect(malformed).toEqual([]);
    expect(rows).toEqual(elements.map((element) => (typeof element === 'object' && !Array.isArray(element) ? element : { value: element })));
  });

  it('reads an empty array', () => {
    expect(feed((m) => new JsonArrayParser(m), [' [ ] '])).toEqual({ rows: [], malformed: [] });
  });

  it.each(splits('[{"a":1},\n{"a":2,},\n{"a":3},\n,\n{"a":4}]'))('skips malformed and empty elements, naming their line (%s)', (_name, pieces) => {
    const { rows, malformed } = feed((m) => new JsonArrayParser(m), pieces);
    expect(rows).toEqual([{ a: 1 }, { a: 3 }, { a: 4 }]);
    expect(malformed.map(({ line, excerpt }) => ({ line, excerpt }))).toEqual([
      { line: 2, excerpt: '{"a":2,}' },
      { line: 4, excerpt: '' },
    ]);
    expect(malformed[1]!.reason).toBe('array element 3 is empty');
  });

  it('reports a body that is not an array as fatal', () => {
    const { rows, malformed } = feed((m) => new JsonArrayParser(m), ['{"rows": []}']);
    expect(rows).toEqual([]);
    expect(malformed).toEqual([{ line: 1, reason: 'the body is not a JSON array', excerpt: '{"rows": []}', fatal: true }]);
    expect(feed((m) => new JsonArrayParser(m), ['  ']).malformed[0]).toMatchObject({ fatal: true, reason: 'the body is empty, not a JSON array' });
  });

  it('reports a truncated body and text after the array', () => {
    const truncated = feed((m) => new JsonArrayParser(m), ['[{"a":1},\n{"a":', '2']);
    expect(truncated.rows).toEqual([{ a: 1 }]);
    expect(truncated.malformed).toEqual([{ line: 2, reason: 'the body ended inside array element 1 (the array is not closed)', excerpt: '{"a":2' }]);
    const trailing = feed((m) => new JsonArrayParser(m), ['[1]\n', 'garbage']);
    expect(trailing.rows).toEqual([{ value: 1 }]);
    expect(trailing.malformed).toEqual([{ line: 2, reason: 'unexpected text after the end of the JSON array', excerpt: 'garbage' }]);
  });
});
