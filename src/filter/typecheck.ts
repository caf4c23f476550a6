/**
 * Typing a filter against an Arrow schema: column lookup (with a did-you-mean), which operators
 * apply to which column kinds, and coercion of literals to the column's type.
 * Everything here runs once per compile, before any row is read.
 */
import { DataType, DateUnit, Precision, TimeUnit, type Field, type Schema } from 'apache-arrow';
import { ExportError, printValue } from '../errors.js';
import type { Scalar } from './ast.js';
import { filterError } from './error.js';

/**
 * How the evaluator reads a column:
 * - `float`: Float32/Float64 (`values` is a float typed array; NaN sorts above every number, as in DuckDB);
 * - `int`: Int8..Int32, Uint8..Uint32, Date32 (days) — a number typed array of whole values;
 * - `int64` / `uint64`: Int64, Uint64, Timestamp (any unit), Date64 — 64-bit little-endian words;
 * - `bool`, `utf8`, `largeUtf8`, `dictUtf8` (Dictionary of Utf8/LargeUtf8), `null` (the Null type).
 */
export type ColumnKind = 'float' | 'int' | 'int64' | 'uint64' | 'bool' | 'utf8' | 'largeUtf8' | 'dictUtf8' | 'null';

/** What the compiler knows about one column. */
export interface ColumnInfo {
  name: string;
  index: number;
  kind: ColumnKind;
  type: DataType;
  /** For temporal columns: nanoseconds per stored unit (1 day = 86 400 000 000 000). */
  temporalNanos: bigint | null;
  /** The typed array range for `int`/`int64`/`uint64` columns (clamps bounds). */
  min: bigint;
  max: bigint;
}

const NANOS_PER_MS = 1_000_000n;
const NANOS_PER_DAY = 86_400_000_000_000n;
const TIME_UNIT_NANOS: Readonly<Record<number, bigint>> = {
  [TimeUnit.SECOND]: 1_000_000_000n,
  [TimeUnit.MILLISECOND]: NANOS_PER_MS,
  [TimeUnit.MICROSECOND]: 1_000n,
  [TimeUnit.NANOSECOND]: 1n,
};

/** Classifies a column, or returns null for a type filters cannot read (Decimal, Float16, List, Struct, Utf8View…). */
export function columnInfo(field: Field, index: number): ColumnInfo | null {
  const type = field.type as DataType;
  const base = { name: field.name, index, type, temporalNanos: null, min: 0n, max: 0n };
  if (DataType.isNull(type)) return { ...base, kind: 'null' };
  if (DataType.isBool(type)) return { ...base, kind: 'bool' };
  if (DataType.isUtf8(type)) return { ...base, kind: 'utf8' };
  if (DataType.isLargeUtf8(type)) return { ...base, kind: 'largeUtf8' };
  if (DataType.isDictionary(type)) {
    const value = type.dictionary as DataType;
    return DataType.isUtf8(value) || DataType.isLargeUtf8(value) ? { ...base, kind: 'dictUtf8' } : null;
  }
  if (DataType.isFloat(type)) return type.precision === Precision.HALF ? null : { ...base, kind: 'float' };
  if (DataType.isInt(type)) {
    const bits = BigInt(type.bitWidth);
    const min = type.isSigned ? -(1n << (bits - 1n)) : 0n;
    const max = type.isSigned ? (1n << (bits - 1n)) - 1n : (1n << bits) - 1n;
    const kind = type.bitWidth === 64 ? (type.isSigned ? 'int64' : 'uint64') : 'int';
    return { ...base, kind, min, max };
  }
  if (DataType.isTimestamp(type)) {
    return { ...base, kind: 'int64', temporalNanos: TIME_UNIT_NANOS[type.unit] ?? NANOS_PER_MS, min: -(1n << 63n), max: (1n << 63n) - 1n };
  }
  if (DataType.isDate(type)) {
    return type.unit === DateUnit.DAY
      ? { ...base, kind: 'int', temporalNanos: NANOS_PER_DAY, min: -(1n << 31n), max: (1n << 31n) - 1n }
      : { ...base, kind: 'int64', temporalNanos: NANOS_PER_MS, min: -(1n << 63n), max: (1n << 63n) - 1n };
  }
  return null;
}

