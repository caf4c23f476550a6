/**
 * Browser tests: Playwright driving the installed Chromium (see test/e2e/setup/browser.ts),
 * against pages served by Vite from the repository root (see test/server/serve.ts).
 *
 *   npm run build && npx playwright test
 *
 * Environment: SLUICE_CHROMIUM (browser binary), SLUICE_TEST_PORT (server port, default 5317),
 * SLUICE_E2E_WORKERS (parallel workers, default 1).
 */
import { defineConfig } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from './test/e2e/setup/browser.js';
import { HEALTH_PATH } from './test/server/headers-plugin.js';
import { TEST_ORIGIN } from './test/server/config.js';

// Resolved when the config loads, so a missing browser fails the run at once with a way out
// instead of failing every test with a launch error.
const chromium = findChromium();

const isCI = Boolean(process.env.CI);

export default defineConfig({
  testDir: 'test/e2e',
  testMatch: '**/*.spec.ts',
  outputDir: 'test-results',
  // One worker: later tests measure frame gaps and throughput, and the CI machine has 2 cores;
  // a second test running beside them would be measured too.
  workers: workerCount(process.env.SLUICE_E2E_WORKERS),
  fullyParallel: false,
  timeout: 120_000,
  expect: { timeout: 15_000 },
  retries: 0,
  forbidOnly: isCI,
  reporter: [['list'], ['./test/e2e/setup/summary-reporter.ts']],
  use: {
    baseURL: TEST_ORIGIN,
    trace: 'retain-on-failure',
    screenshot: 'only-on-failure',
  },
  projects: [
    {
      name: 'chromium',
      use: {
        browserName: 'chromium',
        launchOptions: { executablePath: chromium.path, args: [...CHROMIUM_ARGS] },
      },
    },
  ],
  webServer: {
    command: 'npx tsx test/server/serve.ts',
    url: `${TEST_ORIGIN}${HEALTH_PATH}`,
    // Locally, a server already running (`npx tsx test/server/serve.ts` in another terminal) is
    // reused; in CI the run always starts its own.
    reuseExistingServer: !isCI,
    timeout: 60_000,
    stdout: 'pipe',
    stderr: 'pipe',
  },
});

function workerCount(value: string | undefined): number {
  if (value === undefined || value === '') return 1;
  const count = Number(value);
  if (!Number.isInteger(count) || count < 1) throw new Error(`SLUICE_E2E_WORKERS must be a positive integer, got "${value}"`);
  return count;
}
