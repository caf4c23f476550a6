/**
 * The download fallback in Firefox, which has no `showSaveFilePicker`: `exportData` with the
 * default target (`'auto'`) must save through a download, and the downloaded file must hold the
 * rows. Firefox ESR is driven by puppeteer-core over WebDriver BiDi; the page is served by the
 * browser-test server (test/server/serve.ts) from the built package in `dist/`.
 *
 *   npm run build && npx tsx --test test/consumers/firefox/firefox.test.ts
 *
 * Needs Firefox: `apt-get install -y firefox-esr` (Debian), or `SLUICE_FIREFOX=/path/to/firefox`.
 */
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import puppeteer, { type Browser, type BrowserContext, type Page } from 'puppeteer-core';
import type { DownloadOutcome } from './download-page.js';

const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
/** Downloads land here, inside the repository's ignored test-results/. */
const DOWNLOAD_DIR = join(REPO_ROOT, 'test-results', 'consumers-firefox', 'downloads');
const PAGE_PATH = '/test/consumers/firefox/download.html';
const FIREFOX_PATHS = ['/usr/bin/firefox-esr', '/usr/bin/firefox'] as const;
const NO_FIREFOX = `No Firefox found (looked at $SLUICE_FIREFOX, ${FIREFOX_PATHS.join(', ')}). Install one: apt-get install -y firefox-esr`;

interface Row {
  id: number;
  name: string;
  amount: number;
  ok: boolean;
}

/** Text that CSV must quote, and text outside ASCII. */
const NAMES = ['plain', 'comma, inside', 'quote " inside', 'line\nbreak', 'ünïcødé 雪'];
const ROWS: Row[] = Array.from({ length: 3_000 }, (_, i) => ({ id: i, name: `${NAMES[i % NAMES.length] as string} ${i}`, amount: i * 0.5, ok: i % 2 === 0 }));

function findFirefox(): string {
  const fromEnv = process.env.SLUICE_FIREFOX?.trim();
  const candidates = fromEnv ? [fromEnv] : FIREFOX_PATHS;
  for (const path of candidates) {
    try {
      if (statSync(path).isFile()) {
        accessSync(path, constants.X_OK);
        return path;
      }
    } catch {
      // Not there: try the next one.
    }
  }
  throw new Error(fromEnv ? `$SLUICE_FIREFOX is set to "${fromEnv}", which is not an executable file.\n${NO_FIREFOX}` : NO_FIREFOX);
}

/** A port that was free a moment ago (the test server needs a fixed one on its command line). */
async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const probe = createServer();
    probe.once('error', fail);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? done(address.port) : fail(new Error('no port'))));
    });
  });
}

