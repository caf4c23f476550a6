/**
 * Chromium (over CDP) and Firefox (over WebDriver BiDi), both through puppeteer-core, which drives
 * the installed browsers without downloading its own. Downloads go to a folder through the
 * protocol's download behaviour, with no dialog.
 */
import puppeteer, { type Browser, type Page } from 'puppeteer-core';
import { engineDir, freshDir, withStartRetry } from './common.js';
import { CALL_SCRIPT, unwrapCall, type EngineDriver, type EngineName } from './types.js';

// A function made once from the shared call script; puppeteer sends its source to the page.
// eslint-disable-next-line @typescript-eslint/no-implied-eval
const callInPage = new Function(CALL_SCRIPT) as (method: string, args: unknown[]) => unknown;

/** Launches `engine` from `executablePath` and opens one page. */
export async function launchPuppeteer(engine: Extract<EngineName, 'chromium' | 'firefox'>, executablePath: string, args: readonly string[]): Promise<EngineDriver> {
  const downloadDir = freshDir(engineDir(engine, 'downloads'));
  const browser: Browser = await withStartRetry(engine, () =>
    puppeteer.launch({
      browser: engine === 'firefox' ? 'firefox' : 'chrome',
      executablePath,
      headless: true,
      protocol: engine === 'firefox' ? 'webDriverBiDi' : 'cdp',
      args: [...args],
      userDataDir: freshDir(engineDir(engine, 'profile')),
      protocolTimeout: 600_000,
    }),
  );
  const context = await browser.createBrowserContext({ downloadBehavior: { policy: 'allow', downloadPath: downloadDir } });
  const page: Page = await context.newPage();
  page.setDefaultTimeout(600_000);
  const version = await browser.version();
  const pid = browser.process()?.pid;
  return {
    engine,
    version,
    protocol: engine === 'firefox' ? 'puppeteer-core over WebDriver BiDi' : 'puppeteer-core over CDP',
    downloadDir,
    rootPids: pid === undefined ? [] : [pid],
    async open(url) {
      await page.goto(url, { waitUntil: 'load', timeout: 60_000 });
      await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', { timeout: 60_000 });
    },
    async call<T>(method: string, ...args: unknown[]): Promise<T> {
      return unwrapCall<T>(method, await page.evaluate(callInPage, method, args));
    },
    async close() {
      await browser.close().catch(() => browser.process()?.kill('SIGKILL'));
    },
  };
}
