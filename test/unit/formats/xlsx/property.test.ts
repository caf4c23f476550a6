/**
 * Random rows → XLSX → SheetJS → the same values: text (with controls, lone surrogates, `_xHHHH_`
 * look-alikes), doubles, integers, booleans, dates at millisecond precision, nulls.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as XLSX from 'xlsx';
import { RUNS, text } from '../../property/arbitraries.js';
import { toXlsx } from './helpers.js';

const MS_PER_DAY = 86_400_000;

/** Epoch milliseconds of an Excel serial (1900 date system, phantom 1900-02-29), computed here, not by a reader. */
function msOfSerial(serial: number): number {
  const days = serial < 61 ? serial - 25_568 : serial - 25_569;
  return Math.round(days * MS_PER_DAY);
}

const ooxmlLike = fc.constantFrom('_x0041_', '_x005F_', '_xD83D_', '_X00ff_', '_x12_', 'a_b', '_');
const cellText = fc.oneof(text, fc.array(fc.oneof(text, ooxmlLike), { maxLength: 4 }).map((parts) => parts.join('')));

type Kind = 'text' | 'double' | 'int' | 'bool' | 'date';
const valueOf: Record<Kind, fc.Arbitrary<unknown>> = {
  text: cellText,
  double: fc.double({ noNaN: true, noDefaultInfinity: true }),
  int: fc.integer(),
  bool: fc.boolean(),
  date: fc.date({ min: new Date(Date.UTC(1900, 0, 1)), max: new Date(Date.UTC(9999, 11, 31, 23, 59, 59, 999)), noInvalidDate: true }),
};

const table = fc
  .array(fc.constantFrom<Kind>('text', 'double', 'int', 'bool', 'date'), { minLength: 1, maxLength: 5 })
  .chain((kinds) =>
    fc.record({
      kinds: fc.constant(kinds),
      rows: fc.array(fc.tuple(...kinds.map((kind) => fc.option(valueOf[kind], { freq: 5 }))), { minLength: 1, maxLength: 6 }),
    }),
  );

/** What a reader should see for a written value. */
function expected(kind: Kind, value: unknown): unknown {
  if (value === null) return null;
  switch (kind) {
    case 'text':
      return (value as string).toWellFormed();
    case 'double':
      return value === 0 ? 0 : value;
    case 'date':
      return (value as Date).getTime();
    default:
      return value;
  }
}

describe('XLSX property: random rows read back by SheetJS', () => {
  it(`keeps every value (${RUNS} cases)`, async () => {
    await fc.assert(
      fc.asyncProperty(table, async ({ kinds, rows }) => {
        const names = kinds.map((_, i) => `c${i}`);
        const objects = rows.map((row) => Object.fromEntries(row.map((value, i) => [names[i], value])));
        const schema = Object.fromEntries(kinds.map((kind, i) => [names[i]!, kind === 'text' ? 'string' : kind === 'double' ? 'float64' : kind === 'int' ? 'float64' : kind === 'bool' ? 'boolean' : 'timestamp'])) as never;
        const { bytes } = await toXlsx(objects, { schema: { fields: schema } });
        const book = XLSX.read(bytes, { type: 'array', cellDates: false, dense: false });
        const sheet = book.Sheets[book.SheetNames[0]!]!;
        const read = rows.map((row, r) =>
          row.map((_, c) => {
            const cell = sheet[XLSX.utils.encode_cell({ r: r + 1, c })] as XLSX.CellObject | undefined;
            if (cell === undefined || cell.t === 'z') return null;
            return kinds[c] === 'date' && cell.t === 'n' ? msOfSerial(cell.v as number) : cell.v;
          }),
        );
        expect(read).toEqual(rows.map((row) => row.map((value, c) => expected(kinds[c]!, value))));
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
