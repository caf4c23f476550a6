/**
 * limits.maxBytes with onExceed 'truncate' for binary formats: for budgets from tiny to the whole
 * file, the file is at most maxBytes (footer included), reads back with Polars, holds exactly the
 * leading N rows, and N is maximal: the file of the leading N + 1 rows, written the same way
 * (same chunks, so the same record batches), is over the budget. A budget below the file with no
 * rows is limit_exceeded naming the byte count.
 */
import pl from 'nodejs-polars';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import type { ExportResult, StreamOptions } from '../../../src/types.js';
import { budgets } from '../../helpers/budgets.js';
import { readAll } from '../../helpers/readers.js';

const rows = Array.from({ length: 1_500 }, (_, i) => ({
  id: i,
  name: i % 11 === 0 ? null : `name ${'é'.repeat(i % 17)} ${i}`,
  score: i % 5 === 0 ? null : i / 8,
  at: new Date(Date.UTC(2024, 0, 1) + i * 60_000),
  ok: i % 3 === 0,
}));

async function run(options: StreamOptions): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(rows, { ...options, onComplete: (r) => (result = r) }));
  return { bytes, result: result! };
}

async function failure(options: StreamOptions): Promise<{ code: string; message: string }> {
  try {
    await run(options);
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the export succeeded');
}

const readParquet = (bytes: Uint8Array) => pl.readParquet(Buffer.from(bytes));

const LAYOUTS = [
  { label: 'parquet (one row group)', options: { format: 'parquet' } as StreamOptions, read: readParquet },
  { label: 'parquet (row groups of 200, zstd)', options: { format: 'parquet', parquet: { rowGroupSize: 200, compression: 'zstd' } } as StreamOptions, read: readParquet },
  { label: 'arrow (stream)', options: { format: 'arrow' } as StreamOptions, read: (bytes: Uint8Array) => pl.readIPCStream(Buffer.from(bytes)) },
  { label: 'arrow (file)', options: { format: 'arrow', arrow: { ipc: 'file' } } as StreamOptions, read: (bytes: Uint8Array) => pl.readIPC(Buffer.from(bytes)) },
];

describe("limits.maxBytes with onExceed 'truncate', binary formats", () => {
  for (const layout of LAYOUTS) {
    for (const chunkSize of [97, 8192]) {
      it(`${layout.label}, chunks of ${chunkSize}: ≤ maxBytes, valid, exactly the leading rows that fit`, async () => {
        const base = { ...layout.options, chunkSize };
        const full = (await run(base)).bytes.length;
        const empty = (await run({ ...base, limits: { maxRows: 0, onExceed: 'truncate' } })).bytes.length;
        let truncatedRuns = 0;
        for (const maxBytes of budgets(empty, full)) {
          const { bytes, result } = await run({ ...base, limits: { maxBytes, onExceed: 'truncate' } });
          const at = `maxBytes ${maxBytes}`;
          expect(bytes.length, at).toBeLessThanOrEqual(maxBytes);
          expect(result.bytesWritten, at).toBe(bytes.length);
          const frame = layout.read(bytes);
          const count = frame.height;
          expect(result.rowsWritten, at).toBe(count);
          expect(result.truncated, at).toBe(count < rows.length);
          expect(frame.getColumn('id').toArray(), at).toEqual(rows.slice(0, count).map((row) => row.id));
          expect(frame.getColumn('name').toArray(), at).toEqual(rows.slice(0, count).map((row) => row.name));
          if (count < rows.length) {
            truncatedRuns++;
            const oneMore = (await run({ ...base, limits: { maxRows: count + 1, onExceed: 'truncate' } })).bytes.length;
            expect(oneMore, `${at}: ${count} rows written, ${count + 1} take ${oneMore} bytes`).toBeGreaterThan(maxBytes);
          }
        }
        expect(truncatedRuns).toBeGreaterThan(40);
      });
    }

    it(`${layout.label}: a budget below the file with no rows is limit_exceeded naming the byte count`, async () => {
      const empty = (await run({ ...layout.options, limits: { maxRows: 0, onExceed: 'truncate' } })).bytes.length;
      for (const maxBytes of [1, empty - 1]) {
        const error = await failure({ ...layout.options, limits: { maxBytes, onExceed: 'truncate' } });
        expect(error.code).toBe('limit_exceeded');
        expect(error.message).toContain(`limits.maxBytes (${maxBytes})`);
        expect(error.message).toContain(`(${empty} bytes)`);
      }
      const { bytes, result } = await run({ ...layout.options, limits: { maxBytes: empty, onExceed: 'truncate' } });
      expect(bytes.length).toBe(empty);
      expect(result).toMatchObject({ rowsWritten: 0, truncated: true });
      expect(layout.read(bytes).columns).toEqual(['id', 'name', 'score', 'at', 'ok']);
    });

    it(`${layout.label}: a budget that holds the whole file changes no byte of it`, async () => {
      const plain = (await run(layout.options)).bytes;
      const { bytes, result } = await run({ ...layout.options, limits: { maxBytes: plain.length, onExceed: 'truncate' } });
      expect(result.truncated).toBe(false);
      expect(Buffer.from(bytes).equals(Buffer.from(plain))).toBe(true);
    });

    it(`${layout.label}: onExceed 'error' fails with limit_exceeded`, async () => {
      const full = (await run(layout.options)).bytes.length;
      expect((await failure({ ...layout.options, limits: { maxBytes: full - 1 } })).code).toBe('limit_exceeded');
    });
  }
});
