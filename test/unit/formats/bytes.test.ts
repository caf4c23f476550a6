/**
 * The hand-written byte writers against the JavaScript built-ins they stand in for, over edge cases
 * and many seeded random values.
 */
import { describe, expect, it } from 'vitest';
import { writeIsoDate, writeNumber } from '../../../src/formats/bytes.js';
import { seededRandom } from '../filter/helpers.js';

const buf = new Uint8Array(64);
const ascii = (end: number): string => String.fromCharCode(...buf.subarray(0, end));

describe('writeIsoDate', () => {
  const random = seededRandom(7);
  const edges = [0, -1, 1, 86_399_999, 86_400_000, -86_400_000, -62_167_219_200_000, -62_167_219_200_001, 253_402_300_799_999, 253_402_300_800_000, 8.64e15, -8.64e15, 951_782_400_000, 4_107_542_400_000];
  const randoms = Array.from({ length: 200_000 }, (_, i) => {
    const span = i % 3 === 0 ? 8.64e15 : i % 3 === 1 ? 4e12 : 3e11;
    return Math.floor((random() * 2 - 1) * span);
  });

  it('writes what toISOString writes, and its date part, for edges and 200,000 random instants', () => {
    for (const ms of [...edges, ...randoms]) {
      const iso = new Date(ms).toISOString();
      const full = ascii(writeIsoDate(buf, 0, ms, false));
      if (full !== iso) expect(full, `ms ${ms}`).toBe(iso);
      const day = ascii(writeIsoDate(buf, 0, ms, true));
      if (day !== iso.slice(0, -14)) expect(day, `ms ${ms}`).toBe(iso.slice(0, -14));
    }
  });

  it('gives the right day when two days share a cache slot', () => {
    const a = Date.UTC(2024, 0, 1);
    const b = a + 4096 * 86_400_000; // the same slot, 4096 days later
    for (const ms of [a, b, a, b + 1]) expect(ascii(writeIsoDate(buf, 0, ms, false))).toBe(new Date(ms).toISOString());
  });
});

describe('writeNumber', () => {
  it('writes what String writes for edge cases', () => {
    const values = [0, -0, 1, -1, 0.1, 0.2, 0.3, 1 / 3, 2 / 3, 1e-7, 1.5e-7, 1e-6, 123e-20, 1e21, 1e20, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), Number.MAX_VALUE, Number.MIN_VALUE, -Number.MIN_VALUE, 5e-324, 2.2250738585072014e-308, Number.EPSILON, 0.1 + 0.2, 1234.5678, 99.99, 100.005, 1.005, 4.35, 0.000001234, 9007199254740.99, 9.95, 1e15 + 0.5, 1e16, 123456789012345680000, NaN, Infinity, -Infinity];
    for (const value of values) expect(ascii(writeNumber(buf, 0, value)), String(value)).toBe(String(value));
  });

  it('writes what String writes for 1,100,000 seeded random doubles of every shape', () => {
    const random = seededRandom(11);
    const bits = new Float64Array(1);
    const words = new Uint32Array(bits.buffer);
    const shapes: Array<() => number> = [
      () => random() * 100, // full-precision scores
      () => random(),
      () => -random() * 1e6,
      () => random() * 10 ** (Math.floor(random() * 24) - 8), // every decimal exponent around the fast path
      () => Math.round(random() * 1e6) / 1000, // few decimals
      () => Math.round(random() * 1e9) / 1e7,
      () => 1 / (1 + Math.floor(random() * 1000)),
      () => 2 ** (Math.floor(random() * 80) - 30) * (1 + (random() < 0.5 ? Number.EPSILON : -Number.EPSILON / 2)), // powers of two and neighbours
      () => {
        words[0] = Math.floor(random() * 2 ** 32);
        words[1] = Math.floor(random() * 2 ** 32);
        return bits[0]!; // any bit pattern
      },
      () => Math.floor(random() * 1e17) / 10 ** Math.floor(random() * 18), // 16 and 17 significant digits
      () => (random() < 0.5 ? -1 : 1) * Math.floor(random() * 10 ** Math.floor(random() * 17)), // integers of every length
    ];
    let checked = 0;
    for (let i = 0; i < 100_000; i++) {
      for (const shape of shapes) {
        const value = shape();
        const written = ascii(writeNumber(buf, 0, value));
        if (written !== String(value)) expect(written, `bits of ${String(value)}`).toBe(String(value));
        checked++;
      }
    }
    expect(checked).toBe(1_100_000);
  });
});
