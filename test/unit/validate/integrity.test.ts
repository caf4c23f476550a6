import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { createSha256, sha256Of, verifyExport, type ExpectedExport } from '../../../src/integrity.js';
import type { ExportFormat, StreamOptions } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';

const nodeSha = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');

// Awkward values on purpose: delimiters, quotes, CR/LF, empty strings and nulls inside cells.
const rows = Array.from({ length: 257 }, (_, i) => ({
  id: i,
  text: i % 5 === 0 ? `line\r\nbreak, "quoted" ${i}` : i % 7 === 0 ? '' : `t${i}`,
  maybe: i % 3 === 0 ? null : i / 4,
  flag: i % 2 === 0,
}));

async function exported(options: StreamOptions, source: unknown = rows): Promise<Uint8Array> {
  return readAll(exportStream(source as never, options));
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (isExportError(error)) return error;
    throw error;
  }
  throw new Error('expected verification to fail');
}

describe('createSha256', () => {
  it('matches node:crypto for any split of the input', () => {
    const data = new Uint8Array(100_003).map((_, i) => (i * 7919) & 255);
    for (const step of [1, 63, 64, 65, 4096, 100_003]) {
      const hash = createSha256();
      for (let i = 0; i < data.length; i += step) hash.update(data.subarray(i, i + step));
      expect(hash.hex()).toBe(nodeSha(data));
      expect(hash.byteLength).toBe(data.length);
    }
  });

  it('gives the empty-input digest, is idempotent, and refuses updates after the digest', () => {
    const hash = createSha256();
    expect(hash.hex()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hash.hex()).toBe(hash.hex());
    expect(() => hash.update(new Uint8Array(1))).toThrow(/after hex/);
  });

  it('hashes a Blob read in chunks like the bytes', async () => {
    const data = new Uint8Array(300_000).map((_, i) => i & 255);
    expect(await sha256Of(new Blob([data]))).toBe(nodeSha(data));
  });

  it('hashes at a useful rate (figure printed)', () => {
    const chunk = new Uint8Array(1 << 16).map((_, i) => i & 255);
    const total = 16 << 20;
    const hash = createSha256();
    const started = performance.now();
    for (let done = 0; done < total; done += chunk.length) hash.update(chunk);
    hash.hex();
    const seconds = (performance.now() - started) / 1000;
    const rate = total / (1 << 20) / seconds;
    console.info(`createSha256: ${rate.toFixed(0)} MB/s over 16 MiB in 64 KiB chunks`);
    // A floor far below the measured rate (about 40 MB/s on an idle 2-core machine), so a busy CI
    // machine does not fail it; it catches only an accidental per-byte slowdown.
    expect(rate).toBeGreaterThan(4);
  });
});

describe('verifyExport: each format read back by its own reader', () => {
  const cases: Array<[string, ExportFormat, StreamOptions, Omit<ExpectedExport, 'rows'>]> = [
    ['csv', 'csv', { format: 'csv' }, {}],
    ['csv in chunks of 7', 'csv', { format: 'csv', chunkSize: 7 }, {}],
    ['tsv', 'tsv', { format: 'tsv' }, {}],
    ['csv with ; and single quotes', 'csv', { format: 'csv', csv: { delimiter: ';', quote: "'" } }, { csv: { delimiter: ';', quote: "'" } }],
    ['csv with a BOM', 'csv', { format: 'csv', csv: { bom: true } }, {}],
    ['csv with \\n rows', 'csv', { format: 'csv', csv: { newline: '\n' } }, { csv: { newline: '\n' } }],
    ['csv with \\r rows', 'csv', { format: 'csv', csv: { newline: '\r' } }, { csv: { newline: '\r' } }],
    ['csv without a header', 'csv', { format: 'csv', csv: { header: false } }, { header: false }],
    ['gzip csv (found by magic bytes)', 'csv', { format: 'csv', compression: 'gzip' }, {}],
    ['deflate ndjson (named)', 'ndjson', { format: 'ndjson', compression: 'deflate' }, { compression: 'deflate' }],
    ['json', 'json', { format: 'json' }, {}],
    ['gzip json', 'json', { format: 'json', compression: 'gzip' }, {}],
    ['ndjson', 'ndjson', { format: 'ndjson' }, {}],
    ['parquet', 'parquet', { format: 'parquet', parquet: { rowGroupSize: 100 } }, {}],
    ['arrow stream', 'arrow', { format: 'arrow' }, {}],
    ['arrow file', 'arrow', { format: 'arrow', arrow: { ipc: 'file' } }, {}],
  ];

  it.each(cases)('%s: passes with the right count and checksum, as bytes and as a Blob', async (_name, format, options, extra) => {
    const bytes = await exported(options);
    const sha256 = nodeSha(bytes);
    await expect(verifyExport(format, bytes, { rows: rows.length, sha256, ...extra })).resolves.toBeUndefined();
    await expect(verifyExport(format, new Blob([bytes as Uint8Array<ArrayBuffer>]), { rows: rows.length, sha256: sha256.toUpperCase(), ...extra })).resolves.toBeUndefined();
  });

  it.each(cases)('%s: fails with verification_failed on a wrong row count', async (_name, format, options, extra) => {
    const bytes = await exported(options);
    const error = await failure(verifyExport(format, bytes, { rows: rows.length + 1, ...extra }));
    expect(error.code).toBe('verification_failed');
    expect(error.message).toContain(`it holds ${rows.length} rows, expected ${rows.length + 1}`);
  });

  it.each(cases)('%s: fails on a wrong checksum', async (_name, format, options, extra) => {
    const bytes = await exported(options);
    const error = await failure(verifyExport(format, bytes, { rows: rows.length, sha256: '0'.repeat(64), ...extra }));
    expect(error.code).toBe('verification_failed');
    expect(error.message).toMatch(/SHA-256 is [0-9a-f]{64}, expected 0{64}/);
  });

  it.each<[ExportFormat, StreamOptions]>([
    ['csv', { format: 'csv' }],
    ['json', { format: 'json' }],
    ['ndjson', { format: 'ndjson' }],
    ['parquet', { format: 'parquet' }],
    ['arrow', { format: 'arrow' }],
  ])('%s: fails on an empty source only when rows are expected', async (format, options) => {
    const bytes = await exported({ ...options, columns: ['a'] }, []);
    await expect(verifyExport(format, bytes, { rows: 0 })).resolves.toBeUndefined();
    expect((await failure(verifyExport(format, bytes, { rows: 1 }))).code).toBe('verification_failed');
  });
});

