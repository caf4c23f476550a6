/**
 * Chromium: the installed browser (the same lookup as the Playwright suite), driven by
 * puppeteer-core over CDP.
 */
import { CHROMIUM_ARGS, findChromium } from '../../e2e/setup/browser.js';
import { launchPuppeteer } from './puppeteer.js';
import type { LaunchResult } from './types.js';

/** Starts Chromium, or says why it cannot. */
export async function launchChromium(): Promise<LaunchResult> {
  let path: string;
  try {
    path = findChromium().path;
  } catch (error) {
    return { ok: false, reason: String(error instanceof Error ? error.message : error).split('\n').slice(0, 2).join(' ') };
  }
  return { ok: true, driver: await launchPuppeteer('chromium', path, CHROMIUM_ARGS) };
}
