/**
 * Vectorized filter evaluation over Arrow record batches.
 *
 * Every node answers one question: "of these candidate rows, which make me TRUE?" — or, under a
 * `not`, "which make me FALSE?". Asking for the false set instead of negating the true set is how
 * SQL's three-valued logic stays exact: a row where a term is unknown (a null) is in neither set,
 * so `not (x > 5)` drops it just as `x > 5` does. AND narrows the candidates term by term (later
 * terms visit only surviving rows); OR visits only rows no earlier term accepted.
 *
 * The kernels are hand-written loops over the column's typed arrays (no per-row objects, no
 * `vector.get(i)`): the filter must cost a small fraction of an export.
 */
import type { Data, RecordBatch, Schema } from 'apache-arrow';
import { ExportError } from '../errors.js';
import { unhandledOp, type Filter, type Scalar } from './ast.js';
import { optimizeFilter } from './optimize.js';
import {
  coerceBoolean, coerceNumeric, coerceText, exactInteger, floatRange, intersectFloat, intRange, lookupColumn,
  type ColumnInfo, type FloatRange, type IntRange,
} from './typecheck.js';
import { checkPattern, compileRegex, regexEngineLoaded, type CompiledRegex } from './regex.js';
import { filterFields, validateFilter } from './validate.js';

/** A filter bound to a schema, ready to run on every batch of that schema. */
export interface CompiledFilter {
  /**
   * Ascending indexes of the rows of `batch` the filter keeps, or `null` when it keeps them all.
   * With `candidates` (ascending row indexes), only those rows are considered.
   */
  evaluate(batch: RecordBatch, candidates?: Uint32Array | null): Uint32Array | null;
  /** The columns the filter reads. */
  readonly fields: string[];
}

/** Options for {@link compileFilter}. */
export interface CompileFilterOptions {
  /** Run the optimizer (`optimizeFilter`) before compiling. Default `true`. */
  optimize?: boolean;
}

type Selection = Uint32Array | null; // null = every row of the batch

/**
 * Writes to `out` the candidate rows whose value is not null and whose predicate equals `want`;
 * returns how many. `cands === null` means rows 0..m-1.
 */
type Kernel = (d: Data, cands: Selection, m: number, out: Uint32Array, want: boolean) => number;

interface Exec {
  run(cols: Data[], cands: Selection, n: number, want: boolean): Selection;
}

const EMPTY = new Uint32Array(0);

function isNullAt(bitmap: Uint8Array, index: number): boolean {
  return (bitmap[index >> 3]! & (1 << (index & 7))) === 0;
}

/** The validity bitmap when the data holds nulls (bit index = data.offset + row), else null. */
function nullsOf(d: Data): Uint8Array | null {
  return d.nullCount > 0 && d.nullBitmap !== undefined && d.nullBitmap.length > 0 ? d.nullBitmap : null;
}

function allRows(n: number): Uint32Array {
  const rows = new Uint32Array(n);
  for (let i = 0; i < n; i++) rows[i] = i;
  return rows;
}

function lengthOf(selection: Selection, n: number): number {
  return selection === null ? n : selection.length;
}

