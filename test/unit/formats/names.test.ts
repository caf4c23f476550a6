/**
 * Column names a reader cannot take are refused the same way in every format, naming the column:
 * an empty name, two names that become one once lone surrogates are written as U+FFFD, and an Arrow
 * source with two columns of one name. Nested keys of those kinds keep their object as JSON text.
 * Objects with no keys (`{}`, `{ x: {} }`, `[{}]`) are written as JSON text in Parquet and Arrow.
 * Outputs are read back by Polars, DuckDB, hyparquet, papaparse and JSON.parse.
 */
import { Field, Int32, RecordBatch, Schema, Struct, Table, makeData } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import type { ExportFormat, StreamOptions } from '../../../src/types.js';
import { duckdb, polarsRead, tempFile } from '../../helpers/readers.js';
import { exportAll, readBack } from '../hostile/helpers.js';

const FORMATS: ExportFormat[] = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow'];

async function failure(source: unknown, options: StreamOptions): Promise<{ code: string; message: string; column: unknown }> {
  const error = await exportAll(source, options).then(
    () => null,
    (e: unknown) => e,
  );
  if (!isExportError(error)) throw new Error(`expected an ExportError, got ${String(error)}`);
  return { code: error.code, message: error.message, column: (error.details as { column?: unknown } | undefined)?.column };
}

function duplicateTable(): Table {
  const fields = [new Field('a', new Int32()), new Field('b', new Int32()), new Field('a', new Int32())];
  const child = (values: number[]) => makeData({ type: new Int32(), length: values.length, data: Int32Array.from(values) });
  return new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 1, children: [child([1]), child([2]), child([3])] }))]);
}

describe('column names readers cannot take', () => {
  for (const format of FORMATS) {
    it(`${format}: an empty key is refused, naming the column`, async () => {
      const error = await failure([{ '': 1, b: 2 }], { format });
      expect(error.code).toBe('invalid_value');
      expect(error.message).toContain(`${format}: column 1 (field "") has an empty name`);
    });

    it(`${format}: an empty columns[].header is refused (or caught by option checks)`, async () => {
      const error = await failure([{ a: 1 }], { format, columns: [{ field: 'a', header: '' }] });
      expect(['invalid_value', 'invalid_options']).toContain(error.code);
    });

    it(`${format}: keys that differ only in lone surrogates are refused`, async () => {
      const error = await failure([{ 'a\ud800': 1, 'a\ud801': 2 }], { format });
      expect(error.code).toBe('invalid_value');
      expect(error.message).toContain('would both be written as "a\ufffd"');
    });

    it(`${format}: an Arrow table with two columns of one name is refused`, async () => {
      const error = await failure(duplicateTable(), { format });
      expect(error.code).toBe('invalid_value');
      expect(error.message).toContain('two columns named "a"');
      expect(error.column).toBe('a');
      // Even when only another column is chosen: apache-arrow's select mixes such fields up.
      expect((await failure(duplicateTable(), { format, columns: ['b'] })).code).toBe('invalid_value');
    });

    it(`${format}: one key with a lone surrogate is written as U+FFFD, and read back`, async () => {
      const { bytes } = await exportAll([{ 'a\ud800': 1 }], { format });
      if (format === 'parquet' || format === 'arrow') {
        const columns = await polarsRead(bytes, format);
        expect(columns.map((c) => [c.name, c.values])).toEqual([['a\ufffd', [1]]]);
      } else {
        expect(await readBack(format, bytes)).toEqual([{ 'a\ufffd': format === 'csv' || format === 'tsv' ? '1' : 1 }]);
      }
    });
  }

  it('nested keys that are empty or collide keep their object as JSON text in Parquet and Arrow', async () => {
    const rows = [{ n: { '': 1, x: 2 } }, { n: { 'k\ud800': 1, 'k\ud801': 2 } }, { n: { y: 3 } }];
    for (const format of ['parquet', 'arrow'] as const) {
      const { bytes, result } = await exportAll(rows, { format });
      const [column] = await polarsRead(bytes, format);
      expect(column!.dtype).toBe('String');
      // JSON text escapes a lone surrogate (\ud800), so nothing is lost.
      expect(column!.values).toEqual(rows.map((row) => JSON.stringify(row.n)));
      expect(result.issues).toEqual([]);
    }
  });
});

describe('objects with no keys', () => {
  const CASES: Array<[string, unknown[]]> = [
    ['{}', [{}, {}, null]],
    ['{ x: {} }', [{ x: {} }, { x: {} }]],
    ['[{}]', [[{}], [{}, {}], []]],
    ['{} then { x: 1 } (one struct)', [{}, { x: 1 }]],
  ];
  for (const [name, values] of CASES) {
    for (const format of ['parquet', 'arrow'] as const) {
      it(`${name} → ${format}, read back by Polars${format === 'parquet' ? ', DuckDB and hyparquet' : ''}`, async () => {
        const { bytes, result } = await exportAll(values.map((v) => ({ v })), { format });
        expect(result.issues).toEqual([]);
        const polars = (await polarsRead(bytes, format))[0]!;
        const back = await readBack(format, bytes);
        expect(back).toHaveLength(values.length);
        // Every value comes back as what was written: JSON text, or a struct whose missing field is null.
        const normal = (value: unknown): unknown => (typeof value === 'string' ? JSON.parse(value) : value);
        if (name.includes('then')) {
          expect(polars.values).toEqual([{ x: null }, { x: 1 }]);
        } else if (name === '{ x: {} }') {
          expect(polars.values.map((v) => normal((v as { x: unknown }).x))).toEqual([{}, {}]);
        } else if (name === '[{}]') {
          expect(polars.values.map((v) => (v as unknown[]).map(normal))).toEqual(values);
        } else {
          expect(polars.values.map((v) => (v === null ? null : normal(v)))).toEqual(values);
        }
        if (format === 'parquet') {
          const file = tempFile(bytes, 'parquet');
          try {
            const rows = (await (await duckdb()).runAndReadAll(`SELECT count(*) AS n FROM read_parquet('${file.path}')`)).getRowObjectsJS();
            expect(rows).toEqual([{ n: BigInt(values.length) }]);
          } finally {
            file.cleanup();
          }
        }
      });
    }
  }

  it('an Arrow source with a struct of no fields fails for Parquet, naming the column', async () => {
    const empty = new Struct([]);
    const fields = [new Field('s', empty, true)];
    const table = new Table([new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: 1, children: [makeData({ type: empty, length: 1, children: [] })] }))]);
    const error = await failure(table, { format: 'parquet' });
    expect(error.code).toBe('invalid_value');
    expect(error.message).toContain('parquet cannot store column "s": a struct with no fields');
  });
});
