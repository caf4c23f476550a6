import { DateMillisecond, Field, Int32, RecordBatch, Schema, Struct, Utf8, makeData, vectorFromArray } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { preloadParquet } from '../../../src/formats/parquet.js';
import { checkParquetOptions, parquetSpec } from '../../../src/formats/parquet/spec.js';
import { getFormat } from '../../../src/formats/registry.js';
import { Problems } from '../../../src/options/problems.js';

const parquetFormat = getFormat('parquet');
function validateParquetOptions(options: unknown) {
  const problems = new Problems();
  checkParquetOptions(options, problems.add);
  return problems.list;
}
import { readFooterRowCount } from '../../../src/formats/parquet/footer.js';
import { loadParquetWasm } from '../../../src/formats/parquet/wasm.js';
import type { Chunk } from '../../../src/schema/chunk.js';
import type { Emit } from '../../../src/formats/types.js';
import type { ParquetCompression, ParquetOptions } from '../../../src/types.js';
import {
  SAMPLE,
  SAMPLE_DECIMALS,
  allColumns,
  chunksOf,
  encodeChunks,
  fakeContext,
  hyparquetMetadata,
  queryFile,
  readWithHyparquet,
  sampleBatch,
} from './parquet-helpers.js';

const parquet = (options: ParquetOptions = {}, batch = sampleBatch()) => fakeContext(allColumns(batch), { format: 'parquet', parquet: options });

/** DuckDB query that turns every sample column into text or numbers that compare exactly. */
const VALUES_SQL = (path: string) => `
  SELECT f64, i32, i64::VARCHAR AS i64, bool, text, epoch_ms(ts)::VARCHAR AS ts, "date"::VARCHAR AS "date",
         epoch_us(tsus)::VARCHAR AS tsus, "dec"::VARCHAR AS "dec", to_json("list")::VARCHAR AS "list",
         to_json("struct")::VARCHAR AS "struct", nothing
  FROM read_parquet('${path}')`;

/** The sample rows as VALUES_SQL shows them. */
function expectedDuckRows(times = 1): Record<string, unknown>[] {
  const rows: Record<string, unknown>[] = [];
  for (let t = 0; t < times; t++) {
    for (let i = 0; i < 6; i++) {
      const date = SAMPLE.date[i];
      const dec = SAMPLE_DECIMALS[i];
      const list = SAMPLE.list[i];
      const struct = SAMPLE.struct[i];
      rows.push({
        f64: SAMPLE.f64[i],
        i32: SAMPLE.i32[i],
        i64: SAMPLE.i64[i] === null ? null : String(SAMPLE.i64[i]),
        bool: SAMPLE.bool[i],
        text: SAMPLE.text[i],
        ts: SAMPLE.ts[i] === null ? null : String(SAMPLE.ts[i]),
        date: date === null || date === undefined ? null : new Date(date * 86_400_000).toISOString().slice(0, 10),
        tsus: SAMPLE.tsus[i] === null ? null : String(SAMPLE.tsus[i]),
        dec: dec === null || dec === undefined ? null : decimalText(dec, 2),
        list: list === null ? null : JSON.stringify(list),
        struct: struct === null ? null : JSON.stringify(struct),
        nothing: null,
      });
    }
  }
  return rows;
}

function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
}

/** hyparquet's view of the sample rows, normalised to comparable values. */
function normaliseHyparquet(row: Record<string, unknown>): Record<string, unknown> {
  const time = (value: unknown) => (value instanceof Date ? value.getTime() : value);
  return {
    ...row,
    ts: time(row.ts),
    date: row.date instanceof Date ? row.date.toISOString().slice(0, 10) : row.date,
    tsus: time(row.tsus),
  };
}

function expectedHyparquetRows(): Record<string, unknown>[] {
  return Array.from({ length: 6 }, (_, i) => {
    const date = SAMPLE.date[i];
    const tsus = SAMPLE.tsus[i];
    const dec = SAMPLE_DECIMALS[i];
    return {
      f64: SAMPLE.f64[i],
      i32: SAMPLE.i32[i],
      i64: SAMPLE.i64[i],
      bool: SAMPLE.bool[i],
      text: SAMPLE.text[i],
      ts: SAMPLE.ts[i],
      date: date === null || date === undefined ? null : new Date(date * 86_400_000).toISOString().slice(0, 10),
      // hyparquet reads microseconds into a Date, truncating to milliseconds.
      tsus: tsus === null || tsus === undefined ? null : Number(tsus / 1000n),
      dec: dec === null || dec === undefined ? null : Number(decimalText(dec, 2)),
      list: SAMPLE.list[i],
      struct: SAMPLE.struct[i],
      nothing: null,
    };
  });
}

