import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import type { StreamOptions } from '../../../src/types.js';
import { hyparquetMetadata, queryFile, readWithHyparquet } from './parquet-helpers.js';

const DAY = 86_400_000;
const rows = Array.from({ length: 1_000 }, (_, i) => ({
  id: i,
  name: i % 10 === 0 ? null : `name ${i} ✓`,
  amount: Math.round(i * 137.31) / 100,
  created: new Date(Date.UTC(1950, 0, 1) + i * DAY + i),
  big: 2n ** 60n + BigInt(i),
  active: i % 3 === 0,
}));

async function collect(stream: ReadableStream<Uint8Array>): Promise<{ bytes: Uint8Array; error: unknown }> {
  const reader = stream.getReader();
  const parts: Uint8Array[] = [];
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      parts.push(value);
    }
  } catch (error) {
    return { bytes: Buffer.concat(parts), error };
  }
  return { bytes: Buffer.concat(parts), error: null };
}

const SQL = (p: string) => `SELECT id, name, amount, epoch_ms(created)::VARCHAR AS created, big::VARCHAR AS big, active, typeof(created) AS t FROM read_parquet('${p}')`;
const expected = (keep: (row: (typeof rows)[number]) => boolean = () => true) =>
  rows.filter(keep).map((row) => ({ ...row, created: String(row.created.getTime()), big: String(row.big), t: 'TIMESTAMP WITH TIME ZONE' }));

describe('parquet through exportStream', () => {
  it.each([7, 100, 16_384])('rows in chunks of %i come back equal (DuckDB and hyparquet)', async (chunkSize) => {
    const { bytes, error } = await collect(exportStream(rows, { format: 'parquet', chunkSize }));
    expect(error).toBeNull();
    expect(await queryFile(bytes, 'parquet', SQL)).toEqual(expected());
    const read = await readWithHyparquet(bytes);
    expect(read.map((row) => row.big)).toEqual(rows.map((row) => row.big));
  });

  it('honours a filter (scattered and contiguous selections) and renamed columns', async () => {
    const options: StreamOptions = {
      format: 'parquet',
      chunkSize: 64,
      filter: { op: 'or', filters: [{ op: 'in', field: 'id', values: [3, 5, 8, 13, 21, 34, 55, 89] }, { op: 'gte', field: 'id', value: 900 }] },
      columns: ['id', { field: 'name', header: 'display name' }],
    };
    const { bytes, error } = await collect(exportStream(rows, options));
    expect(error).toBeNull();
    const read = await queryFile(bytes, 'parquet', (p) => `SELECT * FROM read_parquet('${p}')`);
    const keep = rows.filter((row) => [3, 5, 8, 13, 21, 34, 55, 89].includes(row.id) || row.id >= 900);
    expect(read).toEqual(keep.map((row) => ({ id: row.id, 'display name': row.name })));
  });

  it('a failing source errors the stream with source_failed and writes no file', async () => {
    async function* failing() {
      for (let i = 0; i < 500; i++) yield { id: i, text: `row ${i}` };
      throw new Error('the database went away');
    }
    const { bytes, error } = await collect(exportStream(failing(), { format: 'parquet', chunkSize: 50 }));
    expect(isExportError(error)).toBe(true);
    expect((error as { code: string }).code).toBe('source_failed');
    expect((error as Error).message).toContain('the database went away');
    expect(bytes.length).toBe(0);
  });

  it('parquet options reach the writer', async () => {
    const { bytes } = await collect(exportStream(rows, { format: 'parquet', parquet: { compression: 'zstd', rowGroupSize: 300, metadata: { source: 'test' } } }));
    const meta = hyparquetMetadata(bytes);
    expect(meta.row_groups.map((group) => Number(group.num_rows))).toEqual([300, 300, 300, 100]);
    expect(meta.row_groups[0]!.columns[0]!.meta_data!.codec).toBe('ZSTD');
    expect(meta.key_value_metadata?.find((entry) => entry.key === 'source')?.value).toBe('test');
  });

  it('invalid parquet options fail with invalid_options naming the option', async () => {
    let caught: unknown;
    try {
      const { error } = await collect(exportStream(rows, { format: 'parquet', parquet: { rowGroupSize: 0 } }));
      caught = error;
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe('invalid_options');
    expect((caught as Error).message).toContain('rowGroupSize');
  });

  it('no rows: a valid empty file with the named columns', async () => {
    const { bytes, error } = await collect(exportStream([], { format: 'parquet', columns: ['a', 'b'] }));
    expect(error).toBeNull();
    expect(hyparquetMetadata(bytes).num_rows).toBe(0n);
    const described = await queryFile(bytes, 'parquet', (p) => `DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(described.map((row) => row.column_name)).toEqual(['a', 'b']);
  });
});

describe('arrow through exportStream', () => {
  it.each(['stream', 'file'] as const)('%s: rows come back with equal values and types', async (ipc) => {
    const { bytes, error } = await collect(exportStream(rows, { format: 'arrow', arrow: { ipc }, chunkSize: 77 }));
    expect(error).toBeNull();
    const table = tableFromIPC(bytes);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['id', 'Int32'],
      ['name', 'Utf8'],
      ['amount', 'Float64'],
      ['created', 'Timestamp<MILLISECOND, UTC>'],
      ['big', 'Int64'],
      ['active', 'Bool'],
    ]);
    expect(table.numRows).toBe(rows.length);
    expect(Array.from(table.getChild('big')!)).toEqual(rows.map((row) => row.big));
    expect(Array.from(table.getChild('created')!)).toEqual(rows.map((row) => row.created.getTime()));
    expect(Array.from(table.getChild('name')!)).toEqual(rows.map((row) => row.name));
  });
});