/** Union of two disjoint ascending selections. */
function union(a: Uint32Array, b: Uint32Array): Uint32Array {
  const out = new Uint32Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = a[i]! < b[j]! ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** `a` without `b` (b ⊆ a, both ascending). */
function difference(a: Uint32Array, b: Uint32Array): Uint32Array {
  if (b.length === 0) return a;
  const out = new Uint32Array(a.length - b.length);
  let j = 0;
  let k = 0;
  for (let i = 0; i < a.length; i++) {
    const v = a[i]!;
    if (j < b.length && b[j] === v) j++;
    else out[k++] = v;
  }
  return out.subarray(0, k);
}

// ---------------------------------------------------------------------------------------------
// Tree nodes

/** AND (want true) narrows; AND's false set is the union of its terms' false sets. OR mirrors it. */
class JunctionExec implements Exec {
  readonly #children: Exec[];
  readonly #narrowOn: boolean; // the polarity at which this node narrows (true for AND)

  constructor(op: 'and' | 'or', children: Exec[]) {
    this.#children = children;
    this.#narrowOn = op === 'and';
  }

  run(cols: Data[], cands: Selection, n: number, want: boolean): Selection {
    if (want === this.#narrowOn) {
      let current = cands;
      for (const child of this.#children) {
        if (lengthOf(current, n) === 0) break;
        current = child.run(cols, current, n, want);
      }
      return current;
    }
    let remaining = cands;
    let found: Uint32Array | null = null;
    for (const child of this.#children) {
      const left = lengthOf(remaining, n);
      if (left === 0) break;
      const hits = child.run(cols, remaining, n, want);
      const count = lengthOf(hits, n);
      if (count === 0) continue;
      const hitRows = hits ?? allRows(n);
      found = found === null ? hitRows : union(found, hitRows);
      remaining = count === left ? EMPTY : difference(remaining ?? allRows(n), hitRows);
    }
    if (found === null) return EMPTY;
    return found.length === n && cands === null ? null : found;
  }
}

class NotExec implements Exec {
  readonly #child: Exec;
  constructor(child: Exec) {
    this.#child = child;
  }
  run(cols: Data[], cands: Selection, n: number, want: boolean): Selection {
    return this.#child.run(cols, cands, n, !want);
  }
}

/** How a leaf answers each polarity: run `kernel` with this `want`, or select nothing. */
type Side = { kernel: Kernel; want: boolean } | null;

class LeafExec implements Exec {
  readonly #slot: number;
  readonly #whenTrue: Side;
  readonly #whenFalse: Side;

  constructor(slot: number, whenTrue: Side, whenFalse: Side) {
    this.#slot = slot;
    this.#whenTrue = whenTrue;
    this.#whenFalse = whenFalse;
  }

  run(cols: Data[], cands: Selection, n: number, want: boolean): Selection {
    const side = want ? this.#whenTrue : this.#whenFalse;
    const m = lengthOf(cands, n);
    if (side === null || m === 0) return EMPTY;
    const out = new Uint32Array(m);
    const count = side.kernel(cols[this.#slot]!, cands, m, out, side.want);
    if (count === m) return cands;
    return out.subarray(0, count);
  }
}

// ---------------------------------------------------------------------------------------------
// Kernels. Each loop reads `i = cands === null ? k : cands[k]`, skips null rows, tests the value.
// The branches on `cands` and `nulls` are loop-invariant, so the CPU predicts them.

type NumberArray = Float64Array | Float32Array | Int32Array | Int16Array | Int8Array | Uint32Array | Uint16Array | Uint8Array;

/**
 * Rows with lo <= v <= hi; with `nan`, NaN rows too. A range that holds NaN always reaches the top
 * of DuckDB's order (hi = +Infinity, or the NaN-only range lo = +Infinity > hi = -Infinity), so it
 * is "not outside [lo, hi]", which NaN satisfies by failing both comparisons. Two loops rather
 * than an `|| (nan && v !== v)` term: that term alone doubled the cost per row.
 */
function numberRangeKernel(lo: number, hi: number, nan: boolean): Kernel {
  if (nan) {
    return (d, cands, m, out, want) => {
      const values = d.values as NumberArray;
      const nulls = nullsOf(d);
      const offset = d.offset;
      let c = 0;
      for (let k = 0; k < m; k++) {
        const i = cands === null ? k : cands[k]!;
        if (nulls !== null && isNullAt(nulls, offset + i)) continue;
        const v = values[i]!;
        if ((v < lo || v > hi) !== want) out[c++] = i;
      }
      return c;
    };
  }
  return (d, cands, m, out, want) => {
    const values = d.values as NumberArray;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      const v = values[i]!;
      if ((v >= lo && v <= hi) === want) out[c++] = i;
    }
    return c;
  };
}

function numberSetKernel(set: ReadonlySet<number>): Kernel {
  return (d, cands, m, out, want) => {
    const values = d.values as NumberArray;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      if (set.has(values[i]!) === want) out[c++] = i; // Set uses SameValueZero: NaN = NaN, -0 = 0, as DuckDB
    }
    return c;
  };
}

/** 32-bit words of a 64-bit column: low words unsigned, high words signed (Int64) or unsigned (Uint64). */
function words(d: Data, unsigned: boolean): { lo: Uint32Array; hi: Int32Array | Uint32Array } {
  const values = d.values as BigInt64Array | BigUint64Array;
  const lo = new Uint32Array(values.buffer, values.byteOffset, values.length * 2);
  return { lo, hi: unsigned ? lo : new Int32Array(values.buffer, values.byteOffset, values.length * 2) };
}

function splitWord(value: bigint, unsigned: boolean): [hi: number, lo: number] {
  const lo = Number(BigInt.asUintN(32, value));
  const hi = unsigned ? Number(BigInt.asUintN(32, value >> 32n)) : Number(BigInt.asIntN(32, value >> 32n));
  return [hi, lo];
}

/**
 * Rows with lo <= v <= hi over 64-bit values, compared as (high word, low word) pairs so no
 * BigInt is made per row (BigInt reads cost ~20x a typed-array read). Little-endian layout.
 */
function int64RangeKernel(range: IntRange, unsigned: boolean, min: bigint, max: bigint): Kernel {
  // Bounds within ±(2^53 - 1) (or open at the type's ends): compare hi * 2^32 + lo as a double.
  // Exact below 2^53 in magnitude; past it, rounding is monotonic and cannot cross a safe bound.
  const lo = range.lo === min ? -Infinity : Number(range.lo);
  const hi = range.hi === max ? Infinity : Number(range.hi);
  if ((lo === -Infinity || Number.isSafeInteger(lo)) && (hi === Infinity || Number.isSafeInteger(hi))) {
    return (d, cands, m, out, want) => {
      const w = words(d, unsigned);
      const lows = w.lo;
      const highs = w.hi;
      const nulls = nullsOf(d);
      const offset = d.offset;
      let c = 0;
      for (let k = 0; k < m; k++) {
        const i = cands === null ? k : cands[k]!;
        if (nulls !== null && isNullAt(nulls, offset + i)) continue;
        const v = highs[2 * i + 1]! * 4294967296 + lows[2 * i]!;
        if ((v >= lo && v <= hi) === want) out[c++] = i;
      }
      return c;
    };
  }
  const [loHi, loLo] = splitWord(range.lo, unsigned);
  const [hiHi, hiLo] = splitWord(range.hi, unsigned);
  return (d, cands, m, out, want) => {
    const w = words(d, unsigned);
    const lows = w.lo;
    const highs = w.hi;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      const h = highs[2 * i + 1]!;
      let inside: boolean;
      if (h > loHi && h < hiHi) inside = true; // the common case decides on the high word alone
      else if (h < loHi || h > hiHi) inside = false;
      else {
        const l = lows[2 * i]!;
        inside = (h !== loHi || l >= loLo) && (h !== hiHi || l <= hiLo);
      }
      if (inside === want) out[c++] = i;
    }
    return c;
  };
}

