/**
 * Finds the Chromium the browser tests run in, and the flags they launch it with.
 *
 * Playwright cannot download browsers on every machine the tests run on, so the tests use
 * whatever Chromium is installed (Debian's `chromium` package, Google Chrome, or a browser that
 * `npx playwright install chromium` did download), and fail at once with a way out when none is.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { chromium } from '@playwright/test';

/** Environment variables that name a Chromium binary, most specific first. */
export const CHROMIUM_ENV_VARS = ['SLUICE_CHROMIUM', 'CHROMIUM_PATH', 'PLAYWRIGHT_CHROMIUM_EXECUTABLE_PATH'] as const;

/** Where system packages put Chromium or Chrome, tried in this order after the environment. */
export const CHROMIUM_SYSTEM_PATHS = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'] as const;

/**
 * Launch flags for every browser test.
 * - `--no-sandbox`: Chromium refuses to start as root (CI runs as root) with its sandbox on.
 * - the `--disable-*` and `--no-first-run` flags stop background traffic and work (component
 *   updates, sync, safe-browsing lists, GPU process) that would add noise to timing tests.
 * - `--disable-quic`: the test server is plain HTTP on localhost; no reason to probe QUIC.
 */
export const CHROMIUM_ARGS: readonly string[] = [
  '--no-sandbox',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-gpu',
  '--no-first-run',
  '--disable-quic',
];

/** How a Chromium binary was found. */
export interface ChromiumLocation {
  /** Absolute path of the executable. */
  path: string;
  /** Where it came from: an environment variable's name, `'system'` or `'playwright'`. */
  source: (typeof CHROMIUM_ENV_VARS)[number] | 'system' | 'playwright';
}

/** What {@link findChromium} needs from the outside world; replaced in tests of the lookup itself. */
export interface ChromiumLookup {
  /** Environment to read. Default `process.env`. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Paths to try after the environment. Default {@link CHROMIUM_SYSTEM_PATHS}. */
  systemPaths?: readonly string[];
  /** Playwright's own browser path, or `undefined` to skip it. Default `chromium.executablePath()`. */
  playwrightPath?: () => string | undefined;
  /** True when `path` is an executable file. Default: a real file-system check. */
  isExecutable?: (path: string) => boolean;
}

/** The message shown when no Chromium can be found; it says how to get one. */
export const NO_CHROMIUM_MESSAGE = [
  'No Chromium found for the browser tests.',
  `Looked at $${CHROMIUM_ENV_VARS.join(', $')}, ${CHROMIUM_SYSTEM_PATHS.join(', ')} and Playwright's own download.`,
  'Install one:  apt-get install -y chromium   (Debian/Ubuntu, as root)',
  '          or  npx playwright install chromium',
  'or point the tests at a binary:  SLUICE_CHROMIUM=/path/to/chrome npm test',
].join('\n');

/**
 * Returns the first Chromium found: an environment variable, then the system paths, then
 * Playwright's downloaded browser. Throws with {@link NO_CHROMIUM_MESSAGE} when there is none.
 *
 * An environment variable that names a missing file is an error rather than a fall-through:
 * silently testing another browser than the one asked for would hide the mistake.
 */
export function findChromium(lookup: ChromiumLookup = {}): ChromiumLocation {
  const env = lookup.env ?? process.env;
  const isExecutable = lookup.isExecutable ?? isExecutableFile;
  for (const name of CHROMIUM_ENV_VARS) {
    const value = env[name]?.trim();
    if (!value) continue;
    if (!isExecutable(value)) {
      throw new Error(`$${name} is set to "${value}", which is not an executable file.\n\n${NO_CHROMIUM_MESSAGE}`);
    }
    return { path: value, source: name };
  }
  for (const path of lookup.systemPaths ?? CHROMIUM_SYSTEM_PATHS) {
    if (isExecutable(path)) return { path, source: 'system' };
  }
  const downloaded = (lookup.playwrightPath ?? playwrightChromiumPath)();
  if (downloaded !== undefined && isExecutable(downloaded)) return { path: downloaded, source: 'playwright' };
  throw new Error(NO_CHROMIUM_MESSAGE);
}

function playwrightChromiumPath(): string | undefined {
  try {
    return chromium.executablePath();
  } catch {
    // Throws when Playwright has no build for this platform; that just means "not downloaded".
    return undefined;
  }
}

function isExecutableFile(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