/** Levenshtein distance, for the did-you-mean of an unknown column. */
export function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost));
    }
    previous = current;
  }
  return previous[b.length]!;
}

/** Finds a column, or throws `unknown_column` with the closest names and the available ones. */
export function lookupColumn(schema: Schema, name: string, path: string): ColumnInfo {
  const index = schema.fields.findIndex((field) => field.name === name);
  if (index < 0) {
    const names = schema.fields.map((field) => field.name);
    let best: string | undefined;
    let bestScore = Infinity;
    for (const candidate of names) {
      const score = candidate.toLowerCase() === name.toLowerCase() ? 0 : editDistance(candidate.toLowerCase(), name.toLowerCase());
      if (score < bestScore) {
        bestScore = score;
        best = candidate;
      }
    }
    const close = best !== undefined && bestScore <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
    const hint = close === undefined ? '' : `; did you mean "${close}"?`;
    const shown = names.slice(0, 50).map((n) => `"${n}"`).join(', ') + (names.length > 50 ? `, … (${names.length} in all)` : '');
    throw new ExportError('unknown_column', `filter: unknown column "${name}" at ${path}${hint} Available columns: ${shown || '(none)'}`, {
      details: { column: name, path, ...(close === undefined ? {} : { suggestion: close }), available: names },
    });
  }
  const field = schema.fields[index]!;
  const info = columnInfo(field, index);
  if (info === null) {
    throw filterError(path, `column "${name}" has type ${String(field.type)}, which filters cannot read (supported: numbers, 64-bit integers, text, dictionary text, booleans, timestamps, dates, null)`, { column: name });
  }
  return info;
}

// ---------------------------------------------------------------------------------------------
// Literal coercion

/** An exact rational `num / den` (den > 0), for 64-bit and temporal columns. */
export interface Exact {
  num: bigint;
  den: bigint;
}

/** A literal coerced for a numeric-ordered column: a double or an exact rational. */
export type NumericConstant = number | Exact;

const NUMERIC_TEXT = /^\s*[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\s*$/;
const SPECIAL_NUMBER_TEXT = /^\s*([+-]?)(nan|inf|infinity)\s*$/i;
const INTEGER_TEXT = /^\s*[+-]?\d+\s*$/;

function kindLabel(info: ColumnInfo): string {
  return `column "${info.name}" (${String(info.type)})`;
}

/** Coerces a literal for a `float`, `int`, `int64` or `uint64` column (temporal columns included). */
export function coerceNumeric(value: Exclude<Scalar, null>, info: ColumnInfo, path: string): NumericConstant {
  if (info.temporalNanos !== null) return coerceTemporal(value, info, path);
  if (typeof value === 'number') return value;
  if (typeof value === 'object' && '$bigint' in value) {
    return info.kind === 'float' ? Number(value.$bigint) : { num: BigInt(value.$bigint), den: 1n };
  }
  if (typeof value === 'string') {
    const special = SPECIAL_NUMBER_TEXT.exec(value);
    if (special) return special[2]!.toLowerCase() === 'nan' ? Number.NaN : special[1] === '-' ? -Infinity : Infinity;
    if (NUMERIC_TEXT.test(value)) {
      // Whole text stays exact for 64-bit columns (a double would round past 2^53).
      if (info.kind !== 'float' && INTEGER_TEXT.test(value)) return { num: BigInt(value.trim()), den: 1n };
      return Number(value);
    }
    throw filterError(path, `${kindLabel(info)} is numeric; ${printValue(value)} is not a number`, { column: info.name, value: printValue(value) });
  }
  throw filterError(path, `${kindLabel(info)} is numeric; cannot compare it with ${printValue(value)}`, { column: info.name, value: printValue(value) });
}

const ISO_DATE = /^\s*([+-]?\d{4,6})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,9}))?)?)?\s*(Z|z|[+-]\d{2}(?::?\d{2})?)?\s*$/;

