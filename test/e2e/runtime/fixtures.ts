/**
 * Shared set-up for the runtime specs: the page with the fake picker installed, a clean OPFS,
 * page errors collected, and CSV helpers that read files back with papaparse in Node.
 */
import { expect, test as base, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import Papa from 'papaparse';
import { installFakePicker } from '../pages/runtime/fake-picker.js';

export const RUNTIME_PAGE = '/test/e2e/pages/runtime/runtime.html';

export interface RuntimeFixtures {
  /** The runtime page, loaded and ready, OPFS empty. */
  runtime: Page;
  /** Errors the page reported (uncaught exceptions, console errors). */
  pageErrors: string[];
}

export const test = base.extend<RuntimeFixtures>({
  pageErrors: async ({}, use) => {
    await use([]);
  },
  runtime: async ({ page, pageErrors }, use) => {
    expect(existsSync('dist/index.js'), 'dist/index.js is missing: run `npm run build` first').toBe(true);
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    await page.addInitScript(installFakePicker);
    const response = await page.goto(RUNTIME_PAGE);
    expect(response?.status()).toBe(200);
    await expect(page.locator('html')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
    await page.evaluate(() => window.sluiceRuntime!.clearOpfs());
    await use(page);
  },
});

export { expect };

/** Parses CSV text with papaparse (an independent reader) and fails on any parse error. */
export function parseCsv(text: string, delimiter = ','): string[][] {
  const parsed = Papa.parse<string[]>(text, { header: false, skipEmptyLines: true, delimiter });
  expect(parsed.errors, 'papaparse errors').toEqual([]);
  return parsed.data;
}
