import { describe, expect, it } from 'vitest';
import { exportStream, type ExportResult, type StreamOptions } from '../../../src/index.js';
import { duckdbReadCsv, papaParse, readText } from '../../helpers/readers.js';

/** Text cells that break naive CSV writers. Lone surrogates are written as U+FFFD. */
const CORPUS: Array<[label: string, value: string | null]> = [
  ['plain', 'hello'],
  ['quote inside', 'say "hi"'],
  ['only a quote', '"'],
  ['two quotes', '""'],
  ['comma', 'a,b'],
  ['LF', 'line1\nline2'],
  ['CR', 'line1\rline2'],
  ['CRLF', 'line1\r\nline2'],
  ['trailing CRLF', 'end\r\n'],
  ['leading and trailing spaces', '  padded  '],
  ['empty string', ''],
  ['null', null],
  ['astral', 'emoji 😀 and 𝄞'],
  // A character the cell needs quoting for, after a surrogate pair, an accent or CJK: the writer
  // takes another way from the first non-ASCII unit on, and must still see it.
  ['astral, then a comma and a quote', '😀 a,b "c"'],
  ['accent, then a comma', 'café, crème'],
  ['CJK, then a newline', '日本\n語'],
  ['lone surrogate, then a quote', '\ud800 said "x"'],
  ['combining', 'e\u0301 vs é'],
  ['CJK', '日本語のテキスト'],
  ['number-like', '007'],
  ['negative number text', '-5'],
  ['exponent text', '+1.5e3'],
  ['tab inside', 'a\tb'],
  ['semicolon', 'a;b'],
  ['single quote', "it's"],
];

const FORMULAS = ['=1+2', '+cmd', '-2+3', '@SUM(A1)', '\tx', '\rx', '\nx', '=HYPERLINK("http://x")'];
const NUMBERS_LEFT_ALONE = ['-5', '+1.5', '-1e-7', '+1.5e3', '-0.25', '.5', '-.5'];

const rowsOf = (values: Array<string | null>) => values.map((value, index) => ({ id: index, text: value }));

async function csv(rows: unknown, options: Omit<StreamOptions, 'format'> & { format?: 'csv' | 'tsv' } = {}): Promise<{ text: string; result: ExportResult }> {
  let result: ExportResult | undefined;
  const text = await readText(exportStream(rows as never, { format: 'csv', ...options, onComplete: (r) => (result = r) }));
  return { text, result: result! };
}

describe.each([undefined, 1, 7])('CSV corner cases (chunkSize %s)', (chunkSize) => {
  const values = CORPUS.map(([, value]) => value);
  const expected = values.map((value) => (value === null ? null : value.toWellFormed()));
  const options = chunkSize === undefined ? {} : { chunkSize };

  it('reads back identically in DuckDB (null apart from empty string)', async () => {
    const { text } = await csv(rowsOf(values), { ...options, csv: { escapeFormulae: false } });
    const table = await duckdbReadCsv(text);
    expect(table.columns).toEqual(['id', 'text']);
    expect(table.rows.map((row) => row[1])).toEqual(expected);
    expect(table.rows.map((row) => row[0])).toEqual(values.map((_, index) => String(index)));
  });

  it('reads back identically in papaparse', async () => {
    const { text } = await csv(rowsOf(values), { ...options, csv: { escapeFormulae: false } });
    const rows = papaParse(text);
    expect(rows[0]).toEqual(['id', 'text']);
    // papaparse cannot tell null from "", which DuckDB above does.
    expect(rows.slice(1).map((row) => row[1])).toEqual(expected.map((value) => value ?? ''));
  });

  it('writes lone surrogates as U+FFFD', async () => {
    const { text } = await csv([{ s: 'a\ud800b' }, { s: '\udc00' }], options);
    expect(papaParse(text).slice(1)).toEqual([['a\ufffdb'], ['\ufffd']]);
  });
});

