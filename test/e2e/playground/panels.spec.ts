/**
 * The playground's panels tell the truth: an invalid filter blocks Export and says why, a parse
 * error's caret stays under its character, a cancelled or dialog-closed export shows no rows
 * "written", a filter that matches nothing is reported as such, the IndexedDB estimate follows
 * what this browser measured, and at 1280 px the panels read 1–5 in order with nothing cut off.
 */
import { expect, test, type Page } from '@playwright/test';
import { installFakePicker } from '../pages/runtime/fake-picker.js';

async function openPlayground(page: Page, errors: string[]): Promise<void> {
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  await page.addInitScript(installFakePicker);
  const response = await page.goto('/');
  expect(response?.status()).toBe(200);
  await expect(page.locator('html')).toHaveAttribute('data-ready', 'true');
}

/** Makes `rows` rows in memory and waits for them. */
async function generate(page: Page, rows: number): Promise<void> {
  // The page starts making a first sample (a million rows) on load; a click on Generate takes
  // over from it, so there is no need to wait for it.
  await expect(page.getByRole('button', { name: 'Generate' })).toBeEnabled();
  await page.getByLabel('Rows', { exact: true }).selectOption(String(rows));
  await page.getByLabel('memory (an array)').check();
  await page.getByRole('button', { name: 'Generate' }).click();
  await expect(page.locator('body')).toHaveAttribute('data-sample-count', String(rows), { timeout: 90_000 });
  await expect(page.locator('body')).toHaveAttribute('data-sample', 'ready');
}

const exportButton = (page: Page) => page.getByRole('button', { name: 'Export', exact: true });

