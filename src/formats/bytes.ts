/**
 * Byte-level writing for the text formats.
 *
 * Written by hand because it is the hot path: numbers, dates and UTF-8 text go straight into a
 * Uint8Array instead of through JavaScript strings (papaparse builds one string per file and fails
 * near a million rows; `String(number)` and `Date#toISOString` dominate a naive encoder).
 */

/** A growable output buffer. `take()` hands the bytes over and starts a fresh buffer. */
export class ByteWriter {
  buf: Uint8Array;
  pos = 0;

  constructor(initialCapacity = 1 << 16) {
    this.buf = new Uint8Array(initialCapacity);
  }

  /** Makes room for `extra` more bytes. */
  reserve(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  /** Appends bytes. */
  bytes(source: Uint8Array, start = 0, end = source.length): void {
    const length = end - start;
    this.reserve(length);
    const buf = this.buf;
    let pos = this.pos;
    if (length < 16) {
      // A loop beats `set(subarray())` for short runs: no view object is created.
      for (let i = start; i < end; i++) buf[pos++] = source[i]!;
    } else {
      buf.set(source.subarray(start, end), pos);
      pos += length;
    }
    this.pos = pos;
  }

  /** Appends one byte. */
  byte(value: number): void {
    if (this.pos >= this.buf.length) this.reserve(1);
    this.buf[this.pos++] = value;
  }

  /** Appends ASCII text (numbers, keywords). */
  ascii(text: string): void {
    const length = text.length;
    this.reserve(length);
    const buf = this.buf;
    let pos = this.pos;
    for (let i = 0; i < length; i++) buf[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** Appends any text as UTF-8 (lone surrogates become U+FFFD, as TextEncoder does). */
  text(text: string): void {
    if (isAscii(text)) {
      this.ascii(text);
      return;
    }
    this.bytes(encoder.encode(text));
  }

  /** Appends a number as JavaScript's shortest round-trip text. */
  number(value: number): void {
    this.reserve(32);
    this.pos = writeNumber(this.buf, this.pos, value);
  }

  /**
   * Hands over a copy of the bytes written so far and starts again in the same buffer. A copy into
   * a buffer of its own size is cheaper than a fresh buffer for the writer, which the allocator
   * must zero (and the system map) before a byte is written.
   */
  take(): Uint8Array {
    const out = this.buf.slice(0, this.pos);
    this.pos = 0;
    return out;
  }
}

const encoder = new TextEncoder();

/** Copies `bytes` into `buf` at `pos` (room is the caller's); returns the new position. A loop: no view is made for a few bytes. */
export function put(buf: Uint8Array, pos: number, bytes: Uint8Array): number {
  for (let i = 0; i < bytes.length; i++) buf[pos++] = bytes[i]!;
  return pos;
}

/** UTF-8 bytes of a string (lone surrogates become U+FFFD). */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) > 0x7f) return false;
  return true;
}

// ASCII digits of 0–99, two bytes each.
const TWO_DIGITS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  TWO_DIGITS[2 * i] = 48 + Math.floor(i / 10);
  TWO_DIGITS[2 * i + 1] = 48 + (i % 10);
}

const TWO_POW_53 = 9007199254740992;

/**
 * Writes `value` as `String(value)` would, at `pos`; returns the new position. Needs 32 free bytes.
 *
 * Integers and numbers with up to two decimals (prices, amounts) are written digit by digit; that is
 * exact because IEEE division is correctly rounded: when `Math.round(v * 100) / 100 === v`, the
 * decimal `k/100` parses back to `v`, and with at most 15 significant digits no shorter decimal
 * maps to the same double, so it is also the shortest text. Everything else goes through `String`.
 */
export function writeNumber(buf: Uint8Array, pos: number, value: number): number {
  if (Number.isInteger(value)) {
    if (value < TWO_POW_53 && value > -TWO_POW_53) return writeInteger(buf, pos, value);
  } else if (value < 1e13 && value > -1e13) {
    const hundredths = Math.round(value * 100);
    if (hundredths / 100 === value) {
      let k = hundredths;
      if (k < 0) {
        buf[pos++] = 45; // '-'
        k = -k;
      }
      const whole = Math.floor(k / 100);
      const fraction = k - whole * 100;
      pos = writeInteger(buf, pos, whole);
      buf[pos++] = 46; // '.'
      const tens = (fraction / 10) | 0;
      const ones = fraction - tens * 10;
      buf[pos++] = 48 + tens;
      if (ones !== 0) buf[pos++] = 48 + ones;
      return pos;
    }
  }
  return writeShortest(buf, pos, value);
}