describe('CSV formula guard', () => {
  it.each(FORMULAS)('prefixes %j with a quote mark and quotes the cell', async (value) => {
    const { text, result } = await csv([{ cell: value }]);
    const table = await duckdbReadCsv(text);
    expect(table.rows[0]![0]).toBe(`'${value}`);
    expect(result.formulaCellsEscaped).toBe(1);
  });

  it.each(NUMBERS_LEFT_ALONE)('leaves the plain number %j untouched', async (value) => {
    const { text, result } = await csv([{ cell: value }]);
    expect(papaParse(text)[1]).toEqual([value]);
    expect(result.formulaCellsEscaped).toBe(0);
  });

  it('can be turned off', async () => {
    const { text, result } = await csv([{ cell: '=1+2' }], { csv: { escapeFormulae: false } });
    expect(text).toBe('cell\r\n=1+2\r\n');
    expect(result.formulaCellsEscaped).toBe(0);
  });

  it('counts every guarded cell across chunks', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => ({ a: i % 2 === 0 ? '=x' : 'y', b: '@z' }));
    const { result } = await csv(rows, { chunkSize: 7 });
    expect(result.formulaCellsEscaped).toBe(75);
  });
});

describe('CSV values', () => {
  const rows = [
    { int: 1, float: 0.1, neg: -2.5, big: 2n ** 62n, yes: true, no: false, at: new Date(Date.UTC(2024, 1, 29, 13, 5, 9, 7)), old: new Date(Date.UTC(1901, 11, 13)), obj: { a: [1, 'x'] }, arr: [1, 2] },
    { int: -7, float: 1 / 3, neg: -0, big: -(2n ** 63n), yes: null, no: undefined, at: null, old: new Date(-1), obj: null, arr: [] },
  ];

  it('writes numbers as the shortest round-trip text, booleans as true/false, dates as ISO UTC', async () => {
    const { text } = await csv(rows);
    expect(papaParse(text)).toEqual([
      ['int', 'float', 'neg', 'big', 'yes', 'no', 'at', 'old', 'obj', 'arr'],
      ['1', '0.1', '-2.5', String(2n ** 62n), 'true', 'false', '2024-02-29T13:05:09.007Z', '1901-12-13T00:00:00.000Z', '{"a":[1,"x"]}', '[1,2]'],
      ['-7', String(1 / 3), '0', String(-(2n ** 63n)), '', '', '', '1969-12-31T23:59:59.999Z', '', '[]'],
    ]);
  });

  it.each([
    [0.1 + 0.2], [1e21], [1e-7], [123456789.12], [-0.01], [5e-324], [Number.MAX_VALUE], [2 ** 53], [-(2 ** 53) + 1], [0.5], [99.99], [1.005], [NaN], [Infinity], [-Infinity],
  ])('writes %d exactly as String() does', async (value) => {
    const { text } = await csv([{ n: value }, { n: 1.5 }]);
    expect(papaParse(text)[1]).toEqual([String(value)]);
  });

  it('writes dates as YYYY-MM-DD or epoch milliseconds', async () => {
    const at = new Date(Date.UTC(2024, 0, 31, 23, 59));
    expect((await csv([{ at }], { csv: { dateFormat: 'date' } })).text).toBe('at\r\n2024-01-31\r\n');
    expect((await csv([{ at }], { csv: { dateFormat: 'epoch' } })).text).toBe(`at\r\n${at.getTime()}\r\n`);
  });

  it('writes years outside 0–9999 as toISOString does', async () => {
    const far = new Date(Date.UTC(12345, 0, 1));
    const { text } = await csv([{ at: far }, { at: new Date(Date.UTC(-5, 0, 1)) }]);
    expect(papaParse(text).slice(1)).toEqual([[far.toISOString()], [new Date(Date.UTC(-5, 0, 1)).toISOString()]]);
  });
});

