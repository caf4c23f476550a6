/**
 * Rows → Arrow record batches.
 *
 * Written by hand for speed: values go straight into typed arrays and validity bitmaps, then
 * `makeData` wraps them. Arrow's `Builder` classes are about 5× slower, turn nulls into 0 without
 * `nullValues` (which compiles with `new Function`, breaking strict CSP), wrap Int32 silently and
 * throw on plain numbers for Int64.
 */
import { Field, Float64, Int32, makeData, Schema, Struct, type Data, type RecordBatch } from 'apache-arrow';
import { makeRecordBatch } from './chunk.js';
import { ExportError, printValue } from '../errors.js';
import type { ExportIssue, Row } from '../types.js';
import { inferKind } from './infer.js';
import { arrowFieldOf, parseDateText, widens, type ColumnKind, type ColumnType } from './kinds.js';
import { buildNested, inferNestedType, mergeTypes, type NestedType } from './nested.js';
import { packedUtf8, packedValues, type PackedColumn, type PackedRows } from './packed.js';
import { TextColumnWriter } from './utf8.js';

/** How to read and type one column. */
export interface ColumnPlan {
  /** Column name in the batch. */
  name: string;
  /** Property name (object rows) or index (array rows). */
  key: string | number;
  /** Declared by `schema`: never inferred or widened. */
  declared: boolean;
  /** Current type; `null` kind until values decide it. */
  type: ColumnType;
  nullable: boolean;
  /** For nested (json) columns built as Arrow List/Struct: their shape, fixed once the schema locks. */
  nested?: NestedType;
}

/** Options for {@link BatchBuilder}. */
export interface BatchBuilderOptions {
  /**
   * Keep every column's type after the first batch (binary formats need one schema). A value that
   * no longer fits is then a mismatch instead of a widening.
   */
  lockSchema: boolean;
  /** Fail on a value that does not fit a declared column instead of writing it as text. */
  strict: boolean;
  /** Build nested values as Arrow List/Struct columns (binary formats) instead of JSON text. */
  nestedAsArrow?: boolean;
  report(issue: ExportIssue): void;
  /**
   * Called every few hundred columns while a batch is built, so a very wide batch (one row of a
   * million keys is seconds of synchronous work) still meets the export's deadline: it throws to stop.
   */
  checkpoint?(): void;
}

/** Part of a chunk to build: some columns, and the chunk rows the given rows came from. */
export interface BuildPart {
  /** Build only these columns. Default: every column. */
  columns?: ReadonlySet<string>;
  /** For rows gathered from a chunk: each row's index in the chunk, for issue row numbers. */
  rowIndexes?: ArrayLike<number>;
  /** The rows `[start, end)` column by column: read from here, not from the row objects. */
  packed?: PackedRows;
}

/** A built batch and the values that did not fit their column's type. */
export interface BuiltBatch {
  batch: RecordBatch;
  mismatches: Map<string, Map<number, string>> | null;
}

const hasOwn = Object.prototype.hasOwnProperty;
/** Texts checked and encoded together (see TextColumnWriter). */
const TEXT_BLOCK = 1024;

/** Column positions of a packed chunk by key, made once per chunk (an `indexOf` per column was quadratic in the width). */
const packedIndexes = new WeakMap<PackedRows, Map<string, number>>();
function packedKeyIndex(packed: PackedRows): Map<string, number> {
  let index = packedIndexes.get(packed);
  if (index === undefined) {
    index = new Map();
    for (let i = 0; i < packed.keys.length; i++) if (!index.has(packed.keys[i]!)) index.set(packed.keys[i]!, i);
    packedIndexes.set(packed, index);
  }
  return index;
}

/** Builds record batches from rows, one chunk at a time, keeping column types consistent. */
export class BatchBuilder {
  readonly columns: ColumnPlan[];
  private readonly options: BatchBuilderOptions;
  private batchesBuilt = 0;
  private values: unknown[] = [];
  private mismatches: Map<string, Map<number, string>> | null = null;
  private firstRow = 0;
  private rowIndexes: ArrayLike<number> | null = null;
  /** Each text column's UTF-8 bytes per row in its last batch: sizes the next batch's buffer. */
  private readonly textBytes = new Map<string, number>();