/** Writes `String(value)` by way of the built-in. */
function writeByString(buf: Uint8Array, pos: number, value: number): number {
  const text = String(value);
  for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
  return pos;
}

// ── Shortest round-trip digits of a double, as Number#toString chooses them ──────────────────────
//
// Written by hand because `String(double)` costs about 150 ns for a full-precision value such as a
// score or a ratio, most of a CSV row's number time. The fast path covers 1e-6 ≤ |x| < 1e15, where
// toString writes plain decimals; it needs no big-number arithmetic because every candidate is
// checked exactly:
//  1. A decimal of at most 15 significant digits is exact in a double, and so is 10^s for s ≤ 22,
//     and IEEE division rounds correctly: `m / 10^s === x` proves that m·10^-s reads back as x.
//     At most one 15-digit decimal lies in x's rounding interval (they are further apart than the
//     interval is wide), so if one reads back, it is the shortest once its trailing zeros go.
//  2. Otherwise the answer has 16 or 17 digits. x·10^k (k chosen so it lies in [1e16, 1e17)) is
//     taken exactly as p + err (Dekker's product), the interval's half-widths exactly as
//     halfUlp·10^k, and the nearest multiples of 10 (16 digits) or integers (17 digits) are
//     compared against them. A comparison closer than 1e-9 to a tie or a bound — it never happens
//     in practice — goes to String instead of being guessed.

const POW10 = new Float64Array(23);
for (let i = 0; i < 23; i++) POW10[i] = Number(`1e${i}`);
// 10^-7 … 10^16, nearest doubles: DECIMAL_POWERS[i + 7] ≈ 10^i.
const DECIMAL_POWERS = new Float64Array(24);
for (let i = -7; i <= 16; i++) DECIMAL_POWERS[i + 7] = Number(`1e${i}`);
const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves
const TWO_POW_32 = 4294967296;
const bits = new Float64Array(1);
const words = new Uint32Array(bits.buffer);
bits[0] = 1;
// The word order of a double in memory: the fast path reads the exponent from the high word.
const HIGH = words[1] === 0x3ff00000 ? 1 : 0;
const LOW = 1 - HIGH;
const TIE_MARGIN = 1e-9;

/** The rounding error of `a * b`, which Dekker's algorithm recovers exactly: a·b = p + error. */
function productError(a: number, b: number, p: number): number {
  let t = SPLITTER * a;
  const ah = t - (t - a);
  const al = a - ah;
  t = SPLITTER * b;
  const bh = t - (t - b);
  const bl = b - bh;
  return ah * bh - p + ah * bl + al * bh + al * bl;
}

