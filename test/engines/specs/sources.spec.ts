/**
 * Sources read inside the worker: IndexedDB and fetched files; and `preload` for offline use.
 */
import { readFileSync } from 'node:fs';
import Papa from 'papaparse';
import { assert, duckdbParquet, expectCsvRows, expectNdjsonRows, fromBase64 } from '../check.js';
import { REPO_ROOT } from '../drivers/common.js';
import { spec } from '../harness.js';
import { engineRows } from '../pages/rows.js';

const ORDERS = '/test/fixtures/sources/orders';

/** The orders fixture as papaparse reads it (every cell text). */
function ordersCsv(): string[][] {
  return Papa.parse<string[]>(readFileSync(`${REPO_ROOT}test/fixtures/sources/orders.csv`, 'utf8'), { skipEmptyLines: true }).data;
}

/** Text as the default CSV formula guard writes it: a leading `'` before `=`, `+`, `-`, `@`, tab, CR or LF, numbers left alone. */
function formulaGuarded(text: string): string {
  return /^[=+\-@\t\r\n]/.test(text) && !Number.isFinite(Number(text)) ? `'${text}` : text;
}

spec('fromIndexedDB, read in the worker: a store to CSV', async (t) => {
  await t.call('fillIndexedDB', 'engines', 'rows', 3000);
  const out = await t.run({ source: { kind: 'indexeddb', database: 'engines', store: 'rows' }, options: { format: 'csv', columns: ['id', 'name', 'amount', 'ok', 'note'] }, target: 'blob', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  assert.equal(out.result?.thread, 'worker');
  expectCsvRows(fromBase64(out.base64).toString('utf8'), 3000);
  await t.call('deleteDatabase', 'engines');
});

spec('fromIndexedDB, read in the worker: an index and a key range to NDJSON', async (t) => {
  await t.call('fillIndexedDB', 'engines', 'rows', 2000);
  const out = await t.run({
    source: { kind: 'indexeddb', database: 'engines', store: 'rows', index: 'byOk', range: { lower: 1, upper: 1 } },
    options: { format: 'ndjson', columns: ['id', 'name', 'amount', 'ok', 'note'] },
    target: 'blob',
    read: true,
  });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  // Index order is key order, then primary key order: the even ids, ascending.
  expectNdjsonRows(fromBase64(out.base64), 1000, { rows: engineRows(2000).filter((row) => row.ok) });
  await t.call('deleteDatabase', 'engines');
});

spec('fromURL, fetched and parsed in the worker: CSV to Parquet, read by DuckDB', async (t) => {
  const out = await t.run({ source: { kind: 'url', path: `${ORDERS}.csv`, format: 'csv' }, options: { format: 'parquet' }, target: 'blob', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  const { rows } = await duckdbParquet(fromBase64(out.base64));
  const [header, ...expected] = ordersCsv();
  assert.deepEqual(Object.keys(rows[0]!), header);
  assert.equal(rows.length, expected.length);
  // Numbers compare as numbers (the CSV's `5.0` is the double 5), an empty cell as null.
  const cell = (value: unknown): unknown => {
    if (value === null || value === '') return null;
    const text = String(value);
    return text.trim() !== '' && Number.isFinite(Number(text)) ? Number(text) : text;
  };
  assert.deepEqual(
    rows.map((row) => header!.map((column) => cell(row[column]))),
    expected.map((row) => row.map(cell)),
  );
});

spec('fromURL: NDJSON to CSV', async (t) => {
  const out = await t.run({ source: { kind: 'url', path: `${ORDERS}.ndjson`, format: 'ndjson' }, options: { format: 'csv' }, target: 'blob', read: true });
  assert.equal(out.error, undefined, JSON.stringify(out.error));
  // The fixture holds one malformed line (a string that never closes); the default skips it and reports it.
  const lines = readFileSync(`${REPO_ROOT}test/fixtures/sources/orders.ndjson`, 'utf8')
    .trim()
    .split('\n')
    .flatMap((line) => {
      try {
        return [JSON.parse(line) as Record<string, unknown>];
      } catch {
        return [];
      }
    });
  assert.equal(out.result?.issues.length, 1, JSON.stringify(out.result?.issues));
  assert.equal((out.result?.issues[0] as { code?: string }).code, 'malformed_input');
  const parsed = Papa.parse<Record<string, string>>(fromBase64(out.base64).toString('utf8'), { header: true, skipEmptyLines: true });
  assert.deepEqual(parsed.errors, []);
  assert.equal(parsed.data.length, lines.length);
  assert.deepEqual(parsed.meta.fields, Object.keys(lines[0]!));
  assert.deepEqual(
    parsed.data,
    lines.map((line) => Object.fromEntries(Object.entries(line).map(([k, v]) => [k, v === null ? '' : typeof v === 'string' ? formulaGuarded(v) : String(v)]))),
  );
});

spec("fromURL: a 404 is 'source_failed' naming the status", async (t) => {
  const out = await t.run({ source: { kind: 'url', path: '/__engines/status/404/missing.csv', format: 'csv' }, options: { format: 'csv' }, target: 'blob' });
  assert.equal(out.error?.code, 'source_failed');
  assert.match(out.error!.message, /404/);
});

spec('preload, then offline: IndexedDB to CSV and Parquet with no request', { timeoutMs: 180_000 }, async (t) => {
  await t.call('fillIndexedDB', 'offline', 'rows', 2000);
  await t.call('preload', ['csv', 'parquet']);
  t.server.setOffline(true);
  try {
    const csv = await t.run({ source: { kind: 'indexeddb', database: 'offline', store: 'rows' }, options: { format: 'csv', columns: ['id', 'name', 'amount', 'ok', 'note'] }, target: 'blob', read: true });
    assert.equal(csv.error, undefined, JSON.stringify(csv.error));
    expectCsvRows(fromBase64(csv.base64).toString('utf8'), 2000);
    const parquet = await t.run({ source: { kind: 'indexeddb', database: 'offline', store: 'rows' }, options: { format: 'parquet', columns: ['id', 'name', 'amount', 'ok', 'note'] }, target: 'blob', read: true });
    assert.equal(parquet.error, undefined, JSON.stringify(parquet.error));
    const { rows } = await duckdbParquet(fromBase64(parquet.base64));
    assert.deepEqual(rows, engineRows(2000));
    assert.deepEqual(t.server.offlineRequests(), [], 'requests sent while offline');
  } finally {
    t.server.setOffline(false);
  }
  await t.call('deleteDatabase', 'offline');
});

spec('offline without preload: the control — a Parquet export needs the network, and fails cleanly', async (t) => {
  await t.call('load');
  t.server.setOffline(true);
  let out;
  try {
    out = await t.run({ source: { kind: 'rows', count: 10 }, options: { format: 'parquet' }, target: 'blob' });
  } finally {
    t.server.setOffline(false);
  }
  assert.equal(out.ok, false, 'without preload the worker or the wasm cannot load offline');
  assert.ok(t.server.offlineRequests().length > 0, 'the offline switch saw the requests');
  t.note(`without preload: ${out.error?.code}: ${out.error?.message}`);
});