  constructor(columns: ColumnPlan[], options: BatchBuilderOptions) {
    this.columns = columns;
    this.options = options;
  }

  /** Builds rows `[start, end)` of `rows`; `firstRow` is the source index of `rows[start]`. */
  build(rows: ArrayLike<Row>, start: number, end: number, firstRow: number, part?: BuildPart): BuiltBatch {
    const count = end - start;
    const locked = this.options.lockSchema && this.batchesBuilt > 0;
    this.mismatches = null;
    this.firstRow = firstRow;
    this.rowIndexes = part?.rowIndexes ?? null;
    const fields: Field[] = [];
    const children: Data[] = [];
    const packed = part?.packed ?? null;
    const packedIndex = packed === null ? null : packedKeyIndex(packed);
    let columnsDone = 0;
    for (const column of this.columns) {
      if ((++columnsDone & 255) === 0) this.options.checkpoint?.();
      if (part?.columns !== undefined && !part.columns.has(column.name)) continue;
      if (packed !== null) {
        const source = packed.columns[packedIndex!.get(String(column.key)) ?? -1];
        const direct = source === undefined ? null : this.buildPacked(column, source, start, count, locked);
        if (direct !== null) {
          fields.push(arrowFieldOf(column.name, column.type, column.nullable));
          children.push(direct);
          continue;
        }
        packedValues(source, start, count, this.values);
      } else {
        const direct = this.buildFromRows(rows, start, count, column);
        if (direct !== null) {
          fields.push(arrowFieldOf(column.name, column.type, column.nullable));
          children.push(direct);
          continue;
        }
        this.extract(rows, start, end, column);
      }
      // Only a null or narrow numeric column can still change type: the others skip the scan.
      if (!column.declared && !locked && (column.type.kind === 'null' || (column.type.kind !== 'float64' && widens(column.type.kind, 'float64')))) {
        const inferred = inferKind(this.values, count);
        if (column.type.kind === 'null') column.type = { kind: inferred };
        else if (inferred !== column.type.kind && widens(column.type.kind, inferred)) column.type = { kind: inferred };
        // A locked schema is written with the first batch: a column with no value yet becomes nullable text.
        if (this.options.lockSchema && column.type.kind === 'null') column.type = { kind: 'utf8' };
      }
      if (column.type.kind === 'json' && this.options.nestedAsArrow) {
        const data = this.buildNestedColumn(column, count, locked);
        fields.push(new Field(column.name, data.type, true, column.nested?.kind === 'json' ? arrowFieldOf(column.name, column.type).metadata : null));
        children.push(data);
        continue;
      }
      let data = this.buildColumn(column, count, locked);
      if (data === null) {
        // An integer column met a fraction: widen (text formats only; binary formats locked it).
        column.type = { kind: 'float64' };
        data = this.buildColumn(column, count, locked)!;
      }
      fields.push(arrowFieldOf(column.name, column.type, column.nullable));
      children.push(data);
    }
    this.batchesBuilt++;
    this.values.length = 0;
    const schema = new Schema(fields);
    const batch = makeRecordBatch(schema, makeData({ type: new Struct(fields), length: count, nullCount: 0, children }));
    return { batch, mismatches: this.mismatches };
  }

  private buildNestedColumn(column: ColumnPlan, count: number, locked: boolean): Data {
    const values = this.values.slice(0, count);
    if (!locked || column.nested === undefined) {
      const inferred = inferNestedType(values, count);
      column.nested = column.nested === undefined ? inferred : mergeTypes(column.nested, inferred);
    }
    const misfits = { count: 0 };
    const data = buildNested(values, column.nested, misfits);
    if (misfits.count > 0) {
      this.options.report({
        code: 'type_mismatch',
        message: `rows ${this.firstRow}–${this.firstRow + count - 1}: ${misfits.count} nested value(s) in column "${column.name}" did not fit its shape; written as null`,
        row: this.firstRow,
        column: column.name,
      });
    }
    return data;
  }

