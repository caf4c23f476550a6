/**
 * limits.maxBytes: the file never exceeds it, in any format, counting what finish() writes;
 * 'truncate' ends a text file at the last whole row that fits, and the file is valid; 'error'
 * fails with limit_exceeded. Files are read back by papaparse, JSON.parse, DuckDB, Polars.
 */
import { gunzipSync } from 'node:zlib';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import type { ExportFormat, ExportResult, StreamOptions } from '../../../src/types.js';
import { duckdbReadJson, readAll } from '../../helpers/readers.js';

const rows = Array.from({ length: 3_000 }, (_, i) => ({ id: i, name: i % 7 === 0 ? `quote "${i}", comma\nline` : `n${'x'.repeat(i % 13)}`, score: i / 8, at: new Date(Date.UTC(2024, 0, 1) + i * 60_000) }));

async function run(options: StreamOptions, data: unknown[] = rows): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(data as never, { ...options, onComplete: (r) => (result = r) }));
  return { bytes, result: result! };
}

async function failure(options: StreamOptions, data: unknown[] = rows): Promise<{ code: string; message: string }> {
  try {
    await run(options, data);
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the export succeeded');
}

/** Rows of a text file, read by an independent reader (ids only). */
async function idsOf(format: ExportFormat, bytes: Uint8Array): Promise<number[]> {
  const text = new TextDecoder().decode(bytes);
  switch (format) {
    case 'csv':
    case 'tsv': {
      const parsed = Papa.parse<Record<string, string>>(text, { header: true, delimiter: format === 'tsv' ? '\t' : ',', skipEmptyLines: true });
      expect(parsed.errors).toEqual([]);
      expect(parsed.meta.fields).toEqual(['id', 'name', 'score', 'at']);
      return parsed.data.map((row) => Number(row['id']));
    }
    case 'json': {
      const parsed = JSON.parse(text) as Array<{ id: number }>;
      const viaDuckdb = parsed.length === 0 ? [] : (await duckdbReadJson(bytes, 'array')).map((row) => Number(row['id']));
      expect(viaDuckdb).toEqual(parsed.map((row) => row.id));
      return parsed.map((row) => row.id);
    }
    case 'ndjson':
      expect(text === '' || text.endsWith('\n')).toBe(true);
      return text.split('\n').filter((line) => line !== '').map((line) => (JSON.parse(line) as { id: number }).id);
    default:
      throw new Error(format);
  }
}

const TEXT_FORMATS = ['csv', 'tsv', 'json', 'ndjson'] as const;

describe("onExceed: 'truncate' in text formats", () => {
  for (const format of TEXT_FORMATS) {
    it(`${format}: a valid file of the leading rows that fit, at row granularity, at any chunk size`, async () => {
      const full = (await run({ format })).bytes.length;
      for (const maxBytes of [40, 97, 1_000, 4_321, 20_000, Math.floor(full / 2), full - 1, full]) {
        for (const chunkSize of [1, 7, 8192]) {
          const { bytes, result } = await run({ format, chunkSize, limits: { maxBytes, onExceed: 'truncate' } });
          expect(bytes.length, `${maxBytes}/${chunkSize}`).toBeLessThanOrEqual(maxBytes);
          expect(result.bytesWritten).toBe(bytes.length);
          const ids = await idsOf(format, bytes);
          expect(ids).toEqual(rows.slice(0, ids.length).map((row) => row.id));
          expect(result.rowsWritten).toBe(ids.length);
          expect(result.truncated).toBe(ids.length < rows.length);
          // Row granularity: one more row would not have fitted.
          if (ids.length < rows.length) {
            const oneMore = (await run({ format }, rows.slice(0, ids.length + 1))).bytes.length;
            expect(oneMore, `${maxBytes}/${chunkSize}`).toBeGreaterThan(maxBytes);
          }
        }
      }
    });
  }

  it('a limit below the first row keeps the header (CSV) or an empty array (JSON)', async () => {
    expect(new TextDecoder().decode((await run({ format: 'csv', limits: { maxBytes: 25, onExceed: 'truncate' } })).bytes)).toBe('id,name,score,at\r\n');
    expect(new TextDecoder().decode((await run({ format: 'json', limits: { maxBytes: 25, onExceed: 'truncate' } })).bytes)).toBe('[]\n');
    expect((await run({ format: 'ndjson', limits: { maxBytes: 5, onExceed: 'truncate' } })).bytes.length).toBe(0);
  });

  it('a limit below the header is limit_exceeded, not an empty or headless file', async () => {
    const error = await failure({ format: 'csv', limits: { maxBytes: 10, onExceed: 'truncate' } });
    expect(error.code).toBe('limit_exceeded');
    expect(error.message).toMatch(/cannot hold even the csv file with no rows/);
    expect((await failure({ format: 'json', limits: { maxBytes: 2, onExceed: 'truncate' } })).code).toBe('limit_exceeded');
  });

  it('with a filter and maxRows as well', async () => {
    const { bytes, result } = await run({ format: 'json', filter: 'id >= 100', limits: { maxBytes: 3_000, maxRows: 1_000, onExceed: 'truncate' }, chunkSize: 64 });
    const ids = await idsOf('json', bytes);
    expect(ids[0]).toBe(100);
    expect(bytes.length).toBeLessThanOrEqual(3_000);
    expect(result.truncated).toBe(true);
  });

  it('gzip: the compressed file stays under the limit and holds whole rows', async () => {
    for (const maxBytes of [200, 5_000, 30_000]) {
      const { bytes, result } = await run({ format: 'csv', compression: 'gzip', limits: { maxBytes, onExceed: 'truncate' } });
      expect(bytes.length).toBeLessThanOrEqual(maxBytes);
      expect(result.truncated).toBe(true);
      const ids = await idsOf('csv', gunzipSync(bytes));
      expect(ids).toEqual(rows.slice(0, ids.length).map((row) => row.id));
      expect(ids.length).toBe(result.rowsWritten);
    }
  });
});

describe("onExceed: 'error'", () => {
  for (const format of [...TEXT_FORMATS, 'parquet', 'arrow'] as const) {
    it(`${format}: fails with limit_exceeded past the limit, counting what finish() writes; a file that fits is written whole`, async () => {
      const full = (await run({ format })).bytes.length;
      expect(await failure({ format, limits: { maxBytes: full - 1 } })).toMatchObject({ code: 'limit_exceeded' });
      expect(await failure({ format, limits: { maxBytes: Math.floor(full / 3) } })).toMatchObject({ code: 'limit_exceeded' });
      const { bytes, result } = await run({ format, limits: { maxBytes: full } });
      expect(bytes.length).toBe(full);
      expect(result.truncated).toBe(false);
    });
  }

  it('json: the closing bracket counts', async () => {
    const data = rows.slice(0, 3);
    const full = (await run({ format: 'json' }, data)).bytes.length;
    expect((await failure({ format: 'json', limits: { maxBytes: full - 1 } }, data)).code).toBe('limit_exceeded');
    expect((await failure({ format: 'json', limits: { maxBytes: full - 3 } }, data)).code).toBe('limit_exceeded');
  });

  it('gzip: the limit is on the compressed file', async () => {
    const full = (await run({ format: 'csv', compression: 'gzip' })).bytes.length;
    const raw = (await run({ format: 'csv' })).bytes.length;
    expect(full).toBeLessThan(raw);
    expect((await run({ format: 'csv', compression: 'gzip', limits: { maxBytes: full } })).bytes.length).toBe(full);
    expect((await failure({ format: 'csv', compression: 'gzip', limits: { maxBytes: full - 1 } })).code).toBe('limit_exceeded');
  });
});

// Parquet and Arrow IPC truncate by size: test/unit/limits/binary-truncate.test.ts.
