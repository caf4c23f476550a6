/**
 * Regressions found by the fuzz round trips (test/unit/property/roundtrip.test.ts), one case each.
 */
import { Dictionary, Field, Int32, LargeUtf8, RecordBatch, Schema, Struct, Table, TimestampSecond, Utf8, makeData, makeVector } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { duckdb, polarsRead, tempFile } from '../../helpers/readers.js';
import { exportAll, readBack } from '../hostile/helpers.js';

function tableOf(type: ConstructorParameters<typeof Field>[1], data: Parameters<typeof makeData>[0]): Table {
  const fields = [new Field('v', type, true)];
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: data.length ?? 0, children: [makeData(data)] }))]);
}

describe('fuzz regressions', () => {
  it('a Dictionary text starting with U+FEFF keeps it in CSV, TSV, JSON and NDJSON', async () => {
    const bytes = new TextEncoder().encode('\ufeffa\ufeff');
    const dictionary = makeVector(makeData({ type: new Utf8(), length: 2, valueOffsets: new Int32Array([0, 4, 7]), data: bytes }));
    const table = tableOf(new Dictionary(new Utf8(), new Int32()), { type: new Dictionary(new Utf8(), new Int32()), length: 3, data: new Int32Array([0, 1, 0]), dictionary } as never);
    for (const format of ['csv', 'tsv', 'json', 'ndjson'] as const) {
      const { bytes: out } = await exportAll(table, { format, chunkSize: 2 });
      expect((await readBack(format, out)).map((row) => row['v']), format).toEqual(['\ufeffa', '\ufeff', '\ufeffa']);
    }
  });

  it('a LargeUtf8 text starting with U+FEFF keeps it in CSV and JSON', async () => {
    const data = new TextEncoder().encode('\ufeffx');
    const table = tableOf(new LargeUtf8(), { type: new LargeUtf8(), length: 1, valueOffsets: new BigInt64Array([0n, 4n]), data } as never);
    for (const format of ['csv', 'json'] as const) {
      const { bytes: out } = await exportAll(table, { format });
      expect((await readBack(format, out)).map((row) => row['v']), format).toEqual(['\ufeffx']);
    }
  });

  it('Timestamp(s) reaches Parquet as a timestamp (milliseconds), not as a plain INT64', async () => {
    const table = tableOf(new TimestampSecond('UTC'), { type: new TimestampSecond('UTC'), length: 2, data: new BigInt64Array([1710504896n, -62167219201n]) } as never);
    const { bytes } = await exportAll(table, { format: 'parquet' });
    const file = tempFile(bytes, 'parquet');
    try {
      const rows = (await (await duckdb()).runAndReadAll(`SELECT typeof(v) AS t, epoch_ms(v)::VARCHAR AS ms FROM read_parquet('${file.path}')`)).getRowObjectsJS();
      expect(rows).toEqual([
        { t: 'TIMESTAMP WITH TIME ZONE', ms: '1710504896000' },
        { t: 'TIMESTAMP WITH TIME ZONE', ms: '-62167219201000' },
      ]);
    } finally {
      file.cleanup();
    }
    const [column] = await polarsRead(bytes, 'parquet');
    expect(column!.dtype).toBe('Datetime(ms,UTC)');
    expect(column!.values).toEqual(['1710504896000', '-62167219201000']);
  });

  it('Timestamp(s) beyond what Parquet milliseconds hold fails naming the value', async () => {
    const table = tableOf(new TimestampSecond('UTC'), { type: new TimestampSecond('UTC'), length: 1, data: new BigInt64Array([9223372036854775807n]) } as never);
    await expect(exportAll(table, { format: 'parquet' })).rejects.toMatchObject({ code: 'invalid_value', message: expect.stringContaining('9223372036854775807 s') });
  });
});