  /**
   * Builds a column straight from its packed form when the values fit the column as they are
   * (numbers, text, booleans, valid dates, into an undeclared column of that kind or none yet);
   * null otherwise, and the caller takes the general path with the values materialized. The
   * result is what the general path would build from the same values.
   */
  private buildPacked(column: ColumnPlan, source: PackedColumn, start: number, count: number, locked: boolean): Data | null {
    if (column.declared || source.kind === 'any') return null;
    const kind = column.type.kind;
    const { bitmap, nullCount } = packedValidity(source.nulls, start, count);
    if (nullCount === count) return null;
    switch (source.kind) {
      case 'number': {
        if (kind !== 'null' && kind !== 'int32' && kind !== 'float64') return null;
        const values = source.values;
        let int32 = kind !== 'float64';
        for (let i = 0; int32 && i < count; i++) {
          const value = values[start + i]!;
          if ((value | 0) !== value && (bitmap === null || (bitmap[i >> 3]! & (1 << (i & 7))) !== 0)) int32 = false;
        }
        // An int32 column meeting a fraction widens, as in the general path, unless the schema is locked.
        if (!int32 && kind === 'int32' && locked) return null;
        if (int32) {
          const data = new Int32Array(count);
          for (let i = 0; i < count; i++) data[i] = values[start + i]! | 0;
          column.type = { kind: 'int32' };
          return makeData({ type: new Int32(), length: count, nullCount, nullBitmap: bitmap, data });
        }
        column.type = { kind: 'float64' };
        return makeData({ type: new Float64(), length: count, nullCount, nullBitmap: bitmap, data: values.slice(start, start + count) });
      }
      case 'string': {
        if (kind !== 'null' && kind !== 'utf8') return null;
        column.type = { kind: 'utf8' };
        const { bytes, offsets } = packedUtf8(source, start, count);
        return makeData({ type: arrowFieldOf(column.name, column.type).type, length: count, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes } as never) as Data;
      }
      case 'boolean': {
        if (kind !== 'null' && kind !== 'bool') return null;
        const values = source.values;
        const data = new Uint8Array((count + 7) >> 3);
        for (let i = 0; i < count; i++) if (values[start + i] === 1) data[i >> 3]! |= 1 << (i & 7);
        column.type = { kind: 'bool' };
        return makeData({ type: arrowFieldOf(column.name, column.type).type, length: count, nullCount, nullBitmap: bitmap, data } as never) as Data;
      }
      case 'date': {
        if (kind !== 'null' && kind !== 'timestamp') return null;
        const values = source.values;
        const halves = new Int32Array(count * 2);
        for (let i = 0; i < count; i++) {
          if (bitmap !== null && (bitmap[i >> 3]! & (1 << (i & 7))) === 0) continue;
          const ms = values[start + i]!;
          if (ms !== ms) return null; // an invalid Date: the general path reports it
          setInt64(halves, i, ms);
        }
        column.type = { kind: 'timestamp' };
        return makeData({ type: arrowFieldOf(column.name, column.type).type, length: count, nullCount, nullBitmap: bitmap, data: new BigInt64Array(halves.buffer) } as never) as Data;
      }
    }
  }

