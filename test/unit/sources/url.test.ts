/**
 * fromURL end to end in Node: bodies served by a local server in deliberately split pieces, read
 * by exportStream, and the output read back with independent readers (papaparse, JSON.parse,
 * apache-arrow, hyparquet).
 */
import { Table, tableFromArrays, tableToIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError, type ExportError } from '../../../src/errors.js';
import { fromURL, type UrlSourceOptions } from '../../../src/sources/url.js';
import type { ExportResult, StreamOptions } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';
import { splitBytes, splitText, startChunkedServer, type ChunkedServer } from './chunked-server.js';

// A quoted field with newlines cut in the middle, a CRLF cut between CR and LF, and "ë" and "😀"
// cut inside their UTF-8 bytes.
const CSV_TEXT = 'id,name,note,active\r\n1,"Smith, ""Jr.""","line one\nline two",true\r\n2,Zoë,"😀 ""x""",false\r\n3,,"007",\r\n';
const CSV_CUTS = ((): number[] => {
  const bytes = new TextEncoder().encode(CSV_TEXT);
  const find = (text: string, from = 0): number => {
    const needle = new TextEncoder().encode(text);
    outer: for (let i = from; i <= bytes.byteLength - needle.byteLength; i++) {
      for (let j = 0; j < needle.byteLength; j++) if (bytes[i + j] !== needle[j]) continue outer;
      return i;
    }
    throw new Error(`${text} not in the fixture`);
  };
  const quotedNewline = find('one\nline') + 3;
  const cuts = [
    find('\r\n') + 1, // between CR and LF
    find('""Jr') + 1, // between the two quotes of an escaped quote
    quotedNewline, // right before the newline inside a quoted field
    quotedNewline + 1, // right after it
    find('ë') + 1, // inside a 2-byte character
    find('😀') + 1, // inside a 4-byte character
    find('😀') + 3,
  ];
  return cuts.sort((a, b) => a - b);
})();

const NDJSON_LINES = ['{"id":1,"text":"split across chunks"}', '{"id":2,"text":"é"}', '{"id":3,"text":broken}', '', '{"id":4,"text":"last"}'];
const NDJSON_TEXT = NDJSON_LINES.join('\r\n') + '\n';

const JSON_ELEMENTS = [
  { id: 1, text: 'brackets ] [ braces } { and "escaped quotes"', nested: { a: [1, { b: '}' }] } },
  { id: 2, text: 'back\\slash\\', nested: { a: [] } },
  { id: 3, text: 'ünïcödé 😀', nested: null },
];
const JSON_TEXT = JSON.stringify(JSON_ELEMENTS, null, 2);

const ARROW_TABLE = tableFromArrays({ id: Int32Array.from([1, 2, 3, 4]), name: ['a', 'b,c', 'd"e', 'f\ng'], score: Float64Array.from([0.5, 1.5, -2, 1e10]) });

let server: ChunkedServer;

beforeAll(async () => {
  const arrowStream = tableToIPC(ARROW_TABLE, 'stream');
  const arrowFile = tableToIPC(ARROW_TABLE, 'file');
  const cut = (bytes: Uint8Array, size: number): Uint8Array[] => {
    const pieces: Uint8Array[] = [];
    for (let i = 0; i < bytes.byteLength; i += size) pieces.push(bytes.subarray(i, i + size));
    return pieces;
  };
  server = await startChunkedServer({
    '/data.csv': { chunks: splitBytes(CSV_TEXT, CSV_CUTS), headers: { 'Content-Type': 'text/csv; charset=utf-8' } },
    '/data.tsv': { chunks: splitText('a\tb\n1\tx y\n2\t"q\tq"\n', 5) },
    '/typed.csv': { chunks: ['zip,when,amount\n02134,2024-01-02T03:04:05Z,1.50\n10001,2024-02-03T00:00:00Z,2\n'] },
    '/data.ndjson': { chunks: splitText(NDJSON_TEXT, 13) },
    '/data.json': { chunks: splitText(JSON_TEXT, 11) },
    '/object.json': { chunks: ['{"rows": []}'] },
    '/data.arrows': { chunks: cut(arrowStream, 100) },
    '/data.arrow': { chunks: cut(arrowFile, 100) },
    '/not-arrow': { chunks: ['id,name\n1,a\n'] },
    '/server-error': { status: 503, chunks: ['down'] },
    '/slow.ndjson': { chunks: Array.from({ length: 50 }, (_, i) => `{"i":${i}}\n`), hang: true },
    '/big.csv': { chunks: bigCsvChunks(50_000) },
    // About 1 GB if read to the end.
    '/huge.ndjson': { chunks: [], generate: { count: 10_000_000, line: (i) => `{"id":${i},"text":"${'x'.repeat(80)}"}\n` } },
  });
});

