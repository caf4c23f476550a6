/**
 * Excel serials written as digits: the day, then up to ten decimals of the time of day.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { serialOf, writeSerial } from '../../../../src/formats/xlsx/encoder.js';

const text = (ms: number): string => {
  const buf = new Uint8Array(40);
  return new TextDecoder().decode(buf.subarray(0, writeSerial(buf, 0, ms)));
};

describe('writeSerial', () => {
  it('writes Excel serials of known instants', () => {
    expect(text(Date.UTC(1900, 0, 1))).toBe('1');
    expect(text(Date.UTC(1900, 1, 28))).toBe('59');
    expect(text(Date.UTC(1900, 1, 28, 12))).toBe('59.5');
    expect(text(Date.UTC(1900, 2, 1))).toBe('61');
    expect(text(Date.UTC(1970, 0, 1, 6))).toBe('25569.25');
    expect(text(Date.UTC(2024, 5, 1, 0, 0, 0, 1))).toBe('45444.0000000116');
    expect(text(Date.UTC(9999, 11, 31, 23, 59, 59, 999))).toBe('2958465.9999999884');
  });

  it('gives the millisecond back and stays within 1e-10 days of the exact serial', () => {
    fc.assert(
      fc.property(fc.integer({ min: Date.UTC(1900, 0, 1), max: Date.UTC(9999, 11, 31, 23, 59, 59, 999) }), (ms) => {
        const serial = Number(text(ms));
        expect(Math.abs(serial - serialOf(ms))).toBeLessThan(1e-9);
        const days = serial < 61 ? serial - 25_568 : serial - 25_569;
        expect(Math.round(days * 86_400_000)).toBe(ms);
      }),
      { numRuns: 2000 },
    );
  });
});
