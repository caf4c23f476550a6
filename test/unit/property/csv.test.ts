/**
 * Properties of the CSV writer over random text (quotes, delimiters, CR, LF, NUL, BOMs, lone
 * surrogates, any grapheme), random shapes and random dialects, read back by papaparse and DuckDB:
 *
 * 1. identity (formula guard off): every header and cell comes back as written, lone surrogates as
 *    U+FFFD; null and '' are told apart by DuckDB (papaparse reads both as '');
 * 2. with the guard on, every header and cell comes back identical, or — exactly when the original
 *    starts (after any NULs) with = + - @ tab CR LF and is not a plain number — as "'" + the original.
 *
 * Runs: SLUICE_PROPERTY_RUNS (default 1,000) per property.
 */
import fc from 'fast-check';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import type { CsvOptions } from '../../../src/types.js';
import { duckdbReadCsv } from '../../helpers/readers.js';
import { exportAll } from '../hostile/helpers.js';
import { cell, RUNS, splitsSurrogatePair, text, wellFormed } from './arbitraries.js';

interface Table {
  names: string[];
  rows: Array<Array<string | null>>;
}

/**
 * A table of 1–5 columns and 0–12 rows; names come from `name`. Names are not empty and stay apart
 * once lone surrogates are U+FFFD: the others are refused (test/unit/formats/names.test.ts).
 */
const table = (name: fc.Arbitrary<string>): fc.Arbitrary<Table> =>
  fc.integer({ min: 1, max: 5 }).chain((width) =>
    fc.record({
      names: fc.uniqueArray(name.filter((n) => n !== ''), { minLength: width, maxLength: width, selector: wellFormed }),
      rows: fc.array(fc.array(cell, { minLength: width, maxLength: width }), { maxLength: 12 }),
    }),
  );

const dialect = (newlines: ReadonlyArray<NonNullable<CsvOptions['newline']>>): fc.Arbitrary<Required<Pick<CsvOptions, 'delimiter' | 'quote' | 'newline' | 'bom'>>> =>
  fc.record({
    delimiter: fc.constantFrom(',', ';', '\t', '|'),
    quote: fc.constantFrom('"', "'"),
    newline: fc.constantFrom(...newlines),
    bom: fc.boolean(),
  });

const chunkSize = fc.constantFrom(1, 7, 16_384);

/** Rows as objects keyed by the names (defined, not assigned, so "__proto__" stays a key). */
const objects = ({ names, rows }: Table): Array<Record<string, string | null>> => rows.map((row) => Object.fromEntries(names.map((name, i) => [name, row[i]!])));

async function writeCsv(data: Table, csv: CsvOptions, size: number): Promise<string> {
  const { bytes } = await exportAll(objects(data), { format: 'csv', csv, chunkSize: size, columns: data.names });
  return new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes);
}

/** papaparse's records, after checking and removing the BOM and the final row terminator. */
function papaRecords(output: string, csv: Required<Pick<CsvOptions, 'delimiter' | 'quote' | 'newline' | 'bom'>>): string[][] {
  expect(output.startsWith('\ufeff')).toBe(csv.bom);
  let body = csv.bom ? output.slice(1) : output;
  expect(body.endsWith(csv.newline)).toBe(true);
  body = body.slice(0, -csv.newline.length);
  const parsed = Papa.parse<string[]>(body, { delimiter: csv.delimiter, quoteChar: csv.quote, escapeChar: csv.quote, newline: csv.newline as Papa.ParseConfig['newline'] });
  expect(parsed.errors).toEqual([]);
  return parsed.data;
}

// The plain-number rule of the formula guard (a number such as -5 or +1.5e3 is left alone).
const PLAIN_NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
// Leading NULs are skipped first: some spreadsheets ignore them, so "\0=1+2" is a formula (OWASP lists NUL).
// A phone number (a sign, then digits, spaces, dots, hyphens, parentheses) is left alone too.
const PHONE_LIKE = /^[+-][\d .()-]*\d[\d .()-]*$/;
const formulaLike = (value: string): boolean => {
  const rest = value.replace(/^\0+/, '');
  return rest.length > 0 && '=+-@\t\r\n'.includes(rest[0]!) && !PLAIN_NUMBER.test(rest) && !PHONE_LIKE.test(rest);
};
const guarded = (value: string): string => (formulaLike(value) ? `'${value}` : value);

