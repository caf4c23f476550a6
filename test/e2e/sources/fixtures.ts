/**
 * Shared set-up for the source specs: the source page loaded from the built package, page errors
 * collected, and papaparse (an independent reader) for the CSV that comes back.
 */
import { existsSync } from 'node:fs';
import { expect, test as base, type Page } from '@playwright/test';
import Papa from 'papaparse';

export const SOURCES_PAGE = '/test/e2e/pages/sources/sources.html';

export interface SourceFixtures {
  /** The source page, loaded with the library imported. */
  sources: Page;
  /** Errors the page reported (uncaught exceptions, console errors). */
  pageErrors: string[];
}

export const test = base.extend<SourceFixtures>({
  pageErrors: async ({}, use) => {
    await use([]);
  },
  sources: async ({ page, pageErrors }, use) => {
    expect(existsSync('dist/sources/indexeddb.js'), 'dist/sources/indexeddb.js is missing: run `npm run build` first').toBe(true);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    const response = await page.goto(SOURCES_PAGE);
    expect(response?.status()).toBe(200);
    await expect(page.locator('html')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await page.evaluate(() => window.sluiceSources!.load());
    await use(page);
  },
});

export { expect };

/** Parses CSV with a header row into objects of text, failing on any parse error. */
export function parseCsv(text: string): Array<Record<string, string>> {
  const parsed = Papa.parse<Record<string, string>>(text, { header: true, skipEmptyLines: true });
  expect(parsed.errors, 'papaparse errors').toEqual([]);
  return parsed.data;
}