/** Starts test/server/serve.ts on `port` and waits for its health URL. */
async function startTestServer(port: number): Promise<{ origin: string; process: ChildProcess; output: () => string }> {
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const child = spawn(tsx, ['test/server/serve.ts'], { cwd: REPO_ROOT, env: { ...process.env, SLUICE_TEST_PORT: String(port) }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout?.setEncoding('utf8').on('data', (text: string) => (output += text));
  child.stderr?.setEncoding('utf8').on('data', (text: string) => (output += text));
  const origin = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the test server exited with ${child.exitCode}:\n${output}`);
    const healthy = await fetch(`${origin}/__sluice/health`).then(
      (response) => response.ok,
      () => false,
    );
    if (healthy) return { origin, process: child, output: () => output };
    await new Promise((done) => setTimeout(done, 250));
  }
  child.kill('SIGTERM');
  throw new Error(`the test server did not answer on ${origin} within 60 s:\n${output}`);
}

/**
 * Waits until `fileName` is in the download folder with `size` bytes and no download in flight:
 * Firefox may create the file empty at the start, writes `<name>.part` meanwhile, and renames it
 * at the end.
 */
async function waitForDownload(fileName: string, size: number, timeoutMs = 30_000): Promise<Buffer> {
  const path = join(DOWNLOAD_DIR, fileName);
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const partial = readdirSync(DOWNLOAD_DIR).some((name) => name.endsWith('.part'));
    if (!partial && existsSync(path) && statSync(path).size === size) return readFileSync(path);
    await new Promise((done) => setTimeout(done, 100));
  }
  const found = readdirSync(DOWNLOAD_DIR).map((name) => `${name} (${statSync(join(DOWNLOAD_DIR, name)).size} bytes)`);
  throw new Error(`no complete ${fileName} of ${size} bytes in ${DOWNLOAD_DIR} after ${timeoutMs} ms; it holds: ${found.join(', ') || 'nothing'}`);
}

describe('Firefox: exportData with target auto falls back to a download', () => {
  let server: Awaited<ReturnType<typeof startTestServer>> | undefined;
  let browser: Browser | undefined;
  let context: BrowserContext;
  let page: Page;
  const pageErrors: string[] = [];

  before(async () => {
    const firefox = findFirefox();
    if (!existsSync(join(REPO_ROOT, 'dist', 'index.js'))) throw new Error('no dist/index.js: run `npm run build` first');
    await rm(DOWNLOAD_DIR, { recursive: true, force: true });
    await mkdir(DOWNLOAD_DIR, { recursive: true });
    server = await startTestServer(await freePort());
    browser = await puppeteer.launch({ browser: 'firefox', executablePath: firefox, headless: true, protocol: 'webDriverBiDi' });
    // WebDriver BiDi's browser.setDownloadBehavior: downloads go to this folder, no dialog.
    context = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: DOWNLOAD_DIR } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(`console error: ${message.text()}`);
    });
    await page.goto(`${server.origin}${PAGE_PATH}`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', { timeout: 60_000 });
  });

  after(async () => {
    await browser?.close();
    if (server !== undefined) {
      const exited = new Promise((done) => server?.process.once('exit', done));
      server.process.kill('SIGTERM');
      await Promise.race([exited, new Promise((done) => setTimeout(done, 5_000))]);
    }
  });

  it('downloads a CSV file that papaparse reads back as the rows', async () => {
    const outcome = (await page.evaluate((rows, name) => window.sluiceDownload!.run(rows, 'csv', name), ROWS as unknown as Array<Record<string, unknown>>, 'rows.csv')) as DownloadOutcome;
    assert.equal(outcome.hasSavePicker, false, 'Firefox has no save picker, so target auto must fall back');
    assert.deepEqual(outcome, { ok: true, hasSavePicker: false, rowsWritten: ROWS.length, bytesWritten: outcome.bytesWritten, fileName: 'rows.csv', thread: 'worker', hasBlob: false });
    const bytes = await waitForDownload('rows.csv', outcome.bytesWritten ?? -1);
    const parsed = Papa.parse<Record<string, string>>(bytes.toString('utf8'), { header: true, skipEmptyLines: true });
    assert.deepEqual(parsed.errors, []);
    assert.deepEqual(parsed.meta.fields, ['id', 'name', 'amount', 'ok']);
    assert.deepEqual(
      parsed.data.map((row) => ({ id: Number(row.id), name: row.name, amount: Number(row.amount), ok: row.ok === 'true' })),
      ROWS,
    );
    assert.deepEqual(pageErrors, []);
  });

  it('downloads a Parquet file (wasm in a Firefox worker) that hyparquet reads back as the rows', async () => {
    const outcome = (await page.evaluate((rows, name) => window.sluiceDownload!.run(rows, 'parquet', name), ROWS as unknown as Array<Record<string, unknown>>, 'rows.parquet')) as DownloadOutcome;
    assert.deepEqual(outcome, { ok: true, hasSavePicker: false, rowsWritten: ROWS.length, bytesWritten: outcome.bytesWritten, fileName: 'rows.parquet', thread: 'worker', hasBlob: false });
    const bytes = await waitForDownload('rows.parquet', outcome.bytesWritten ?? -1);
    const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
    const rows = await parquetReadObjects({ file });
    assert.deepEqual(
      rows.map((row) => Object.fromEntries(Object.entries(row).map(([key, value]) => [key, typeof value === 'bigint' ? Number(value) : value]))),
      ROWS,
    );
    assert.deepEqual(pageErrors, []);
  });
});