describe('CSV options', () => {
  const rows = [{ a: 'x;y', b: null, c: "it's" }, { a: '', b: 2, c: 'plain' }];

  it.each<[string, StreamOptions['csv'], string]>([
    ['defaults', {}, 'a,b,c\r\nx;y,,it\'s\r\n"",2,plain\r\n'],
    ['semicolon delimiter', { delimiter: ';' }, 'a;b;c\r\n"x;y";;it\'s\r\n"";2;plain\r\n'],
    ['single-quote quote', { quote: "'" }, "a,b,c\r\nx;y,,'it''s'\r\n'',2,plain\r\n"],
    ['LF newline', { newline: '\n' }, 'a,b,c\nx;y,,it\'s\n"",2,plain\n'],
    ['quoteAll', { quoteAll: true }, '"a","b","c"\r\n"x;y",,"it\'s"\r\n"",2,"plain"\r\n'],
    ['no header', { header: false }, 'x;y,,it\'s\r\n"",2,plain\r\n'],
    ['nullValue', { nullValue: 'NULL' }, 'a,b,c\r\nx;y,NULL,it\'s\r\n"",2,plain\r\n'],
    ['BOM', { bom: true }, '\ufeffa,b,c\r\nx;y,,it\'s\r\n"",2,plain\r\n'],
  ])('%s', async (_label, csvOptions, expected) => {
    expect((await csv(rows, { csv: csvOptions! })).text).toBe(expected);
  });

  it('writes TSV with a tab delimiter, read back by DuckDB', async () => {
    const { text } = await csv([{ a: 'x\ty', b: 1 }, { a: 'plain', b: null }], { format: 'tsv' });
    expect(text).toBe('a\tb\r\n"x\ty"\t1\r\nplain\t\r\n');
    const table = await duckdbReadCsv(text, { delimiter: '\t' });
    expect(table.rows).toEqual([['x\ty', '1'], ['plain', null]]);
  });

  it('reads back with a custom null value and quote in DuckDB', async () => {
    const { text } = await csv(rows, { csv: { nullValue: 'NULL', quote: "'" } });
    const table = await duckdbReadCsv(text, { nullValue: 'NULL', quote: "'" });
    expect(table.rows).toEqual([['x;y', null, "it's"], ['', '2', 'plain']]);
  });

  it.each<[StreamOptions['csv'], RegExp]>([
    [{ delimiter: ';;' }, /csv delimiter must be one character, got ";;"/],
    [{ delimiter: '\n' }, /csv delimiter must not be CR or LF/],
    [{ delimiter: '§' }, /csv delimiter must be an ASCII character \(one byte in UTF-8\), got "§"/],
    [{ delimiter: '；' }, /csv delimiter must be an ASCII character/],
    [{ quote: '«' }, /csv quote must be an ASCII character \(one byte in UTF-8\), got "«"/],
    [{ quote: ',' }, /csv quote and delimiter must differ/],
    [{ newline: '\n\n' as never }, /csv newline must be/],
    [{ dateFormat: 'us' as never }, /csv dateFormat must be/],
    [{ nullValue: 'a,b' }, /csv nullValue must not hold the delimiter/],
  ])('refuses %j', (csvOptions, message) => {
    expect(() => exportStream([{ a: 1 }], { format: 'csv', csv: csvOptions! })).toThrow(message);
    try {
      exportStream([{ a: 1 }], { format: 'csv', csv: csvOptions! });
    } catch (error) {
      expect(error).toMatchObject({ name: 'ExportError', code: 'invalid_options' });
    }
  });

  it('writes the header alone for an empty source with known columns, and fails without any', async () => {
    expect((await csv([], { columns: ['a', { field: 'b', header: 'B' }] })).text).toBe('a,B\r\n');
    await expect(csv([])).rejects.toMatchObject({ code: 'invalid_options', message: expect.stringMatching(/^nothing to export/) });
  });
});
