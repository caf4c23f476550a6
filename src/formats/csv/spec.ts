/**
 * CSV and TSV (RFC 4180): file facts, the `csv` option rules with their defaults, and how the
 * encoder and the verifier load.
 */
import { ExportError, printValue } from '../../errors.js';
import { checkKnownKeys, isRecord, Problems, type AddProblem } from '../../options/problems.js';
import type { CsvOptions, DateFormat } from '../../types.js';
import type { FormatSpec } from '../spec.js';

/** CSV options with every default filled in. */
export interface ResolvedCsvOptions {
  delimiter: string;
  header: boolean;
  newline: string;
  quote: string;
  quoteAll: boolean;
  bom: boolean;
  nullValue: string;
  escapeFormulae: boolean;
  dateFormat: DateFormat;
}

/** The keys `csv` accepts. */
export const CSV_OPTION_KEYS = ['delimiter', 'header', 'newline', 'quote', 'quoteAll', 'bom', 'nullValue', 'escapeFormulae', 'dateFormat'] as const;

/** The defaults, for CSV (`tab: false`) or TSV. */
function withDefaults(o: Partial<Record<keyof ResolvedCsvOptions, unknown>>, tab: boolean): Record<keyof ResolvedCsvOptions, unknown> {
  return {
    delimiter: o.delimiter ?? (tab ? '\t' : ','),
    header: o.header ?? true,
    newline: o.newline ?? '\r\n',
    quote: o.quote ?? '"',
    quoteAll: o.quoteAll ?? false,
    bom: o.bom ?? false,
    nullValue: o.nullValue ?? '',
    escapeFormulae: o.escapeFormulae ?? true,
    dateFormat: o.dateFormat ?? 'iso',
  };
}

/** Reports every problem with `csv` options (`value` may be undefined: the defaults are fine). */
export function checkCsvOptions(value: unknown, add: AddProblem, tab: boolean): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    add('csv', `csv options must be an object, got ${printValue(value)}`);
    return;
  }
  checkKnownKeys(add, 'csv', value, CSV_OPTION_KEYS);
  const o = withDefaults(value, tab);
  let badSeparator = false;
  const oneChar = (char: unknown, path: string, label: string): void => {
    if (typeof char !== 'string' || [...char].length !== 1 || char.length !== 1) {
      add(path, `csv ${label} must be one character, got ${printValue(char)}`);
      badSeparator = true;
    } else if (char === '\r' || char === '\n') {
      add(path, `csv ${label} must not be CR or LF, got ${printValue(char)}`);
      badSeparator = true;
    } else if (char.charCodeAt(0) > 0x7f) {
      // The encoders write and look for separators as single bytes, as CSV readers split them.
      add(path, `csv ${label} must be an ASCII character (one byte in UTF-8), got ${printValue(char)}`);
      badSeparator = true;
    }
  };
  oneChar(o.delimiter, 'csv.delimiter', 'delimiter');
  oneChar(o.quote, 'csv.quote', 'quote');
  if (o.delimiter === o.quote) add('csv.quote', `csv quote and delimiter must differ, both are ${printValue(o.quote)}`);
  if (!['\r\n', '\n', '\r'].includes(o.newline as string)) add('csv.newline', `csv newline must be "\\r\\n", "\\n" or "\\r", got ${printValue(o.newline)}`);
  if (typeof o.nullValue !== 'string') add('csv.nullValue', `csv nullValue must be a string, got ${printValue(o.nullValue)}`);
  // With a bad delimiter or quote, "nullValue holds it" would only echo that problem.
  else if (!badSeparator && (/[\r\n]/.test(o.nullValue) || o.nullValue.includes(o.delimiter as string) || o.nullValue.includes(o.quote as string))) {
    add('csv.nullValue', `csv nullValue must not hold the delimiter, the quote, CR or LF, got ${printValue(o.nullValue)}`);
  }
  if (!['iso', 'date', 'epoch'].includes(o.dateFormat as string)) add('csv.dateFormat', `csv dateFormat must be "iso", "date" or "epoch", got ${printValue(o.dateFormat)}`);
  for (const key of ['header', 'quoteAll', 'bom', 'escapeFormulae'] as const) {
    if (typeof o[key] !== 'boolean') add(`csv.${key}`, `csv ${key} must be a boolean, got ${printValue(o[key])}`);
  }
}

/** Fills CSV defaults; throws `invalid_options` listing every problem. */
export function resolveCsvOptions(options: CsvOptions | undefined, tab: boolean): ResolvedCsvOptions {
  const problems = new Problems();
  checkCsvOptions(options, problems.add, tab);
  problems.throwIfAny();
  return withDefaults(options ?? {}, tab) as ResolvedCsvOptions;
}

function delimited(name: 'csv' | 'tsv'): FormatSpec {
  const tab = name === 'tsv';
  return {
    name,
    label: name.toUpperCase(),
    extension: () => name,
    mimeType: () => (tab ? 'text/tab-separated-values' : 'text/csv'),
    binary: false,
    truncatableBySize: true,
    outerCompression: true,
    optionsKey: 'csv',
    checkOptions: (value, add) => checkCsvOptions(value, add, tab),
    loadEncoder: async () => {
      const { createCsvEncoder } = await import('../csv.js');
      return (context) => createCsvEncoder(context, tab);
    },
    countRows: async (bytes, expected) => {
      let options: ResolvedCsvOptions;
      try {
        options = resolveCsvOptions(expected.csv, tab);
      } catch (error) {
        throw new ExportError('invalid_options', `verifyExport: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details: { path: 'csv' } });
      }
      const { countCsvRows } = await import('./verify.js');
      return countCsvRows(name, bytes, options, expected);
    },
  };
}

/** CSV: comma-separated, RFC 4180. */
export const csvSpec: FormatSpec = /* @__PURE__ */ delimited('csv');
/** TSV: CSV's rules with a tab delimiter. */
export const tsvSpec: FormatSpec = /* @__PURE__ */ delimited('tsv');
