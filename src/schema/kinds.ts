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