afterAll(async () => {
  await server?.close();
});

function bigCsvChunks(rows: number): string[] {
  const lines = ['id,label,value'];
  for (let i = 0; i < rows; i++) lines.push(`${i},"label ${i}, with comma",${i * 0.25}`);
  return splitText(lines.join('\n') + '\n', 65_536 + 13);
}

async function run(path: string, source: UrlSourceOptions, options: Omit<StreamOptions, 'onComplete'>): Promise<{ bytes: Uint8Array; text: string; result: ExportResult }> {
  let result: ExportResult | undefined;
  const stream = exportStream(fromURL(`${server.origin}${path}`, source), { ...options, onComplete: (r) => (result = r) });
  const bytes = await readAll(stream);
  expect(result, 'onComplete was called').toBeDefined();
  return { bytes, text: new TextDecoder().decode(bytes), result: result! };
}

async function failure(path: string, source: UrlSourceOptions, options: StreamOptions = { format: 'csv' }): Promise<ExportError> {
  try {
    await readAll(exportStream(fromURL(`${server.origin}${path}`, source), options));
  } catch (error) {
    expect(isExportError(error), `an ExportError, got ${String(error)}`).toBe(true);
    return error as ExportError;
  }
  throw new Error('the export did not fail');
}

const ndjsonRows = (text: string): unknown[] => text.split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as unknown);