function int64SetKernel(members: readonly bigint[], unsigned: boolean): Kernel {
  if (members.length > 8) {
    const set = new Set(members);
    return (d, cands, m, out, want) => {
      const values = d.values as BigInt64Array | BigUint64Array;
      const nulls = nullsOf(d);
      const offset = d.offset;
      let c = 0;
      for (let k = 0; k < m; k++) {
        const i = cands === null ? k : cands[k]!;
        if (nulls !== null && isNullAt(nulls, offset + i)) continue;
        if (set.has(values[i]!) === want) out[c++] = i;
      }
      return c;
    };
  }
  const pairs = members.map((member) => splitWord(member, unsigned));
  const his = Int32Array.from(pairs, (p) => p[0]); // compared with ===, so the sign view does not matter
  const los = Uint32Array.from(pairs, (p) => p[1]);
  const hisU = Uint32Array.from(pairs, (p) => p[0] >>> 0);
  return (d, cands, m, out, want) => {
    const w = words(d, unsigned);
    const lows = w.lo;
    const highs = w.hi;
    const his2 = unsigned ? hisU : his;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      const h = highs[2 * i + 1]!;
      const l = lows[2 * i]!;
      let hit = false;
      for (let j = 0; j < his2.length; j++) {
        if (his2[j] === h && los[j] === l) {
          hit = true;
          break;
        }
      }
      if (hit === want) out[c++] = i;
    }
    return c;
  };
}

/** Boolean column: predicate `ifTrue` for true values, `ifFalse` for false values. Values are bits at data.offset + i. */
function boolKernel(ifTrue: boolean, ifFalse: boolean): Kernel {
  return (d, cands, m, out, want) => {
    const bits = d.values as Uint8Array;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      const j = offset + i;
      if (nulls !== null && isNullAt(nulls, j)) continue;
      const bit = (bits[j >> 3]! & (1 << (j & 7))) !== 0;
      if ((bit ? ifTrue : ifFalse) === want) out[c++] = i;
    }
    return c;
  };
}

/** Every non-null row has predicate `value` (e.g. `int_column = 2.5` is false for all of them). */
function constantKernel(value: boolean): Kernel {
  return (d, cands, m, out, want) => {
    if (value !== want) return 0;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      out[c++] = i;
    }
    return c;
  };
}

/** Null checks: with `want`, the null rows; without, the others. `allNull` for the Null type (no bitmap). */
function nullKernel(allNull: boolean): Kernel {
  return (d, cands, m, out, want) => {
    const nulls = allNull ? null : nullsOf(d);
    if (nulls === null) {
      if (allNull !== want) return 0;
      for (let k = 0; k < m; k++) out[k] = cands === null ? k : cands[k]!;
      return m;
    }
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (isNullAt(nulls, offset + i) === want) out[c++] = i;
    }
    return c;
  };
}