describe('CSV properties', () => {
  it(`identity through papaparse, any dialect (${RUNS} runs)`, async () => {
    await fc.assert(
      fc.asyncProperty(table(text), dialect(['\r\n', '\n', '\r']), chunkSize, async (data, csv, size) => {
        // Known failure, tested apart below: a first header starting with U+FEFF reads as a BOM.
        fc.pre(!data.names[0]!.startsWith('\ufeff'));
        fc.pre(!splitsSurrogatePair(data.rows.flat()));
        const records = papaRecords(await writeCsv(data, { ...csv, escapeFormulae: false }, size), csv);
        expect(records).toEqual([data.names, ...data.rows].map((row) => row.map((value) => (value === null ? '' : wellFormed(value)))));
      }),
      { numRuns: RUNS },
    );
  });

  it(`identity through DuckDB, null apart from '' (${RUNS} runs)`, async () => {
    const started = performance.now();
    await fc.assert(
      fc.asyncProperty(table(fc.constantFrom('c0', 'c1', 'c2', 'c3', 'c4', 'c5', 'c6')), dialect(['\r\n', '\n']), chunkSize, async (data, csv, size) => {
        fc.pre(!splitsSurrogatePair(data.rows.flat()));
        const output = await writeCsv(data, { ...csv, escapeFormulae: false }, size);
        const read = await duckdbReadCsv(csv.bom ? output.slice(1) : output, { delimiter: csv.delimiter, quote: csv.quote });
        expect(read.columns).toEqual(data.names);
        // DuckDB drops a U+FEFF at the start of any field, quoted or not (its reader's choice; the bytes are there).
        expect(read.rows).toEqual(data.rows.map((row) => row.map((value) => (value === null ? null : wellFormed(value).replace(/^\ufeff/, '')))));
      }),
      { numRuns: RUNS },
    );
    console.info(`CSV identity through DuckDB: ${RUNS} cases in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  });

  it(`formula guard: identical, or "'" + original exactly for formula-like text (${RUNS} runs)`, async () => {
    await fc.assert(
      // The quote is '"' here: with "'" as the quote the guard's own "'" is left unescaped (a known failure, tested apart below).
      fc.asyncProperty(table(text), dialect(['\r\n', '\n']).map((d) => ({ ...d, quote: '"' })), chunkSize, async (data, csv, size) => {
        fc.pre(!data.names[0]!.startsWith('\ufeff'));
        fc.pre(!splitsSurrogatePair(data.rows.flat()));
        const records = papaRecords(await writeCsv(data, csv, size), csv);
        // Headers are cells to a spreadsheet: guarded like the others.
        expect(records[0]).toEqual(data.names.map((name) => guarded(wellFormed(name))));
        const expected = data.rows.map((row) =>
          row.map((value) => {
            if (value === null) return '';
            return guarded(wellFormed(value));
          }),
        );
        expect(records.slice(1)).toEqual(expected);
      }),
      { numRuns: RUNS },
    );
  });
});

/*
 * Known failures found by the properties above (each is excluded there with fc.pre or a fixed
 * dialect, and pinned here so it stays visible):
 */
describe('CSV writer: known failures', () => {
  /*
   * With quote "'" the formula guard writes its "'" prefix inside the quotes without doubling it:
   * "=x" becomes ''=x' — a malformed field that ends the quoted text at once. Fix in
   * formats/csv.ts writeField: when the guard fires and the quote is "'", write the prefix twice.
   */
  it('the formula guard escapes its prefix when the quote is an apostrophe', async () => {
    const csv = { quote: "'", delimiter: ',', newline: '\r\n', bom: false } as const;
    const records = papaRecords(await writeCsv({ names: ['c0'], rows: [['=x']] }, csv, 16_384), csv);
    expect(records).toEqual([['c0'], ["'=x"]]);
  });

  /*
   * A first header (or, without a header, a first cell) that starts with U+FEFF makes the file
   * start with the bytes of a BOM although bom is false; every reader then strips it as one and
   * the name loses its first character. Fix in formats/csv.ts: quote a field that starts with
   * U+FEFF (bytes EF BB BF), so the file starts with the quote.
   */
  it('a first header that starts with U+FEFF does not read as a BOM', async () => {
    const csv = { quote: '"', delimiter: ',', newline: '\r\n', bom: false } as const;
    const output = await writeCsv({ names: ['\ufeffname'], rows: [['x']] }, csv, 16_384);
    expect(output.startsWith('\ufeff')).toBe(false);
  });
});
