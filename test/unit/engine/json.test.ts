import { describe, expect, it } from 'vitest';
import { exportStream, type ExportResult, type StreamOptions } from '../../../src/index.js';
import { duckdbReadJson, readText } from '../../helpers/readers.js';

async function json(rows: unknown, options: Partial<StreamOptions> & { format: 'json' | 'ndjson' }): Promise<{ text: string; result: ExportResult }> {
  let result: ExportResult | undefined;
  const text = await readText(exportStream(rows as never, { ...options, onComplete: (r) => (result = r) }));
  return { text, result: result! };
}

const TEXTS = ['plain', 'say "hi"', 'back\\slash', 'line\nbreak', 'cr\rlf\r\n', 'tab\t', 'nul\u0000 and \u001f', 'emoji 😀', 'e\u0301', '', '\u2028\u2029', '</script>'];
const rows = TEXTS.map((text, index) => ({ id: index, text, n: index % 3 === 0 ? null : index / 4, ok: index % 2 === 0, at: new Date(Date.UTC(2020, 0, 1) + index * 86400000) }));
const expected = rows.map((row) => ({ ...row, at: row.at.toISOString() }));

describe.each([undefined, 1, 7])('JSON and NDJSON (chunkSize %s)', (chunkSize) => {
  const options = chunkSize === undefined ? {} : { chunkSize };

  it('writes a JSON array that JSON.parse and DuckDB read back', async () => {
    const { text } = await json(rows, { format: 'json', ...options });
    expect(JSON.parse(text)).toEqual(expected);
    const table = await duckdbReadJson(text, 'array');
    expect(table.map((row) => row.text)).toEqual(TEXTS);
    expect(table.map((row) => row.n)).toEqual(rows.map((row) => row.n));
  });

  it('writes NDJSON: one object per \\n-terminated line, no blank lines, no BOM', async () => {
    const { text } = await json(rows, { format: 'ndjson', ...options });
    expect(text.endsWith('}\n')).toBe(true);
    expect(text.charCodeAt(0)).toBe(0x7b);
    const lines = text.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual(expected);
    const table = await duckdbReadJson(text, 'newline_delimited');
    expect(table.map((row) => row.text)).toEqual(TEXTS);
  });
});

describe('JSON values', () => {
  it('keeps keys in column order and renames', async () => {
    const { text } = await json([{ b: 1, a: 2 }], { format: 'ndjson', columns: [{ field: 'a', header: 'A' }, 'b'] });
    expect(text).toBe('{"A":2,"b":1}\n');
  });

  it('writes NaN and ±Infinity as null with an issue', async () => {
    const { text, result } = await json([{ x: 1.5 }, { x: NaN }, { x: Infinity }, { x: -Infinity }], { format: 'ndjson' });
    expect(text).toBe('{"x":1.5}\n{"x":null}\n{"x":null}\n{"x":null}\n');
    expect(result.issues.map((issue) => [issue.code, issue.row, issue.column])).toEqual([
      ['non_finite_number', 1, 'x'],
      ['non_finite_number', 2, 'x'],
      ['non_finite_number', 3, 'x'],
    ]);
  });

  it.each<[StreamOptions['json'], string]>([
    [{}, '{"b":1}\n{"b":"9223372036854775807"}\n{"b":-9007199254740991}\n'],
    [{ bigint: 'string' }, '{"b":"1"}\n{"b":"9223372036854775807"}\n{"b":"-9007199254740991"}\n'],
    [{ bigint: 'number' }, '{"b":1}\n{"b":9223372036854775807}\n{"b":-9007199254740991}\n'],
  ])('writes bigints with %j', async (options, expectedText) => {
    const { text } = await json([{ b: 1n }, { b: 2n ** 63n - 1n }, { b: -(2n ** 53n) + 1n }], { format: 'ndjson', json: options! });
    expect(text).toBe(expectedText);
  });

  it('keeps nested values as JSON, with bigints inside as strings', async () => {
    const nested = { a: [1, { b: 'x' }], c: null };
    const { text } = await json([{ v: nested }, { v: [1n, 'y'] }], { format: 'ndjson' });
    expect(text.split('\n').slice(0, 2).map((line) => JSON.parse(line))).toEqual([{ v: nested }, { v: ['1', 'y'] }]);
  });

  it('writes dates in the chosen format', async () => {
    const at = new Date(Date.UTC(2024, 5, 30, 12));
    expect((await json([{ at }], { format: 'ndjson', json: { dateFormat: 'date' } })).text).toBe('{"at":"2024-06-30"}\n');
    expect((await json([{ at }], { format: 'ndjson', json: { dateFormat: 'epoch' } })).text).toBe(`{"at":${at.getTime()}}\n`);
  });

  it('writes an empty array for no rows with known columns, and fails without any', async () => {
    expect((await json([], { format: 'json', columns: ['a'] })).text).toBe('[]\n');
    expect((await json([], { format: 'ndjson', columns: ['a'] })).text).toBe('');
    await expect(json([], { format: 'json' })).rejects.toMatchObject({ code: 'invalid_options' });
    await expect(json([], { format: 'ndjson' })).rejects.toMatchObject({ code: 'invalid_options' });
  });

  it('matches JSON.stringify for every row of a mixed dataset', async () => {
    const data = Array.from({ length: 500 }, (_, i) => ({ i, f: i / 7, s: `v${i}"\\\n`, b: i % 3 === 0, n: i % 5 === 0 ? null : -i * 1.25 }));
    const { text } = await json(data, { format: 'json', chunkSize: 33 });
    expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(data)));
    expect(text.replaceAll('\n', '')).toBe(JSON.stringify(data));
  });
});
