/**
 * Where the time of an IndexedDB → CSV export goes: a CPU profile of Sluice's worker while it
 * exports the benchmark store, next to how long reading the store alone takes (in a plain worker,
 * with the same batch size, and with `getAll()` on the page), and the engine fed by a worker of
 * our own that reads the store one batch at a time or one batch ahead
 * (bench/browser/idb-read-ahead-worker.ts).
 *
 *   npm run build && npx tsx bench/browser/profile-idb.ts
 *
 * With PROFILE_IDB_TRACE_RUNS=n (default 0) it then traces n more Sluice exports (Chrome tracing,
 * every process) and, for each gap between the page's animation frames over 50 ms, prints what the
 * page's main thread and the busiest other threads were doing meanwhile (wall and CPU time).
 *
 * Environment: BENCH_BROWSER_IDB_ROWS (records, default 1,000,000), PROFILE_IDB_STEPS (which steps
 * to run, comma-separated, default `read,readahead,profile`), PROFILE_IDB_READ_AHEAD_ROUNDS (default
 * 2), PROFILE_IDB_TRACE_RUNS, SLUICE_BENCH_PORT (default 5318). The browser profile (and the filled store) is kept in `$TMPDIR/sluice-bench-idb-profile`
 * between runs, so the store is filled once; delete that folder to start over.
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../test/e2e/setup/browser.js';
import type { ReadAheadRequest, ReadAheadResult } from './idb-read-ahead-worker.js';
import { startTestServer } from './server.js';

const ROWS = Number((process.env['BENCH_BROWSER_IDB_ROWS'] ?? '1000000').replaceAll('_', ''));
const PORT = Number(process.env['SLUICE_BENCH_PORT'] ?? 5318);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PAGE = `${ORIGIN}/bench/browser/bench.html`;
const DATABASE = 'sluice-bench';
const STORE = 'rows';
const BATCH = 16_384;
const TRACE_RUNS = Number(process.env['PROFILE_IDB_TRACE_RUNS'] ?? 0);
const READ_AHEAD_ROUNDS = Number(process.env['PROFILE_IDB_READ_AHEAD_ROUNDS'] ?? 2);
const STEPS = new Set((process.env['PROFILE_IDB_STEPS'] ?? 'read,readahead,profile').split(',').map((step) => step.trim()));

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** Talks to one worker target through the page's CDP session (flatten: false). */
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

/** Self time (ms) by function and by script, largest first. */
function selfTimes(profile: Profile): { total: number; byFunction: Array<[string, number]>; byScript: Array<[string, number]> } {
  const nodes = new Map(profile.nodes.map((node) => [node.id, node]));
  const byFunction = new Map<string, number>();
  const byScript = new Map<string, number>();
  let total = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    const node = nodes.get(profile.samples[i]!)!;
    const ms = (profile.timeDeltas[i] ?? 0) / 1000;
    total += ms;
    const { functionName, url, lineNumber } = node.callFrame;
    const script = url === '' ? functionName || '(anonymous)' : url.replace(ORIGIN, '').replace(/\?.*$/, '');
    const name = `${functionName || '(anonymous)'} ${script}${url === '' ? '' : `:${lineNumber + 1}`}`;
    byFunction.set(name, (byFunction.get(name) ?? 0) + ms);
    byScript.set(script, (byScript.get(script) ?? 0) + ms);
  }
  const sorted = (map: Map<string, number>) => [...map].sort((a, b) => b[1] - a[1]);
  return { total, byFunction: sorted(byFunction), byScript: sorted(byScript) };
}

async function storeCount(page: Page): Promise<number> {
  return page.evaluate(
    ([database, store]) =>
      new Promise<number>((resolve) => {
        const open = indexedDB.open(database);
        open.onupgradeneeded = () => open.transaction!.abort();
        open.onerror = () => resolve(0);
        open.onsuccess = () => {
          const db = open.result;
          if (!db.objectStoreNames.contains(store)) {
            db.close();
            resolve(0);
            return;
          }
          const count = db.transaction(store, 'readonly').objectStore(store).count();
          count.onsuccess = () => {
            db.close();
            resolve(count.result);
          };
        };
      }),
    [DATABASE, STORE] as const,
  );
}