describe('fromURL: CSV and TSV', () => {
  it('reads quoted newlines and UTF-8 characters split across network chunks', async () => {
    const { text, result } = await run('/data.csv', { format: 'csv' }, { format: 'csv', csv: { escapeFormulae: false } });
    const expected = Papa.parse<string[]>(CSV_TEXT, { skipEmptyLines: true }).data;
    const parsed = Papa.parse<string[]>(text, { skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toEqual(expected);
    expect(result).toMatchObject({ rowsRead: 3, rowsWritten: 3, issueCount: 0 });
  });

  it('types numbers and booleans without losing text, and empty fields as null', async () => {
    const { text } = await run('/data.csv', { format: 'csv' }, { format: 'ndjson' });
    expect(ndjsonRows(text)).toEqual([
      { id: 1, name: 'Smith, "Jr."', note: 'line one\nline two', active: true },
      { id: 2, name: 'Zoë', note: '😀 "x"', active: false },
      { id: 3, name: null, note: '007', active: null },
    ]);
  });

  it('keeps every field as text with inferTypes: false', async () => {
    const { text } = await run('/data.csv', { format: 'csv', csv: { inferTypes: false } }, { format: 'ndjson' });
    expect(ndjsonRows(text)[2]).toEqual({ id: '3', name: '', note: '007', active: '' });
  });

  it('applies declared schema types to the parsed values', async () => {
    const { text } = await run('/typed.csv', { format: 'csv' }, { format: 'ndjson', schema: { fields: { zip: 'string', when: 'timestamp', amount: 'float64' } } });
    expect(ndjsonRows(text)).toEqual([
      { zip: '02134', when: '2024-01-02T03:04:05.000Z', amount: 1.5 },
      { zip: '10001', when: '2024-02-03T00:00:00.000Z', amount: 2 },
    ]);
  });

  it('reads TSV', async () => {
    const { text } = await run('/data.tsv', { format: 'tsv' }, { format: 'ndjson' });
    expect(ndjsonRows(text)).toEqual([
      { a: 1, b: 'x y' },
      { a: 2, b: 'q\tq' },
    ]);
  });

  it('writes Parquet from a CSV body of 50,000 rows in 64 KiB pieces (read back by hyparquet)', async () => {
    const { bytes, result } = await run('/big.csv', { format: 'csv' }, { format: 'parquet', chunkSize: 4096 });
    expect(result.rowsWritten).toBe(50_000);
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
    expect(rows).toHaveLength(50_000);
    expect(rows[0]).toEqual({ id: 0, label: 'label 0, with comma', value: 0 });
    expect(rows[49_999]).toEqual({ id: 49_999, label: 'label 49999, with comma', value: 49_999 * 0.25 });
  });
});

describe('fromURL: NDJSON', () => {
  it('reads lines split across chunks and skips a malformed line, naming it', async () => {
    const { text, result } = await run('/data.ndjson', { format: 'ndjson' }, { format: 'ndjson' });
    expect(ndjsonRows(text)).toEqual([
      { id: 1, text: 'split across chunks' },
      { id: 2, text: 'é' },
      { id: 4, text: 'last' },
    ]);
    expect(result.issueCount).toBe(1);
    expect(result.issues[0]).toMatchObject({ code: 'malformed_input', row: 2 });
    expect(result.issues[0]!.message).toMatch(/^ndjson line 3 skipped: .+ \("\{\\"id\\":3,\\"text\\":broken\}"\)$/);
  });

  it("fails with source_failed, the line and an excerpt with onInvalid: 'fail'", async () => {
    const error = await failure('/data.ndjson', { format: 'ndjson', onInvalid: 'fail' });
    expect(error.code).toBe('source_failed');
    expect(error.message).toContain('ndjson line 3');
    expect(error.message).toContain('{\\"id\\":3,\\"text\\":broken}');
    expect(error.details).toMatchObject({ line: 3 });
  });
});

describe('fromURL: JSON array', () => {
  it('reads elements with nested objects and brackets, braces and escaped quotes in strings', async () => {
    const { text, result } = await run('/data.json', { format: 'json' }, { format: 'ndjson' });
    const expected = JSON_ELEMENTS.map((element) => ({ ...element, nested: element.nested === null ? null : JSON.stringify(element.nested) }));
    const rows = ndjsonRows(text) as Array<Record<string, unknown>>;
    // A nested object column is exported as JSON text or as the object itself; compare either way.
    expect(rows.map((row) => ({ ...row, nested: typeof row['nested'] === 'object' && row['nested'] !== null ? JSON.stringify(row['nested']) : row['nested'] }))).toEqual(expected);
    expect(result.issueCount).toBe(0);
  });

  it('fails on a body that is not an array, even when skipping bad records', async () => {
    const error = await failure('/object.json', { format: 'json' });
    expect(error.code).toBe('source_failed');
    expect(error.message).toContain('json line 1: the body is not a JSON array');
  });
});

describe('fromURL: Arrow IPC', () => {
  it.each([
    ['stream', '/data.arrows'],
    ['file', '/data.arrow'],
  ])('reads the %s format in 100-byte pieces', async (_kind, path) => {
    const { text, result } = await run(path, { format: 'arrow' }, { format: 'csv', csv: { escapeFormulae: false } });
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data).toEqual(ARROW_TABLE.toArray().map((row) => ({ id: String(row.id), name: row.name, score: String(row.score) })));
    expect(result.rowsWritten).toBe(4);
  });

  it('writes Arrow IPC back unchanged', async () => {
    const { bytes } = await run('/data.arrows', { format: 'arrow' }, { format: 'arrow' });
    const { tableFromIPC } = await import('apache-arrow');
    const table: Table = tableFromIPC(bytes);
    expect(table.toArray().map((row) => row.toJSON())).toEqual(ARROW_TABLE.toArray().map((row) => row.toJSON()));
  });

  it('fails with source_failed on a body that is not Arrow IPC', async () => {
    const error = await failure('/not-arrow', { format: 'arrow' });
    expect(error.code).toBe('source_failed');
    expect(error.message).toContain('/not-arrow');
  });
});

describe('fromURL: requests and failures', () => {
  it('names the method, URL and status of an HTTP error', async () => {
    const error = await failure('/missing.csv', { format: 'csv' });
    expect(error.code).toBe('source_failed');
    expect(error.message).toBe(`GET ${server.origin}/missing.csv failed: 404 Not Found`);
    const unavailable = await failure('/server-error', { format: 'csv' });
    expect(unavailable.message).toBe(`GET ${server.origin}/server-error failed: 503 Service Unavailable`);
    expect(unavailable.details).toMatchObject({ status: 503 });
  });

  it('fails with source_failed when nothing listens', async () => {
    const closed = await startChunkedServer({});
    const origin = closed.origin;
    await closed.close();
    try {
      await readAll(exportStream(fromURL(`${origin}/x.csv`, { format: 'csv' }), { format: 'csv' }));
      expect.unreachable('the export succeeded');
    } catch (error) {
      expect((error as ExportError).code).toBe('source_failed');
      expect((error as ExportError).message).toContain(`GET ${origin}/x.csv failed`);
    }
  });

  it('sends the given request headers', async () => {
    await run('/data.tsv', { format: 'tsv', headers: { 'X-Export-Test': 'yes' } }, { format: 'csv' });
    const request = server.requests.filter((entry) => entry.path === '/data.tsv').at(-1);
    expect(request?.headers['x-export-test']).toBe('yes');
  });

  it('aborts the request when the export is aborted', async () => {
    const controller = new AbortController();
    const stream = exportStream(fromURL(`${server.origin}/slow.ndjson`, { format: 'ndjson' }), { format: 'csv', chunkSize: 10, signal: controller.signal });
    const reader = stream.getReader();
    const first = await reader.read();
    expect(first.done).toBe(false);
    controller.abort();
    await expect(reader.read()).rejects.toMatchObject({ code: 'aborted' });
    await expect.poll(() => server.closedEarly.includes('/slow.ndjson')).toBe(true);
  });

  it('reads the body only as fast as the output is read (no whole-body buffering)', async () => {
    const reader = exportStream(fromURL(`${server.origin}/huge.ndjson`, { format: 'ndjson' }), { format: 'csv', chunkSize: 1000 }).getReader();
    for (let i = 0; i < 5; i++) expect((await reader.read()).done).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const sent = server.bytesSent.get('/huge.ndjson') ?? 0;
    // Five chunks of 1,000 rows are ~0.5 MB; socket buffers hold a few MB more at most.
    expect(sent).toBeGreaterThan(400_000);
    expect(sent).toBeLessThan(16 * 1024 * 1024);
    await reader.cancel();
    await expect.poll(() => server.closedEarly.includes('/huge.ndjson')).toBe(true);
  });

  it('releases the connection when the output stream is cancelled', async () => {
    const before = server.closedEarly.length;
    const reader = exportStream(fromURL(`${server.origin}/slow.ndjson`, { format: 'ndjson' }), { format: 'csv', chunkSize: 10 }).getReader();
    await reader.read();
    await reader.cancel('enough');
    await expect.poll(() => server.closedEarly.length).toBeGreaterThan(before);
  });
});

describe('fromURL: options', () => {
  it('returns a plain description that survives structured cloning', () => {
    const source = fromURL('http://example.test/a.csv', { format: 'csv', headers: { A: 'b' }, csv: { delimiter: ';' }, onInvalid: 'fail' });
    expect(structuredClone(source)).toEqual({ kind: 'url', url: 'http://example.test/a.csv', format: 'csv', headers: { A: 'b' }, csv: { delimiter: ';' }, onInvalid: 'fail' });
  });

  it.each<[string, () => unknown, string]>([
    ['a relative URL without a page', () => fromURL('/data.csv', { format: 'csv' }), 'fromURL: url "/data.csv" is not a valid URL (relative URLs need a page to resolve against)'],
    ['an empty URL', () => fromURL('', { format: 'csv' }), 'fromURL: url must be a non-empty string or URL, got ""'],
    ['an unknown format', () => fromURL('http://x.test/', { format: 'xml' as 'csv' }), 'fromURL: format must be one of csv, tsv, ndjson, json, arrow, got "xml"'],
    ['a two-character delimiter', () => fromURL('http://x.test/', { format: 'csv', csv: { delimiter: ';;' } }), 'fromURL: csv delimiter must be one character (not a newline), got ";;"'],
    ['a delimiter equal to the quote', () => fromURL('http://x.test/', { format: 'csv', csv: { delimiter: '"' } }), 'fromURL: csv delimiter and quote must differ, both are "\\""'],
    ['a Headers object', () => fromURL('http://x.test/', { format: 'csv', headers: new Headers() as unknown as Record<string, string> }), 'fromURL: headers must be a plain object'],
    ['a bad onInvalid', () => fromURL('http://x.test/', { format: 'csv', onInvalid: 'ignore' as 'skip' }), `fromURL: onInvalid must be 'skip' or 'fail', got "ignore"`],
  ])('rejects %s', (_name, call, message) => {
    try {
      call();
      expect.unreachable('no error');
    } catch (error) {
      expect((error as ExportError).code).toBe('invalid_options');
      expect((error as ExportError).message.startsWith(message)).toBe(true);
    }
  });
});
