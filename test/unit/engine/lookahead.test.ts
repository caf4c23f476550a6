/**
 * A stream exported to Parquet or Arrow (one schema, written with the first batch): a column with
 * no value in the first chunk is typed from the rows after it, read ahead up to one row group
 * (SCHEMA_LOOKAHEAD_ROWS); a column still without a value after that is nullable text, and later
 * values are written as text with a type_mismatch issue. Read back by DuckDB and Polars.
 */
import pl from 'nodejs-polars';
import { afterEach, describe, expect, it } from 'vitest';
import { exportStream, SCHEMA_LOOKAHEAD_ROWS } from '../../../src/engine.js';
import { exportData } from '../../../src/export-data.js';
import type { ExportResult, StreamOptions } from '../../../src/types.js';
import { terminateWorkers } from '../../../src/worker/client.js';
import { duckdb, readAll, tempFile } from '../../helpers/readers.js';
import { fakeWorkerFactory } from '../worker/fake-worker.js';

afterEach(() => terminateWorkers());

/** 20,000 rows; `x` is null for the first `nulls`, then i / 4 (fractions among integers). */
function* late(nulls: number, total = 20_000): Generator<{ id: number; x: number | null; label: string | null }> {
  for (let i = 0; i < total; i++) yield { id: i, x: i < nulls ? null : i / 4, label: i < nulls ? null : `v${i}` };
}

async function run(source: unknown, options: StreamOptions): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(source as never, { ...options, onComplete: (r) => (result = r) }));
  return { bytes, result: result! };
}

async function parquetColumns(bytes: Uint8Array): Promise<{ types: string[]; sum: number; nulls: number }> {
  const file = tempFile(bytes, 'parquet');
  try {
    const connection = await duckdb();
    const types = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file.path}')`)).getRows().map((row) => String(row[1]));
    const [sum, nulls] = (await connection.runAndReadAll(`SELECT sum(x)::DOUBLE, count(*) FILTER (WHERE x IS NULL)::INTEGER FROM read_parquet('${file.path}')`)).getRows()[0]!;
    return { types, sum: Number(sum), nulls: Number(nulls) };
  } finally {
    file.cleanup();
  }
}

const expectedSum = (nulls: number, total = 20_000): number => {
  let sum = 0;
  for (let i = nulls; i < total; i++) sum += i / 4;
  return sum;
};

describe('a stream column with no value in its first chunk', () => {
  for (const nulls of [9_000, 8_192, 30_000]) {
    it(`null for the first ${nulls} rows: typed from the rows after (Parquet, read by DuckDB)`, async () => {
      const total = Math.max(20_000, nulls + 5_000);
      const { bytes, result } = await run(late(nulls, total), { format: 'parquet' });
      expect(await parquetColumns(bytes)).toEqual({ types: ['INTEGER', 'DOUBLE', 'VARCHAR'], sum: expectedSum(nulls, total), nulls });
      expect(result.issues.filter((issue) => issue.code === 'type_mismatch')).toEqual([]);
    });
  }

  it('Arrow IPC from an async generator, read by Polars', async () => {
    async function* rows(): AsyncGenerator<{ id: number; x: number | null; label: string | null }> {
      yield* late(9_000);
    }
    const { bytes, result } = await run(rows(), { format: 'arrow' });
    const frame = pl.readIPCStream(Buffer.from(bytes));
    expect(String(frame.getColumn('x').dtype)).toMatch(/Float64/);
    expect(frame.getColumn('x').sum()).toBe(expectedSum(9_000));
    expect(frame.getColumn('x').nullCount()).toBe(9_000);
    expect(result.issueCount).toBe(0);
  });

  it('through the worker (rows packed on the page) as well', async () => {
    const job = exportData(late(9_000), { format: 'parquet', target: 'blob', worker: fakeWorkerFactory().factory });
    const result = await job;
    const bytes = new Uint8Array(await result.blob!.arrayBuffer());
    expect(await parquetColumns(bytes)).toEqual({ types: ['INTEGER', 'DOUBLE', 'VARCHAR'], sum: expectedSum(9_000), nulls: 9_000 });
    expect(result.issueCount).toBe(0);
  });

  it('an integer column that turns fractional within the look-ahead is Float64 from the start', async () => {
    function* rows(): Generator<{ n: number; late: number | null }> {
      for (let i = 0; i < 20_000; i++) yield { n: i === 15_000 ? 0.5 : i, late: i < 9_000 ? null : 1 };
    }
    const { bytes } = await run(rows(), { format: 'arrow' });
    const frame = pl.readIPCStream(Buffer.from(bytes));
    expect(String(frame.getColumn('n').dtype)).toMatch(/Float64/);
    expect(frame.getColumn('n').get(15_000)).toBe(0.5);
  });

  it(`still null after ${SCHEMA_LOOKAHEAD_ROWS} rows: nullable text, later values written as text with type_mismatch issues`, async () => {
    const nulls = SCHEMA_LOOKAHEAD_ROWS + 1_000;
    const { bytes, result } = await run(late(nulls, nulls + 10), { format: 'parquet' });
    const file = tempFile(bytes, 'parquet');
    try {
      const connection = await duckdb();
      const types = (await connection.runAndReadAll(`DESCRIBE SELECT * FROM read_parquet('${file.path}')`)).getRows().map((row) => String(row[1]));
      expect(types).toEqual(['INTEGER', 'VARCHAR', 'VARCHAR']);
      const last = (await connection.runAndReadAll(`SELECT x FROM read_parquet('${file.path}') WHERE id = ${nulls + 9}`)).getRows()[0]![0];
      expect(last).toBe(String((nulls + 9) / 4));
    } finally {
      file.cleanup();
    }
    const mismatches = result.issues.filter((issue) => issue.code === 'type_mismatch' && issue.column === 'x');
    expect(mismatches).toHaveLength(10);
    expect(mismatches[0]!.message).toMatch(/written as text/);
  });

  it('reads no further ahead than it needs: a column typed in the first chunk reads nothing ahead', async () => {
    let pulled = 0;
    function* rows(): Generator<{ a: number }> {
      for (let i = 0; i < 100_000; i++) {
        pulled++;
        yield { a: i };
      }
    }
    const reader = exportStream(rows(), { format: 'arrow' }).getReader();
    await reader.read();
    expect(pulled).toBeLessThanOrEqual(8_192 * 2 + 1);
    await reader.cancel();
  });
});