// ----- text

type Offsets = Int32Array | Float64Array;
const largeOffsets = new WeakMap<object, Float64Array>();

/** Value offsets of Utf8 (Int32Array) or LargeUtf8 (BigInt64Array, converted once per batch). */
function offsetsOf(d: Data): Offsets {
  const offsets = d.valueOffsets as Int32Array | BigInt64Array;
  if (!(offsets instanceof BigInt64Array)) return offsets;
  let converted = largeOffsets.get(offsets);
  if (converted === undefined) {
    converted = Float64Array.from(offsets, Number);
    largeOffsets.set(offsets, converted);
  }
  return converted;
}

/** A test on the UTF-8 bytes `bytes[start..end)` of one value. */
type TextTest = (bytes: Uint8Array, start: number, end: number) => boolean;

function textKernel(test: TextTest): Kernel {
  return (d, cands, m, out, want) => {
    const bytes = d.values as Uint8Array;
    const offsets = offsetsOf(d);
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      if (test(bytes, offsets[i]!, offsets[i + 1]!) === want) out[c++] = i;
    }
    return c;
  };
}

/** Equality with one string, on bytes (the hottest text test, so not behind a callback). */
function textEqualsKernel(needle: Uint8Array): Kernel {
  const length = needle.length;
  const first = needle[0] ?? 0;
  return (d, cands, m, out, want) => {
    const bytes = d.values as Uint8Array;
    const offsets = offsetsOf(d);
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      const start = offsets[i]!;
      let equal = offsets[i + 1]! - start === length && (length === 0 || bytes[start] === first);
      for (let j = 1; equal && j < length; j++) equal = bytes[start + j] === needle[j];
      if (equal === want) out[c++] = i;
    }
    return c;
  };
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Decodes one value; short ASCII values skip TextDecoder, whose per-call cost dominates for them. */
function decode(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 32) {
    let text = '';
    for (let j = start; j < end; j++) {
      const b = bytes[j]!;
      if (b >= 0x80) return decoder.decode(bytes.subarray(start, end));
      text += String.fromCharCode(b);
    }
    return text;
  }
  return decoder.decode(bytes.subarray(start, end));
}

/** Byte order = code point order for valid UTF-8, which is what DuckDB and Parquet statistics use. */
function compareBytes(bytes: Uint8Array, start: number, end: number, other: Uint8Array): number {
  const length = Math.min(end - start, other.length);
  for (let j = 0; j < length; j++) {
    const diff = bytes[start + j]! - other[j]!;
    if (diff !== 0) return diff;
  }
  return end - start - other.length;
}

function indexOfBytes(bytes: Uint8Array, start: number, end: number, needle: Uint8Array, lower: boolean): boolean {
  const length = needle.length;
  if (length === 0) return true;
  const last = end - length;
  const first = needle[0]!;
  outer: for (let p = start; p <= last; p++) {
    const b = bytes[p]!;
    if ((lower && b >= 65 && b <= 90 ? b + 32 : b) !== first) continue;
    for (let q = 1; q < length; q++) {
      const x = bytes[p + q]!;
      if ((lower && x >= 65 && x <= 90 ? x + 32 : x) !== needle[q]) continue outer;
    }
    return true;
  }
  return false;
}

function matchesAt(bytes: Uint8Array, at: number, needle: Uint8Array, lower: boolean): boolean {
  for (let q = 0; q < needle.length; q++) {
    const x = bytes[at + q]!;
    if ((lower && x >= 65 && x <= 90 ? x + 32 : x) !== needle[q]) return false;
  }
  return true;
}

function isAsciiRange(bytes: Uint8Array, start: number, end: number): boolean {
  for (let j = start; j < end; j++) if (bytes[j]! >= 0x80) return false;
  return true;
}

