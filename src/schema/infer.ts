/**
 * Type inference for row values.
 */
import type { ColumnKind } from './kinds.js';

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

/**
 * Infers a column kind from `count` values.
 *
 * Numbers that are all integers within ±2^31 become `int32` (so Parquet and Arrow readers see an
 * integer column); other numbers `float64`. Any object or array makes the column `json` (nested
 * data as JSON text, whatever else it holds). Otherwise mixed kinds: the most frequent wins and the
 * rest are reported as mismatches by the builder, except integers with bigints (`int64`) and
 * integers with other numbers (`float64`). All-null values give `null`, decided by a later chunk.
 */
export function inferKind(values: readonly unknown[], count: number): ColumnKind {
  let numbers = 0;
  let nonInt32 = 0;
  let strings = 0;
  let booleans = 0;
  let dates = 0;
  let bigints = 0;
  let objects = 0;
  for (let i = 0; i < count; i++) {
    const value = values[i];
    switch (typeof value) {
      case 'number':
        numbers++;
        if (!(Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX)) nonInt32++;
        break;
      case 'string':
        strings++;
        break;
      case 'boolean':
        booleans++;
        break;
      case 'bigint':
        bigints++;
        break;
      case 'object': {
        if (value === null) break;
        // A value whose inspection throws (a revoked Proxy) decides nothing: the builder reports it.
        const date = isDate(value);
        if (date === true) dates++;
        else if (date === false) objects++;
        break;
      }
      default:
        // undefined is null; symbols and functions are reported by the builder.
        break;
    }
  }
  // One rule for mixed columns: any nested value (an object or an array) makes the column JSON,
  // whatever else it holds and in whatever proportion, so the output does not depend on the mix.
  if (objects > 0) return 'json';
  if (bigints > 0 && bigints + numbers >= Math.max(strings, booleans, dates)) {
    return allIntegers(values, count) ? 'int64' : 'float64';
  }
  const best = Math.max(numbers, strings, booleans, dates);
  if (best === 0) return 'null';
  if (best === numbers) return nonInt32 === 0 ? 'int32' : 'float64';
  if (best === strings) return 'utf8';
  if (best === dates) return 'timestamp';
  return 'bool';
}

function allIntegers(values: readonly unknown[], count: number): boolean {
  for (let i = 0; i < count; i++) {
    const value = values[i];
    if (typeof value === 'number' && !Number.isInteger(value)) return false;
  }
  return true;
}

/**
 * True when every number in `values` fits an int32 column. Used to check the rest of an
 * in-memory array before settling on `int32`, so an array's column type is exact.
 */
export function fitsInt32(value: unknown): boolean {
  return typeof value !== 'number' || (Number.isInteger(value) && value >= INT32_MIN && value <= INT32_MAX);
}

/** `instanceof Date`, or null for a Proxy whose getPrototypeOf trap throws (the builder reports it). */
function isDate(value: object): boolean | null {
  try {
    return value instanceof Date;
  } catch {
    return null;
  }
}