/** Reads the whole store in a plain worker, `BATCH` records per transaction, and drops them. */
async function readOnlyInWorker(page: Page, method: 'getAllRecords' | 'getAll'): Promise<{ ms: number; records: number; waitMs: number }> {
  return page.evaluate(
    ([database, store, batch, how]) => {
      const source = `
        const req = (r) => new Promise((resolve, reject) => { r.onsuccess = () => resolve(r.result); r.onerror = () => reject(r.error); });
        onmessage = async ({ data: { database, store, batch, how } }) => {
          const started = performance.now();
          const db = await req(indexedDB.open(database));
          let lower, records = 0, waitMs = 0;
          for (;;) {
            const objects = db.transaction(store, 'readonly').objectStore(store);
            const query = lower === undefined ? null : IDBKeyRange.lowerBound(lower, true);
            const t = performance.now();
            let values, last;
            if (how === 'getAllRecords') {
              const got = await req(objects.getAllRecords({ query, count: batch }));
              values = got.map((r) => r.value);
              last = got.length ? got[got.length - 1].primaryKey : undefined;
            } else {
              values = await req(objects.getAll(query, batch));
              last = values.length ? values[values.length - 1].id : undefined;
            }
            waitMs += performance.now() - t;
            records += values.length;
            if (values.length < batch) break;
            lower = last;
          }
          db.close();
          postMessage({ ms: performance.now() - started, records, waitMs });
        };`;
      const url = URL.createObjectURL(new Blob([source], { type: 'text/javascript' }));
      const worker = new Worker(url);
      return new Promise<{ ms: number; records: number; waitMs: number }>((resolve, reject) => {
        worker.onmessage = (event) => {
          worker.terminate();
          URL.revokeObjectURL(url);
          resolve(event.data as { ms: number; records: number; waitMs: number });
        };
        worker.onerror = (event) => reject(new Error(event.message));
        worker.postMessage({ database, store, batch, how });
      });
    },
    [DATABASE, STORE, BATCH, method] as const,
  );
}

/** `getAll()` of the whole store on the page, dropped. */
async function getAllOnPage(page: Page): Promise<{ ms: number; records: number }> {
  return page.evaluate(
    ([database, store]) =>
      new Promise<{ ms: number; records: number }>((resolve, reject) => {
        const started = performance.now();
        const open = indexedDB.open(database);
        open.onerror = () => reject(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const all = db.transaction(store, 'readonly').objectStore(store).getAll();
          all.onerror = () => reject(all.error);
          all.onsuccess = () => {
            const records = all.result.length;
            db.close();
            resolve({ ms: performance.now() - started, records });
          };
        };
      }),
    [DATABASE, STORE] as const,
  );
}

/** exportStream in a worker of our own, fed batch by batch from the store (see the worker). */
async function readAheadExport(page: Page, readAhead: boolean): Promise<ReadAheadResult> {
  const message: ReadAheadRequest = { database: DATABASE, store: STORE, batch: BATCH, readAhead };
  return page.evaluate(
    (m) =>
      new Promise<ReadAheadResult>((resolve, reject) => {
        const worker = new Worker('/bench/browser/idb-read-ahead-worker.ts', { type: 'module' });
        worker.onmessage = (event: MessageEvent<ReadAheadResult>) => {
          worker.terminate();
          resolve(event.data);
        };
        worker.onerror = (event) => reject(new Error(event.message || 'the read-ahead worker failed'));
        worker.postMessage(m);
      }),
    message,
  );
}

interface TraceEvent {
  pid: number;
  tid: number;
  ts: number;
  ph: string;
  name: string;
  cat: string;
  dur?: number;
  tdur?: number;
  args?: { name?: string; src_func?: string; src_file?: string };
}

/** Records a Chrome trace (every process) around `work`. */
async function traced<T>(cdp: CDPSession, work: () => Promise<T>): Promise<{ result: T; events: TraceEvent[] }> {
  const categories = ['toplevel', 'devtools.timeline', 'disabled-by-default-devtools.timeline.frame', 'blink.user_timing', '__metadata'];
  await cdp.send('Tracing.start', { transferMode: 'ReturnAsStream', traceConfig: { includedCategories: categories, excludedCategories: ['*'] } });
  const result = await work();
  const complete = new Promise<string>((resolve) => cdp.once('Tracing.tracingComplete', (event: { stream?: string }) => resolve(event.stream ?? '')));
  await cdp.send('Tracing.end');
  const stream = await complete;
  let text = '';
  for (;;) {
    const chunk = await cdp.send('IO.read', { handle: stream, size: 1 << 20 });
    text += chunk.base64Encoded === true ? Buffer.from(chunk.data, 'base64').toString('utf8') : chunk.data;
    if (chunk.eof) break;
  }
  await cdp.send('IO.close', { handle: stream });
  const parsed = JSON.parse(text) as TraceEvent[] | { traceEvents: TraceEvent[] };
  return { result, events: Array.isArray(parsed) ? parsed : parsed.traceEvents };
}

