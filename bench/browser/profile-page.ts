/**
 * Where the time of a page-held export goes: CPU profiles of the page's main thread and of
 * Sluice's worker while `exportData` writes the benchmark rows the page holds (1,000,000 by
 * default) to a CSV file, with every function's self time put in one of the steps of the path:
 * packing on the page, messaging (comlink, structured clone, postMessage), building batches in the
 * worker, encoding, writing the file, garbage collection, and idle (waiting for the other side).
 *
 *   npm run build && npx tsx bench/browser/profile-page.ts
 *
 * Environment: BENCH_BROWSER_ROWS (default 1,000,000), PROFILE_PAGE_RUNS (profiled exports,
 * default 2; the first is preceded by a warm-up export that is not profiled), PROFILE_PAGE_FORMAT
 * (default csv), SLUICE_BENCH_PORT (default 5318).
 */
import { cpus, loadavg } from 'node:os';
import { chromium, type CDPSession } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../test/e2e/setup/browser.js';
import { startTestServer } from './server.js';

const ROWS = Number((process.env['BENCH_BROWSER_ROWS'] ?? '1000000').replaceAll('_', ''));
const RUNS = Number(process.env['PROFILE_PAGE_RUNS'] ?? 2);
const FORMAT = (process.env['PROFILE_PAGE_FORMAT'] ?? 'csv') as 'csv';
const PORT = Number(process.env['SLUICE_BENCH_PORT'] ?? 5318);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PAGE = `${ORIGIN}/bench/browser/bench.html`;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** The step of the path a function's self time belongs to, from its script and name. */
function stepOf(url: string, functionName: string): string {
  const path = url.replace(ORIGIN, '').replace(/\?.*$/, '');
  if (functionName === '(idle)') return 'idle';
  if (functionName === '(garbage collector)') return 'garbage collection';
  if (functionName === '(program)') return 'browser internals (program)';
  if (/\/worker\/(pack|page-source)\.js$/.test(path)) return 'packing rows by column (page)';
  if (/comlink|\/worker\/(transfer|client|worker-source|api)\.js$/.test(path) || functionName === 'postMessage') return 'messaging (comlink, clone, transfer)';
  if (/\/schema\/(builder|packed|utf8|nested|infer|kinds)\.js$/.test(path)) return 'building batches (worker)';
  if (/\/formats\//.test(path)) return 'encoding';
  if (/\/sinks\//.test(path) || /write|close/i.test(functionName) && path === '') return 'writing the file';
  if (/\/engine\.js$|\/worker\/run\.js$|\/progress\.js$|\/sources\//.test(path)) return 'engine loop';
  if (/apache-arrow/.test(path)) return 'apache-arrow';
  if (/\/bench\/|dataset/.test(path)) return 'benchmark page';
  return path === '' ? `native: ${functionName || '(anonymous)'}` : `other: ${path.split('/').slice(-2).join('/')}`;
}

/** Self time (ms) by step, and the top functions, of one profile. */
function breakdown(profile: Profile): { total: number; steps: Array<[string, number]>; functions: Array<[string, number]> } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const steps = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]!)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const step = stepOf(url, functionName);
    steps.set(step, (steps.get(step) ?? 0) + ms);
    const name = `${functionName || '(anonymous)'} ${url.replace(ORIGIN, '')}${url === '' ? '' : `:${lineNumber + 1}`}`;
    functions.set(name, (functions.get(name) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, steps: sorted(steps), functions: sorted(functions) };
}

/** Sends CDP commands to a worker target through the page's session (flatten: false). */
class WorkerTarget {
  #nextId = 1;
  readonly #pending = new Map<number, (result: unknown) => void>();
  readonly cdp: CDPSession;
  readonly sessionId: string;
  constructor(cdp: CDPSession, sessionId: string) {
    this.cdp = cdp;
    this.sessionId = sessionId;
    cdp.on('Target.receivedMessageFromTarget', (event: { sessionId: string; message: string }) => {
      if (event.sessionId !== this.sessionId) return;
      const message = JSON.parse(event.message) as { id?: number; result?: unknown };
      if (message.id !== undefined) this.#pending.get(message.id)?.(message.result);
    });
  }
  async send<T>(method: string, params: Record<string, unknown> = {}): Promise<T> {
    const id = this.#nextId++;
    const answer = new Promise<T>((resolve) => this.#pending.set(id, resolve as (result: unknown) => void));
    await this.cdp.send('Target.sendMessageToTarget', { sessionId: this.sessionId, message: JSON.stringify({ id, method, params }) });
    const result = await answer;
    this.#pending.delete(id);
    return result;
  }
}

function print(title: string, result: ReturnType<typeof breakdown>, wallMs: number): void {
  console.log(`\n${title}: ${(result.total / 1000).toFixed(2)} s sampled over a ${(wallMs / 1000).toFixed(2)} s export`);
  for (const [step, ms] of result.steps.slice(0, 12)) console.log(`  ${(ms / 1000).toFixed(2).padStart(6)} s  ${((100 * ms) / result.total).toFixed(1).padStart(5)} %  ${step}`);
  console.log('  top functions (self time):');
  for (const [name, ms] of result.functions.filter(([name]) => !name.startsWith('(idle)')).slice(0, 10)) console.log(`    ${(ms / 1000).toFixed(2).padStart(6)} s  ${name}`);
}

async function main(): Promise<void> {
  const server = await startTestServer(PORT);
  const browser = await chromium.launch({ executablePath: findChromium().path, args: [...CHROMIUM_ARGS] });
  try {
    console.log(`${cpus().length} cores, load average ${loadavg().map((n) => n.toFixed(2)).join(' ')}; Chromium ${browser.version()}; ${ROWS.toLocaleString('en')} rows → ${FORMAT}`);
    const context = await browser.newContext();
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    const workers = new Map<string, string>();
    cdp.on('Target.attachedToTarget', (event: { sessionId: string; targetInfo: { type: string; url: string } }) => {
      if (event.targetInfo.type === 'worker') workers.set(event.sessionId, event.targetInfo.url);
    });
    await cdp.send('Target.setAutoAttach', { autoAttach: true, flatten: false, waitForDebuggerOnStart: false });
    await page.goto(PAGE);
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true');
    await page.evaluate((n) => window.sluiceBench!.prepare(n), ROWS);
    // A warm-up export starts the worker (the one the page picks for this export) and compiles the code.
    const warm = await page.evaluate((f) => window.sluiceBench!.sluiceFormat(f), FORMAT);
    console.log(`warm-up: ${(warm.ms / 1000).toFixed(2)} s; workers: ${[...workers.values()].map((url) => url.replace(ORIGIN, '')).join(', ')}`);
    const targets = [...workers].map(([sessionId, url]) => ({ url, target: new WorkerTarget(cdp, sessionId) }));
    for (let run = 0; run < RUNS; run++) {
      await page.evaluate(() => window.sluiceBench!.clearOpfs());
      await cdp.send('HeapProfiler.collectGarbage');
      await cdp.send('Profiler.enable');
      await cdp.send('Profiler.setSamplingInterval', { interval: 200 });
      for (const { target } of targets) {
        await target.send('Profiler.enable');
        await target.send('Profiler.setSamplingInterval', { interval: 200 });
      }
      await cdp.send('Profiler.start');
      for (const { target } of targets) await target.send('Profiler.start');
      const measured = await page.evaluate((f) => window.sluiceBench!.sluiceFormat(f), FORMAT);
      const { profile } = (await cdp.send('Profiler.stop')) as unknown as { profile: Profile };
      console.log(`\n=== run ${run + 1}: ${(measured.ms / 1000).toFixed(2)} s, largest frame gap ${measured.maxFrameGapMs.toFixed(0)} ms, long animation frames [${measured.longAnimationFrames.join(', ')}] ms; load average ${loadavg()[0]!.toFixed(2)}`);
      print('page main thread', breakdown(profile), measured.ms);
      for (const { url, target } of targets) {
        const { profile: workerProfile } = await target.send<{ profile: Profile }>('Profiler.stop');
        const result = breakdown(workerProfile);
        if (result.total - (result.steps.find(([step]) => step === 'idle')?.[1] ?? 0) < 50) continue;
        print(`worker ${url.replace(ORIGIN, '')}`, result, measured.ms);
      }
    }
    await context.close();
  } finally {
    await browser.close();
    server.kill();
  }
}

await main();