function substringTest(op: 'contains' | 'startsWith' | 'endsWith', value: string, caseSensitive: boolean): TextTest {
  if (caseSensitive) {
    // UTF-8 is self-synchronizing: a byte match is a character match.
    const needle = encoder.encode(value);
    if (op === 'contains') return (bytes, start, end) => indexOfBytes(bytes, start, end, needle, false);
    if (op === 'startsWith') return (bytes, start, end) => end - start >= needle.length && matchesAt(bytes, start, needle, false);
    return (bytes, start, end) => end - start >= needle.length && matchesAt(bytes, end - needle.length, needle, false);
  }
  const lowered = value.toLowerCase();
  const needle = encoder.encode(lowered);
  const asciiNeedle = isAsciiRange(needle, 0, needle.length);
  const slow = (text: string): boolean =>
    op === 'contains' ? text.includes(lowered) : op === 'startsWith' ? text.startsWith(lowered) : text.endsWith(lowered);
  return (bytes, start, end) => {
    // ASCII rows lower-case byte by byte; other rows go through String#toLowerCase (Unicode rules).
    if (asciiNeedle && isAsciiRange(bytes, start, end)) {
      if (op === 'contains') return indexOfBytes(bytes, start, end, needle, true);
      if (end - start < needle.length) return false;
      return matchesAt(bytes, op === 'startsWith' ? start : end - needle.length, needle, true);
    }
    if (!asciiNeedle && isAsciiRange(bytes, start, end)) return needle.length === 0;
    return slow(decode(bytes, start, end).toLowerCase());
  };
}

function textRangeTest(lo: Uint8Array | null, loInclusive: boolean, hi: Uint8Array | null, hiInclusive: boolean): TextTest {
  return (bytes, start, end) => {
    if (lo !== null) {
      const cmp = compareBytes(bytes, start, end, lo);
      if (cmp < 0 || (cmp === 0 && !loInclusive)) return false;
    }
    if (hi !== null) {
      const cmp = compareBytes(bytes, start, end, hi);
      if (cmp > 0 || (cmp === 0 && !hiInclusive)) return false;
    }
    return true;
  };
}

/** FNV-1a over a byte range, for `in` lists of more than a few strings. */
function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5;
  for (let j = start; j < end; j++) h = Math.imul(h ^ bytes[j]!, 0x01000193);
  return h >>> 0;
}

/** Membership in a list of strings, on bytes: a length check first, then a hash for long lists. */
function textSetKernel(values: readonly string[]): Kernel {
  const needles = [...new Set(values)].map((v) => encoder.encode(v));
  const maxLength = needles.reduce((max, needle) => Math.max(max, needle.length), 0);
  const lengths = new Uint8Array(maxLength + 1);
  for (const needle of needles) lengths[needle.length] = 1;
  const buckets = new Map<number, Uint8Array[]>();
  for (const needle of needles) {
    const h = hashBytes(needle, 0, needle.length);
    const bucket = buckets.get(h);
    if (bucket) bucket.push(needle);
    else buckets.set(h, [needle]);
  }
  // Up to 16 needles, the length and first byte rule out nearly all of them faster than a hash and a Map lookup.
  const linear = needles.length <= 16;
  const needleLengths = Int32Array.from(needles, (needle) => needle.length);
  const needleFirsts = Int32Array.from(needles, (needle) => needle[0] ?? -1);
  return (d, cands, m, out, want) => {
    const bytes = d.values as Uint8Array;
    const offsets = offsetsOf(d);
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      const start = offsets[i]!;
      const length = offsets[i + 1]! - start;
      let hit = false;
      if (length <= maxLength && lengths[length] === 1) {
        if (length === 0) hit = true;
        else if (linear) {
          const first = bytes[start]!;
          for (let n = 0; n < needleLengths.length && !hit; n++) {
            if (needleLengths[n] !== length || needleFirsts[n] !== first) continue;
            const needle = needles[n]!;
            let j = 1;
            while (j < length && bytes[start + j] === needle[j]) j++;
            hit = j === length;
          }
        } else {
          const bucket = buckets.get(hashBytes(bytes, start, start + length));
          if (bucket !== undefined) {
            for (let n = 0; n < bucket.length && !hit; n++) {
              const needle = bucket[n]!;
              if (needle.length !== length) continue;
              let j = 0;
              while (j < length && bytes[start + j] === needle[j]) j++;
              hit = j === length;
            }
          }
        }
      }
      if (hit === want) out[c++] = i;
    }
    return c;
  };
}

/** RE2 reads the UTF-8 bytes in place: no string is made per value. */
function regexTest(compiled: CompiledRegex | null, pattern: string, flags: string | undefined, at: string): TextTest {
  let re = compiled;
  return (bytes, start, end) => (re ??= compileRegex(pattern, flags, at)).test(bytes.subarray(start, end));
}

