/**
 * XLSX options and their checks. Page-safe: the page validates options before it starts a worker,
 * so this file imports neither Apache Arrow nor fflate.
 */
import { printValue } from '../../errors.js';

/** What to do when the rows do not fit on one sheet (1,048,576 rows, the header included). */
export type XlsxOverflow = 'error' | 'newSheet' | 'truncate';

/** Options of the `xlsx` format. */
export interface XlsxOptions {
  /**
   * Name of the first sheet: 1 to 31 characters, none of `: \ / ? * [ ]`, not starting or ending
   * with `'`, not `History`. Further sheets are named `<name> (2)`, `<name> (3)`… (the name is cut
   * so that each fits in 31 characters). Default `'Sheet1'`.
   */
  sheetName?: string;
  /**
   * Past 1,048,575 data rows (Excel's 1,048,576 rows a sheet, less the header): `'newSheet'`
   * continues on a new sheet with the header repeated; `'truncate'` stops there and marks the result
   * truncated; `'error'` fails with `'limit_exceeded'`. Default `'newSheet'`.
   */
  overflow?: XlsxOverflow;
  /** Workbook title (document properties). Default: none. */
  title?: string;
  /** Workbook author (document properties). Default: none. */
  creator?: string;
  /** Creation time in the document properties. Default: the time the export starts. */
  created?: Date;
  /** Freeze the header row so it stays visible while scrolling. Default `true`. */
  freezeHeader?: boolean;
  /** An autofilter (the header's drop-down buttons) over the data range. Default `true`. */
  autoFilter?: boolean;
}

/** Excel's row limit a sheet, the header row included. */
export const XLSX_MAX_ROWS = 1_048_576;
/** Excel's column limit a sheet. */
export const XLSX_MAX_COLUMNS = 16_384;
/** Excel's limit on a cell's text, in UTF-16 code units. */
export const XLSX_MAX_CELL_CHARS = 32_767;
/** Excel's limit on a sheet name. */
export const XLSX_MAX_SHEET_NAME = 31;

const KEYS = ['sheetName', 'overflow', 'title', 'creator', 'created', 'freezeHeader', 'autoFilter'] as const;
const OVERFLOWS: readonly XlsxOverflow[] = ['error', 'newSheet', 'truncate'];
const SHEET_NAME_FORBIDDEN = /[:\\/?*[\]]/;
/** Document property text longer than this is refused rather than cut (Excel's own limit is lower in places). */
const MAX_PROPERTY = 32_767;
// Excel's serials run from 1900-01-01 to 9999-12-31.
const MIN_CREATED = Date.UTC(1900, 0, 1);
const MAX_CREATED = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** Why a sheet name is refused, or null when Excel accepts it. */
export function sheetNameProblem(name: unknown): string | null {
  if (typeof name !== 'string') return `xlsx sheetName must be a string, got ${printValue(name)}`;
  if (name.length === 0) return 'xlsx sheetName must not be empty';
  if (name.length > XLSX_MAX_SHEET_NAME) return `xlsx sheetName must be at most ${XLSX_MAX_SHEET_NAME} characters, got ${printValue(name)} (${name.length})`;
  const bad = SHEET_NAME_FORBIDDEN.exec(name);
  if (bad !== null) return `xlsx sheetName must not contain any of : \\ / ? * [ ], got ${printValue(name)} (holds "${bad[0]}")`;
  if (name.startsWith("'") || name.endsWith("'")) return `xlsx sheetName must not start or end with an apostrophe, got ${printValue(name)}`;
  if (name.toLowerCase() === 'history') return `xlsx sheetName must not be "History" (Excel reserves it), got ${printValue(name)}`;
  // XML 1.0 cannot carry these in an attribute, and the name is not escaped the OOXML way there.
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/.test(name)) {
    return `xlsx sheetName must not contain control characters or lone surrogates, got ${printValue(name)}`;
  }
  return null;
}

/**
 * Reports every problem with `value` (the `xlsx` option) through `add(path, message)`: unknown keys
 * (with a did-you-mean), wrong types, and values Excel refuses, each message naming the bad value.
 */
export function xlsxOptionProblems(value: unknown, add: (path: string, message: string) => void): void {
  if (value === undefined) return;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    add('xlsx', `xlsx options must be an object, got ${printValue(value)}`);
    return;
  }
  const o = value as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(KEYS as readonly string[]).includes(key)) add(`xlsx.${key}`, `xlsx has no option "${key}"${suggest(key, KEYS)} (known: ${KEYS.join(', ')})`);
  }
  if (o.sheetName !== undefined) {
    const problem = sheetNameProblem(o.sheetName);
    if (problem !== null) add('xlsx.sheetName', problem);
  }
  if (o.overflow !== undefined && !(OVERFLOWS as readonly unknown[]).includes(o.overflow)) {
    add('xlsx.overflow', `xlsx overflow must be "error", "newSheet" or "truncate", got ${printValue(o.overflow)}`);
  }
  for (const key of ['title', 'creator'] as const) {
    const text = o[key];
    if (text === undefined) continue;
    if (typeof text !== 'string') add(`xlsx.${key}`, `xlsx ${key} must be a string, got ${printValue(text)}`);
    else if (text.length > MAX_PROPERTY) add(`xlsx.${key}`, `xlsx ${key} must be at most ${MAX_PROPERTY} characters, got ${text.length}`);
  }
  if (o.created !== undefined) {
    const created = o.created;
    if (!(created instanceof Date) || Number.isNaN(created.getTime())) add('xlsx.created', `xlsx created must be a valid Date, got ${printValue(created)}`);
    else if (created.getTime() < MIN_CREATED || created.getTime() > MAX_CREATED) {
      add('xlsx.created', `xlsx created must be between 1900-01-01 and 9999-12-31, got ${printValue(created)}`);
    }
  }
  for (const key of ['freezeHeader', 'autoFilter'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'boolean') add(`xlsx.${key}`, `xlsx ${key} must be a boolean, got ${printValue(o[key])}`);
  }
}

/** ` (did you mean "sheetName"?)` when one known name is close: the same ignoring case, or at most two edits away. */
function suggest(name: string, names: readonly string[]): string {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    const distance = editDistance(lower, candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
