/**
 * The engine suite's runner: specs are registered with {@link spec}, written once against the
 * {@link SpecContext}, and run in every engine by run.ts. A spec that needs an API an engine lacks
 * says so with `needs`, and is reported there as skipped with that reason.
 */
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { poll } from './drivers/common.js';
import type { EngineDriver, EngineName } from './drivers/types.js';
import type { RunOutcome, RunSpec } from './pages/harness.js';
import type { EngineServer } from './server.js';

/** What the engine offers, probed in its page before the first spec. */
export interface EngineCaps {
  userAgent: string;
  savePicker: boolean;
  opfs: boolean;
  createWritable: boolean;
  compressionStream: boolean;
  webLocks: boolean;
  transferableStreams: boolean;
}

/** The pages specs open. */
export const PAGES = {
  harness: '/test/engines/pages/harness.html',
  csp: '/test/engines/pages/csp.html',
} as const;

/** What a spec gets. */
export interface SpecContext {
  engine: EngineName;
  caps: EngineCaps;
  driver: EngineDriver;
  server: EngineServer;
  /** Calls a function of the open page. */
  call<T = unknown>(method: string, ...args: unknown[]): Promise<T>;
  /** Runs one export in the harness page. */
  run(spec: RunSpec): Promise<RunOutcome>;
  /** Opens another page (the harness page is open when a spec starts). */
  open(page: keyof typeof PAGES): Promise<void>;
  /** The bytes of a finished download of `fileName`, once it is on disk with `size` bytes. */
  download(fileName: string, size: number): Promise<Buffer>;
  /** Files in the download folder (finished or not). */
  downloadFolder(): string[];
  /**
   * Proves that no download other than `allowed` started: runs a small sentinel download, waits
   * for it (downloads arrive in order), then checks the folder and the page's anchor clicks.
   */
  expectNoOtherDownload(allowed?: string[]): Promise<void>;
  /** A line printed under the spec's result (what path the engine took, and the like). */
  note(text: string): void;
}

/** Says why a spec cannot run in an engine, or null when it can. */
export type Needs = (caps: EngineCaps, engine: EngineName) => string | null;

/** A registered spec. */
export interface Spec {
  name: string;
  needs: Needs;
  timeoutMs: number;
  run(t: SpecContext): Promise<void>;
}

const registry: Spec[] = [];

/** Registers a spec that runs in every engine, or only where `options.needs` allows. */
export function spec(name: string, optionsOrRun: { needs?: Needs; timeoutMs?: number } | ((t: SpecContext) => Promise<void>), maybeRun?: (t: SpecContext) => Promise<void>): void {
  const options = typeof optionsOrRun === 'function' ? {} : optionsOrRun;
  const run = typeof optionsOrRun === 'function' ? optionsOrRun : maybeRun;
  if (run === undefined) throw new Error(`spec "${name}" has no body`);
  if (registry.some((s) => s.name === name)) throw new Error(`two specs are named "${name}"`);
  registry.push({ name, needs: options.needs ?? (() => null), timeoutMs: options.timeoutMs ?? 120_000, run });
}

/** Every registered spec, in registration order. */
export function specs(): readonly Spec[] {
  return registry;
}

/** Common `needs`. */
export const needs = {
  noSavePicker: ((caps, engine) => (caps.savePicker ? `${engine} has showSaveFilePicker, where 'auto' opens the save dialog (the save-dialog spec covers that path)` : null)) as Needs,
  savePicker: ((caps, engine) => (caps.savePicker ? (caps.opfs ? null : `${engine} has no OPFS to back the stand-in save dialog`) : `${engine} has no showSaveFilePicker (the save dialog is Chromium-only)`)) as Needs,
  opfs: ((caps, engine) => (caps.opfs ? null : `${engine} has no navigator.storage.getDirectory (OPFS)`)) as Needs,
  noOpfs: ((caps, engine) => (caps.opfs ? `${engine} has OPFS, so target 'opfs' is honoured there (the opfs spec covers it)` : null)) as Needs,
  fileHandle: ((caps, engine) =>
    caps.opfs && caps.createWritable ? null : `${engine} has no FileSystemFileHandle with createWritable() to pass as a target`) as Needs,
};

/** One spec's result. */
export interface SpecResult {
  name: string;
  status: 'passed' | 'failed' | 'skipped';
  reason?: string;
  error?: string;
  ms: number;
  notes: string[];
}