/** Dictionary columns: test each distinct value once (cached per dictionary), then look keys up. */
function dictionaryKernel(inner: Kernel): Kernel {
  const cache = new WeakMap<object, Int8Array>();
  const flagsOf = (dictionary: NonNullable<Data['dictionary']>): Int8Array => {
    let flags = cache.get(dictionary);
    if (flags !== undefined) return flags;
    flags = new Int8Array(dictionary.length).fill(-1); // -1: a null entry, unknown
    let base = 0;
    for (const chunk of dictionary.data as Data[]) {
      const out = new Uint32Array(chunk.length);
      let count = inner(chunk, null, chunk.length, out, true);
      for (let k = 0; k < count; k++) flags[base + out[k]!] = 1;
      count = inner(chunk, null, chunk.length, out, false);
      for (let k = 0; k < count; k++) flags[base + out[k]!] = 0;
      base += chunk.length;
    }
    cache.set(dictionary, flags);
    return flags;
  };
  return (d, cands, m, out, want) => {
    const dictionary = d.dictionary;
    if (dictionary === undefined) throw new ExportError('invalid_filter', 'filter: a dictionary column has no dictionary');
    const flags = flagsOf(dictionary);
    const raw = d.values as Int32Array | BigInt64Array;
    const keys: ArrayLike<number> = raw instanceof BigInt64Array || raw instanceof BigUint64Array ? Float64Array.from(raw as BigInt64Array, Number) : raw;
    const match = want ? 1 : 0;
    const nulls = nullsOf(d);
    const offset = d.offset;
    let c = 0;
    for (let k = 0; k < m; k++) {
      const i = cands === null ? k : cands[k]!;
      if (nulls !== null && isNullAt(nulls, offset + i)) continue;
      if (flags[keys[i]!] === match) out[c++] = i;
    }
    return c;
  };
}

// ---------------------------------------------------------------------------------------------
// Compilation

type Comparison = 'eq' | 'lt' | 'lte' | 'gt' | 'gte';

class Compiler {
  readonly #schema: Schema;
  readonly slots: ColumnInfo[] = [];

  constructor(schema: Schema) {
    this.#schema = schema;
  }

  #slot(field: string, path: string): { slot: number; info: ColumnInfo } {
    const existing = this.slots.findIndex((info) => info.name === field);
    if (existing >= 0) return { slot: existing, info: this.slots[existing]! };
    const info = lookupColumn(this.#schema, field, path);
    this.slots.push(info);
    return { slot: this.slots.length - 1, info };
  }

  compile(filter: Filter, path: string): Exec {
    switch (filter.op) {
      case 'and':
      case 'or':
        return new JunctionExec(filter.op, filter.filters.map((child, i) => this.compile(child, `${path}.filters[${i}]`)));
      case 'not':
        return new NotExec(this.compile(filter.filter, `${path}.filter`));
      case 'isNull':
      case 'isNotNull': {
        const { slot, info } = this.#slot(filter.field, path);
        const kernel = nullKernel(info.kind === 'null');
        const isNull = filter.op === 'isNull';
        return new LeafExec(slot, { kernel, want: isNull }, { kernel, want: !isNull });
      }
      case 'between': {
        if (filter.low === null || filter.high === null) {
          // x between a and b  ≡  x >= a and x <= b, also for which rows are unknown vs false.
          return this.compile({ op: 'and', filters: [{ op: 'gte', field: filter.field, value: filter.low }, { op: 'lte', field: filter.field, value: filter.high }] }, path);
        }
        const { slot, info } = this.#slot(filter.field, path);
        if (info.kind === 'null') return new LeafExec(slot, null, null); // unknown for every row, as a comparison
        return this.#leaf(slot, this.#between(info, filter.low, filter.high, path));
      }
      case 'eq':
      case 'ne':
      case 'lt':
      case 'lte':
      case 'gt':
      case 'gte': {
        const { slot, info } = this.#slot(filter.field, path);
        if (filter.value === null || info.kind === 'null') {
          if (info.kind !== 'null') this.#checkComparable(info, filter.op, path);
          return new LeafExec(slot, null, null); // a comparison with null is unknown for every row
        }
        const op = filter.op === 'ne' ? 'eq' : filter.op;
        const kernel = this.#comparison(info, op, filter.value, `${path}.value`);
        return this.#leaf(slot, kernel, filter.op === 'ne');
      }
      case 'in':
      case 'notIn': {
        const { slot, info } = this.#slot(filter.field, path);
        const isIn = filter.op === 'in';
        // x in () is false for every row (an empty OR), so not in () is true for every row.
        if (filter.values.length === 0) return new JunctionExec(isIn ? 'or' : 'and', []);
        const members = filter.values.filter((value): value is Exclude<Scalar, null> => value !== null);
        const hasNull = members.length < filter.values.length;
        if (info.kind === 'null') return new LeafExec(slot, null, null);
        this.#checkComparable(info, 'eq', path);
        const kernel = members.length === 0 ? constantKernel(false) : this.#membership(info, members, `${path}.values`);
        const side = (want: boolean): Side => ({ kernel, want });
        if (!hasNull) return new LeafExec(slot, side(isIn), side(!isIn));
        // A null in the list makes every non-member unknown: `in` is never false, `not in` never true.
        return isIn ? new LeafExec(slot, side(true), null) : new LeafExec(slot, null, side(true));
      }
      case 'contains':
      case 'startsWith':
      case 'endsWith': {
        const { slot, info } = this.#slot(filter.field, path);
        this.#checkText(info, filter.op, path);
        if (info.kind === 'null') return new LeafExec(slot, null, null);
        return this.#leaf(slot, this.#text(info, textKernel(substringTest(filter.op, filter.value, filter.caseSensitive !== false))));
      }
      case 'matches': {
        const { slot, info } = this.#slot(filter.field, path);
        this.#checkText(info, 'matches', path);
        checkPattern(filter.pattern, filter.flags, path);
        // Compiled now when RE2 is loaded (an export loads it before it reads the source), else at
        // the first value: a filter checked on the page is compiled but never run there.
        const re = regexEngineLoaded() ? compileRegex(filter.pattern, filter.flags, path) : null;
        if (info.kind === 'null') return new LeafExec(slot, null, null);
        return this.#leaf(slot, this.#text(info, textKernel(regexTest(re, filter.pattern, filter.flags, path))));
      }
      default:
        return unhandledOp(filter);
    }
  }