/**
 * Parses an ISO 8601 date or date-time to nanoseconds since the epoch, exactly. Text without a
 * zone is UTC (unlike `Date.parse`, which reads a date-time without a zone as local time).
 * Returns null for text that is not a valid ISO date.
 */
export function parseIsoNanos(text: string): bigint | null {
  const m = ISO_DATE.exec(text);
  if (m === null) return null;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 59) return null;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  if (date.getUTCMonth() !== month - 1 || date.getUTCDate() !== day) return null; // 2024-02-30
  const days = BigInt(Math.round(date.getTime() / 86_400_000));
  let offsetMinutes = 0;
  if (zone !== undefined && zone.toUpperCase() !== 'Z') {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    offsetMinutes = sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || '0'));
  }
  const seconds = BigInt(hour * 3600 + minute * 60 + second - offsetMinutes * 60);
  const fraction = BigInt((frac + '000000000').slice(0, 9));
  return days * NANOS_PER_DAY + seconds * 1_000_000_000n + fraction;
}

function coerceTemporal(value: Exclude<Scalar, null>, info: ColumnInfo, path: string): NumericConstant {
  const unit = info.temporalNanos!;
  let nanos: bigint;
  if (typeof value === 'string' || (typeof value === 'object' && '$date' in value)) {
    const text = typeof value === 'string' ? value : value.$date;
    const parsed = parseIsoNanos(text);
    if (parsed === null) {
      throw filterError(path, `${kindLabel(info)} holds dates; ${printValue(text)} is not an ISO 8601 date (e.g. "2024-01-31" or "2024-01-31T12:00:00Z")`, { column: info.name, value: printValue(text) });
    }
    nanos = parsed;
  } else if (typeof value === 'number') {
    // A number against a date column is epoch milliseconds, like `new Date(number)`.
    if (!Number.isFinite(value)) throw filterError(path, `${kindLabel(info)} holds dates; ${printValue(value)} is not a valid time`, { column: info.name });
    nanos = Number.isInteger(value) ? BigInt(value) * NANOS_PER_MS : BigInt(Math.round(value * 1e6));
  } else if (typeof value === 'object' && '$bigint' in value) {
    nanos = BigInt(value.$bigint) * NANOS_PER_MS;
  } else {
    throw filterError(path, `${kindLabel(info)} holds dates; cannot compare it with ${printValue(value)}`, { column: info.name, value: printValue(value) });
  }
  return { num: nanos, den: unit };
}

/** Coerces a literal for a boolean column (`true`, `false`, `'true'`, `'false'`). */
export function coerceBoolean(value: Exclude<Scalar, null>, info: ColumnInfo, path: string): boolean {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string' && /^\s*(true|false)\s*$/i.test(value)) return value.trim().toLowerCase() === 'true';
  throw filterError(path, `${kindLabel(info)} is boolean; cannot compare it with ${printValue(value)}`, { column: info.name, value: printValue(value) });
}

/** Coerces a literal for a text column: only strings (a number would be ambiguous: `'01' = 1`?). */
export function coerceText(value: Exclude<Scalar, null>, info: ColumnInfo, path: string): string {
  if (typeof value === 'string') return value;
  throw filterError(path, `${kindLabel(info)} is text; compare it with a string, not ${printValue(value)}`, { column: info.name, value: printValue(value) });
}

// ---------------------------------------------------------------------------------------------
// Bounds

/** An inclusive interval over doubles, with NaN (the top of DuckDB's order) in or out. */
export interface FloatRange {
  lo: number;
  hi: number;
  nan: boolean;
}

const scratch = new Float64Array(1);
const scratchBits = new BigInt64Array(scratch.buffer);

/** The next double above `x` (finite x). */
export function nextUp(x: number): number {
  if (x === 0) return Number.MIN_VALUE;
  scratch[0] = x;
  scratchBits[0] = scratchBits[0]! + (x > 0 ? 1n : -1n);
  return scratch[0];
}