/** For each gap between animation frames over 50 ms: what the threads did meanwhile. */
function explainGaps(events: TraceEvent[]): void {
  const threadNames = new Map<string, string>();
  const processNames = new Map<number, string>();
  for (const e of events) {
    if (e.ph !== 'M') continue;
    if (e.name === 'thread_name') threadNames.set(`${e.pid}:${e.tid}`, e.args?.name ?? '?');
    if (e.name === 'process_name') processNames.set(e.pid, e.args?.name ?? '?');
  }
  const frames = events.filter((e) => e.name === 'FireAnimationFrame').sort((a, b) => a.ts - b.ts);
  if (frames.length === 0) {
    console.log('  no FireAnimationFrame events in the trace');
    return;
  }
  const main = `${frames[0]!.pid}:${frames[0]!.tid}`;
  const tasks = events.filter((e) => e.ph === 'X' && e.dur !== undefined && (e.name === 'ThreadControllerImpl::RunTask' || e.name === 'ThreadPool_RunTask' || e.name === 'RunTask'));
  let gaps = 0;
  let largest = 0;
  for (let i = 1; i < frames.length; i++) {
    const from = frames[i - 1]!.ts;
    const to = frames[i]!.ts;
    largest = Math.max(largest, (to - from) / 1000);
    if (to - from <= 50_000) continue;
    gaps++;
    const overlap = (e: TraceEvent) => Math.max(0, Math.min(to, e.ts + e.dur!) - Math.max(from, e.ts));
    const byThread = new Map<string, { wall: number; cpu: number; longest: number; longestFrom: string }>();
    for (const task of tasks) {
      const wall = overlap(task);
      if (wall === 0) continue;
      const key = `${task.pid}:${task.tid}`;
      const entry = byThread.get(key) ?? { wall: 0, cpu: 0, longest: 0, longestFrom: '' };
      entry.wall += wall;
      entry.cpu += task.tdur !== undefined && task.dur! > 0 ? (task.tdur * wall) / task.dur! : 0;
      if (task.dur! > entry.longest) {
        entry.longest = task.dur!;
        entry.longestFrom = task.args?.src_func === undefined ? '' : ` (posted from ${task.args.src_func}${task.args.src_file === undefined ? '' : ` in ${task.args.src_file.split('/').slice(-2).join('/')}`})`;
      }
      byThread.set(key, entry);
    }
    const label = (key: string) => `${processNames.get(Number(key.split(':')[0])) ?? 'process ' + key.split(':')[0]} / ${threadNames.get(key) ?? 'thread ' + key.split(':')[1]}`;
    const mainEntry = byThread.get(main) ?? { wall: 0, cpu: 0, longest: 0, longestFrom: '' };
    console.log(`  gap of ${((to - from) / 1000).toFixed(0)} ms: the page's main thread ran tasks for ${(mainEntry.wall / 1000).toFixed(1)} ms (CPU ${(mainEntry.cpu / 1000).toFixed(1)} ms, longest task ${(mainEntry.longest / 1000).toFixed(1)} ms); busiest threads:`);
    for (const [key, entry] of [...byThread].filter(([key]) => key !== main).sort((a, b) => b[1].wall - a[1].wall).slice(0, 6)) {
      console.log(`    ${label(key)}: tasks ${(entry.wall / 1000).toFixed(1)} ms (CPU ${(entry.cpu / 1000).toFixed(1)} ms), longest ${(entry.longest / 1000).toFixed(1)} ms${entry.longestFrom}`);
    }
  }
  console.log(`  ${frames.length} animation frames, largest gap ${largest.toFixed(0)} ms, ${gaps} gap(s) over 50 ms`);
}

