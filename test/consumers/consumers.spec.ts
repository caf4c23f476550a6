/**
 * The package as its users get it: the packed tarball installed into a fresh Vite app and a
 * fresh webpack app, each built with its bundler's defaults, served as static files, and run in
 * Chromium. The export worker and the Parquet wasm must be found by the bundlers with no
 * configuration; the files the page exports are read back in Node by papaparse and hyparquet.
 *
 * Run with `npm run test:consumers` (the global setup packs, installs and builds first).
 */
import { expect, test, type Page } from '@playwright/test';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import { CONSUMER_APPS, REACT_APP } from './setup/apps.js';
import { serveStatic, type StaticServer } from './setup/static-server.js';

/** A row as the apps export it; JSON-safe so it can be handed to the page. */
interface Row {
  id: number;
  name: string;
  score: number;
  active: boolean;
  note: string | null;
}

/** What the apps' `window.sluiceConsumer` calls return. */
type Outcome =
  | { ok: true; base64: string; blobType?: string; rowsWritten?: number; bytesWritten?: number; fileName?: string; thread?: string | null }
  | { ok: false; code: string; message: string };

declare global {
  interface Window {
    sluiceConsumer: {
      exportData(rows: Row[], format: string, compression?: 'none' | 'gzip'): Promise<Outcome>;
      exportStream(rows: Row[], format: string): Promise<Outcome>;
    };
    /** The React app's last result (set from the job's snapshot). */
    sluiceReactResult?: { rowsRead: number; rowsWritten: number; bytesWritten: number; blob?: Blob };
    /** Every value the React app's progress bar showed, sampled each frame. */
    progressSeen?: number[];
  }
}

/** Text that CSV must quote (delimiter, quote, line breaks) and text outside ASCII. */
const NAMES = ['plain', 'comma, inside', 'quote " inside', 'line\nbreak', 'crlf\r\nbreak', 'ünïcødé 雪 😀', 'tab\tinside'];
const ROW_COUNT = 5_000;
const ROWS: Row[] = Array.from({ length: ROW_COUNT }, (_, i) => ({
  id: i,
  name: `${NAMES[i % NAMES.length] as string} ${i}`,
  score: i * 0.25,
  active: i % 3 === 0,
  note: i % 5 === 0 ? null : `note ${i}`,
}));
const PARQUET_MAGIC = 'PAR1';

function bytesOf(outcome: Outcome): Buffer {
  if (!outcome.ok) throw new Error(`the export failed in the page: ${outcome.code}: ${outcome.message}`);
  return Buffer.from(outcome.base64, 'base64');
}

/** Checks CSV bytes with papaparse against {@link ROWS}. */
function expectCsvRows(bytes: Buffer): void {
  const parsed = Papa.parse<Record<string, string>>(bytes.toString('utf8'), { header: true, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  expect(parsed.meta.fields).toEqual(['id', 'name', 'score', 'active', 'note']);
  // Numbers are compared as numbers: how the writer spells them (1 or 1.0) is its own tests' concern.
  const got = parsed.data.map((row) => ({ id: Number(row.id), name: row.name, score: Number(row.score), active: row.active, note: row.note }));
  const want = ROWS.map((row) => ({ id: row.id, name: row.name, score: row.score, active: String(row.active), note: row.note ?? '' }));
  // One comparison of the whole table: a per-row expect costs seconds at this size.
  expect(got).toEqual(want);
}

/** Checks Parquet bytes with hyparquet against {@link ROWS}. */
async function expectParquetRows(bytes: Buffer): Promise<void> {
  expect(bytes.subarray(0, 4).toString('latin1')).toBe(PARQUET_MAGIC);
  expect(bytes.subarray(-4).toString('latin1')).toBe(PARQUET_MAGIC);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  expect(Number(parquetMetadata(file).num_rows)).toBe(ROW_COUNT);
  const rows = await parquetReadObjects({ file });
  // Integer columns may be INT32 or INT64 (bigint) depending on inference; the values are what matter here.
  const plain = rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value])));
  expect(plain).toEqual(ROWS);
}

