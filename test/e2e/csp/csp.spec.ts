/**
 * Sluice under a strict Content-Security-Policy — `script-src 'self' 'wasm-unsafe-eval';
 * worker-src 'self'`, no 'unsafe-eval' — in Chromium: CSV and Parquet exports on the main thread
 * and in a worker that carries the same policy, with no violation reported. A control case breaks
 * the policy on purpose, on the page and in the worker, to prove the reports would be seen.
 *
 * Violations inside a worker never reach the page's listeners; only the `report-uri` endpoint of
 * the test server (/__sluice/reports) sees them, so that is what the test reads.
 */
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import { expect, test, type APIRequestContext, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import type { CspState } from '../pages/csp/csp.js';

const PAGE = '/test/e2e/pages/csp/csp.html';
const REPORTS = '/__sluice/reports';
const POLICY = "script-src 'self' 'wasm-unsafe-eval'; worker-src 'self'; report-uri /__sluice/reports";

/** What the test server stores per report: the request's content type and its parsed body. */
interface StoredReport {
  contentType: string;
  body: { 'csp-report'?: { 'violated-directive'?: string; 'effective-directive'?: string; 'blocked-uri'?: string; 'source-file'?: string; 'document-uri'?: string } };
}

async function reports(request: APIRequestContext): Promise<StoredReport[]> {
  const response = await request.get(REPORTS);
  expect(response.ok()).toBe(true);
  return (await response.json()) as StoredReport[];
}

async function openPage(page: Page, request: APIRequestContext, pageErrors: string[]): Promise<void> {
  expect(existsSync('dist/index.js'), 'dist/index.js is missing: run `npm run build` first').toBe(true);
  expect((await request.delete(REPORTS)).ok()).toBe(true);
  page.on('pageerror', (error) => pageErrors.push(error.message));
  const response = await page.goto(PAGE);
  expect(response?.status()).toBe(200);
  expect(response?.headers()['content-security-policy'], 'the page is served with the strict policy').toBe(POLICY);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
}

async function clickAndWait(page: Page, id: string): Promise<CspState> {
  await page.click(`#${id}`);
  await expect(page.locator('html')).toHaveAttribute('data-state', /^(done|failed)$/, { timeout: 90_000 });
  // Reading state is not calling the library: this evaluate only copies data out.
  return page.evaluate(() => JSON.parse(JSON.stringify(window.sluiceCsp)) as CspState);
}

test('CSV and Parquet export with no CSP violation, on the main thread and in a policed worker', async ({ page, request }) => {
  const pageErrors: string[] = [];
  await openPage(page, request, pageErrors);
  const state = await clickAndWait(page, 'run');

  expect(state.exports.map((e) => [e.name, e.error ?? 'ok'])).toEqual([
    ['main thread csv', 'ok'],
    ['main thread parquet', 'ok'],
    ['policed worker csv', 'ok'],
    ['policed worker parquet', 'ok'],
    ['default worker csv', 'ok'],
    ['default worker parquet', 'ok'],
  ]);
  expect(state.exports.map((e) => e.thread)).toEqual(['main', 'main', 'worker', 'worker', 'worker', 'worker']);
  for (const outcome of state.exports) {
    expect(outcome.rowsWritten, outcome.name).toBe(1000);
    if (outcome.format === 'csv') {
      const parsed = Papa.parse<string[]>(outcome.text!.trimEnd(), { newline: '\r\n' });
      expect(parsed.errors, outcome.name).toEqual([]);
      expect(parsed.data[0]).toEqual(['id', 'name', 'amount', 'active', 'at', 'note']);
      expect(parsed.data).toHaveLength(1001);
      expect(parsed.data[8]).toEqual(['7', 'quote "7", comma', '1.75', 'false', '2026-01-01T00:07:00.000Z', 'x']);
    } else {
      const bytes = Uint8Array.from(outcome.bytes!);
      const rows = await parquetReadObjects({ file: bytes.buffer });
      expect(rows, outcome.name).toHaveLength(1000);
      expect(rows[7]).toMatchObject({ id: 7, name: 'quote "7", comma', amount: 1.75, active: false, note: 'x' });
    }
  }

  // Reports are posted asynchronously; give stragglers from the workers time to arrive.
  await page.waitForTimeout(1500);
  expect(state.violations, 'securitypolicyviolation events on the page').toEqual([]);
  expect(await reports(request), 'CSP reports posted to the report-uri (page and workers)').toEqual([]);
  expect(pageErrors).toEqual([]);
});

test('control: a deliberate eval on the page and in the policed worker is blocked and reported', async ({ page, request }) => {
  const pageErrors: string[] = [];
  await openPage(page, request, pageErrors);
  const state = await clickAndWait(page, 'control');
  expect(state.control).toEqual({ page: 'blocked: EvalError', worker: 'blocked: EvalError' });
  await expect
    .poll(async () => (await reports(request)).map(({ body }) => [body['csp-report']?.['effective-directive'] ?? body['csp-report']?.['violated-directive'], body['csp-report']?.['blocked-uri']]), {
      timeout: 10_000,
    })
    .toEqual([
      ['script-src', 'eval'],
      ['script-src', 'eval'],
    ]);
  const sources = (await reports(request)).map(({ body }) => body['csp-report']?.['source-file'] ?? '');
  expect(sources.some((source) => source.includes('csp-worker.ts')), `one report comes from the worker: ${sources.join(', ')}`).toBe(true);
  expect(pageErrors).toEqual([]);
});