/** Sluice's worker, started by preload, then profiled through one export. */
async function profileWorker(page: Page, cdp: CDPSession): Promise<void> {
  const workers: string[] = [];
  cdp.on('Target.attachedToTarget', (event: { sessionId: string; targetInfo: { type: string; url: string } }) => {
    // The full worker reads IndexedDB; preload starts the CSV worker (text-worker.js) beside it.
    if (event.targetInfo.type === 'worker' && /\/worker\.js(\?|$)/.test(event.targetInfo.url)) workers.push(event.sessionId);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, flatten: false, waitForDebuggerOnStart: false });
  await page.evaluate(async () => {
    const lib = (await import(/* @vite-ignore */ '/dist/index.js' as string)) as { preload(options: { formats: string[] }): Promise<void> };
    await lib.preload({ formats: ['csv'] });
  });
  for (let i = 0; i < 50 && workers.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  if (workers.length === 0) throw new Error('no worker target attached');
  const worker = new WorkerTarget(cdp, workers.at(-1)!);
  await worker.send('Profiler.enable');
  await worker.send('Profiler.setSamplingInterval', { interval: 500 });
  await worker.send('Profiler.start');
  const run = await page.evaluate(([d, s, n]) => window.sluiceBench!.idbSluice(d, s, n), [DATABASE, STORE, ROWS] as const);
  const { profile } = await worker.send<{ profile: Profile }>('Profiler.stop');
  console.log(`\nsluice fromIndexedDB → file (worker): ${(run.ms / 1000).toFixed(2)} s, max frame gap ${Math.round(run.maxFrameGapMs)} ms, ${run.rowsWritten} rows`);
  const times = selfTimes(profile);
  console.log(`\nworker CPU profile, ${(times.total / 1000).toFixed(2)} s sampled; self time by script:`);
  for (const [script, ms] of times.byScript.slice(0, 15)) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${((100 * ms) / times.total).toFixed(1).padStart(5)} %  ${script}`);
  console.log(`\nself time by function:`);
  for (const [name, ms] of times.byFunction.slice(0, 25)) console.log(`  ${(ms / 1000).toFixed(2).padStart(7)} s  ${((100 * ms) / times.total).toFixed(1).padStart(5)} %  ${name}`);
  await page.evaluate(() => window.sluiceBench!.clearOpfs());
}

async function main(): Promise<void> {
  const server = await startTestServer(PORT);
  const profileDir = join(tmpdir(), 'sluice-bench-idb-profile');
  mkdirSync(profileDir, { recursive: true });
  const context = await chromium.launchPersistentContext(profileDir, { executablePath: findChromium().path, args: [...CHROMIUM_ARGS] });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(PAGE);
    await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 60_000 });
    if ((await storeCount(page)) !== ROWS) {
      console.log(`filling ${ROWS.toLocaleString('en')} records…`);
      const fill = await page.evaluate(([d, s, n]) => window.sluiceBench!.idbFill(d, s, n), [DATABASE, STORE, ROWS] as const);
      console.log(`filled in ${(fill.ms / 1000).toFixed(1)} s`);
    }

    if (STEPS.has('read')) {
      for (const method of ['getAllRecords', 'getAll'] as const) {
        const read = await readOnlyInWorker(page, method);
        console.log(`read only, plain worker, ${method} × ${BATCH}: ${(read.ms / 1000).toFixed(2)} s for ${read.records} records (${(read.waitMs / 1000).toFixed(2)} s waiting on requests)`);
      }
      const onPage = await getAllOnPage(page);
      console.log(`read only, page, one getAll(): ${(onPage.ms / 1000).toFixed(2)} s for ${onPage.records} records`);
    }

    for (let round = 0; STEPS.has('readahead') && round < READ_AHEAD_ROUNDS; round++) {
      for (const readAhead of round % 2 === 0 ? [false, true] : [true, false]) {
        await page.evaluate(() => window.sluiceBench!.clearOpfs());
        const run = await readAheadExport(page, readAhead);
        console.log(`exportStream in a worker of ours, async generator over getAllRecords × ${BATCH}, ${readAhead ? 'one batch ahead' : 'one batch at a time'}: ${(run.ms / 1000).toFixed(2)} s, ${run.rowsWritten} rows, ${run.bytesWritten} bytes`);
      }
      await page.evaluate(() => window.sluiceBench!.clearOpfs());
      const sluice = await page.evaluate(([d, s, n]) => window.sluiceBench!.idbSluice(d, s, n), [DATABASE, STORE, ROWS] as const);
      console.log(`sluice fromIndexedDB → file (worker), not profiled: ${(sluice.ms / 1000).toFixed(2)} s, max frame gap ${Math.round(sluice.maxFrameGapMs)} ms`);
    }

    const cdp = await context.newCDPSession(page);
    if (STEPS.has('profile')) await profileWorker(page, cdp);

    for (let i = 0; i < TRACE_RUNS; i++) {
      await cdp.send('HeapProfiler.collectGarbage');
      const { result, events } = await traced(cdp, () => page.evaluate(([d, s, n]) => window.sluiceBench!.idbSluice(d, s, n), [DATABASE, STORE, ROWS] as const));
      console.log(`\ntraced run ${i + 1}: ${(result.ms / 1000).toFixed(2)} s, max frame gap ${Math.round(result.maxFrameGapMs)} ms, ${events.length} trace events`);
      explainGaps(events);
      await page.evaluate(() => window.sluiceBench!.clearOpfs());
    }
  } finally {
    await context.close();
    server.kill();
  }
}

await main();