  /**
   * The common case of a number or date column whose type is settled, built in one pass straight
   * from the rows (no copy into `this.values` first); null as soon as a value needs more care —
   * a row that is not an object, a value of another kind, a fraction in an int32 column, an
   * invalid date, a getter that throws — and the general path builds the column instead.
   */
  private buildFromRows(rows: ArrayLike<Row>, start: number, count: number, column: ColumnPlan): Data | null {
    const kind = column.type.kind;
    const key = column.key;
    if ((kind !== 'float64' && kind !== 'int32' && kind !== 'timestamp') || (typeof key === 'string' && key in Object.prototype)) return null;
    const data = kind === 'float64' ? new Float64Array(count) : kind === 'int32' ? new Int32Array(count) : new Int32Array(count * 2);
    let bitmap: Uint8Array | null = null;
    let nullCount = 0;
    try {
      for (let i = 0; i < count; i++) {
        const row = rows[start + i] as Record<string | number, unknown> | null;
        if (row === null || typeof row !== 'object') return null;
        const value = row[key];
        if (value === null || value === undefined) {
          bitmap ??= allValid(count);
          bitmap[i >> 3]! &= ~(1 << (i & 7));
          nullCount++;
        } else if (kind === 'timestamp') {
          if (!(value instanceof Date)) return null;
          const ms = value.getTime();
          if (ms !== ms) return null;
          setInt64(data as Int32Array, i, ms);
        } else {
          if (typeof value !== 'number' || (kind === 'int32' && (value | 0) !== value)) return null;
          data[i] = value;
        }
      }
    } catch {
      return null;
    }
    const type = arrowFieldOf(column.name, column.type).type;
    const buffer = kind === 'timestamp' ? new BigInt64Array(data.buffer) : data;
    return makeData({ type, length: count, nullCount, nullBitmap: bitmap, data: buffer } as never) as Data;
  }

  /** Copies one column's values into `this.values`; rows that are not objects give undefined. */
  private extract(rows: ArrayLike<Row>, start: number, end: number, column: ColumnPlan): void {
    const values = this.values;
    const key = column.key;
    const count = end - start;
    values.length = count;
    // Keys such as `__proto__` or `constructor` would read Object.prototype: read own properties only.
    const ownOnly = typeof key === 'string' && key in Object.prototype;
    try {
      if (ownOnly) {
        for (let i = 0; i < count; i++) {
          const row = rows[start + i] as Record<string, unknown> | null | undefined;
          values[i] = row !== null && typeof row === 'object' && hasOwn.call(row, key) ? row[key as string] : undefined;
        }
      } else {
        for (let i = 0; i < count; i++) {
          const row = rows[start + i] as Record<string | number, unknown> | null | undefined;
          values[i] = row !== null && typeof row === 'object' ? row[key] : undefined;
        }
      }
    } catch {
      // A getter or Proxy threw: read again one row at a time, turning each failure into a null and an issue.
      for (let i = 0; i < count; i++) {
        const row = rows[start + i] as Record<string | number, unknown> | null | undefined;
        try {
          values[i] = row !== null && typeof row === 'object' && (!ownOnly || hasOwn.call(row, key)) ? row[key] : undefined;
        } catch (error) {
          values[i] = undefined;
          this.options.report({
            code: 'invalid_value',
            message: `reading column "${column.name}" threw: ${error instanceof Error ? error.message : String(error)}; written as null`,
            row: this.rowNumber(i),
            column: column.name,
          });
        }
      }
    }
  }