function writeShortest(buf: Uint8Array, pos: number, value: number): number {
  const x = value < 0 ? -value : value;
  if (!(x >= 1e-6 && x < 1e15)) return writeByString(buf, pos, value);
  // The decimal exponent from the binary one (log10(2) ≈ 0.30103), corrected by one comparison.
  bits[0] = x;
  let e10 = Math.floor(((words[HIGH]! >>> 20) - 1023) * 0.3010299956639812);
  if (x >= DECIMAL_POWERS[e10 + 8]!) e10++;
  // 1. At most 15 significant digits: m·10^-s with m in [1e14, 1e15). Only m = round(x·10^s) can
  //    qualify: the rounded product is within 1/16 of the exact one, and a decimal that reads back
  //    lies within 1/9 of it (half an ulp of x, scaled), so it is nearer than 1/2 to the product.
  const s = 14 - e10;
  if (s < 0 || s > 22) return writeByString(buf, pos, value);
  const scale = POW10[s]!;
  const m = Math.round(x * scale);
  if (m / scale === x) {
    if (m < 1e14 || m >= 1e15) return writeByString(buf, pos, value);
    const high = Math.floor(m / 1e8);
    return writeDigits(buf, pos, value < 0, high, m - high * 1e8, 15, e10);
  }
  // 2. 16 or 17 digits, from S = x·10^k = p + err exactly, S in [1e16, 1e17).
  const k = 16 - e10;
  if (k > 22) return writeByString(buf, pos, value);
  const power = POW10[k]!;
  const p = x * power;
  if (!(p > 1e16 + 64 && p < 1e17 - 64)) return writeByString(buf, pos, value);
  const err = productError(x, power, p);
  bits[0] = x;
  const high = words[HIGH]!;
  const low = words[LOW]!;
  const exponent = high >>> 20;
  if (exponent < 60) return writeByString(buf, pos, value);
  const even = (low & 1) === 0;
  // Half an ulp of x: 2^(exponent - 1076), built from its bits; times 10^k it is still exact.
  words[HIGH] = (exponent - 53) << 20;
  words[LOW] = 0;
  const above = bits[0]! * power;
  // Below a power of two the next smaller double is half as far.
  const below = (high & 0xfffff) === 0 && low === 0 ? above / 2 : above;
  const pHigh = Math.floor(p / TWO_POW_32);
  const pLow = p - pHigh * TWO_POW_32;
  const r = (((pHigh % 10) * 6 + ((pLow >>> 0) % 10)) | 0) % 10; // p mod 10, as 2^32 ≡ 6 (mod 10)
  // S lies `f` above the multiple of 10 at p + delta.
  let f = r + err;
  let delta = -r;
  while (f < 0) {
    f += 10;
    delta -= 10;
  }
  while (f >= 10) {
    f -= 10;
    delta += 10;
  }
  if (Math.abs(f - below) < TIE_MARGIN || Math.abs(10 - f - above) < TIE_MARGIN) return writeByString(buf, pos, value);
  const downFits = f < below || (even && f === below);
  const upFits = 10 - f < above || (even && 10 - f === above);
  if (downFits || upFits) {
    if (downFits && upFits) {
      if (Math.abs(f - 5) < TIE_MARGIN) return writeByString(buf, pos, value);
      if (f > 5) delta += 10;
    } else if (upFits) {
      delta += 10;
    }
  } else {
    // 17 digits: the nearest integer, which always lies inside (the half-widths exceed 1/2).
    const whole = Math.floor(err);
    const fraction = err - whole;
    delta = whole;
    if (fraction > 0.5 || (fraction === 0.5 && (r + whole) % 2 !== 0)) delta += 1;
  }
  // The digits of p + delta, as 9 + 8: p = pHigh·2^32 + pLow and 2^32 = 42·10^8 + 94,967,296.
  const t = pHigh * 94967296 + pLow + delta;
  const carry = Math.floor(t / 1e8);
  const top = pHigh * 42 + carry;
  if (top < 1e8 || top >= 1e9) return writeByString(buf, pos, value);
  return writeDigits(buf, pos, value < 0, top, t - carry * 1e8, 17, e10);
}

/**
 * Writes the `count` significant digits `high` (count - 8 digits) and `low` (8 digits), trailing
 * zeros dropped, as toString's plain notation for a number whose first digit is at 10^e10.
 *
 * The trailing zeros are divided out first, so every kept digit is written once, right to left,
 * straight into its place (one digit buffer and a copy took about half of a full-precision
 * double's time in a CSV export).
 */
