/**
 * Column kinds: what the row builder can write, and the Arrow type each becomes.
 */
import {
  Bool,
  DateDay,
  Decimal,
  Field,
  Float32,
  Float64,
  Int16,
  Int32,
  Int64,
  Int8,
  Null,
  TimestampMicrosecond,
  TimestampMillisecond,
  Uint16,
  Uint32,
  Uint8,
  Utf8,
  type DataType,
} from 'apache-arrow';
import { ExportError, printValue } from '../errors.js';
import type { FieldSpec, FieldTypeName, SchemaSpec } from '../types.js';

/**
 * What a built column holds. `json` is nested data (objects, arrays) kept as JSON text;
 * `null` is a column with no non-null value yet, whose type a later chunk decides.
 */
export type ColumnKind =
  | 'null'
  | 'bool'
  | 'int8'
  | 'int16'
  | 'int32'
  | 'uint8'
  | 'uint16'
  | 'uint32'
  | 'float32'
  | 'float64'
  | 'int64'
  | 'utf8'
  | 'timestamp'
  | 'timestamp_us'
  | 'date'
  | 'decimal'
  | 'json';

/** A column's kind plus the parameters some kinds need. */
export interface ColumnType {
  kind: ColumnKind;
  precision?: number;
  scale?: number;
}

/** Field metadata key marking a Utf8 column whose values are JSON text (nested data). */
export const JSON_METADATA_KEY = 'sluice:json';

const TYPE_NAMES: Record<FieldTypeName, ColumnKind> = {
  string: 'utf8',
  float64: 'float64',
  float32: 'float32',
  int8: 'int8',
  int16: 'int16',
  int32: 'int32',
  int64: 'int64',
  uint8: 'uint8',
  uint16: 'uint16',
  uint32: 'uint32',
  boolean: 'bool',
  timestamp: 'timestamp',
  'timestamp[ms]': 'timestamp',
  'timestamp[us]': 'timestamp_us',
  date: 'date',
  json: 'json',
};

/** A declared column. */
export interface DeclaredColumn {
  name: string;
  type: ColumnType;
  nullable: boolean;
}

/** Reads `schema.fields` into declared columns, failing on an unknown type name. */
export function readDeclaredSchema(schema: SchemaSpec | undefined): DeclaredColumn[] {
  if (schema === undefined) return [];
  if (typeof schema !== 'object' || schema === null || typeof schema.fields !== 'object' || schema.fields === null) {
    throw new ExportError('invalid_options', `schema must be { fields: { column: type } }, got ${printValue(schema)}`, {
      details: { path: 'schema', value: printValue(schema) },
    });
  }
  return Object.entries(schema.fields).map(([name, spec]) => ({
    name,
    type: readFieldSpec(name, spec),
    nullable: typeof spec === 'object' && spec !== null && spec.nullable === false ? false : true,
  }));
}

function readFieldSpec(name: string, spec: FieldSpec): ColumnType {
  const typeName = typeof spec === 'string' ? spec : typeof spec === 'object' && spec !== null ? spec.type : undefined;
  if (typeName === 'decimal' && typeof spec === 'object') {
    const { precision, scale } = spec as { precision: unknown; scale: unknown };
    if (!Number.isInteger(precision) || (precision as number) < 1 || (precision as number) > 38) {
      throw badSchema(name, `decimal precision must be an integer from 1 to 38, got ${printValue(precision)}`);
    }
    if (!Number.isInteger(scale) || (scale as number) < 0 || (scale as number) > (precision as number)) {
      throw badSchema(name, `decimal scale must be an integer from 0 to the precision, got ${printValue(scale)}`);
    }
    return { kind: 'decimal', precision: precision as number, scale: scale as number };
  }
  const kind = typeof typeName === 'string' ? TYPE_NAMES[typeName as FieldTypeName] : undefined;
  if (kind === undefined) {
    throw badSchema(name, `unknown type ${printValue(typeName ?? spec)}; expected one of ${Object.keys(TYPE_NAMES).join(', ')}, decimal`);
  }
  return { kind };
}

