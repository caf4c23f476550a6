/**
 * Prints the Chromium the browser tests will use, or exits 1 with how to get one.
 * Used by `.ci/run` so the shell script and the Playwright config share one lookup.
 *
 *   npx tsx test/e2e/setup/find-chromium.ts          # prints the path
 *   npx tsx test/e2e/setup/find-chromium.ts --quiet  # exit code only
 */
import { findChromium } from './browser.js';

const quiet = process.argv.includes('--quiet');
try {
  const found = findChromium();
  if (!quiet) console.log(found.path);
} catch (error) {
  if (!quiet) console.error(error instanceof Error ? error.message : String(error));
  process.exitCode = 1;
}