test.describe('playground panels', () => {
  test.describe.configure({ timeout: 180_000 });

  test('broken filter text or a condition holding "abc" disables Export, with the reason shown', async ({ page }) => {
    const errors: string[] = [];
    await openPlayground(page, errors);
    await generate(page, 100_000);
    await expect(exportButton(page)).toBeEnabled();
    const blocked = page.locator('#export-blocked');

    // Text that does not parse.
    await page.getByLabel('Filter expression').fill('amount > 5000 and');
    await expect(exportButton(page)).toBeDisabled();
    await expect(blocked).toBeVisible();
    await expect(blocked).toContainText('Fix the filter first: invalid filter text');
    await page.getByLabel('Filter expression').fill('amount > 5000');
    await expect(exportButton(page)).toBeEnabled();
    await expect(blocked).toBeHidden();

    // A condition row holding a word where a number goes.
    await page.locator('#filter-clear').click();
    await page.getByRole('button', { name: '+ Condition' }).click();
    await page.getByLabel('Condition 1 field').selectOption('amount');
    await page.getByLabel('Condition 1 value').fill('abc');
    await expect(exportButton(page)).toBeDisabled();
    await expect(page.locator('#filter-message')).toContainText('condition 1, amount: "abc" is not a number');
    await expect(page.locator('#filter-message')).not.toContainText('Skipped');
    await expect(blocked).toContainText('"abc" is not a number');
    await expect(page.getByLabel('Condition 1 value')).toHaveAttribute('aria-invalid', 'true');
    await page.getByLabel('Condition 1 value').fill('9000');
    await expect(exportButton(page)).toBeEnabled();

    // Broken text clicked before the editor has read it (it waits for a pause in typing): no export.
    await page.getByLabel('Save to').selectOption('picker');
    await page.getByLabel('Filter expression').fill('amount >');
    await exportButton(page).click({ force: true, timeout: 5_000 });
    await expect(exportButton(page)).toBeDisabled();
    await expect(blocked).toContainText('Fix the filter first');
    await expect(page.locator('#export-panel')).toHaveAttribute('data-phase', 'idle');
    expect(await page.evaluate(() => window.__picker.calls.length), 'the save dialog never opened').toBe(0);
    expect(errors).toEqual([]);
  });

  test("a parse error's caret excerpt keeps its lines, with the caret under the offending column", async ({ page }) => {
    const errors: string[] = [];
    await openPlayground(page, errors);
    await page.getByLabel('Filter expression').fill('amount > 5000 and');
    const excerpt = page.locator('#filter-message pre');
    await expect(excerpt).toHaveText('  amount > 5000 and\n                   ^');
    const geometry = await excerpt.evaluate((pre) => {
      const text = pre.firstChild as Text;
      const lines = text.data.split('\n');
      const caretColumn = lines[1]!.indexOf('^');
      const rect = (offset: number): DOMRect => {
        const range = document.createRange();
        range.setStart(text, offset);
        range.setEnd(text, offset + 1);
        return range.getBoundingClientRect();
      };
      // The caret sits one past the text's end: compare with where that column starts on line 1.
      const lineOneEnd = rect(lines[0]!.length - 1);
      const caret = rect(lines[0]!.length + 1 + caretColumn);
      return { caretLeft: caret.left, expectedLeft: lineOneEnd.right + (lineOneEnd.width * (caretColumn - lines[0]!.length)), caretTop: caret.top, lineOneTop: lineOneEnd.top, whiteSpace: getComputedStyle(pre).whiteSpace };
    });
    expect(geometry.whiteSpace).toBe('pre');
    expect(geometry.caretTop, 'the caret is on a line of its own').toBeGreaterThan(geometry.lineOneTop);
    expect(Math.abs(geometry.caretLeft - geometry.expectedLeft), 'the caret is in the column it points at').toBeLessThan(1);
    expect(errors).toEqual([]);
  });

  test('after Cancel no rows, bytes or ETA are shown as written', async ({ page }) => {
    const errors: string[] = [];
    await openPlayground(page, errors);
    await expect(page.locator('body')).toHaveAttribute('data-sample', 'ready', { timeout: 90_000 });
    await page.getByLabel('Format', { exact: true }).selectOption('json');
    await page.getByLabel('Compression').selectOption('gzip');
    await page.getByLabel('Save to').selectOption('blob');
    await exportButton(page).click();
    await expect.poll(async () => Number(await page.locator('#export-bar').getAttribute('aria-valuenow')), { timeout: 60_000, intervals: [10] }).toBeGreaterThanOrEqual(3);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await expect(page.locator('#export-panel')).toHaveAttribute('data-phase', 'aborted');
    await expect(page.locator('#export-result')).toHaveText('Cancelled: nothing was written.');
    await expect(page.locator('#export-phase')).toHaveText('Cancelled');
    await expect(page.locator('#stat-written')).toHaveText('0');
    await expect(page.locator('#stat-bytes')).toHaveText('–');
    await expect(page.locator('#stat-eta')).toHaveText('–');
    await expect(page.locator('#stat-rate')).toHaveText('–');
    // What was read before the cancel is still shown: that did happen.
    await expect(page.locator('#stat-read')).not.toHaveText(/^0 /);
    expect(errors).toEqual([]);
  });

  test('closing the save dialog reads "Save dialog closed", not "failed"', async ({ page }) => {
    const errors: string[] = [];
    await openPlayground(page, errors);
    await generate(page, 100_000);
    await page.getByLabel('Save to').selectOption('picker');
    await page.evaluate(() => (window.__picker.failWith = 'AbortError'));
    await exportButton(page).click();
    await expect(page.locator('#export-panel')).toHaveAttribute('data-phase', 'picker_cancelled');
    await expect(page.locator('#export-phase')).toHaveText('Save dialog closed');
    await expect(page.locator('#export-result')).toHaveText('The save dialog was closed: nothing was written.');
    await expect(page.locator('#export-panel')).not.toContainText('failed');
    await expect(page.locator('#stat-written')).toHaveText('0');
    await expect(exportButton(page)).toBeEnabled();
    expect(errors).toEqual([]);
  });

  test('a filter no row can match says so instead of "Wrote 0 of 8,192 rows"; others give read and filtered counts', async ({ page }) => {
    const errors: string[] = [];
    await openPlayground(page, errors);
    await generate(page, 100_000);
    await page.getByLabel('Save to').selectOption('blob');
    await page.getByLabel('Filter expression').fill('amount > 9999 and amount < 0');
    await expect(page.locator('#filter-message')).toHaveText('');
    await exportButton(page).click();
    await expect(page.locator('#export-panel')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
    const result = page.locator('#export-result');
    await expect(result).toContainText(/^Wrote 0 rows \(.+\) to a Blob in .+: no row can match this filter, so (the source was not read|only the first [\d,]+ rows were read, to learn the columns)\./);
    await expect(result).not.toContainText(' of ');

    await page.getByLabel('Filter expression').fill('amount > 5000');
    await expect(page.locator('#filter-message')).toHaveText('');
    await exportButton(page).click();
    await expect(page.locator('#export-panel')).toHaveAttribute('data-phase', 'done', { timeout: 60_000 });
    const text = await result.innerText();
    const match = /^Wrote ([\d,]+) rows .*: ([\d,]+) read, ([\d,]+) filtered out\./.exec(text);
    expect(match, text).not.toBeNull();
    const [written, read, filtered] = match!.slice(1).map((n) => Number(n.replace(/,/g, '')));
    expect(read).toBe(100_000);
    expect(written! + filtered!).toBe(read);
    expect(written).toBe(Number(await page.locator('#export-panel').getAttribute('data-rows-written')));
    expect(errors).toEqual([]);
  });

  test('the IndexedDB estimate is a first guess in seconds, then the rate this browser measured', async ({ page }) => {
    test.setTimeout(240_000);
    const errors: string[] = [];
    await openPlayground(page, errors);
    await page.evaluate(() => localStorage.removeItem('sluice-playground-idb-rows-per-second'));
    await page.getByLabel('Rows', { exact: true }).selectOption('100000');
    await page.getByLabel('IndexedDB').check();
    const hint = page.locator('#size-hint');
    await expect(hint).toContainText('a first guess');
    // 100,000 rows took 15.6 s on a 2-core machine; the old estimate said "about 1 min".
    await expect(hint).not.toContainText('min');

    await page.getByRole('button', { name: 'Generate' }).click();
    await expect(page.locator('body')).toHaveAttribute('data-sample-count', '100000', { timeout: 200_000 });
    await expect(page.locator('body')).toHaveAttribute('data-sample', 'ready');
    const took = Number(/Made in ([\d.]+) s/.exec(await page.locator('#data-status').innerText())?.[1]);
    expect(took).toBeGreaterThan(0);
    await expect(hint).toContainText('measured here');
    // "12.3 s", or "1 min 15 s" past a minute.
    const estimate = /about (?:(\d+) min )?([\d.]+) s to write/.exec(await hint.innerText());
    expect(estimate, await hint.innerText()).not.toBeNull();
    const estimatedSeconds = Number(estimate![1] ?? 0) * 60 + Number(estimate![2]);
    // The same number of rows at the measured rate: the estimate is what it just took (to the rounding of either figure).
    expect(Math.abs(estimatedSeconds - took)).toBeLessThanOrEqual(took >= 60 ? 0.6 : 0.15);
    expect(errors).toEqual([]);
  });

  test('at 1280 px the panels read 1 to 5 in order, and no label, input or select is cut off', async ({ page }) => {
    await page.setViewportSize({ width: 1280, height: 900 });
    const errors: string[] = [];
    await openPlayground(page, errors);
    await generate(page, 100_000);
    // Condition rows too, one of them with both value boxes.
    await page.getByLabel('Filter expression').fill("created_at between '2022-01-01' and '2022-12-31' and category in ('books', 'toys') and score is not null");
    await expect(page.getByLabel('Condition 3 operator')).toHaveValue('is not null');
    // Reading order: top to bottom by row, left to right within a row.
    const order = await page.evaluate(() => {
      const panels = [...document.querySelectorAll<HTMLElement>('.panel')].filter((panel) => panel.querySelector('h2 b') !== null);
      const boxes = panels.map((panel) => ({ number: panel.querySelector('h2 b')!.textContent!, ...panel.getBoundingClientRect().toJSON() as { top: number; left: number } }));
      boxes.sort((a, b) => (Math.abs(a.top - b.top) < 20 ? a.left - b.left : a.top - b.top));
      return boxes.map((box) => box.number);
    });
    expect(order).toEqual(['1', '2', '3', '4', '5']);
    expect(await page.evaluate(() => [...document.querySelectorAll('.panel h2 b')].map((b) => b.textContent)), 'the document order matches').toEqual(['1', '2', '3', '4', '5']);

    // Every visible label, input and select shows its whole text (value, chosen option or placeholder).
    const clipped = await page.evaluate(() => {
      const canvas = document.createElement('canvas').getContext('2d')!;
      const textWidth = (element: HTMLElement, text: string): number => {
        const style = getComputedStyle(element);
        canvas.font = `${style.fontStyle} ${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
        return canvas.measureText(text).width;
      };
      const inner = (element: HTMLElement): number => {
        const style = getComputedStyle(element);
        return element.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
      };
      const found: string[] = [];
      const visible = (element: HTMLElement): boolean => element.offsetParent !== null && element.getClientRects().length > 0;
      for (const element of document.querySelectorAll<HTMLElement>('.panel label, .panel legend, .panel dt, .panel h2, .panel button')) {
        if (visible(element) && element.scrollWidth > element.clientWidth + 1) found.push(`${element.tagName.toLowerCase()} "${element.textContent?.trim()}"`);
      }
      // Nothing sticks out of its panel (where the panel would cut it off).
      for (const element of document.querySelectorAll<HTMLElement>('.panel input, .panel select, .panel button, .panel label, .panel textarea')) {
        const panel = element.closest('.panel')!;
        if (!visible(element) || element.closest('.table-wrap') !== null) continue;
        const box = element.getBoundingClientRect();
        const edge = panel.getBoundingClientRect();
        if (box.right > edge.right - 1 || box.left < edge.left) found.push(`${element.tagName.toLowerCase()} ${element.id || element.className || element.textContent?.trim()} sticks out of #${panel.id}`);
      }
      for (const input of document.querySelectorAll<HTMLInputElement>('.panel input[type="text"], .panel input:not([type])')) {
        const text = input.value || input.placeholder;
        if (visible(input) && textWidth(input, text) > inner(input)) found.push(`input ${input.id}: "${text}"`);
      }
      for (const select of document.querySelectorAll<HTMLSelectElement>('.panel select')) {
        const text = select.selectedOptions[0]?.textContent ?? '';
        // The arrow takes about 20 px of a select's inner width.
        if (visible(select)) for (const option of select.options) if (textWidth(select, option.textContent ?? '') > inner(select) - 20) found.push(`select ${select.id || select.className}: "${option.textContent}"${option.textContent === text ? ' (chosen)' : ''}`);
      }
      return found;
    });
    expect(clipped).toEqual([]);
    await page.screenshot({ path: 'test-results/playground-1280.png', fullPage: true });
    expect(errors).toEqual([]);
  });
});
