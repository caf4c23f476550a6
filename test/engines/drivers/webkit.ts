/**
 * WebKit: WebKitGTK's MiniBrowser driven by WebKitWebDriver over W3C WebDriver classic (HTTP), on
 * a virtual display. Playwright's own WebKit build cannot be downloaded everywhere; Debian's
 * `webkit2gtk-driver` package gives the driver and MiniBrowser comes with WebKitGTK.
 *
 * MiniBrowser saves a download to the XDG download folder without asking, so the browser gets a
 * fresh HOME whose `user-dirs.dirs` points that folder at the suite's download folder: the spec
 * reads the downloaded file from disk, as in the other engines.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { engineDir, findExecutable, freshDir, poll, withStartRetry } from './common.js';
import { CALL_SCRIPT, unwrapCall, type EngineDriver, type LaunchResult } from './types.js';
import { WebDriverSession } from './webdriver.js';
import { startDisplay } from './xvfb.js';

/** Where WebKitWebDriver is looked for. */
export const WEBKIT_DRIVER_PATHS = ['/usr/bin/WebKitWebDriver'] as const;

/** MiniBrowser's usual places (Debian puts it under the multiarch library folder). */
function miniBrowserCandidates(): string[] {
  const out: string[] = [];
  for (const lib of ['/usr/lib', '/usr/libexec', '/usr/lib64']) {
    const dirs = [lib];
    try {
      for (const entry of readdirSync(lib)) if (entry.endsWith('-linux-gnu')) dirs.push(join(lib, entry));
    } catch {
      // No such folder.
    }
    for (const dir of dirs) for (const api of ['webkit2gtk-4.1', 'webkit2gtk-4.0', 'webkitgtk-6.0']) out.push(join(dir, api, 'MiniBrowser'));
  }
  const listed = miniBrowserFromDpkg();
  if (listed !== null) out.push(listed);
  return out;
}

/** A port that was free a moment ago. */
async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

function driverPort(): Promise<number> {
  const fixed = process.env.SLUICE_WEBKIT_DRIVER_PORT?.trim();
  return fixed ? Promise.resolve(Number(fixed)) : freePort();
}

/** Starts WebKitWebDriver and a MiniBrowser session, or says why it cannot. */
export async function launchWebKit(): Promise<LaunchResult> {
  const driverBin = findExecutable('SLUICE_WEBKIT_DRIVER', WEBKIT_DRIVER_PATHS);
  if ('missing' in driverBin) return { ok: false, reason: `WebKitWebDriver ${driverBin.missing}; install it: apt-get install -y webkit2gtk-driver` };
  const browserBin = findExecutable('SLUICE_MINIBROWSER', miniBrowserCandidates());
  if ('missing' in browserBin) return { ok: false, reason: `MiniBrowser ${browserBin.missing}; it comes with libwebkit2gtk-4.1-0 (apt-get install -y webkit2gtk-driver)` };
  const display = await startDisplay();
  if ('missing' in display) return { ok: false, reason: display.missing };

  const home = freshDir(engineDir('webkit', 'home'));
  const downloadDir = freshDir(engineDir('webkit', 'downloads'));
  mkdirSync(join(home, '.config'), { recursive: true });
  writeFileSync(join(home, '.config', 'user-dirs.dirs'), `XDG_DOWNLOAD_DIR="${downloadDir}"\n`);

  let driver: ChildProcess | undefined;
  const stopAll = (): void => {
    driver?.kill('SIGTERM');
    display.stop();
  };
  try {
    const { session, process: child } = await withStartRetry('WebKitWebDriver + MiniBrowser', async () => {
      const port = await driverPort();
      const base = `http://127.0.0.1:${port}`;
      let log = '';
      const proc = spawn(driverBin.path, [`--port=${port}`], {
        env: {
          ...process.env,
          DISPLAY: display.display,
          HOME: home,
          XDG_CONFIG_HOME: join(home, '.config'),
          XDG_DATA_HOME: join(home, '.local', 'share'),
          XDG_CACHE_HOME: join(home, '.cache'),
          // No GPU on a virtual display, and maybe no Mesa drivers (CI installs without
          // recommended packages): draw in software, without the DMA-BUF renderer.
          WEBKIT_DISABLE_COMPOSITING_MODE: '1',
          WEBKIT_DISABLE_DMABUF_RENDERER: '1',
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      proc.stdout?.setEncoding('utf8').on('data', (text: string) => (log += text));
      proc.stderr?.setEncoding('utf8').on('data', (text: string) => (log += text));
      driver = proc;
      try {
        await poll(async () => (proc.exitCode !== null ? false : (await WebDriverSession.ready(base)) || undefined), 20_000, () => `WebKitWebDriver did not answer on ${base} within 20 s: ${log}`, 200);
        if (proc.exitCode !== null) throw new Error(`WebKitWebDriver exited with ${proc.exitCode}: ${log}`);
        const created = await WebDriverSession.create(base, {
          browserName: 'MiniBrowser',
          'webkitgtk:browserOptions': { binary: browserBin.path, args: ['--automation'] },
        });
        return { session: created, process: proc };
      } catch (error) {
        proc.kill('SIGTERM');
        throw error;
      }
    });
    await session.setTimeouts({ script: 600_000, pageLoad: 60_000 });
    const version = `WebKitGTK ${String(session.capabilities['browserVersion'] ?? '?')} (MiniBrowser)`;
    const driverPid = child.pid;
    const body = `const done = arguments[arguments.length - 1];
      Promise.resolve((function () { ${CALL_SCRIPT} }).apply(null, [arguments[0], arguments[1]])).then(done, (e) => done({ ok: false, error: String(e) }));`;
    const webkit: EngineDriver = {
      engine: 'webkit',
      version,
      protocol: 'W3C WebDriver classic (WebKitWebDriver)',
      downloadDir,
      rootPids: driverPid === undefined ? [] : [driverPid],
      async open(url) {
        await session.navigate(url);
        await poll(async () => ((await session.execute<string | null>('return document.documentElement.dataset.ready || null')) === 'true' ? true : undefined), 60_000, () => `${url} did not become ready within 60 s`, 100);
      },
      async call<T>(method: string, ...args: unknown[]): Promise<T> {
        return unwrapCall<T>(method, await session.executeAsync(body, [method, args]));
      },
      async close() {
        await session.delete().catch(() => undefined);
        stopAll();
      },
    };
    return { ok: true, driver: webkit };
  } catch (error) {
    stopAll();
    throw error;
  }
}

/** Where MiniBrowser is, per the package manager (`dpkg -L libwebkit2gtk-4.1-0`), or null. */
function miniBrowserFromDpkg(): string | null {
  const listed = spawnSync('dpkg', ['-L', 'libwebkit2gtk-4.1-0'], { encoding: 'utf8' });
  const line = listed.stdout?.split('\n').find((path) => path.endsWith('/MiniBrowser'));
  return line !== undefined && existsSync(line) ? line : null;
}