function badSchema(name: string, message: string): ExportError {
  return new ExportError('invalid_options', `schema field "${name}": ${message}`, {
    details: { path: `schema.fields.${name}`, column: name },
  });
}

/** The Arrow type for a column kind. */
export function arrowTypeOf(type: ColumnType): DataType {
  switch (type.kind) {
    case 'null':
      return new Null();
    case 'bool':
      return new Bool();
    case 'int8':
      return new Int8();
    case 'int16':
      return new Int16();
    case 'int32':
      return new Int32();
    case 'uint8':
      return new Uint8();
    case 'uint16':
      return new Uint16();
    case 'uint32':
      return new Uint32();
    case 'float32':
      return new Float32();
    case 'float64':
      return new Float64();
    case 'int64':
      return new Int64();
    case 'utf8':
    case 'json':
      return new Utf8();
    case 'timestamp':
      return new TimestampMillisecond('UTC');
    case 'timestamp_us':
      return new TimestampMicrosecond('UTC');
    case 'date':
      return new DateDay();
    case 'decimal':
      return new Decimal(type.scale ?? 0, type.precision ?? 38, 128);
  }
}

/** The Arrow field for a built column. */
export function arrowFieldOf(name: string, type: ColumnType, nullable = true): Field {
  const metadata = type.kind === 'json' ? new Map([[JSON_METADATA_KEY, 'true']]) : null;
  return new Field(name, arrowTypeOf(type), nullable, metadata);
}

/** True when values of `from` fit `to` without loss (so a column may widen from one to the other). */
export function widens(from: ColumnKind, to: ColumnKind): boolean {
  if (from === to || from === 'null') return true;
  if (to === 'float64') return from === 'int8' || from === 'int16' || from === 'int32' || from === 'uint8' || from === 'uint16' || from === 'uint32' || from === 'float32';
  return false;
}

// `YYYY-MM-DD`, optionally with a time (`T` or a space, `HH:MM`, seconds, a fraction) and a zone.
const ISO_DATE_TEXT = /^([+-]\d{6}|\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?(Z|z|[+-]\d{2}(?::?\d{2})?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * Epoch milliseconds (floored) of ISO 8601 text in a declared `date` or `timestamp` column; NaN for
 * anything else. Strict where `Date.parse` is lenient: an impossible calendar date (`2024-02-30`,
 * `2023-02-29`, `2024-04-31`), month 13, hour 24, minute or second 60 are invalid rather than rolled
 * over, and other formats (`March 7, 2024`, whose reading differs between browsers) are refused.
 * Text without a zone is UTC, as in filters (`Date.parse` would read a date-time as local time).
 */
export function parseDateText(text: string): number {
  const m = ISO_DATE_TEXT.exec(text.trim());
  if (m === null) return Number.NaN;
  const [, y, mo, d, h = '0', mi = '0', s = '0', fraction = '', zone] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const hour = Number(h);
  const minute = Number(mi);
  const second = Number(s);
  if (y === '-000000' || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) return Number.NaN;
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  if (day > (month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!)) return Number.NaN;
  let offsetMinutes = 0;
  if (zone !== undefined && zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const zoneHours = Number(digits.slice(0, 2));
    const zoneMinutes = Number(digits.slice(2, 4) || '0');
    if (zoneHours > 23 || zoneMinutes > 59) return Number.NaN;
    offsetMinutes = (zone[0] === '-' ? -1 : 1) * (zoneHours * 60 + zoneMinutes);
  }
  // Date.UTC maps years 0–99 to 1900–1999; setUTCFullYear does not.
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  // Digits beyond the millisecond are dropped (floored), as a Date would.
  const millis = Number(`${fraction}000`.slice(0, 3));
  return date.getTime() + ((hour * 60 + minute - offsetMinutes) * 60 + second) * 1000 + millis;
}