  /** Returns null when an int column must widen to float64. */
  private buildColumn(column: ColumnPlan, count: number, locked: boolean): Data | null {
    const type = column.type;
    const canWiden = !column.declared && !locked;
    switch (type.kind) {
      case 'null':
        return this.buildNull(column, count);
      case 'float64': {
        // The common case gets its own loop: a callback per value costs a megamorphic call.
        const data = new Float64Array(count);
        const values = this.values;
        let clean = true;
        for (let i = 0; i < count; i++) {
          const value = values[i];
          if (typeof value === 'number') data[i] = value;
          else {
            clean = false;
            break;
          }
        }
        if (clean) return makeData({ type: new Float64(), length: count, nullCount: 0, data });
        return this.fixedWidth(column, count, data, (value, i) => {
          if (typeof value === 'number') data[i] = value;
          else if (typeof value === 'bigint' && value <= 9007199254740991n && value >= -9007199254740991n) data[i] = Number(value);
          else return false;
          return true;
        });
      }
      case 'float32': {
        const data = new Float32Array(count);
        return this.fixedWidth(column, count, data, (value, i) => {
          if (typeof value === 'number') data[i] = value;
          else if (typeof value === 'bigint' && value <= 9007199254740991n && value >= -9007199254740991n) data[i] = Number(value);
          else return false;
          return true;
        });
      }
      case 'int8':
      case 'int16':
      case 'int32':
      case 'uint8':
      case 'uint16':
      case 'uint32': {
        const [Ctor, min, max] = INT_RANGES[type.kind];
        const data = new Ctor(count);
        if (type.kind === 'int32') {
          // Fast path: every value a non-null int32.
          const values = this.values;
          let clean = true;
          for (let i = 0; i < count; i++) {
            const value = values[i];
            if (typeof value === 'number' && (value | 0) === value) data[i] = value;
            else {
              clean = false;
              break;
            }
          }
          if (clean) return makeData({ type: new Int32(), length: count, nullCount: 0, data: data as Int32Array });
        }
        let widen = false;
        const built = this.fixedWidth(column, count, data, (value, i) => {
          if (typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max) {
            data[i] = value;
            return true;
          }
          if (typeof value === 'number' && canWiden) widen = true;
          else if (typeof value === 'number' && !column.declared) {
            // The file's schema is already written (binary formats): the column cannot become float64 now.
            throw new ExportError(
              'schema_mismatch',
              `row ${this.rowNumber(i)}: column "${column.name}" was inferred as ${type.kind} from the first rows, but holds ${printValue(value)}; declare it, e.g. schema: { fields: { ${JSON.stringify(column.name)}: 'float64' } }`,
              { details: { row: this.rowNumber(i), column: column.name, value: printValue(value) } },
            );
          }
          return false;
        }, () => widen);
        return widen ? null : built;
      }
      case 'int64': {
        const data = new BigInt64Array(count);
        return this.fixedWidth(column, count, data, (value, i) => {
          if (typeof value === 'bigint') {
            if (BigInt.asIntN(64, value) !== value) return false;
            data[i] = value;
          } else if (typeof value === 'number' && Number.isSafeInteger(value)) data[i] = BigInt(value);
          else return false;
          return true;
        });
      }
      case 'bool': {
        const data = new Uint8Array((count + 7) >> 3);
        return this.fixedWidth(column, count, data, (value, i) => {
          if (typeof value !== 'boolean') return false;
          if (value) data[i >> 3]! |= 1 << (i & 7);
          return true;
        });
      }
      case 'timestamp':
      case 'timestamp_us':
      case 'date': {
        // Int64 timestamps are written as two int32 halves: no BigInt per value.
        const unit = type.kind === 'date' ? 1 : 2;
        const data = unit === 1 ? new Int32Array(count) : new Int32Array(count * 2);
        const micro = type.kind === 'timestamp_us';
        return this.fixedWidth(column, count, data, (value, i) => {
          const ms = toEpochMs(value, column.declared);
          if (ms === undefined) return false;
          if (Number.isNaN(ms)) return 'invalid';
          if (unit === 1) {
            data[i] = Math.floor(ms / 86400000);
          } else {
            setInt64(data, i, micro ? ms * 1000 : ms);
          }
          return true;
        }, undefined, unit === 2 ? (d) => new BigInt64Array(d.buffer) : undefined);
      }
      case 'decimal':
        return this.buildDecimal(column, count);
      case 'utf8':
      case 'json':
        return this.buildText(column, count);
    }
  }

