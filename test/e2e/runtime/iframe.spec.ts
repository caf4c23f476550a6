/**
 * The 'auto' target inside a cross-origin iframe, where showSaveFilePicker would throw: it
 * downloads instead. The frame is the runtime page served as `localhost`, embedded by a page
 * served as `127.0.0.1`: the same server, two origins.
 */
import { readFileSync } from 'node:fs';
import { installFakePicker } from '../pages/runtime/fake-picker.js';
import { expect, parseCsv, test } from './fixtures.js';

test("'auto' in a cross-origin iframe downloads instead of opening the picker", async ({ page, baseURL }) => {
  await page.addInitScript(installFakePicker);
  const frameUrl = new URL('/test/e2e/pages/runtime/runtime.html', baseURL!.replace('127.0.0.1', 'localhost')).href;
  await page.goto('/test/e2e/pages/runtime/runtime.html');
  await page.evaluate((src) => {
    const iframe = document.createElement('iframe');
    iframe.src = src;
    iframe.id = 'framed';
    document.body.append(iframe);
  }, frameUrl);
  const frame = page.frameLocator('#framed');
  await expect(frame.locator('html')).toHaveAttribute('data-ready', 'true', { timeout: 30_000 });
  const child = page.frames().find((f) => f.url() === frameUrl)!;
  expect(new URL(child.url()).origin).not.toBe(new URL(page.url()).origin);
  const downloadEvent = page.waitForEvent('download');
  const out = await child.evaluate(async () => {
    const { lib, standardRows } = window.sluiceRuntime!;
    const result = await lib.exportData(standardRows(100), { format: 'csv', fileName: 'framed.csv' });
    return { fileName: result.fileName, pickerCalls: window.__picker.calls.length };
  });
  const download = await downloadEvent;
  expect(out).toEqual({ fileName: 'framed.csv', pickerCalls: 0 });
  expect(download.suggestedFilename()).toBe('framed.csv');
  expect(parseCsv(readFileSync(await download.path(), 'utf8'))).toHaveLength(101);
});
