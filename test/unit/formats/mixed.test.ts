/**
 * One rule for a column that mixes plain values with nested ones: any object or array makes it a
 * JSON column, whatever the mix and proportion. In CSV/TSV a string in it is written as itself and
 * an object or array as JSON text; in JSON/NDJSON every value as itself; in Parquet and Arrow the
 * column is UTF-8 JSON text (field metadata `sluice:json`), one JSON document per cell. No issue.
 */
import { describe, expect, it } from 'vitest';
import { exportAll, readBack } from '../hostile/helpers.js';

const MIXES: Array<{ name: string; values: unknown[] }> = [
  { name: 'a string, an object and an array', values: ['two', { x: 1 }, [1]] },
  { name: 'a string and an object', values: ['two', { x: 1 }] },
  { name: 'a string and an array', values: ['two', [1]] },
  { name: 'mostly strings, one object', values: ['two', 'three', 'four', { x: 1 }] },
  { name: 'an object first, then strings', values: [{ x: 1 }, 'two', 'three'] },
  { name: 'numbers, booleans and an array', values: [1, 2.5, true, [1, 'a']] },
  { name: 'formula-like text beside an object', values: ['=1+2', { x: '=1' }] },
  { name: 'text that looks like JSON beside an object', values: ['{"x":1}', '"quoted"', { x: 1 }] },
];

/** What a CSV cell holds: a string as itself, anything else as its JSON text (formula guard on). */
const csvCell = (value: unknown): string => (typeof value === 'string' ? (value.startsWith('=') ? `'${value}` : value) : JSON.stringify(value));

describe('mixed columns: one rule', () => {
  for (const { name, values } of MIXES) {
    for (const format of ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow'] as const) {
      it(`${name} → ${format}`, async () => {
        // Chunks of one row too: the first chunk holds no nested value in some mixes.
        const { bytes, result } = await exportAll(values.map((a) => ({ a })), { format });
        const cells = (await readBack(format, bytes)).map((row) => row['a']);
        if (format === 'csv' || format === 'tsv') expect(cells).toEqual(values.map(csvCell));
        else if (format === 'json' || format === 'ndjson') expect(cells).toEqual(values);
        else expect(cells.map((cell) => JSON.parse(String(cell)) as unknown)).toEqual(values);
        expect(result.issues).toEqual([]);
      });
    }
  }
});