  #leaf(slot: number, kernel: Kernel, invert = false): Exec {
    return new LeafExec(slot, { kernel, want: !invert }, { kernel, want: invert });
  }

  #text(info: ColumnInfo, kernel: Kernel): Kernel {
    return info.kind === 'dictUtf8' ? dictionaryKernel(kernel) : kernel;
  }

  #isText(info: ColumnInfo): boolean {
    return info.kind === 'utf8' || info.kind === 'largeUtf8' || info.kind === 'dictUtf8';
  }

  #checkText(info: ColumnInfo, op: string, path: string): void {
    if (!this.#isText(info) && info.kind !== 'null') {
      throw new ExportError('invalid_filter', `invalid filter at ${path}: "${op}" needs a text column; "${info.name}" is ${String(info.type)}`, {
        details: { path, column: info.name },
      });
    }
  }

  #checkComparable(info: ColumnInfo, op: string, path: string): void {
    if (info.kind === 'bool' && op !== 'eq' && op !== 'ne') {
      throw new ExportError('invalid_filter', `invalid filter at ${path}: "${op}" cannot order booleans; column "${info.name}" is Bool (use = or in)`, {
        details: { path, column: info.name },
      });
    }
  }

  #comparison(info: ColumnInfo, op: Comparison, value: Exclude<Scalar, null>, path: string): Kernel {
    this.#checkComparable(info, op, path);
    switch (info.kind) {
      case 'bool': {
        const b = coerceBoolean(value, info, path);
        return boolKernel(b, !b);
      }
      case 'float': {
        const r = floatRange(op, coerceNumeric(value, info, path) as number);
        return numberRangeKernel(r.lo, r.hi, r.nan);
      }
      case 'int':
      case 'int64':
      case 'uint64':
        return this.#intKernel(info, intRange(op, coerceNumeric(value, info, path), info.min, info.max));
      default: {
        const text = encoder.encode(coerceText(value, info, path));
        if (op === 'eq') return this.#text(info, textEqualsKernel(text));
        const test = op === 'lt' ? textRangeTest(null, false, text, false)
          : op === 'lte' ? textRangeTest(null, false, text, true)
          : op === 'gt' ? textRangeTest(text, false, null, false)
          : textRangeTest(text, true, null, false);
        return this.#text(info, textKernel(test));
      }
    }
  }

  #between(info: ColumnInfo, low: Exclude<Scalar, null>, high: Exclude<Scalar, null>, path: string): Kernel {
    this.#checkComparable(info, 'between', path);
    switch (info.kind) {
      case 'float': {
        const r: FloatRange = intersectFloat(
          floatRange('gte', coerceNumeric(low, info, `${path}.low`) as number),
          floatRange('lte', coerceNumeric(high, info, `${path}.high`) as number),
        );
        return numberRangeKernel(r.lo, r.hi, r.nan);
      }
      case 'int':
      case 'int64':
      case 'uint64': {
        const a = intRange('gte', coerceNumeric(low, info, `${path}.low`), info.min, info.max);
        const b = intRange('lte', coerceNumeric(high, info, `${path}.high`), info.min, info.max);
        return this.#intKernel(info, { lo: a.lo > b.lo ? a.lo : b.lo, hi: a.hi < b.hi ? a.hi : b.hi });
      }
      default: {
        const lo = encoder.encode(coerceText(low, info, `${path}.low`));
        const hi = encoder.encode(coerceText(high, info, `${path}.high`));
        return this.#text(info, textKernel(textRangeTest(lo, true, hi, true)));
      }
    }
  }

  #intKernel(info: ColumnInfo, range: IntRange): Kernel {
    if (range.lo > range.hi) return constantKernel(false);
    if (info.kind === 'int') return numberRangeKernel(Number(range.lo), Number(range.hi), false);
    return int64RangeKernel(range, info.kind === 'uint64', info.min, info.max);
  }

  #membership(info: ColumnInfo, members: Array<Exclude<Scalar, null>>, path: string): Kernel {
    switch (info.kind) {
      case 'bool': {
        const set = new Set(members.map((value, i) => coerceBoolean(value, info, `${path}[${i}]`)));
        return boolKernel(set.has(true), set.has(false));
      }
      case 'float':
        return numberSetKernel(new Set(members.map((value, i) => coerceNumeric(value, info, `${path}[${i}]`) as number)));
      case 'int':
      case 'int64':
      case 'uint64': {
        // A value with a fraction, or out of the column's range, can equal no stored value.
        const whole = members
          .map((value, i) => exactInteger(coerceNumeric(value, info, `${path}[${i}]`)))
          .filter((v): v is bigint => v !== null && v >= info.min && v <= info.max);
        if (whole.length === 0) return constantKernel(false);
        if (info.kind === 'int') return numberSetKernel(new Set(whole.map(Number)));
        return int64SetKernel([...new Set(whole)], info.kind === 'uint64');
      }
      default:
        return this.#text(info, textSetKernel(members.map((value, i) => coerceText(value, info, `${path}[${i}]`))));
    }
  }
}