describe('verifyExport: damaged files', () => {
  it.each<[ExportFormat, StreamOptions, RegExp]>([
    ['json', { format: 'json' }, /does not parse/],
    ['ndjson', { format: 'ndjson' }, /no "\\n" terminator|does not parse/],
    ['parquet', { format: 'parquet' }, /magic|footer/],
    ['arrow', { format: 'arrow', arrow: { ipc: 'file' } }, /not Arrow IPC|holds/],
  ])('%s cut short fails cleanly', async (format, options, message) => {
    const bytes = await exported(options);
    const error = await failure(verifyExport(format, bytes.subarray(0, Math.floor(bytes.length * 0.6)), { rows: rows.length }));
    expect(error.code).toBe('verification_failed');
    expect(error.message).toMatch(message);
  });

  it('csv cut inside a quoted cell fails with the papaparse error', async () => {
    const text = 'a,b\r\n1,"open quote\r\n';
    const error = await failure(verifyExport('csv', new TextEncoder().encode(text), { rows: 1 }));
    expect(error.message).toMatch(/papaparse/);
  });

  it('csv with a ragged record fails', async () => {
    const error = await failure(verifyExport('csv', new TextEncoder().encode('a,b\r\n1,2\r\n3\r\n'), { rows: 2 }));
    expect(error.message).toMatch(/record 2 has 1 fields, the first has 2/);
  });

  it('ndjson with a blank line fails', async () => {
    const error = await failure(verifyExport('ndjson', new TextEncoder().encode('{"a":1}\n\n{"a":2}\n'), { rows: 2 }));
    expect(error.message).toMatch(/line 2 is blank/);
  });

  it('json that is not an array fails', async () => {
    expect((await failure(verifyExport('json', new TextEncoder().encode('{"a":1}'), { rows: 1 }))).message).toMatch(/not an array/);
  });

  it('a gzip file cut short fails to decompress', async () => {
    const bytes = await exported({ format: 'csv', compression: 'gzip' });
    const error = await failure(verifyExport('csv', bytes.subarray(0, bytes.length - 10), { rows: rows.length }));
    expect(error.code).toBe('verification_failed');
  });

  it('text that is not UTF-8 fails', async () => {
    expect((await failure(verifyExport('csv', new Uint8Array([0x61, 0x0d, 0x0a, 0xff, 0x0d, 0x0a]), { rows: 1 }))).message).toMatch(/UTF-8/);
  });

  it('counts one-column CSV rows of null (empty lines) as rows', async () => {
    const bytes = await exported({ format: 'csv' }, [{ a: null }, { a: '' }, { a: null }]);
    await expect(verifyExport('csv', bytes, { rows: 3 })).resolves.toBeUndefined();
  });

  it('refuses a bad expectation with invalid_options', async () => {
    expect((await failure(verifyExport('csv', new Uint8Array(), { rows: -1 }))).code).toBe('invalid_options');
    expect((await failure(verifyExport('csv', new Uint8Array(), { rows: 0, sha256: 'abc' }))).code).toBe('invalid_options');
  });
});

describe('the engine checksum and verifyExport together', () => {
  it.each<StreamOptions>([
    { format: 'csv', checksum: true },
    { format: 'ndjson', compression: 'gzip', checksum: 'sha256' },
    { format: 'parquet', checksum: true },
    { format: 'arrow', arrow: { ipc: 'file' }, checksum: true },
  ])('%j: result.sha256 is the SHA-256 of the bytes, and verifyExport accepts the file', async (options) => {
    let result: { sha256?: string; rowsWritten: number } | undefined;
    const bytes = await readAll(exportStream(rows, { ...options, onComplete: (r) => (result = r) }));
    expect(result?.sha256).toBe(nodeSha(bytes));
    await expect(verifyExport(options.format, bytes, { rows: result!.rowsWritten, sha256: result!.sha256! })).resolves.toBeUndefined();
    // One flipped byte in the middle is caught by the checksum.
    const damaged = bytes.slice();
    damaged[damaged.length >> 1]! ^= 1;
    expect((await failure(verifyExport(options.format, damaged, { rows: result!.rowsWritten, sha256: result!.sha256! }))).code).toBe('verification_failed');
  });
});