async function failure(promise: Promise<unknown>): Promise<{ code: string; message: string; emitted: number }> {
  try {
    await promise;
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message, emitted: (error as { emitted?: number }).emitted ?? -1 };
  }
  throw new Error('expected the export to fail');
}

describe('parquet format definition', () => {
  it('names the format, extension and MIME type', () => {
    expect(parquetFormat.name).toBe('parquet');
    expect(parquetSpec.extension({})).toBe('parquet');
    expect(parquetSpec.mimeType({})).toBe('application/vnd.apache.parquet');
    expect(parquetFormat.binary).toBe(true);
  });

  it('preloads the wasm once per realm', async () => {
    await preloadParquet();
    const [a, b] = await Promise.all([loadParquetWasm(), loadParquetWasm()]);
    expect(a).toBe(b);
    expect(a.wasmMemory().buffer.byteLength).toBeGreaterThan(0);
  });
});

describe('parquet types as DuckDB sees them', () => {
  it('maps each Arrow type to the matching Parquet type', async () => {
    const { bytes } = await encodeChunks(parquetFormat, parquet(), chunksOf(sampleBatch(), 7));
    const described = await queryFile(bytes, 'parquet', (p) => `DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(Object.fromEntries(described.map((row) => [row.column_name, row.column_type]))).toEqual({
      f64: 'DOUBLE',
      i32: 'INTEGER',
      i64: 'BIGINT',
      bool: 'BOOLEAN',
      text: 'VARCHAR',
      ts: 'TIMESTAMP WITH TIME ZONE',
      date: 'DATE',
      tsus: 'TIMESTAMP',
      dec: 'DECIMAL(10,2)',
      list: 'INTEGER[]',
      struct: 'STRUCT(a INTEGER, b VARCHAR)',
      // An all-null column is written as nullable text rather than Parquet's unusual NULL type.
      nothing: 'VARCHAR',
    });
  });

  it('writes Date64 as a UTC millisecond timestamp, never as a bare INT64', async () => {
    const ms = [0, -86_400_000 * 400 - 5, 1_700_000_000_000];
    const data = makeData({ type: new DateMillisecond(), length: 3, data: BigInt64Array.from(ms, BigInt) });
    const batch = new RecordBatch(new Schema([new Field('when', data.type, true)]), makeData({ type: new Struct([new Field('when', data.type, true)]), length: 3, children: [data] }));
    const { bytes } = await encodeChunks(parquetFormat, fakeContext(allColumns(batch)), chunksOf(batch, 2));
    const rows = await queryFile(bytes, 'parquet', (p) => `SELECT typeof("when") AS t, epoch_ms("when")::VARCHAR AS ms FROM read_parquet('${p}')`);
    expect(rows).toEqual(ms.map((value) => ({ t: 'TIMESTAMP WITH TIME ZONE', ms: String(value) })));
  });
});

describe('parquet codecs', () => {
  // Every codec is read by DuckDB and by hyparquet (zstd and lz4 through hyparquet-compressors).
  const codecs: Array<[ParquetCompression, string]> = [
    ['snappy', 'SNAPPY'],
    ['none', 'UNCOMPRESSED'],
    ['gzip', 'GZIP'],
    ['brotli', 'BROTLI'],
    ['zstd', 'ZSTD'],
    ['lz4', 'LZ4_RAW'],
  ];
  it.each(codecs)('%s: every value, null and type survives (DuckDB and hyparquet, %s)', async (compression, codecName) => {
    const { bytes } = await encodeChunks(parquetFormat, parquet({ compression }), chunksOf(sampleBatch(), 4));
    expect(await queryFile(bytes, 'parquet', VALUES_SQL)).toEqual(expectedDuckRows());
    const meta = hyparquetMetadata(bytes);
    const codecsUsed = new Set(meta.row_groups.flatMap((group) => group.columns.map((column) => column.meta_data?.codec)));
    expect([...codecsUsed]).toEqual([codecName]);
    expect((await readWithHyparquet(bytes)).map(normaliseHyparquet)).toEqual(expectedHyparquetRows());
  });
});

describe('parquet chunking', () => {
  it.each([1, 7])('chunks of %i rows read back like one whole batch', async (size) => {
    const batch = sampleBatch(20);
    const whole = await encodeChunks(parquetFormat, parquet({}, batch), chunksOf(batch, batch.numRows));
    const chunked = await encodeChunks(parquetFormat, parquet({}, batch), chunksOf(batch, size));
    const wholeRows = await queryFile(whole.bytes, 'parquet', VALUES_SQL);
    expect(wholeRows).toEqual(expectedDuckRows(20));
    expect(await queryFile(chunked.bytes, 'parquet', VALUES_SQL)).toEqual(wholeRows);
    expect((await readWithHyparquet(chunked.bytes)).length).toBe(batch.numRows);
  });

  it('chunks of 100,000 rows split into capped row groups and read back the same', async () => {
    const batch = sampleBatch(40_000); // 240,000 rows
    const { bytes, emits } = await encodeChunks(parquetFormat, parquet({ rowGroupSize: 65_536 }, batch), chunksOf(batch, 100_000));
    const meta = hyparquetMetadata(bytes);
    expect(meta.num_rows).toBe(240_000n);
    expect(meta.row_groups.map((group) => Number(group.num_rows))).toEqual([65_536, 65_536, 65_536, 43_392]);
    // Output streams out while rows go in, rather than in one piece at the end.
    expect(emits).toBeGreaterThan(1);
    const summary = await queryFile(bytes, 'parquet', (p) => `
      SELECT count(*)::INTEGER AS n, count(text)::INTEGER AS texts, sum(i64)::VARCHAR AS i64sum,
             count(DISTINCT to_json("struct"))::INTEGER AS structs, sum(len("list"))::INTEGER AS items
      FROM read_parquet('${p}')`);
    expect(summary).toEqual([{ n: 240_000, texts: 200_000, i64sum: String(40_000n * (9007199254740993n - 9223372036854775808n + 9223372036854775807n + 42n)), structs: 5, items: 40_000 * 8 }]);
  });
});

describe('parquet row selection and columns', () => {
  const batch = sampleBatch(3); // 18 rows
  const cases: Array<[string, number[]]> = [
    ['contiguous (zero-copy slice)', [4, 5, 6, 7, 8]],
    ['scattered (gathered)', [0, 2, 3, 7, 11, 12, 17]],
    ['single row', [9]],
    ['none', []],
  ];
  it.each(cases)('writes only the selected rows: %s', async (_name, selection) => {
    const chunk: Chunk = { batch, selection: Uint32Array.from(selection), firstRow: 0, mismatches: null };
    const { bytes } = await encodeChunks(parquetFormat, parquet({}, batch), [chunk]);
    const all = expectedDuckRows(3);
    expect(await queryFile(bytes, 'parquet', VALUES_SQL)).toEqual(selection.map((i) => all[i]));
  });

  it('writes the chosen columns in order under their new names (spaces, dots, Unicode)', async () => {
    const columns = [
      { field: 'text', header: 'full name' },
      { field: 'i32', header: 'a.b.c' },
      { field: 'ts', header: 'créé à 🕒' },
    ];
    const context = fakeContext(columns, { format: 'parquet' });
    const { bytes } = await encodeChunks(parquetFormat, context, chunksOf(batch, 5));
    const described = await queryFile(bytes, 'parquet', (p) => `DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(described.map((row) => row.column_name)).toEqual(['full name', 'a.b.c', 'créé à 🕒']);
    const rows = await readWithHyparquet(bytes);
    expect(rows.map((row) => row['full name'])).toEqual(expectedDuckRows(3).map((row) => row.text));
    expect(rows.map((row) => row['a.b.c'])).toEqual(expectedDuckRows(3).map((row) => row.i32));
  });
});

describe('parquet failures (real wasm)', () => {
  const schemaOf = (type: 'int' | 'text', values: unknown[], nullable = true) => {
    const data = vectorFromArray(values as never[], type === 'int' ? new Int32() : new Utf8()).data[0]!;
    const field = new Field('x', data.type, nullable);
    return new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: values.length, children: [data] }));
  };
  const chunk = (batch: RecordBatch): Chunk => ({ batch, selection: null, firstRow: 0, mismatches: null });

  it('rejects a batch whose column changed type, naming the column and both types, with no output', async () => {
    const chunks = [chunk(schemaOf('int', [1, 2])), chunk(schemaOf('int', [3])), chunk(schemaOf('text', ['a']))];
    const result = await failure(encodeChunks(parquetFormat, fakeContext([{ field: 'x', header: 'x' }]), chunks));
    expect(result.code).toBe('schema_mismatch');
    expect(result.message).toContain('"x"');
    expect(result.message).toContain('Int32');
    expect(result.message).toContain('Utf8');
    expect(result.emitted).toBe(0);
  });

  it('after its own failure the encoder stays failed with the same error', async () => {
    const encoder = await parquetFormat.createEncoder(fakeContext([{ field: 'x', header: 'x' }]));
    await encoder.encode(chunk(schemaOf('int', [1, 2])), () => {});
    const first = await failure(Promise.resolve(encoder.encode(chunk(schemaOf('text', ['a'])), () => {})));
    const second = await failure(Promise.resolve(encoder.finish(() => {}, null)));
    expect([first.code, second.code]).toEqual(['schema_mismatch', 'schema_mismatch']);
  });

  it('rejects nulls in a column the first batch declared non-nullable', async () => {
    const chunks = [chunk(schemaOf('int', [1, 2], false)), chunk(schemaOf('int', [3, null], true))];
    const result = await failure(encodeChunks(parquetFormat, fakeContext([{ field: 'x', header: 'x' }]), chunks));
    expect(result.code).toBe('schema_mismatch');
    expect(result.message).toMatch(/non-nullable/);
  });

  it('accepts a later batch that is nullable but holds no nulls', async () => {
    const chunks = [chunk(schemaOf('int', [1, 2], false)), chunk(schemaOf('int', [3, 4], true))];
    const { bytes } = await encodeChunks(parquetFormat, fakeContext([{ field: 'x', header: 'x' }]), chunks);
    expect(await queryFile(bytes, 'parquet', (p) => `SELECT x FROM read_parquet('${p}')`)).toEqual([1, 2, 3, 4].map((x) => ({ x })));
  });

  it('an upstream failure aborts the writer: nothing more is emitted, later calls fail, the wasm stays usable', async () => {
    const batch = sampleBatch(10);
    const parts: Uint8Array[] = [];
    const emit: Emit = (bytes) => parts.push(bytes);
    const encoder = await parquetFormat.createEncoder(parquet({}, batch));
    for (const c of chunksOf(batch, 7).slice(0, 5)) await encoder.encode(c, emit);
    encoder.abort?.(new Error('the source broke'));
    const after = await failure(Promise.resolve(encoder.encode(chunksOf(batch, 7)[5]!, emit)));
    expect(after.code).toBe('aborted');
    const finished = await failure(Promise.resolve(encoder.finish(emit, batch.schema)));
    expect(finished.code).toBe('aborted');
    expect(parts.length).toBe(0);
    // A fresh export right after works: the aborted writer left nothing behind.
    const { bytes } = await encodeChunks(parquetFormat, parquet({}, batch), chunksOf(batch, 7));
    expect(hyparquetMetadata(bytes).num_rows).toBe(60n);
  });

  it('an abort while a batch waits for the writer rejects that batch instead of hanging', async () => {
    const batch = sampleBatch(10);
    const encoder = await parquetFormat.createEncoder(parquet({}, batch));
    const pending = Promise.resolve(encoder.encode(chunksOf(batch, 60)[0]!, () => {}));
    encoder.abort?.(new Error('cancelled'));
    const result = await Promise.race([failure(pending), new Promise((resolve) => setTimeout(() => resolve('hung'), 5_000))]);
    // Either the writer had already taken the batch (then failure() throws), or it was rejected as aborted.
    expect(result).not.toBe('hung');
    expect((await failure(Promise.resolve(encoder.finish(() => {}, batch.schema)))).code).toBe('aborted');
  });

  it('fails with verification_failed when the footer does not count the rows sent', async () => {
    // With no output columns parquet-wasm writes a file of zero rows: the row-count check catches it.
    const batch = sampleBatch();
    const result = await failure(encodeChunks(parquetFormat, fakeContext([]), chunksOf(batch, 3)));
    expect(result.code).toBe('verification_failed');
    expect(result.message).toContain('0 rows but 6');
    expect(result.emitted).toBe(0);
  });

  it('rejects a column type Parquet cannot store', async () => {
    const { IntervalMonthDayNano } = await import('apache-arrow');
    const data = makeData({ type: new IntervalMonthDayNano(), length: 1, data: new Int32Array(4) });
    const field = new Field('span', data.type, true);
    const batch = new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: 1, children: [data] }));
    const result = await failure(encodeChunks(parquetFormat, fakeContext(allColumns(batch)), [chunk(batch)]));
    expect(result.code).toBe('invalid_value');
    expect(result.message).toContain('"span"');
  });

  it('names a missing column', async () => {
    const result = await failure(encodeChunks(parquetFormat, fakeContext([{ field: 'nope', header: 'nope' }]), chunksOf(sampleBatch(), 6)));
    expect(result.code).toBe('unknown_column');
    expect(result.message).toContain('"nope"');
  });
});