  private buildNull(column: ColumnPlan, count: number): Data {
    const values = this.values;
    // A locked or declared null column cannot take values: they are reported (the kind is only kept when every value is null).
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (value !== null && value !== undefined) this.mismatch(column, i, value);
    }
    return makeData({ type: arrowFieldOf(column.name, column.type).type, length: count }) as Data;
  }

  /**
   * Shared loop for fixed-width columns: `put` stores a value and returns true, or returns false for a
   * value that does not fit (a mismatch) or 'invalid' for one that is invalid (an invalid Date).
   */
  private fixedWidth(
    column: ColumnPlan,
    count: number,
    data: ArrayBufferView,
    put: (value: unknown, index: number) => boolean | 'invalid',
    stop?: () => boolean,
    finalize?: (data: Int32Array) => ArrayBufferView,
  ): Data {
    const values = this.values;
    let bitmap: Uint8Array | null = null;
    let nullCount = 0;
    for (let i = 0; i < count; i++) {
      const value = values[i];
      if (value === null || value === undefined) {
        bitmap ??= allValid(count);
        bitmap[i >> 3]! &= ~(1 << (i & 7));
        nullCount++;
        continue;
      }
      let stored: boolean | 'invalid' | 'threw';
      try {
        stored = put(value, i);
      } catch (error) {
        if (error instanceof ExportError) throw error;
        // A Proxy trap or a Date method that throws: the cell becomes null.
        this.hostile(column, i, error);
        stored = 'threw';
      }
      if (stored === true) continue;
      if (stop?.()) break;
      bitmap ??= allValid(count);
      bitmap[i >> 3]! &= ~(1 << (i & 7));
      nullCount++;
      if (stored === 'invalid') this.invalid(column, i, value);
      else if (stored === false) this.mismatch(column, i, value);
    }
    const type = arrowFieldOf(column.name, column.type).type;
    const buffer = finalize ? finalize(data as Int32Array) : data;
    return makeData({ type, length: count, nullCount, nullBitmap: bitmap, data: buffer } as never) as Data;
  }

  private buildText(column: ColumnPlan, count: number): Data {
    const values = this.values;
    const json = column.type.kind === 'json';
    const expected = (this.textBytes.get(column.name) ?? 0) * count;
    const writer = new TextColumnWriter(count, Math.ceil(expected * 1.1) + 64);
    const texts: string[] = new Array(Math.min(count, TEXT_BLOCK));
    let bitmap: Uint8Array | null = null;
    let nullCount = 0;
    for (let blockStart = 0; blockStart < count; blockStart += TEXT_BLOCK) {
      const blockEnd = Math.min(blockStart + TEXT_BLOCK, count);
      for (let i = blockStart; i < blockEnd; i++) {
        const value = values[i];
        let text: string | undefined;
        if (typeof value === 'string' && !json) {
          // A lone high surrogate at the end would pair with a lone low one starting the next cell once
          // the texts are joined: make it U+FFFD first (as TextEncoder would on its own).
          text = value.length > 0 && (value.charCodeAt(value.length - 1) & 0xfc00) === 0xd800 ? value.toWellFormed() : value;
        } else if (value === null || value === undefined) text = undefined;
        else if (json) text = this.toJson(column, i, value);
        else {
          try {
            text = this.toText(column, i, value);
          } catch (error) {
            text = this.hostile(column, i, error);
          }
          if (text !== undefined) this.mismatchIssue(column, i, value, 'written as text');
        }
        if (text === undefined) {
          bitmap ??= allValid(count);
          bitmap[i >> 3]! &= ~(1 << (i & 7));
          nullCount++;
          texts[i - blockStart] = '';
        } else {
          texts[i - blockStart] = text;
        }
      }
      writer.append(texts, blockEnd - blockStart);
    }
    const { bytes, offsets } = writer.finish();
    this.textBytes.set(column.name, count > 0 ? bytes.length / count : 0);
    const type = arrowFieldOf(column.name, column.type).type;
    return makeData({ type, length: count, nullCount, nullBitmap: bitmap, valueOffsets: offsets, data: bytes } as never) as Data;
  }

  private buildDecimal(column: ColumnPlan, count: number): Data {
    const scale = column.type.scale ?? 0;
    const precision = column.type.precision ?? 38;
    const data = new Uint32Array(count * 4);
    const limit = 10n ** BigInt(precision);
    return this.fixedWidth(column, count, data, (value, i) => {
      const scaled = toScaledDecimal(value, scale);
      if (scaled === undefined || scaled >= limit || scaled <= -limit) return false;
      let v = BigInt.asUintN(128, scaled);
      for (let word = 0; word < 4; word++) {
        data[i * 4 + word] = Number(v & 0xffffffffn);
        v >>= 32n;
      }
      return true;
    });
  }

  /** Text for a value in a text column; undefined (null) for values with no text form. */
  private toText(column: ColumnPlan, row: number, value: unknown): string | undefined {
    switch (typeof value) {
      case 'string':
        return value;
      case 'number':
      case 'boolean':
      case 'bigint':
        return String(value);
      case 'object':
        if (value instanceof Date) {
          if (Number.isNaN(value.getTime())) {
            this.invalid(column, row, value);
            return undefined;
          }
          return value.toISOString();
        }
        return this.toJson(column, row, value);
      default:
        this.invalid(column, row, value);
        return undefined;
    }
  }

  private toJson(column: ColumnPlan, row: number, value: unknown): string | undefined {
    try {
      const text = JSON.stringify(value, jsonReplacer);
      if (text === undefined) {
        this.invalid(column, row, value);
        return undefined;
      }
      return text;
    } catch (error) {
      this.report('invalid_value', column, row, `${error instanceof Error ? error.message : String(error)} in column "${column.name}"; written as null`);
      return undefined;
    }
  }

  /** A value that does not fit its column: fail (strict, declared) or keep its text for text formats. */
  private mismatch(column: ColumnPlan, row: number, value: unknown): void {
    if (column.declared && this.options.strict) {
      throw new ExportError(
        'schema_mismatch',
        `row ${this.rowNumber(row)}, column "${column.name}": ${printValue(value)} does not fit the declared type ${column.type.kind}`,
        { details: { row: this.rowNumber(row), column: column.name, value: printValue(value) } },
      );
    }
    let text: string | undefined;
    try {
      text = this.toText(column, row, value);
    } catch (error) {
      text = this.hostile(column, row, error);
    }
    if (text === undefined) return;
    this.mismatches ??= new Map();
    let byRow = this.mismatches.get(column.name);
    if (byRow === undefined) this.mismatches.set(column.name, (byRow = new Map()));
    byRow.set(row, text);
    this.mismatchIssue(column, row, value, 'written as text (null in binary formats)');
  }

  private mismatchIssue(column: ColumnPlan, row: number, value: unknown, outcome: string): void {
    if (column.declared && this.options.strict) {
      this.mismatch(column, row, value);
      return;
    }
    this.report('type_mismatch', column, row, `${printValue(value)} in ${column.type.kind} column "${column.name}" ${outcome}`);
  }

  /** A value that threw when inspected (a Proxy trap, a throwing Date method): null and an issue. */
  private hostile(column: ColumnPlan, row: number, error: unknown): undefined {
    this.report('invalid_value', column, row, `inspecting the value in column "${column.name}" threw: ${error instanceof Error ? error.message : String(error)}; written as null`);
    return undefined;
  }

  private invalid(column: ColumnPlan, row: number, value: unknown): void {
    if (column.declared && this.options.strict) this.mismatch(column, row, value);
    const what = isDateSafe(value) ? 'an invalid Date' : `a ${typeof value}`;
    this.report('invalid_value', column, row, `${what} in column "${column.name}" has no file form; written as null`);
  }

  /** Source row number of built row `i` (rows may have been gathered from a chunk by a filter). */
  private rowNumber(i: number): number {
    return this.firstRow + (this.rowIndexes === null ? i : this.rowIndexes[i]!);
  }

  private report(code: ExportIssue['code'], column: ColumnPlan, row: number, message: string): void {
    this.options.report({ code, message: `row ${this.rowNumber(row)}: ${message}`, row: this.rowNumber(row), column: column.name });
  }
}

