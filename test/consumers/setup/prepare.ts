/**
 * Playwright global setup for the consumer tests: packs the library with `npm pack` (its
 * `prepack` script builds it), installs the tarball into each consumer app next to the app's
 * locked bundler, and builds each app with its bundler's defaults. The tests then serve each
 * app's `dist/`.
 *
 * `SLUICE_CONSUMER_TARBALL=/path/to/sluice-x.y.z.tgz` installs that tarball instead of packing one
 * (to try a tarball that was packed elsewhere, for instance).
 */
import { existsSync, lstatSync, readFileSync } from 'node:fs';
import { mkdir, readdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ALL_APPS, PACK_DIR, REPO_ROOT, runCommand, TARBALL_ENV, type ConsumerApp } from './apps.js';

/**
 * npm and the bundlers are given this long per step; a registry that hangs fails the run. webpack
 * took 178 s to build the app (two workers and the page) on a 2-core machine at load average 25.
 */
const STEP_TIMEOUT_MS = 420_000;

function log(message: string): void {
  console.log(`[consumers] ${message}`);
}

/**
 * The environment for nested npm commands, without the `npm_*` variables of the `npm run` that
 * started the tests: those describe the library's project (its prefix, its package) and must not
 * leak into the apps' installs.
 */
function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^npm_/i.test(key)) env[key] = value;
  }
  return env;
}

async function timed<T>(label: string, work: () => Promise<T>): Promise<T> {
  const start = performance.now();
  const value = await work();
  log(`${label} (${((performance.now() - start) / 1000).toFixed(1)} s)`);
  return value;
}

async function packLibrary(into: string): Promise<string> {
  await timed('npm pack (prepack builds the library)', () =>
    runCommand('npm', ['pack', '--pack-destination', into, '--no-fund', '--no-audit'], { cwd: REPO_ROOT, timeoutMs: STEP_TIMEOUT_MS, env: cleanEnv() }),
  );
  const tarballs = (await readdir(into)).filter((name) => name.endsWith('.tgz'));
  if (tarballs.length !== 1) throw new Error(`npm pack left ${tarballs.length} tarballs in ${into}: ${tarballs.join(', ')}`);
  return join(into, tarballs[0] as string);
}

/** Runs `work` again once, after a pause, when it fails: a registry hiccup should not fail the run. */
async function retryOnce<T>(label: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    log(`${label} failed; retrying once in 10 s. ${String(error instanceof Error ? error.message : error).split('\n')[0] ?? ''}`);
    await new Promise((done) => setTimeout(done, 10_000));
    return work();
  }
}

async function prepareApp(app: ConsumerApp, tarball: string, version: string): Promise<void> {
  const env = cleanEnv();
  const npm = (args: string[]): Promise<unknown> => runCommand('npm', args, { cwd: app.dir, timeoutMs: STEP_TIMEOUT_MS, env });
  await timed(`${app.name}: npm ci`, () => retryOnce(`${app.name}: npm ci`, () => npm(['ci', '--no-audit', '--no-fund'])));
  // --no-save keeps the committed package.json and package-lock.json as they are: the tarball's
  // path changes every run. The tarball's own dependencies come from the registry, as a user's would.
  const install = ['install', '--no-save', '--no-audit', '--no-fund', tarball];
  await timed(`${app.name}: npm install <tarball> --no-save`, () => retryOnce(`${app.name}: npm install`, () => npm(install)));
  const installed = join(app.dir, 'node_modules', 'sluice');
  // A link would let the bundler see the repository (its sources, its node_modules) instead of
  // what the tarball holds.
  if (lstatSync(installed).isSymbolicLink()) throw new Error(`${installed} is a symbolic link, not an installed copy of the tarball`);
  const installedVersion = (JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as { version: string }).version;
  if (installedVersion !== version) throw new Error(`${app.name} installed sluice ${installedVersion}, expected ${version}`);
  const built = (await timed(`${app.name}: ${app.bundler} build`, () => npm(['run', 'build']))) as { stdout: string; stderr: string };
  // The package's maps carry their sources: a bundler that warns about them names a packaging fault.
  const mapWarnings = `${built.stdout}\n${built.stderr}`.split('\n').filter((line) => /source ?map/i.test(line) && /sluice/.test(line));
  if (mapWarnings.length > 0) throw new Error(`${app.name}: the ${app.bundler} build warned about the package's source maps:\n${mapWarnings.join('\n')}`);
  if (!existsSync(join(app.distDir, 'index.html'))) throw new Error(`${app.name}: the build wrote no ${app.distDir}/index.html`);
}

/**
 * Packs, installs and builds; throws (failing the whole run) when any step fails. The tarball's
 * path is left in `$SLUICE_CONSUMER_PACKED` for the tests that lint it.
 */
export default async function prepare(): Promise<void> {
  const version = (JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
  const given = process.env.SLUICE_CONSUMER_TARBALL?.trim();
  let tarball: string;
  if (given) {
    if (!existsSync(given)) throw new Error(`SLUICE_CONSUMER_TARBALL is set to "${given}", which does not exist`);
    tarball = given;
    log(`using the tarball in SLUICE_CONSUMER_TARBALL: ${tarball}`);
  } else {
    // In the ignored test-results/ folder, emptied first so an old tarball cannot be picked up.
    await rm(PACK_DIR, { recursive: true, force: true });
    await mkdir(PACK_DIR, { recursive: true });
    tarball = await packLibrary(PACK_DIR);
  }
  process.env[TARBALL_ENV] = tarball;
  // Two cores: the apps install and build side by side.
  await Promise.all(ALL_APPS.map((app) => prepareApp(app, tarball, version)));
}
