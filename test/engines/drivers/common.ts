/**
 * Helpers the drivers share: finding an executable, polling, and the download folder.
 */
import { accessSync, constants, mkdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Per-engine scratch folders (downloads, profiles) live under the ignored test-results/. */
export function engineDir(engine: string, ...parts: string[]): string {
  return join(REPO_ROOT, 'test-results', 'engines', engine, ...parts);
}

/** Creates an empty folder at `path`, removing what was there. */
export function freshDir(path: string): string {
  rmSync(path, { recursive: true, force: true });
  mkdirSync(path, { recursive: true });
  return path;
}

/** True when `path` is an executable file. */
export function isExecutable(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The first executable of `candidates`, or null. An env variable that names a missing file is an error. */
export function findExecutable(envVar: string, candidates: readonly string[]): { path: string } | { missing: string } {
  const fromEnv = process.env[envVar]?.trim();
  if (fromEnv) return isExecutable(fromEnv) ? { path: fromEnv } : { missing: `$${envVar} is set to "${fromEnv}", which is not an executable file` };
  for (const path of candidates) if (isExecutable(path)) return { path };
  return { missing: `not found (looked at $${envVar}, ${candidates.join(', ')})` };
}

/** Waits `ms` milliseconds. */
export const sleep = (ms: number): Promise<void> => new Promise((done) => setTimeout(done, ms));

/** Polls `check` until it returns a value other than undefined, or throws `message()` after `timeoutMs`. */
export async function poll<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs: number, message: () => string, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(message());
    await sleep(everyMs);
  }
}

/** Runs `start` and, if it throws, once more after a pause: browsers on a busy machine sometimes fail to start once. */
export async function withStartRetry<T>(what: string, start: () => Promise<T>): Promise<T> {
  try {
    return await start();
  } catch (first) {
    console.log(`  ${what} did not start (${String(first instanceof Error ? first.message : first).split('\n')[0]}); retrying once in 3 s`);
    await sleep(3000);
    return start();
  }
}