const INT_RANGES: Record<'int8' | 'int16' | 'int32' | 'uint8' | 'uint16' | 'uint32', [new (n: number) => Int8Array | Int16Array | Int32Array | Uint8Array | Uint16Array | Uint32Array, number, number]> = {
  int8: [Int8Array, -128, 127],
  int16: [Int16Array, -32768, 32767],
  int32: [Int32Array, -2147483648, 2147483647],
  uint8: [Uint8Array, 0, 255],
  uint16: [Uint16Array, 0, 65535],
  uint32: [Uint32Array, 0, 4294967295],
};

/** `instanceof Date` that survives a Proxy whose getPrototypeOf trap throws. */
function isDateSafe(value: unknown): boolean {
  try {
    return value instanceof Date;
  } catch {
    return false;
  }
}

/**
 * Stores integer `value` as Int64 at `i` of an Int64 buffer seen as int32 halves (little-endian):
 * timestamps are written this way, without a BigInt per value.
 */
function setInt64(halves: Int32Array, i: number, value: number): void {
  const high = Math.floor(value / 4294967296);
  halves[2 * i] = value - high * 4294967296;
  halves[2 * i + 1] = high;
}

function allValid(count: number): Uint8Array {
  return new Uint8Array((count + 7) >> 3).fill(0xff);
}

