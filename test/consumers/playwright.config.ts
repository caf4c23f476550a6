/**
 * Consumer tests: the packed library installed into a fresh Vite app and a fresh webpack app,
 * built with their defaults and run in the installed Chromium.
 *
 *   npx playwright test -c test/consumers/playwright.config.ts     (npm run test:consumers)
 *
 * The global setup packs the library (`npm pack`, whose `prepack` builds it), installs the
 * tarball into both apps and builds them; it needs the npm registry for the apps' bundlers.
 * Environment: SLUICE_CHROMIUM (browser binary), SLUICE_CONSUMER_TARBALL (install this tarball
 * instead of packing one).
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../e2e/setup/browser.js';

const chromium = findChromium();

export default defineConfig({
  testDir: '.',
  testMatch: ['consumers.spec.ts', 'dev-server.spec.ts', 'package.spec.ts'],
  outputDir: '../../test-results/consumers',
  globalSetup: './setup/prepare.ts',
  // Packing, two installs and two builds, then a dozen page loads: about 8 minutes on 2 cores at
  // load average 25, and well under that on a quiet machine.
  globalTimeout: 1_200_000,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  retries: 0,
  forbidOnly: Boolean(process.env.CI),
  reporter: [['list'], ['../e2e/setup/summary-reporter.ts']],
  use: { trace: 'retain-on-failure' },
  projects: [
    {
      name: 'chromium',
      use: { browserName: 'chromium', launchOptions: { executablePath: chromium.path, args: [...CHROMIUM_ARGS] } },
    },
  ],
});