describe('parquet empty exports', () => {
  it('with a schema but no rows: a valid file with the columns and no rows', async () => {
    const batch = sampleBatch();
    const empty: Chunk = { batch, selection: new Uint32Array(0), firstRow: 0, mismatches: null };
    const { bytes } = await encodeChunks(parquetFormat, parquet({}, batch), [empty]);
    expect(hyparquetMetadata(bytes).num_rows).toBe(0n);
    const described = await queryFile(bytes, 'parquet', (p) => `DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(described.map((row) => row.column_name)).toEqual(batch.schema.fields.map((f) => f.name));
  });

  it('with no batch and no schema: the requested columns as text', async () => {
    const { bytes } = await encodeChunks(parquetFormat, fakeContext([{ field: 'a', header: 'A' }, { field: 'b', header: 'B' }]), []);
    const described = await queryFile(bytes, 'parquet', (p) => `DESCRIBE SELECT * FROM read_parquet('${p}')`);
    expect(described.map((row) => [row.column_name, row.column_type])).toEqual([
      ['A', 'VARCHAR'],
      ['B', 'VARCHAR'],
    ]);
  });
});

describe('parquet options', () => {
  it('caps row groups at rowGroupSize', async () => {
    const batch = sampleBatch(50); // 300 rows
    const { bytes } = await encodeChunks(parquetFormat, parquet({ rowGroupSize: 128 }, batch), chunksOf(batch, 7));
    expect(hyparquetMetadata(bytes).row_groups.map((g) => Number(g.num_rows))).toEqual([128, 128, 44]);
  });

  it('stores key-value metadata in the footer', async () => {
    const { bytes } = await encodeChunks(parquetFormat, parquet({ metadata: { owner: 'sales', 'ünï': 'cødé' } }), chunksOf(sampleBatch(), 6));
    const kv = Object.fromEntries((hyparquetMetadata(bytes).key_value_metadata ?? []).map((entry) => [entry.key, entry.value]));
    expect(kv).toMatchObject({ owner: 'sales', 'ünï': 'cødé' });
    expect(kv['ARROW:schema']).toBeDefined();
  });

  it('writes statistics by default and none with statistics: false', async () => {
    const stats = async (statistics: boolean) => {
      const { bytes } = await encodeChunks(parquetFormat, parquet({ statistics }), chunksOf(sampleBatch(), 6));
      const column = hyparquetMetadata(bytes).row_groups[0]!.columns.find((c) => c.meta_data?.path_in_schema[0] === 'i32');
      return column?.meta_data?.statistics;
    };
    expect(await stats(true)).toMatchObject({ min_value: -2147483648, max_value: 2147483647, null_count: 1n });
    const off = await stats(false);
    expect(off?.min_value ?? off?.max_value ?? undefined).toBeUndefined();
  });

  it('dictionary "auto" encodes repetitive columns with a dictionary and near-unique ones without', async () => {
    const n = 20_000;
    const category = vectorFromArray(Array.from({ length: n }, (_, i) => `category ${i % 8}`), new Utf8()).data[0]!;
    const unique = vectorFromArray(Array.from({ length: n }, (_, i) => `user${i}@example.com`), new Utf8()).data[0]!;
    const fields = [new Field('category', new Utf8(), true), new Field('email', new Utf8(), true)];
    const batch = new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children: [category, unique] }));
    const encodings = async (dictionary: 'auto' | boolean) => {
      const { bytes } = await encodeChunks(parquetFormat, fakeContext(allColumns(batch), { format: 'parquet', parquet: { dictionary } }), chunksOf(batch, 5_000));
      const columns = hyparquetMetadata(bytes).row_groups[0]!.columns;
      return Object.fromEntries(columns.map((c) => [c.meta_data!.path_in_schema[0], c.meta_data!.encodings.includes('RLE_DICTIONARY')]));
    };
    expect(await encodings('auto')).toEqual({ category: true, email: false });
    expect(await encodings(true)).toEqual({ category: true, email: true });
    expect(await encodings(false)).toEqual({ category: false, email: false });
  });

  const invalid: Array<[string, unknown, string, string]> = [
    ['compression', { compression: 'lzo' }, 'parquet.compression', 'parquet.compression must be one of "snappy", "zstd", "gzip", "brotli", "lz4", "none", got "lzo"'],
    ['rowGroupSize 0', { rowGroupSize: 0 }, 'parquet.rowGroupSize', 'parquet.rowGroupSize must be a whole number of rows from 1 to 2147483647, got 0'],
    ['rowGroupSize 1.5', { rowGroupSize: 1.5 }, 'parquet.rowGroupSize', 'got 1.5'],
    ['rowGroupSize text', { rowGroupSize: '100' }, 'parquet.rowGroupSize', 'got "100"'],
    ['dictionary', { dictionary: 'yes' }, 'parquet.dictionary', 'parquet.dictionary must be "auto", true or false, got "yes"'],
    ['statistics', { statistics: 1 }, 'parquet.statistics', 'parquet.statistics must be true or false, got 1'],
    ['metadata type', { metadata: 'x' }, 'parquet.metadata', 'parquet.metadata must be an object'],
    ['metadata value', { metadata: { a: 1 } }, 'parquet.metadata.a', 'parquet.metadata values must be strings, got 1 for "a"'],
    ['metadata reserved key', { metadata: { 'ARROW:schema': 'x' } }, 'parquet.metadata.ARROW:schema', 'cannot set "ARROW:schema"'],
    ['unknown option', { compresion: 'gzip' }, 'parquet.compresion', 'parquet has no option "compresion"'],
    ['not an object', 'snappy', 'parquet', 'parquet options must be an object, got "snappy"'],
  ];
  it.each(invalid)('validateParquetOptions reports %s', (_name, options, path, message) => {
    const problems = validateParquetOptions(options);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(path);
    expect(problems[0]!.message).toContain(message);
  });

  it('accepts valid options and createEncoder rejects invalid ones with invalid_options', async () => {
    expect(validateParquetOptions(undefined)).toEqual([]);
    expect(validateParquetOptions({ compression: 'zstd', rowGroupSize: 1000, dictionary: 'auto', statistics: false, metadata: { a: 'b' } })).toEqual([]);
    const result = await failure(Promise.resolve(parquetFormat.createEncoder(parquet({ compression: 'lzo' as ParquetCompression, rowGroupSize: -1 }))));
    expect(result.code).toBe('invalid_options');
    expect(result.message).toContain('parquet.compression');
    expect(result.message).toContain('parquet.rowGroupSize');
  });
});

describe('parquet footer reader', () => {
  it.each([0, 1, 6, 1_000])('reads num_rows like hyparquet (%i rows)', async (rows) => {
    const batch = sampleBatch(Math.max(1, Math.ceil(rows / 6)));
    const chunk: Chunk = { batch, selection: Uint32Array.from({ length: rows }, (_, i) => i), firstRow: 0, mismatches: null };
    const { bytes } = await encodeChunks(parquetFormat, parquet({ rowGroupSize: 100 }, batch), [chunk]);
    expect(readFooterRowCount(bytes)).toBe(Number(hyparquetMetadata(bytes).num_rows));
    expect(readFooterRowCount(bytes)).toBe(rows);
  });

  it('rejects bytes that are not a Parquet tail', () => {
    expect(() => readFooterRowCount(new TextEncoder().encode('definitely not parquet'))).toThrow(/PAR1/);
  });
});