/** BigInts inside nested values become strings (JSON has no 64-bit integers). */
function jsonReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'bigint' ? value.toString() : value;
}

/**
 * Epoch milliseconds of a timestamp value: a Date, or — for declared columns only — epoch
 * milliseconds or an ISO 8601 string. NaN marks an invalid date; undefined a value of another kind.
 */
function toEpochMs(value: unknown, declared: boolean): number | undefined {
  if (value instanceof Date) return value.getTime();
  if (!declared) return undefined;
  // Beyond a Date's ±8.64e15 ms the int64 (and, in µs, its product) could wrap: invalid.
  if (typeof value === 'number') return Number.isFinite(value) && Math.abs(value) <= 8.64e15 ? Math.floor(value) : Number.NaN;
  if (typeof value === 'string') return parseDateText(value);
  return undefined;
}

/** A decimal value scaled to an integer (`12.34` at scale 2 → 1234n); undefined when it has more digits than the scale. */
function toScaledDecimal(value: unknown, scale: number): bigint | undefined {
  if (typeof value === 'bigint') return value * 10n ** BigInt(scale);
  let text: string;
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) return undefined;
    text = value.toFixed(Math.min(scale, 100));
    // toFixed rounds to the scale; refuse values whose shortest text has more digits than that.
    const shortest = String(value);
    if (!shortest.includes('e') && (shortest.split('.')[1]?.length ?? 0) > scale) return undefined;
  } else if (typeof value === 'string') {
    text = value.trim();
  } else {
    return undefined;
  }
  const match = /^([+-]?)(\d*)(?:\.(\d*))?$/.exec(text);
  if (!match || (match[2] === '' && (match[3] ?? '') === '')) return undefined;
  const fraction = match[3] ?? '';
  if (fraction.length > scale && /[^0]/.test(fraction.slice(scale))) return undefined;
  const digits = (match[2] || '0') + fraction.slice(0, scale).padEnd(scale, '0');
  const magnitude = BigInt(digits);
  return match[1] === '-' ? -magnitude : magnitude;
}

/** The validity bitmap (null when every value is present) of rows `[start, start + count)` of a packed column. */
function packedValidity(nulls: Uint8Array | undefined, start: number, count: number): { bitmap: Uint8Array | null; nullCount: number } {
  if (nulls === undefined) return { bitmap: null, nullCount: 0 };
  let bitmap: Uint8Array | null = null;
  let nullCount = 0;
  for (let i = 0; i < count; i++) {
    if (nulls[start + i] === 0) continue;
    bitmap ??= allValid(count);
    bitmap[i >> 3]! &= ~(1 << (i & 7));
    nullCount++;
  }
  return { bitmap, nullCount };
}

export type { ColumnKind };