/** Everything that went wrong on a page: uncaught errors, console errors, failed or refused requests. */
function watchPage(page: Page): string[] {
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') problems.push(`console ${message.type()}: ${message.text()}`);
  });
  page.on('requestfailed', (request) => problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`));
  page.on('response', (response) => {
    if (response.status() >= 400) problems.push(`HTTP ${response.status()}: ${response.url()}`);
  });
  return problems;
}

async function openApp(page: Page, server: StaticServer): Promise<void> {
  await page.goto(`${server.origin}/`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true');
}

/** The page's JavaScript at start-up, at most (gzip): comlink and the page side of exportData. */
const PAGE_ENTRY_BUDGET = 15_000;
/** The worker's JavaScript a CSV export loads, at most (gzip). */
const CSV_WORKER_BUDGET = 60_000;

/**
 * The JavaScript files among `requests`, each gzip-compressed (level 9) on its own as a web
 * server would send it, and their total.
 */
function javascriptSize(distDir: string, requests: StaticServer['requests']): { total: number; files: string[] } {
  const files = [...new Set(requests.filter((request) => request.status === 200 && /\.m?js$/.test(request.path)).map((request) => request.path))];
  let total = 0;
  const described = files.map((path) => {
    const bytes = gzipSync(readFileSync(join(distDir, decodeURIComponent(path))), { level: 9 }).byteLength;
    total += bytes;
    return `${path} ${(bytes / 1000).toFixed(1)} kB`;
  });
  return { total, files: described };
}

/** The `.wasm` requests the server answered after the first `since` requests. */
const wasmRequests = (server: StaticServer, since: number) => server.requests.slice(since).filter((request) => request.path.endsWith('.wasm'));

for (const app of CONSUMER_APPS) {
  test.describe(`${app.name} (${app.bundler}, default configuration)`, () => {
    let server: StaticServer;
    test.beforeAll(async () => {
      server = await serveStatic(app.distDir);
    });
    test.afterAll(async () => {
      await server.close();
    });

    test('the build emits the Parquet wasm as a file of its own, not inlined', () => {
      const files = readdirSync(app.distDir, { recursive: true, encoding: 'utf8' });
      const wasm = files.filter((name) => name.endsWith('.wasm'));
      expect(wasm.length).toBeGreaterThanOrEqual(1);
      for (const name of wasm) expect(readFileSync(join(app.distDir, name)).subarray(0, 4)).toEqual(Buffer.from([0x00, 0x61, 0x73, 0x6d]));
      for (const name of files.filter((file) => /\.m?js$/.test(file))) {
        expect(readFileSync(join(app.distDir, name), 'utf8'), `${name} inlines wasm`).not.toContain('data:application/wasm');
      }
    });

    test(`exportData writes CSV in the worker to a Blob, without fetching the Parquet wasm; the page loads ≤ ${PAGE_ENTRY_BUDGET / 1000} kB and the CSV worker ≤ ${CSV_WORKER_BUDGET / 1000} kB of JavaScript (gzip)`, async ({ page }) => {
      const problems = watchPage(page);
      const workerScripts = new Set<string>();
      page.on('worker', (worker) => workerScripts.add(new URL(worker.url()).pathname));
      const since = server.requests.length;
      await openApp(page, server);
      const atStartup = server.requests.length;
      const outcome = await page.evaluate(([rows, format]) => window.sluiceConsumer.exportData(rows, format), [ROWS, 'csv'] as const);
      // What the page loaded before the export is its start-up code. Of what the export loaded, the
      // page's own lazy chunks are in the page's resource timing; the worker's requests are not
      // (a worker has a timeline of its own), except its script, which the page fetched.
      const pageLoaded = new Set(await page.evaluate(() => performance.getEntriesByType('resource').map((entry) => new URL(entry.name).pathname)));
      for (const script of workerScripts) pageLoaded.delete(script);
      const pageCode = javascriptSize(app.distDir, server.requests.slice(since, atStartup));
      const exportRequests = server.requests.slice(atStartup);
      const pageLazy = javascriptSize(app.distDir, exportRequests.filter((request) => pageLoaded.has(request.path)));
      const workerCode = javascriptSize(app.distDir, exportRequests.filter((request) => !pageLoaded.has(request.path)));
      console.log(
        `${app.name}: page start-up JavaScript ${(pageCode.total / 1000).toFixed(1)} kB gzip (${pageCode.files.join(', ')}); ` +
          `CSV worker ${(workerCode.total / 1000).toFixed(1)} kB gzip (${workerCode.files.join(', ')}); ` +
          `page code loaded with the export ${(pageLazy.total / 1000).toFixed(1)} kB gzip (${pageLazy.files.join(', ')})`,
      );
      expect(workerCode.files.length, 'the CSV export loaded its worker').toBeGreaterThanOrEqual(1);
      expect(pageCode.total, pageCode.files.join('\n')).toBeLessThanOrEqual(PAGE_ENTRY_BUDGET);
      expect(workerCode.total, workerCode.files.join('\n')).toBeLessThanOrEqual(CSV_WORKER_BUDGET);
      const bytes = bytesOf(outcome);
      expect(outcome).toMatchObject({ ok: true, thread: 'worker', rowsWritten: ROW_COUNT, bytesWritten: bytes.byteLength, fileName: 'rows.csv' });
      expect(outcome.ok && outcome.blobType).toMatch(/^text\/csv/);
      expectCsvRows(bytes);
      expect(wasmRequests(server, since)).toEqual([]);
      expect(problems).toEqual([]);
    });

    test('exportData writes Parquet in the worker, loading the wasm from the app as application/wasm', async ({ page }) => {
      const problems = watchPage(page);
      const since = server.requests.length;
      await openApp(page, server);
      const outcome = await page.evaluate(([rows, format]) => window.sluiceConsumer.exportData(rows, format), [ROWS, 'parquet'] as const);
      const bytes = bytesOf(outcome);
      expect(outcome).toMatchObject({ ok: true, thread: 'worker', rowsWritten: ROW_COUNT, bytesWritten: bytes.byteLength, fileName: 'rows.parquet' });
      expect(outcome.ok && outcome.blobType).toBe('application/vnd.apache.parquet');
      await expectParquetRows(bytes);
      const wasm = wasmRequests(server, since);
      expect(wasm.length).toBeGreaterThanOrEqual(1);
      for (const request of wasm) expect(request).toMatchObject({ status: 200, contentType: 'application/wasm' });
      expect(problems).toEqual([]);
    });

    test('exportData with gzip deflates on the compressing worker, which the app serves as a file of its own', async ({ page }) => {
      const problems = watchPage(page);
      const since = server.requests.length;
      await openApp(page, server);
      const outcome = await page.evaluate(([rows, format]) => window.sluiceConsumer.exportData(rows, format, 'gzip'), [ROWS, 'csv'] as const);
      const bytes = bytesOf(outcome);
      expect(outcome).toMatchObject({ ok: true, thread: 'worker', rowsWritten: ROW_COUNT, bytesWritten: bytes.byteLength, fileName: 'rows.csv.gz' });
      expectCsvRows(gunzipSync(bytes));
      // The compressing worker's file, found by what it sends (webpack names files by number).
      const workerFiles = readdirSync(app.distDir, { recursive: true, encoding: 'utf8' }).filter(
        (name) => /\.m?js$/.test(name) && /t:\s*["'`]ack["'`]/.test(readFileSync(join(app.distDir, name), 'utf8')),
      );
      expect(workerFiles, 'the build emitted the compressing worker as a file').toHaveLength(1);
      const compressing = server.requests.slice(since).filter((request) => request.path === `/${workerFiles[0]!.replaceAll('\\', '/')}`);
      expect(compressing.length, server.requests.slice(since).map((request) => request.path).join('\n')).toBeGreaterThanOrEqual(1);
      for (const request of compressing) expect(request.status).toBe(200);
      expect(problems).toEqual([]);
    });

    test('exportStream writes CSV and Parquet on the page thread', async ({ page }) => {
      const problems = watchPage(page);
      await openApp(page, server);
      const csv = await page.evaluate(([rows, format]) => window.sluiceConsumer.exportStream(rows, format), [ROWS, 'csv'] as const);
      expectCsvRows(bytesOf(csv));
      const parquet = await page.evaluate(([rows, format]) => window.sluiceConsumer.exportStream(rows, format), [ROWS, 'parquet'] as const);
      await expectParquetRows(bytesOf(parquet));
      expect(problems).toEqual([]);
    });
  });
}