/** Partial-download names per engine: Chromium `.crdownload`, Firefox `.part`, WebKit `.download`. */
const PARTIAL = /\.(crdownload|part|download|wkdownload)$/;

function filesIn(dir: string): string[] {
  return existsSync(dir) ? readdirSync(dir).filter((name) => !name.startsWith('.')).sort() : [];
}

/** Empties the download folder between specs. */
function clearFolder(dir: string): void {
  for (const name of readdirSync(dir)) rmSync(join(dir, name), { recursive: true, force: true });
}

async function withTimeout<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    return await Promise.race([promise, new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms / 1000} s`)), ms)))]);
  } finally {
    clearTimeout(timer);
  }
}

/** Runs every spec in one engine; prints a line per spec; returns the results. */
export async function runSpecs(driver: EngineDriver, server: EngineServer, list: readonly Spec[], caps: EngineCaps): Promise<SpecResult[]> {
  const results: SpecResult[] = [];
  for (const s of list) {
    const reason = s.needs(caps, driver.engine);
    if (reason !== null) {
      results.push({ name: s.name, status: 'skipped', reason, ms: 0, notes: [] });
      console.log(`  - ${s.name}: SKIPPED (${reason})`);
      continue;
    }
    const notes: string[] = [];
    const started = Date.now();
    let current: keyof typeof PAGES = 'harness';
    const t: SpecContext = {
      engine: driver.engine,
      caps,
      driver,
      server,
      call: (method, ...args) => driver.call(method, ...args),
      run: (request) => driver.call<RunOutcome>('run', request),
      async open(page) {
        current = page;
        await driver.open(`${server.origin}${PAGES[page]}`);
      },
      async download(fileName, size) {
        const path = join(driver.downloadDir, fileName);
        return poll(
          () => {
            const partial = filesIn(driver.downloadDir).some((name) => PARTIAL.test(name));
            return !partial && existsSync(path) && statSync(path).size === size ? readFileSync(path) : undefined;
          },
          60_000,
          () => `no finished download ${fileName} of ${size} bytes after 60 s; the folder holds: ${filesIn(driver.downloadDir).map((name) => `${name} (${statSync(join(driver.downloadDir, name)).size} bytes)`).join(', ') || 'nothing'}`,
        );
      },
      downloadFolder: () => filesIn(driver.downloadDir),
      async expectNoOtherDownload(allowed = []) {
        if (current !== 'harness') await t.open('harness');
        const sentinel = await t.run({ source: { kind: 'rows', count: 1 }, options: { format: 'csv', fileName: 'sentinel.csv' }, target: 'download' });
        if (!sentinel.ok) throw new Error(`the sentinel download failed: ${JSON.stringify(sentinel.error)}`);
        await t.download('sentinel.csv', sentinel.result!.bytesWritten);
        const expected = [...allowed, 'sentinel.csv'].sort();
        const found = filesIn(driver.downloadDir);
        if (JSON.stringify(found) !== JSON.stringify(expected)) throw new Error(`downloads: expected only ${expected.join(', ')}, found ${found.join(', ')}`);
        const clicks = (await t.call<Array<{ fileName: string }>>('anchorClicks')).map((c) => c.fileName).sort();
        if (JSON.stringify(clicks) !== JSON.stringify(expected)) throw new Error(`download clicks on the page: expected ${expected.join(', ')}, saw ${clicks.join(', ')}`);
      },
      note: (text) => notes.push(text),
    };
    try {
      clearFolder(driver.downloadDir);
      await withTimeout(`opening the harness page`, 90_000, t.open('harness'));
      if (caps.opfs) await driver.call('clearOpfs');
      await withTimeout(`"${s.name}"`, s.timeoutMs, s.run(t));
      const errors = await driver.call<string[]>('errors');
      if (errors.length > 0) throw new Error(`the page reported errors:\n    ${errors.join('\n    ')}`);
      results.push({ name: s.name, status: 'passed', ms: Date.now() - started, notes });
      console.log(`  ✓ ${s.name} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      results.push({ name: s.name, status: 'failed', error: message, ms: Date.now() - started, notes });
      console.log(`  ✗ ${s.name} (${((Date.now() - started) / 1000).toFixed(1)} s)\n    ${message.split('\n').join('\n    ')}`);
    }
    for (const text of notes) console.log(`      ${text}`);
  }
  return results;
}
