/**
 * Text in a declared `date` or `timestamp` column: ISO 8601 only, and an impossible calendar date or
 * time is invalid (an `invalid_value` issue and null; `schema_mismatch` under `schema.strict`),
 * never rolled over to the next day or month. Read back by papaparse, JSON.parse and hyparquet.
 */
import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { parseDateText } from '../../../src/schema/kinds.js';
import type { FieldTypeName } from '../../../src/types.js';
import { exportAll, readBack } from '../hostile/helpers.js';

const INVALID = [
  '2024-02-30',
  '2023-02-29',
  '2024-13-01',
  '2024-00-10',
  '2024-04-31',
  '2024-06-31',
  '2024-01-32',
  '2024-01-00',
  '2024-02-29T25:00:00Z',
  '2024-02-29T24:00:00Z',
  '2024-02-29T23:60:00Z',
  '2024-02-29T23:59:60Z',
  '2024-02-29T12:00:00+25:00',
  '1900-02-29',
  'March 7, 2024',
  'Thu, 07 Mar 2024 10:00:00 GMT',
  '2024-3-7',
  '',
  'not a date',
];

const VALID: Array<[string, string]> = [
  ['2024-02-29', '2024-02-29T00:00:00.000Z'],
  ['2000-02-29', '2000-02-29T00:00:00.000Z'],
  ['2024-04-30', '2024-04-30T00:00:00.000Z'],
  ['2024-12-31T23:59:59.999Z', '2024-12-31T23:59:59.999Z'],
  ['2024-03-15T10:00:00', '2024-03-15T10:00:00.000Z'],
  ['2024-03-15 10:00', '2024-03-15T10:00:00.000Z'],
  ['2024-03-15T10:00:00+02:00', '2024-03-15T08:00:00.000Z'],
  ['2024-03-15T10:00:00-0130', '2024-03-15T11:30:00.000Z'],
  ['2024-03-15T10:00:00.123456789Z', '2024-03-15T10:00:00.123Z'],
  ['0001-01-01', '0001-01-01T00:00:00.000Z'],
  ['+010000-01-01T00:00:00Z', '+010000-01-01T00:00:00.000Z'],
  ['-000001-12-31', '-000001-12-31T00:00:00.000Z'],
];

describe('date text in declared columns', () => {
  it('parseDateText refuses impossible dates and times and other formats', () => {
    for (const text of INVALID) expect(parseDateText(text), text).toBeNaN();
    for (const [text, iso] of VALID) expect(new Date(parseDateText(text)).toISOString(), text).toBe(iso);
  });

  for (const type of ['date', 'timestamp', 'timestamp[us]'] as FieldTypeName[]) {
    for (const format of ['csv', 'json', 'ndjson', 'parquet', 'arrow'] as const) {
      it(`${type} → ${format}: an invalid calendar date is null with an invalid_value issue`, async () => {
        const values = ['2024-02-28', ...INVALID.slice(0, 10)];
        const { bytes, result } = await exportAll(values.map((a) => ({ a })), { format, schema: { fields: { a: type } } });
        const rows = await readBack(format, bytes);
        const cells = rows.map((row) => row['a']);
        expect(cells.slice(1)).toEqual(Array(values.length - 1).fill(format === 'csv' ? '' : null));
        expect(cells[0]).not.toBe(format === 'csv' ? '' : null);
        expect(result.issues.map((issue) => [issue.code, issue.row, issue.column])).toEqual(values.slice(1).map((_, i) => ['invalid_value', i + 1, 'a']));
      });
    }
  }

  it('fails with schema_mismatch under schema.strict, naming the row and the value', async () => {
    for (const format of ['csv', 'parquet'] as const) {
      const error = await exportAll([{ a: '2024-02-28' }, { a: '2024-02-30' }], { format, schema: { strict: true, fields: { a: 'date' } } }).catch((e: unknown) => e);
      expect(isExportError(error) && error.code).toBe('schema_mismatch');
      expect((error as Error).message).toContain('row 1');
      expect((error as Error).message).toContain('2024-02-30');
    }
  });

  it('epoch milliseconds beyond what a Date holds are invalid, not wrapped', async () => {
    const { bytes, result } = await exportAll([{ a: 1e20 }, { a: 8.64e15 }], { format: 'ndjson', schema: { fields: { a: 'timestamp[us]' } } });
    expect((await readBack('ndjson', bytes)).map((row) => row['a'])).toEqual([null, '+275760-09-13T00:00:00.000Z']);
    expect(result.issues.map((issue) => issue.code)).toEqual(['invalid_value']);
  });
});
