/**
 * Smoke test of the built package in a real Chromium: a CSV export on the main thread, read
 * back in Node with papaparse (a reader independent of ours).
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { expect, test } from '@playwright/test';
import Papa from 'papaparse';
import { SMOKE_CELLS, SMOKE_HEADER } from './pages/smoke-data.js';

const PAGE = '/test/e2e/pages/smoke.html';
const BUILT_ENTRY = fileURLToPath(new URL('../../dist/index.js', import.meta.url));

test('exportStream writes CSV from the built package in Chromium', async ({ page }) => {
  expect(existsSync(BUILT_ENTRY), 'dist/index.js is missing: run `npm run build` first (`npm test` does)').toBe(true);

  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') pageErrors.push(`${message.text()} (${message.location().url})`);
  });

  const response = await page.goto(PAGE);
  expect(response?.status(), `GET ${PAGE}`).toBe(200);
  expect(response?.headers()['cache-control'], 'the test server sends no-store on every response').toBe('no-store');
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'true');

  const result = await page.evaluate(() => {
    if (!window.sluiceSmoke) throw new Error('smoke page did not load');
    return window.sluiceSmoke.run();
  });

  expect(result.foreignChunks, 'every chunk is a Uint8Array').toEqual([]);
  expect(result.chunkCount).toBeGreaterThan(0);
  expect(result.byteLength).toBe(new TextEncoder().encode(result.text).byteLength);
  expect(result.text.charCodeAt(0), 'no byte-order mark by default').not.toBe(0xfeff);

  // Defaults from the contract: header row, RFC 4180 quoting, CRLF row ends.
  expect(result.text.startsWith(`${SMOKE_HEADER.join(',')}\r\n`)).toBe(true);
  expect(result.text).toContain('"Smith, ""Jr."""');
  expect(result.text).toContain('"line one\nline two"');

  const parsed = Papa.parse<string[]>(result.text, { header: false, skipEmptyLines: true });
  expect(parsed.errors).toEqual([]);
  expect(parsed.meta.delimiter).toBe(',');
  expect(parsed.data[0]).toEqual([...SMOKE_HEADER]);
  expect(parsed.data.slice(1)).toEqual(SMOKE_CELLS.map((row) => [...row]));

  expect(pageErrors).toEqual([]);
});