function writeDigits(buf: Uint8Array, pos: number, negative: boolean, high: number, low: number, count: number, e10: number): number {
  let lowPart = low | 0;
  let highPart = high | 0;
  let lowDigits = 8;
  let n = count;
  if (lowPart === 0) {
    lowDigits = 0;
    n -= 8;
    // highPart holds the leading digit, which is not zero: the loop ends.
    while (highPart % 10 === 0) {
      highPart = (highPart / 10) | 0;
      n--;
    }
  } else {
    while (lowPart % 10 === 0) {
      lowPart = (lowPart / 10) | 0;
      n--;
      lowDigits--;
    }
  }
  if (negative) buf[pos++] = 45;
  const integerDigits = e10 + 1;
  // Where the point goes (-1: none), where the last digit goes, and where the text ends.
  let point = -1;
  let last: number;
  let end: number;
  if (integerDigits <= 0) {
    buf[pos++] = 48;
    buf[pos++] = 46;
    for (let i = integerDigits; i < 0; i++) buf[pos++] = 48;
    end = pos + n;
    last = end - 1;
  } else if (integerDigits >= n) {
    end = pos + integerDigits;
    for (let i = pos + n; i < end; i++) buf[i] = 48;
    last = pos + n - 1;
  } else {
    point = pos + integerDigits;
    end = pos + n + 1;
    last = end - 1;
    buf[point] = 46;
  }
  let at = last;
  for (let k = 0; k < lowDigits; k++) {
    const next = (lowPart / 10) | 0;
    buf[at--] = 48 + lowPart - next * 10;
    lowPart = next;
    if (at === point) at--;
  }
  for (let k = lowDigits; k < n; k++) {
    const next = (highPart / 10) | 0;
    buf[at--] = 48 + highPart - next * 10;
    highPart = next;
    if (at === point) at--;
  }
  return end;
}

/** Writes a safe integer's decimal digits (`-0` as `0`). */
export function writeInteger(buf: Uint8Array, pos: number, value: number): number {
  if (value < 0) {
    buf[pos++] = 45;
    value = -value;
  }
  if (value < 10) {
    buf[pos++] = 48 + value;
    return pos;
  }
  // Count digits, then fill from the right, two digits a step below 10^9.
  let digits = 1;
  for (let scale = 10; scale <= value; scale *= 10) digits++;
  let end = pos + digits;
  const result = end;
  while (value >= 1e9) {
    // Beyond 2^31 `| 0` overflows: split with floating division.
    const high = Math.floor(value / 10);
    buf[--end] = 48 + (value - high * 10);
    value = high;
  }
  let small = value | 0;
  while (small >= 100) {
    const high = (small / 100) | 0;
    const pair = 2 * (small - high * 100);
    buf[--end] = TWO_DIGITS[pair + 1]!;
    buf[--end] = TWO_DIGITS[pair]!;
    small = high;
  }
  if (small >= 10) {
    buf[--end] = TWO_DIGITS[2 * small + 1]!;
    buf[--end] = TWO_DIGITS[2 * small]!;
  } else buf[--end] = 48 + small;
  return result;
}

const MS_PER_DAY = 86400000;
const DAYS_PER_MS = 1 / MS_PER_DAY;

// The `YYYY-MM-DD` text of recently written days, by day number modulo the table size: exported
// dates cluster (a few years of days at most), so the calendar arithmetic runs once per day.
const DAY_SLOTS = 4096;
const dayKeys = new Float64Array(DAY_SLOTS).fill(Number.NaN);
const dayTexts = new Uint8Array(DAY_SLOTS * 10);

/**
 * Writes integer epoch milliseconds (a safe integer) as ISO 8601 UTC (`2024-01-31T12:00:00.000Z`,
 * as `toISOString`), or as a date only (`2024-01-31`). Years outside 0–9999 take the expanded form
 * `toISOString` uses (`+010000-01-01…`, `-000001-12-31…`: a sign and at least six digits), also
 * beyond the ±275,760 years a `Date` holds.
 */
