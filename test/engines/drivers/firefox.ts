/**
 * Firefox: the installed Firefox (ESR on Debian), driven by puppeteer-core over WebDriver BiDi.
 */
import { findExecutable } from './common.js';
import { launchPuppeteer } from './puppeteer.js';
import type { LaunchResult } from './types.js';

/** Where Firefox is looked for after `$SLUICE_FIREFOX`. */
export const FIREFOX_PATHS = ['/usr/bin/firefox-esr', '/usr/bin/firefox'] as const;

/** Starts Firefox, or says why it cannot. */
export async function launchFirefox(): Promise<LaunchResult> {
  const found = findExecutable('SLUICE_FIREFOX', FIREFOX_PATHS);
  if ('missing' in found) return { ok: false, reason: `Firefox ${found.missing}; install it: apt-get install -y firefox-esr` };
  return { ok: true, driver: await launchPuppeteer('firefox', found.path, []) };
}
