/**
 * The package in a consumer's Vite dev server (`vite`, default configuration): the page loads,
 * exports CSV and Parquet in the worker, and the server prints no warning about the package's
 * source maps. A map that names sources the package does not ship makes Vite print one warning
 * per module ("Sourcemap for … points to missing source files"); the package's maps carry their
 * sources inside (`inlineSources`), so there must be none.
 *
 * Uses the tarball the global setup installed into `vite-app/`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { expect, test } from '@playwright/test';
import { CONSUMER_APPS } from './setup/apps.js';

const app = CONSUMER_APPS.find((candidate) => candidate.name === 'vite-app')!;

/** A port nothing listens on now (other test servers run on this machine too). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Lines of the dev server's output that warn about the package's source maps. */
export function sourceMapWarnings(output: string): string[] {
  return output.split('\n').filter((line) => /source ?map/i.test(line) && /sluice/.test(line));
}

test.describe('vite-app in the Vite dev server (default configuration)', () => {
  // Starting the server and its first dependency optimization take a while on a busy machine.
  test.describe.configure({ timeout: 120_000 });
  let server: ChildProcess;
  let output = '';
  let origin = '';

  test.beforeAll(async () => {
    const port = await freePort();
    origin = `http://127.0.0.1:${port}`;
    // The app's own Vite, started directly (no npm in between, so the kill reaches it).
    server = spawn(process.execPath, [join(app.dir, 'node_modules', 'vite', 'bin', 'vite.js'), '--port', String(port), '--strictPort', '--host', '127.0.0.1', '--clearScreen', 'false'], {
      cwd: app.dir,
      // Plain text: colours would split the URL the loop below waits for.
      env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    // eslint-disable-next-line no-control-regex -- colour codes, should a terminal setting force them
    const plain = (text: string): string => text.replace(/\u001b\[[0-9;]*m/g, '');
    server.stdout!.setEncoding('utf8').on('data', (text: string) => (output += plain(text)));
    server.stderr!.setEncoding('utf8').on('data', (text: string) => (output += plain(text)));
    const deadline = Date.now() + 60_000;
    while (!output.includes(origin)) {
      if (server.exitCode !== null) throw new Error(`the Vite dev server exited with ${server.exitCode}:\n${output}`);
      if (Date.now() > deadline) throw new Error(`the Vite dev server did not start within 60 s:\n${output}`);
      await new Promise((done) => setTimeout(done, 100));
    }
  });

  test.afterAll(() => {
    server.kill();
  });

  test('exports CSV and Parquet in the worker, and prints no warning about the package’s source maps', async ({ page }) => {
    const errors: string[] = [];
    page.on('pageerror', (error) => errors.push(error.message));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => document.body.dataset.ready === 'true', null, { timeout: 60_000 });
    const rows = Array.from({ length: 100 }, (_, i) => ({ id: i, name: `row ${i}`, score: i / 4, active: i % 2 === 0, note: null }));
    for (const format of ['csv', 'parquet']) {
      const outcome = await page.evaluate(([r, f]) => window.sluiceConsumer.exportData(r, f), [rows, format] as const);
      expect(outcome, format).toMatchObject({ ok: true, thread: 'worker', rowsWritten: 100 });
    }
    // The server transforms (and so reads the maps of) every module the page and the worker
    // loaded; its log lines come out asynchronously.
    await new Promise((done) => setTimeout(done, 1_000));
    expect(errors).toEqual([]);
    expect(output, 'the dev server served the package').toMatch(/ready in/);
    expect(sourceMapWarnings(output), output).toEqual([]);
  });
});