export function writeIsoDate(buf: Uint8Array, pos: number, ms: number, dateOnly: boolean): number {
  // The day from a multiplication by the reciprocal rather than a division, which takes several
  // times as long; the rounded quotient can then be a day off either way, which the remainder
  // shows. A product of the day and MS_PER_DAY that is at most |ms| is exact.
  let days = Math.floor(ms * DAYS_PER_MS);
  let rest = ms - days * MS_PER_DAY;
  if (rest < 0) {
    days--;
    rest = ms - days * MS_PER_DAY;
  } else if (rest >= MS_PER_DAY) {
    days++;
    rest = ms - days * MS_PER_DAY;
  }
  const slot = days & (DAY_SLOTS - 1);
  if (dayKeys[slot] !== days && !cacheDay(days, slot)) {
    const text = isoText(days, rest, dateOnly);
    for (let i = 0; i < text.length; i++) buf[pos++] = text.charCodeAt(i);
    return pos;
  }
  const at = slot * 10;
  for (let i = 0; i < 10; i++) buf[pos++] = dayTexts[at + i]!;
  if (dateOnly) return pos;
  // Below 86,400,000, so 32-bit: the divisions by constants compile to multiplications.
  let time = rest | 0;
  const hours = (time / 3600000) | 0;
  time -= hours * 3600000;
  const minutes = (time / 60000) | 0;
  time -= minutes * 60000;
  const seconds = (time / 1000) | 0;
  const millis = time - seconds * 1000;
  const hundreds = (millis / 100) | 0;
  const belowHundred = millis - hundreds * 100;
  buf[pos++] = 84; // 'T'
  buf[pos++] = TWO_DIGITS[2 * hours]!;
  buf[pos++] = TWO_DIGITS[2 * hours + 1]!;
  buf[pos++] = 58; // ':'
  buf[pos++] = TWO_DIGITS[2 * minutes]!;
  buf[pos++] = TWO_DIGITS[2 * minutes + 1]!;
  buf[pos++] = 58;
  buf[pos++] = TWO_DIGITS[2 * seconds]!;
  buf[pos++] = TWO_DIGITS[2 * seconds + 1]!;
  buf[pos++] = 46; // '.'
  buf[pos++] = 48 + hundreds;
  buf[pos++] = TWO_DIGITS[2 * belowHundred]!;
  buf[pos++] = TWO_DIGITS[2 * belowHundred + 1]!;
  buf[pos++] = 90; // 'Z'
  return pos;
}

/** ISO 8601 text of any integer epoch milliseconds given as a BigInt (those beyond ±2^53: the slow path). */
export function isoDateTextBig(ms: bigint, dateOnly: boolean): string {
  let days = ms / 86400000n;
  if (ms < 0n && days * 86400000n !== ms) days--;
  return isoText(Number(days), Number(ms - days * 86400000n), dateOnly);
}

/** `YYYY-MM-DD[THH:MM:SS.sssZ]` of a day number and the milliseconds into it (0 ≤ rest < 86,400,000). */
function isoText(days: number, rest: number, dateOnly: boolean): string {
  const { year, month, day } = civilFromDays(days);
  const yearText = year >= 0 && year <= 9999 ? String(year).padStart(4, '0') : `${year < 0 ? '-' : '+'}${String(Math.abs(year)).padStart(6, '0')}`;
  const date = `${yearText}-${pad2(month)}-${pad2(day)}`;
  if (dateOnly) return date;
  const hours = Math.floor(rest / 3600000);
  const minutes = Math.floor(rest / 60000) % 60;
  const seconds = Math.floor(rest / 1000) % 60;
  return `${date}T${pad2(hours)}:${pad2(minutes)}:${pad2(seconds)}.${String(rest % 1000).padStart(3, '0')}Z`;
}

const pad2 = (n: number): string => (n < 10 ? `0${n}` : String(n));

/** Howard Hinnant's civil_from_days: the proleptic Gregorian date of a day number (exact for |days| < 2^53 / 400). */
export function civilFromDays(days: number): { year: number; month: number; day: number } {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Stores the `YYYY-MM-DD` text of `days` in `slot`; false for years outside 0–9999. */
function cacheDay(days: number, slot: number): boolean {
  const { year, month, day } = civilFromDays(days);
  if (year < 0 || year > 9999) return false;
  const at = slot * 10;
  const high = Math.floor(year / 100);
  const low = year - high * 100;
  dayTexts[at] = TWO_DIGITS[2 * high]!;
  dayTexts[at + 1] = TWO_DIGITS[2 * high + 1]!;
  dayTexts[at + 2] = TWO_DIGITS[2 * low]!;
  dayTexts[at + 3] = TWO_DIGITS[2 * low + 1]!;
  dayTexts[at + 4] = 45; // '-'
  dayTexts[at + 5] = TWO_DIGITS[2 * month]!;
  dayTexts[at + 6] = TWO_DIGITS[2 * month + 1]!;
  dayTexts[at + 7] = 45;
  dayTexts[at + 8] = TWO_DIGITS[2 * day]!;
  dayTexts[at + 9] = TWO_DIGITS[2 * day + 1]!;
  dayKeys[slot] = days;
  return true;
}

/** The largest |ms| a JavaScript Date holds. */
export const MAX_DATE_MS = 8.64e15;
