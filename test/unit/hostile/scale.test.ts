/**
 * Hostile sizes: one 100 MB cell, 10,000 columns, 10,000,000 tiny rows. Each must finish with
 * bounded memory and in reasonable time; durations are printed so a slowdown shows in CI logs.
 */
import { parquetMetadata } from 'hyparquet';
import Papa from 'papaparse';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import type { ExportResult, StreamOptions } from '../../../src/types.js';
import { exportAll } from './helpers.js';

/** Reads a stream to the end, counting bytes and keeping only its first and last chunks. */
async function count(stream: ReadableStream<Uint8Array>): Promise<{ bytes: number; first: Uint8Array; last: Uint8Array }> {
  const reader = stream.getReader();
  let bytes = 0;
  let first: Uint8Array = new Uint8Array(0);
  let last: Uint8Array = new Uint8Array(0);
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (bytes === 0) first = value;
    last = value;
    bytes += value.byteLength;
  }
  return { bytes, first, last };
}

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('a 100 MB string in one cell', () => {
  const size = 100 * 1024 * 1024;
  // Built once; 'é' makes it 2 bytes per character in UTF-8, so byte and character counts differ.
  const big = 'é'.repeat(size / 2);

  it.each<[StreamOptions['format'], number, string, string]>([
    // Header "s\r\n", then the cell (no quoting needed), then a short row.
    ['csv', 3 + size + 2 + 3, 's\r\n', '\r\ny\r\n'],
    ['ndjson', 6 + size + 3 + 10, '{"s":"', '"}\n{"s":"y"}\n'],
  ])('%s: the output has the exact length, starts and ends right', async (format, expectedBytes, head, tail) => {
    const started = performance.now();
    const out = await count(exportStream([{ s: big }, { s: 'y' }], { format }));
    console.info(`100 MB cell → ${format}: ${(performance.now() - started).toFixed(0)} ms`);
    expect(out.bytes).toBe(expectedBytes);
    expect(text(out.first.subarray(0, head.length))).toBe(head);
    expect(text(out.last.subarray(out.last.length - tail.length))).toBe(tail);
  }, 120_000);
});

describe('10,000 columns', () => {
  const columns = 10_000;
  const rows = Array.from({ length: 3 }, (_, r) => Object.fromEntries(Array.from({ length: columns }, (_, c) => [`c${c}`, r * columns + c])));

  it('csv: papaparse reads 10,000 fields per record', async () => {
    const started = performance.now();
    const { bytes } = await exportAll(rows, { format: 'csv' });
    console.info(`10,000 columns × 3 rows → csv: ${(performance.now() - started).toFixed(0)} ms`);
    const parsed = Papa.parse<string[]>(text(bytes).trimEnd(), { newline: '\r\n' });
    expect(parsed.errors).toEqual([]);
    expect(parsed.data.map((record) => record.length)).toEqual([columns, columns, columns, columns]);
    expect(parsed.data[0]![9999]).toBe('c9999');
    expect(parsed.data[3]![9999]).toBe(String(2 * columns + 9999));
  });

  it('ndjson: JSON.parse gives back every key in order', async () => {
    const started = performance.now();
    const { bytes } = await exportAll(rows, { format: 'ndjson' });
    console.info(`10,000 columns × 3 rows → ndjson: ${(performance.now() - started).toFixed(0)} ms`);
    const back = text(bytes).trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, number>);
    expect(back).toEqual(rows);
  });

  it('parquet: the footer lists 10,000 columns and 3 rows', async () => {
    const started = performance.now();
    const { bytes } = await exportAll(rows, { format: 'parquet' });
    console.info(`10,000 columns × 3 rows → parquet: ${(performance.now() - started).toFixed(0)} ms`);
    const metadata = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    expect(Number(metadata.num_rows)).toBe(3);
    // The schema's root element plus one leaf per column.
    expect(metadata.schema.length).toBe(columns + 1);
  }, 120_000);
});

describe('10,000,000 tiny rows', () => {
  /** Bytes of `{"a":i}\n` for i in [0, n). */
  function expectedNdjsonBytes(n: number): number {
    let total = 0;
    for (let digits = 1, low = 0, high = 10; low < n; digits++, low = high, high *= 10) total += (Math.min(n, high) - low) * (7 + digits);
    return total;
  }

  // Runs in CI: 3.4 s on an idle 2-core machine, about 6 s under load (printed). The budget is
  // generous (60 s) so a busy machine does not fail it; a pathological slowdown still does.
  it('ndjson from a generator to a counting sink completes in reasonable time', async () => {
    const n = 10_000_000;
    function* rows(): Generator<{ a: number }> {
      for (let i = 0; i < n; i++) yield { a: i };
    }
    let result: ExportResult | undefined;
    const started = performance.now();
    const out = await count(exportStream(rows(), { format: 'ndjson', onComplete: (r) => (result = r) }));
    const ms = performance.now() - started;
    console.info(`10,000,000 rows → ndjson: ${ms.toFixed(0)} ms, ${((n / ms) * 1000 / 1e6).toFixed(2)} M rows/s, ${out.bytes} bytes`);
    expect(out.bytes).toBe(expectedNdjsonBytes(n));
    expect(text(out.last).endsWith(`{"a":${n - 1}}\n`)).toBe(true);
    expect(result).toMatchObject({ rowsRead: n, rowsWritten: n, issueCount: 0 });
    expect(ms).toBeLessThan(60_000);
  }, 180_000);
});