test.describe(`${REACT_APP.name} (${REACT_APP.bundler}): export state held by React through job.subscribe / job.getSnapshot`, () => {
  let server: StaticServer;
  test.beforeAll(async () => {
    server = await serveStatic(REACT_APP.distDir);
  });
  test.afterAll(async () => {
    await server.close();
  });

  /** Samples the progress bar every frame, so the test sees what the user saw. */
  async function recordProgressBar(page: Page): Promise<void> {
    await page.evaluate(() => {
      const bar = document.querySelector('progress')!;
      window.progressSeen = [];
      const sample = (): void => {
        window.progressSeen!.push(bar.value);
        requestAnimationFrame(sample);
      };
      requestAnimationFrame(sample);
    });
  }

  test('the button exports in the worker; the bar moves to full; the file holds every row', async ({ page }) => {
    const rowCount = 300_000;
    const problems = watchPage(page);
    await page.goto(`${server.origin}/?rows=${rowCount}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const main = page.locator('main');
    await expect(main).toHaveAttribute('data-phase', 'idle');
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeDisabled();
    await recordProgressBar(page);
    await page.getByRole('button', { name: `Export ${rowCount} rows` }).click();
    await expect(main).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
    await expect(page.getByRole('status')).toHaveText(/^Wrote 300000 rows \(\d+ bytes\)\.$/);
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeDisabled();
    await expect(page.getByRole('button', { name: `Export ${rowCount} rows` })).toBeEnabled();
    const seen = await page.evaluate(() => window.progressSeen!);
    expect(seen.at(-1)).toBe(1);
    expect(seen.some((value) => value > 0 && value < 1), `the bar showed progress between empty and full (saw ${[...new Set(seen)].join(', ')})`).toBe(true);
    expect(seen, 'the bar never goes back').toEqual([...seen].sort((a, b) => a - b));

    const text = await page.evaluate(() => window.sluiceReactResult!.blob!.text());
    const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
    expect(parsed.errors).toEqual([]);
    expect(parsed.meta.fields).toEqual(['id', 'region', 'total', 'note']);
    expect(parsed.data).toHaveLength(rowCount);
    expect(parsed.data[3]).toEqual({ id: '3', region: 'apac', total: '1.13', note: 'said "hi", then\nleft' });
    expect(parsed.data.at(-1)?.id).toBe(String(rowCount - 1));
    expect(problems).toEqual([]);
  });

  test('Cancel stops a running export: phase aborted, the buttons reset, no result', async ({ page }) => {
    const rowCount = 1_000_000;
    const problems = watchPage(page);
    await page.goto(`${server.origin}/?rows=${rowCount}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true');
    const main = page.locator('main');
    await page.getByRole('button', { name: `Export ${rowCount} rows` }).click();
    await expect(main).toHaveAttribute('data-phase', 'running', { timeout: 30_000 });
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(main).toHaveAttribute('data-phase', 'aborted');
    await expect(page.getByRole('status')).toHaveText('Cancelled: nothing was written.');
    expect(await page.locator('progress').evaluate((bar: HTMLProgressElement) => bar.value)).toBeLessThan(1);
    await expect(page.getByRole('button', { name: 'Cancel' })).toBeDisabled();
    await expect(page.getByRole('button', { name: `Export ${rowCount} rows` })).toBeEnabled();
    expect(await page.evaluate(() => window.sluiceReactResult === undefined)).toBe(true);
    expect(problems).toEqual([]);
  });
});