/**
 * Binds a filter to a schema: checks every column exists (`unknown_column`, with a did-you-mean),
 * coerces literals to the column types and rejects operators that cannot apply (`invalid_filter`),
 * all before any row is read. The result evaluates batches of that schema.
 *
 * Supported column types: Float32/64, Int8–64, Uint8–64, Bool, Utf8, LargeUtf8, Dictionary<Utf8>,
 * Timestamp (any unit; literals are ISO text in UTC, `{$date}` or epoch milliseconds), Date32/Date64,
 * Null. Others (Decimal, Float16, Utf8View, List, Struct, Time, Interval…) fail with `invalid_filter`
 * when the filter reads them.
 *
 * @example const compiled = compileFilter(parseFilter('amount > 100'), batch.schema); compiled.evaluate(batch)
 */
export function compileFilter(filter: Filter, schema: Schema, options: CompileFilterOptions = {}): CompiledFilter {
  validateFilter(filter);
  const tree = options.optimize === false ? filter : optimizeFilter(filter);
  let compiler = new Compiler(schema);
  let root = compiler.compile(tree, 'filter');
  let slots = compiler.slots;
  const fields = filterFields(tree);
  let lastSchema: Schema = schema;
  let indexes = slots.map((info) => info.index);
  let cols: Data[] = new Array<Data>(slots.length);
  return {
    fields,
    evaluate(batch: RecordBatch, candidates: Uint32Array | null = null): Uint32Array | null {
      if (batch.schema !== lastSchema) {
        // A later batch may order its columns differently (matched by name), or have widened one
        // (a stream's column that was all null, or int32 until a fraction): compiled again for it.
        const widened = slots.some((info) => {
          const field = batch.schema.fields.find((candidate) => candidate.name === info.name);
          if (field === undefined) throw new ExportError('unknown_column', `filter: column "${info.name}" is missing from a later batch`, { details: { column: info.name } });
          return field.type.typeId !== info.type.typeId;
        });
        if (widened) {
          compiler = new Compiler(batch.schema);
          root = compiler.compile(tree, 'filter');
          slots = compiler.slots;
          cols = new Array<Data>(slots.length);
        }
        indexes = slots.map((info) => batch.schema.fields.findIndex((field) => field.name === info.name));
        lastSchema = batch.schema;
      }
      const children = batch.data.children;
      for (let s = 0; s < indexes.length; s++) cols[s] = children[indexes[s]!]!;
      const n = batch.numRows;
      const kept = root.run(cols, candidates, n, true);
      if (kept === null) return null;
      if (candidates === null && kept.length === n) return null;
      // A short view of a large scratch buffer would pin that buffer while the chunk lives.
      return kept.byteLength * 2 < kept.buffer.byteLength ? kept.slice() : kept;
    },
  };
}