/** The next double below `x` (finite x). */
export function nextDown(x: number): number {
  return -nextUp(-x);
}

const ALL_FLOATS: FloatRange = { lo: -Infinity, hi: Infinity, nan: true };
const EMPTY_FLOATS: FloatRange = { lo: Infinity, hi: -Infinity, nan: false };

/** The float range of `column op c` under DuckDB's order (NaN above +Infinity and equal to itself). */
export function floatRange(op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte', c: number): FloatRange {
  const isNaN = Number.isNaN(c);
  switch (op) {
    case 'eq':
      return isNaN ? { ...EMPTY_FLOATS, nan: true } : { lo: c, hi: c, nan: false };
    case 'lt':
      if (isNaN) return { ...ALL_FLOATS, nan: false };
      return c === -Infinity ? EMPTY_FLOATS : { lo: -Infinity, hi: c === Infinity ? Number.MAX_VALUE : nextDown(c), nan: false };
    case 'lte':
      return isNaN ? ALL_FLOATS : { lo: -Infinity, hi: c, nan: false };
    case 'gt':
      if (isNaN) return EMPTY_FLOATS;
      return c === Infinity ? { ...EMPTY_FLOATS, nan: true } : { lo: c === -Infinity ? -Number.MAX_VALUE : nextUp(c), hi: Infinity, nan: true };
    case 'gte':
      return isNaN ? { ...EMPTY_FLOATS, nan: true } : { lo: c, hi: Infinity, nan: true };
  }
}

/** Intersection of two float ranges. */
export function intersectFloat(a: FloatRange, b: FloatRange): FloatRange {
  return { lo: Math.max(a.lo, b.lo), hi: Math.min(a.hi, b.hi), nan: a.nan && b.nan };
}

/** An inclusive interval over integers; `lo > hi` is empty. */
export interface IntRange {
  lo: bigint;
  hi: bigint;
}

function floorExact(c: Exact): bigint {
  const q = c.num / c.den;
  return c.num < 0n && q * c.den !== c.num ? q - 1n : q;
}

function ceilExact(c: Exact): bigint {
  const q = c.num / c.den;
  return c.num > 0n && q * c.den !== c.num ? q + 1n : q;
}

/** The integer range of `column op c` for a column holding whole values in [min, max]. */
export function intRange(op: 'eq' | 'lt' | 'lte' | 'gt' | 'gte', c: NumericConstant, min: bigint, max: bigint): IntRange {
  const all = { lo: min, hi: max };
  const none = { lo: 1n, hi: 0n };
  let floor: bigint;
  let ceil: bigint;
  if (typeof c === 'number') {
    // NaN sorts above everything (DuckDB), like +Infinity but unequal to it.
    if (Number.isNaN(c) || c === Infinity) return op === 'lt' || op === 'lte' ? all : none;
    if (c === -Infinity) return op === 'gt' || op === 'gte' ? all : none;
    floor = BigInt(Math.floor(c));
    ceil = BigInt(Math.ceil(c));
  } else {
    floor = floorExact(c);
    ceil = ceilExact(c);
  }
  let range: IntRange;
  switch (op) {
    case 'eq': range = floor === ceil ? { lo: floor, hi: floor } : none; break;
    case 'lt': range = { lo: min, hi: ceil - 1n }; break;
    case 'lte': range = { lo: min, hi: floor }; break;
    case 'gt': range = { lo: floor + 1n, hi: max }; break;
    case 'gte': range = { lo: ceil, hi: max }; break;
  }
  const lo = range.lo < min ? min : range.lo;
  const hi = range.hi > max ? max : range.hi;
  return lo > hi ? none : { lo, hi };
}

/** The whole value of an exact constant, or null when it has a fraction (it can equal no stored value). */
export function exactInteger(c: NumericConstant): bigint | null {
  if (typeof c === 'number') return Number.isInteger(c) ? BigInt(c) : null;
  const floor = floorExact(c);
  return floor * c.den === c.num ? floor : null;
}
