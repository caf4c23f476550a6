/**
 * fromURL in Chromium: fixture files fetched (inside the worker with exportData, on the page with
 * exportStream), parsed as they stream and written to CSV, NDJSON and Parquet, read back in Node
 * by papaparse, JSON.parse and hyparquet.
 */
import { readFileSync } from 'node:fs';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { expect, parseCsv, test } from './fixtures.js';

interface Order {
  id: number;
  customer: string;
  amount: number;
  paid: boolean;
  note: string | null;
}

const FIXTURES = '/test/fixtures/sources';
const ORDERS = JSON.parse(readFileSync('test/fixtures/sources/orders.json', 'utf8')) as Order[];
const ORDERS_CSV = readFileSync('test/fixtures/sources/orders.csv', 'utf8');

const ndjsonRows = (text: string): Array<Record<string, unknown>> =>
  text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);

test.describe('fromURL', () => {
  test('fetches CSV in the worker (relative URL) and writes Parquet', async ({ sources, pageErrors }) => {
    const out = await sources.evaluate((url) => window.sluiceSources!.exportInWorker({ kind: 'url', url, options: { format: 'csv' } }, { format: 'parquet' }), `${FIXTURES}/orders.csv`);
    expect(out.result).toMatchObject({ rowsRead: 200, rowsWritten: 200, issueCount: 0, format: 'parquet' });
    const bytes = Buffer.from(out.base64!, 'base64');
    const rows = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
    // `007` stays text, so the customer column is text throughout; numbers and booleans are typed.
    expect(rows).toEqual(ORDERS.map((order) => ({ ...order })));
    expect(pageErrors).toEqual([]);
  });

  test('fetches CSV on the page and, with inferTypes: false, writes the same cells back', async ({ sources }) => {
    const out = await sources.evaluate(
      (url) => window.sluiceSources!.exportOnPage({ kind: 'url', url, options: { format: 'csv', csv: { inferTypes: false } } }, { format: 'csv', csv: { escapeFormulae: false } }),
      `${FIXTURES}/orders.csv`,
    );
    const expected = Papa.parse<Record<string, string>>(ORDERS_CSV, { header: true, skipEmptyLines: true }).data;
    expect(parseCsv(out.text)).toEqual(expected);
  });

  test('skips a malformed NDJSON line in the worker and reports its line number', async ({ sources }) => {
    const out = await sources.evaluate((url) => window.sluiceSources!.exportInWorker({ kind: 'url', url, options: { format: 'ndjson' } }, { format: 'ndjson' }), `${FIXTURES}/orders.ndjson`);
    expect(ndjsonRows(out.text)).toEqual(ORDERS.map((order) => ({ ...order })));
    expect(out.result.issueCount).toBe(1);
    expect(out.result.issues[0]).toMatchObject({ code: 'malformed_input', row: 10 });
    expect(out.result.issues[0]!.message).toMatch(/^ndjson line 11 skipped: /);

    const failed = await sources.evaluate(
      (url) => window.sluiceSources!.failure('worker', { kind: 'url', url, options: { format: 'ndjson', onInvalid: 'fail' } }, { format: 'csv' }),
      `${FIXTURES}/orders.ndjson`,
    );
    expect(failed.code).toBe('source_failed');
    expect(failed.message).toContain('orders.ndjson: ndjson line 11: ');
  });

  test('reads a JSON array and Arrow IPC in the worker', async ({ sources }) => {
    const json = await sources.evaluate((url) => window.sluiceSources!.exportInWorker({ kind: 'url', url, options: { format: 'json' } }, { format: 'ndjson' }), `${FIXTURES}/orders.json`);
    expect(ndjsonRows(json.text)).toEqual(ORDERS.map((order) => ({ ...order })));

    const arrow = await sources.evaluate(
      (url) => window.sluiceSources!.exportInWorker({ kind: 'url', url, options: { format: 'arrow' } }, { format: 'csv', csv: { escapeFormulae: false } }),
      `${FIXTURES}/orders.arrows`,
    );
    expect(parseCsv(arrow.text)).toEqual(ORDERS.map((order) => ({ id: String(order.id), customer: order.customer, amount: String(order.amount) })));
  });

  test('fails with source_failed naming the status of an HTTP error', async ({ sources, context, baseURL }) => {
    // The test server answers unknown paths with its HTML page, so the 404 comes from a route.
    await context.route('**/missing.csv', (route) => route.fulfill({ status: 404, body: 'gone' }));
    for (const where of ['page', 'worker'] as const) {
      const failed = await sources.evaluate(([w, url]) => window.sluiceSources!.failure(w, { kind: 'url', url, options: { format: 'csv' } }, { format: 'csv' }), [where, `${FIXTURES}/missing.csv`] as const);
      expect(failed, where).toEqual({ name: 'ExportError', code: 'source_failed', message: `GET ${baseURL}${FIXTURES}/missing.csv failed: 404 Not Found` });
    }
  });
});
