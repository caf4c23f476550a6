/**
 * Browser benchmark: Sluice in Chromium against Papa.unparse + Blob on the main thread (rows the
 * page holds, then an IndexedDB store against `getAll()`), and a memory check of a long streamed
 * export.
 *
 *   npm run build && npx tsx bench/browser/run.ts
 *
 * Environment: BENCH_BROWSER_ROWS (default 1,000,000), BENCH_BROWSER_ROUNDS (default 3; the first
 * is a warm-up and is dropped when there are more), BENCH_BROWSER_IDB_ROWS (records in the
 * IndexedDB store, default 1,000,000; 0 skips that section), BENCH_BROWSER_IDB_ROUNDS (default 5;
 * the first is a warm-up too), BENCH_BROWSER_STREAM_ROWS (default 5,000,000; 0 skips the memory check),
 * SLUICE_BENCH_PORT (default 5318).
 *
 * Writes bench/browser/results.json and prints a table. The test server (test/server/serve.ts) is
 * started on its own port for the run; the browser is the one the tests use.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg, cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type CDPSession, type Page } from '@playwright/test';
import { CHROMIUM_ARGS, findChromium } from '../../test/e2e/setup/browser.js';
import type { BenchRun } from './bench.js';
import { startTestServer } from './server.js';

const ROWS = intFromEnv('BENCH_BROWSER_ROWS', 1_000_000);
const ROUNDS = intFromEnv('BENCH_BROWSER_ROUNDS', 3);
const IDB_ROWS = intFromEnv('BENCH_BROWSER_IDB_ROWS', 1_000_000);
// Five by default: getAll + papaparse on the main thread varies much more from round to round
// (12–27 s on a loaded 2-core machine) than the CSV section's runs do.
const IDB_ROUNDS = Math.max(1, intFromEnv('BENCH_BROWSER_IDB_ROUNDS', 5));
const STREAM_ROWS = intFromEnv('BENCH_BROWSER_STREAM_ROWS', 5_000_000);
/**
 * Runs of section 1 to keep, by name (`sluice`, `papa`, `sluiceMain`, `papaBlobOnly`, `writeFloorCsv`,
 * `json`, `ndjson`, `parquet`, `arrow`, `xlsx`, `xlsx-cut`, `csv+gzip`, `writeFloorJson`, `gzipFloorCsv`),
 * comma-separated; all when unset. For quick A/B runs:
 * targets whose runs are left out are reported as not measured.
 */
const ONLY = process.env['BENCH_BROWSER_ONLY'] ? process.env['BENCH_BROWSER_ONLY'].split(',').map((name) => name.trim()) : null;
/** 0 leaves out the other formats' runs (JSON, NDJSON, Parquet, Arrow, CSV with gzip). */
const FORMATS = intFromEnv('BENCH_BROWSER_FORMATS', 1) !== 0;
/**
 * The targets for rows the page holds (section 1), checked on the medians of one run so that
 * the machine's load touches both sides of every ratio alike.
 */
const TARGETS = {
  /** Sluice's worker export of 1,000,000 rows to a CSV file, on a quiet machine. */
  csvSeconds: 1.5,
  /** …against Papa.unparse + Blob in the same run. */
  csvVsPapa: 0.3,
  /** The page's largest gap between animation frames while Sluice runs, in every round. */
  maxFrameGapMs: 20,
  /** No long animation frame longer than this while Sluice runs. */
  longAnimationFrameMs: 50,
  /** Each format's time against CSV's in the same run. */
  formatVsCsv: { json: 1.3, ndjson: 1.3, parquet: 1.5, arrow: 1.5, 'csv+gzip': 2 } as Record<string, number>,
  /** fromIndexedDB against the fastest raw read of the same store in the same page. */
  idbVsRawRead: 1.3,
};
/** The IndexedDB section's target: the page's largest frame gap while Sluice runs, at most. */
const IDB_TARGET_FRAME_GAP_MS = 50;
const PORT = intFromEnv('SLUICE_BENCH_PORT', 5318);
const ORIGIN = `http://127.0.0.1:${PORT}`;
const PAGE = `${ORIGIN}/bench/browser/bench.html`;
const root = fileURLToPath(new URL('../../', import.meta.url));

function intFromEnv(name: string, fallback: number): number {
  const value = process.env[name];
  if (value === undefined || value === '') return fallback;
  const number = Number(value.replaceAll('_', ''));
  if (!Number.isInteger(number) || number < 0) throw new Error(`${name} must be a non-negative integer, got "${value}"`);
  return number;
}

async function openPage(page: Page): Promise<void> {
  await page.goto(PAGE);
  await page.waitForFunction(() => document.documentElement.dataset['ready'] === 'true', null, { timeout: 60_000 });
}

/**
 * Collects the page's garbage before a run (CDP `HeapProfiler.collectGarbage`), so a run does not
 * pay, in its frame gaps, for collecting what the run before it left behind.
 */
async function collectGarbage(cdp: CDPSession): Promise<void> {
  await cdp.send('HeapProfiler.collectGarbage');
}

/** Samples every worker's JS heap (CDP, flat=false as PLATFORM-NOTES describes) and the page's. */
async function heapSampler(cdp: CDPSession): Promise<{ sample(): Promise<{ page: number; workers: number }>; peak: { page: number; workers: number } }> {
  const workers = new Set<string>();
  const pending = new Map<number, (used: number) => void>();
  let nextId = 1;
  cdp.on('Target.attachedToTarget', (event: { sessionId: string; targetInfo: { type: string } }) => {
    if (event.targetInfo.type === 'worker') workers.add(event.sessionId);
  });
  cdp.on('Target.detachedFromTarget', (event: { sessionId: string }) => workers.delete(event.sessionId));
  cdp.on('Target.receivedMessageFromTarget', (event: { message: string }) => {
    const message = JSON.parse(event.message) as { id?: number; result?: { usedSize: number } };
    if (message.id !== undefined) pending.get(message.id)?.(message.result?.usedSize ?? 0);
  });
  await cdp.send('Target.setAutoAttach', { autoAttach: true, flatten: false, waitForDebuggerOnStart: false });
  const peak = { page: 0, workers: 0 };
  return {
    peak,
    async sample() {
      const page = (await cdp.send('Runtime.getHeapUsage')).usedSize;
      let total = 0;
      for (const sessionId of workers) {
        const id = nextId++;
        const answer = new Promise<number>((resolve) => {
          pending.set(id, resolve);
          setTimeout(() => resolve(0), 1_000);
        });
        await cdp.send('Target.sendMessageToTarget', { sessionId, message: JSON.stringify({ id, method: 'Runtime.getHeapUsage' }) }).catch(() => undefined);
        total += await answer;
        pending.delete(id);
      }
      peak.page = Math.max(peak.page, page);
      peak.workers = Math.max(peak.workers, total);
      return { page, workers: total };
    },
  };
}

const mb = (bytes: number): string => (bytes / 1024 / 1024).toFixed(1);
const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)]!;
};

/** Medians (and worst frame gap) of each run name, warm-up rounds already dropped. */
function summarize(runs: BenchRun[]) {
  return [...new Set(runs.map((r) => r.name))].map((name) => {
    const mine = runs.filter((r) => r.name === name);
    return {
      name,
      medianSeconds: Number((median(mine.map((r) => r.ms)) / 1000).toFixed(3)),
      medianMaxFrameGapMs: Math.round(median(mine.map((r) => r.maxFrameGapMs))),
      worstMaxFrameGapMs: Math.round(Math.max(...mine.map((r) => r.maxFrameGapMs))),
      frameGapsOver50msPerRun: mine.reduce((sum, r) => sum + r.frameGapsOver50ms, 0) / mine.length,
      longAnimationFramesOver50msPerRun: mine.reduce((sum, r) => sum + r.longAnimationFrames.filter((d) => d > 50).length, 0) / mine.length,
      worstLongAnimationFrameMs: Math.max(0, ...mine.flatMap((r) => r.longAnimationFrames)),
      megabytes: Number(mb(mine[0]!.bytes)),
    };
  });
}

function describeRun(round: number, run: BenchRun): string {
  const phases = run.phases === undefined ? '' : ` (${Object.entries(run.phases).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(2)} s`).join(', ')})`;
  const loaf = run.longAnimationFrames.filter((d) => d > 50).length;
  return `round ${round + 1}: ${run.name}: ${(run.ms / 1000).toFixed(2)} s, max frame gap ${run.maxFrameGapMs.toFixed(0)} ms (${run.frameGapsOver50ms} gap(s) > 50 ms, ${loaf} long animation frame(s) > 50 ms), ${mb(run.bytes)} MB${phases}`;
}

/**
 * IndexedDB → CSV file: `fromIndexedDB` in Sluice's worker against `getAll()` + `Papa.unparse` +
 * Blob on the main thread, alternating, in a browser with a profile on disk (so the store and the
 * origin private file system live on disk, as they do for an app's users).
 */
async function indexedDBSection(): Promise<Record<string, unknown>> {
  const database = 'sluice-bench';
  const store = 'rows';
  const profile = mkdtempSync(join(tmpdir(), 'sluice-bench-idb-'));
  const context = await chromium.launchPersistentContext(profile, { executablePath: findChromium().path, args: [...CHROMIUM_ARGS] });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const cdp = await context.newCDPSession(page);
    await openPage(page);
    console.log(`\nfilling an IndexedDB store with ${IDB_ROWS.toLocaleString('en')} records…`);
    const fill = await page.evaluate(([d, s, n]) => window.sluiceBench!.idbFill(d, s, n), [database, store, IDB_ROWS] as const);
    if (fill.count !== IDB_ROWS) throw new Error(`the store holds ${fill.count} records, expected ${IDB_ROWS}`);
    console.log(`filled in ${(fill.ms / 1000).toFixed(1)} s (${Math.ceil(IDB_ROWS / 50_000)} transaction(s) of up to 50,000 records)`);
    const runs: Array<BenchRun & { loadavg1m: number }> = [];
    const order = ['idbSluice', 'idbPapa', 'idbRawRead'] as const;
    for (let round = 0; round < IDB_ROUNDS; round++) {
      const names = round % 2 === 0 ? order : [...order].reverse();
      for (const name of names) {
        await page.evaluate(() => window.sluiceBench!.clearOpfs());
        await collectGarbage(cdp);
        const run = await page.evaluate(([which, d, s, n]) => window.sluiceBench![which](d, s, n), [name, database, store, IDB_ROWS] as const);
        const loadavg1m = Number(loadavg()[0]!.toFixed(2));
        console.log(`${describeRun(round, run)}; load average ${loadavg1m}`);
        // Both sides must have saved every record (bytes differ: papaparse writes dates its own way).
        if (run.rowsWritten !== IDB_ROWS) throw new Error(`${run.name} read or wrote ${run.rowsWritten} rows, the store holds ${IDB_ROWS}`);
        if (IDB_ROUNDS === 1 || round > 0) runs.push({ ...run, loadavg1m });
      }
    }
    await page.evaluate(() => window.sluiceBench!.clearOpfs());
    await page.evaluate((d) => window.sluiceBench!.deleteDatabase(d), database);
    const summary = summarize(runs);
    console.log(`\nIndexedDB, ${IDB_ROWS.toLocaleString('en')} records → CSV file, median of ${runs.length / order.length} round(s):`);
    console.table(summary);
    const sluice = summary.find((s) => s.name.startsWith('sluice'))!;
    const peer = summary.find((s) => s.name.includes('Papa'))!;
    const raw = summary.find((s) => s.name.includes('read only'))!;
    const target = {
      maxFrameGapMs: IDB_TARGET_FRAME_GAP_MS,
      frameGapMet: sluice.worstMaxFrameGapMs <= IDB_TARGET_FRAME_GAP_MS,
      fasterInTotal: sluice.medianSeconds < peer.medianSeconds,
      speedup: Number((peer.medianSeconds / sluice.medianSeconds).toFixed(2)),
      vsRawRead: Number((sluice.medianSeconds / raw.medianSeconds).toFixed(2)),
      vsRawReadTarget: TARGETS.idbVsRawRead,
      vsRawReadMet: sluice.medianSeconds <= raw.medianSeconds * TARGETS.idbVsRawRead,
    };
    console.log(
      `target: Sluice's largest frame gap ≤ ${IDB_TARGET_FRAME_GAP_MS} ms: ${target.frameGapMet ? 'met' : 'NOT met'} (worst ${sluice.worstMaxFrameGapMs} ms); ` +
        `faster in total: ${target.fasterInTotal ? 'yes' : 'NO'} (${peer.medianSeconds} s ÷ ${sluice.medianSeconds} s = ${target.speedup}×); ` +
        `within ${TARGETS.idbVsRawRead}× of the raw read: ${target.vsRawReadMet ? 'met' : 'NOT met'} (${sluice.medianSeconds} s ÷ ${raw.medianSeconds} s = ${target.vsRawRead}×)`,
    );
    return { rows: IDB_ROWS, rounds: IDB_ROUNDS, fillSeconds: Number((fill.ms / 1000).toFixed(1)), loadavgAfter: loadavg(), target, summary, runs };
  } finally {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  }
}

/** The name of Sluice's CSV export from its worker: the run that every section-1 ratio divides by. */
const WORKER_CSV_RUN = 'sluice exportData → file (worker)';

/** The summary line of the run whose name starts with `prefix`, if it ran. */
function runNamed(summary: ReturnType<typeof summarize>, prefix: string) {
  return summary.find((s) => s.name.startsWith(prefix));
}

/** Section 1's targets, measured on the medians of this run (ratios) and every round (frames). */
function csvTargets(summary: ReturnType<typeof summarize>, runs: BenchRun[], formats: string[]) {
  const sluice = runNamed(summary, WORKER_CSV_RUN);
  const papa = runNamed(summary, 'Papa.unparse + Blob → file');
  if (sluice === undefined || papa === undefined) {
    console.log('\ntargets: not measured (BENCH_BROWSER_ONLY left out the CSV runs they compare)');
    return [];
  }
  const sluiceRuns = runs.filter((r) => r.name === sluice.name);
  const worstLoaf = Math.max(0, ...sluiceRuns.flatMap((r) => r.longAnimationFrames));
  const lines: Array<{ target: string; measured: string; met: boolean }> = [
    { target: `1M rows → CSV file ≤ ${TARGETS.csvSeconds} s (quiet machine)`, measured: `${sluice.medianSeconds} s`, met: sluice.medianSeconds <= TARGETS.csvSeconds },
    {
      target: `≤ ${TARGETS.csvVsPapa}× papaparse + Blob`,
      measured: `${(sluice.medianSeconds / papa.medianSeconds).toFixed(2)}× (${papa.medianSeconds} s)`,
      met: sluice.medianSeconds <= papa.medianSeconds * TARGETS.csvVsPapa,
    },
    { target: `largest frame gap ≤ ${TARGETS.maxFrameGapMs} ms (every round)`, measured: `${sluice.worstMaxFrameGapMs} ms`, met: sluice.worstMaxFrameGapMs <= TARGETS.maxFrameGapMs },
    { target: `no long animation frame > ${TARGETS.longAnimationFrameMs} ms`, measured: `longest ${worstLoaf} ms`, met: worstLoaf <= TARGETS.longAnimationFrameMs },
  ];
  for (const format of formats) {
    const run = runNamed(summary, `sluice exportData → ${format} file`);
    const limit = TARGETS.formatVsCsv[format];
    if (run === undefined || limit === undefined) continue;
    const ratio = run.medianSeconds / sluice.medianSeconds;
    lines.push({ target: `${format} ≤ ${limit}× CSV`, measured: `${ratio.toFixed(2)}× (${run.medianSeconds} s)`, met: ratio <= limit });
  }
  console.log('\ntargets (ratios within this run):');
  console.table(lines);
  return lines;
}

/**
 * What the floors say about the targets, in this run: the time to write the CSV's bytes alone
 * (against the 1.5 s target), and what writing the JSON's bytes alone and gzipping the CSV's
 * bytes alone take against the times the format targets allow a CSV export at its 1.5 s target
 * (JSON ≤ 1.3 × 1.5 s, CSV + gzip ≤ 2 × 1.5 s) and against this run's CSV export.
 */
function floorsOf(summary: ReturnType<typeof summarize>) {
  const csv = runNamed(summary, WORKER_CSV_RUN);
  const lines: Array<{ floor: string; seconds: number; against: string }> = [];
  const against = (seconds: number, format: 'json' | 'csv+gzip'): string => {
    const limit = TARGETS.formatVsCsv[format]!;
    const allowed = limit * TARGETS.csvSeconds;
    const thisRun = csv === undefined ? '' : `; ${(seconds / csv.medianSeconds).toFixed(2)}× this run's CSV export (target ≤ ${limit}×)`;
    return `${format} at the targets: ≤ ${limit} × ${TARGETS.csvSeconds} s = ${allowed.toFixed(2)} s${thisRun}`;
  };
  const writeCsv = runNamed(summary, 'floor: CSV bytes');
  const writeJson = runNamed(summary, 'floor: JSON bytes');
  const gzip = runNamed(summary, 'floor: CompressionStream gzip');
  if (writeCsv !== undefined) lines.push({ floor: `CSV bytes (${writeCsv.megabytes} MB) → file`, seconds: writeCsv.medianSeconds, against: `CSV target ${TARGETS.csvSeconds} s; this run's CSV export ${csv?.medianSeconds ?? '—'} s` });
  if (writeJson !== undefined) lines.push({ floor: `JSON bytes (${writeJson.megabytes} MB) → file`, seconds: writeJson.medianSeconds, against: against(writeJson.medianSeconds, 'json') });
  if (gzip !== undefined) lines.push({ floor: 'gzip of the CSV bytes (CompressionStream)', seconds: gzip.medianSeconds, against: against(gzip.medianSeconds, 'csv+gzip') });
  if (lines.length > 0) {
    console.log('\nfloors (bytes made beforehand; an export cannot be faster than its floor):');
    console.table(lines);
  }
  return lines;
}

async function main(): Promise<void> {
  if (!existsSync(`${root}dist/index.js`)) throw new Error('dist/index.js is missing: run `npm run build` first');
  const server = await startTestServer(PORT);
  const browser = await chromium.launch({ executablePath: findChromium().path, args: [...CHROMIUM_ARGS] });
  const output: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, loadavg: loadavg() },
    browser: browser.version(),
    rows: ROWS,
    rounds: ROUNDS,
  };
  try {
    // 1. Time and jank: Sluice (worker, and main thread) against Papa.unparse + Blob, same page.
    const context = await browser.newContext();
    const page = await context.newPage();
    const pageCdp = await context.newCDPSession(page);
    await openPage(page);
    await page.evaluate((n) => window.sluiceBench!.prepare(n), ROWS);
    const runs: BenchRun[] = [];
    // `xlsx-cut`: XLSX under a byte limit it never reaches, so the whole workbook goes the truncating path.
    const formats: Record<string, ['json' | 'ndjson' | 'parquet' | 'arrow' | 'xlsx' | 'csv', 'none' | 'gzip', number?]> = FORMATS
      ? { json: ['json', 'none'], ndjson: ['ndjson', 'none'], parquet: ['parquet', 'none'], arrow: ['arrow', 'none'], xlsx: ['xlsx', 'none'], 'xlsx-cut': ['xlsx', 'none', 2 ** 40], 'csv+gzip': ['csv', 'gzip'] }
      : {};
    // The floors: the same bytes, made beforehand, only written (or only gzipped) by a worker.
    const floors = FORMATS ? ['writeFloorCsv', 'writeFloorJson', 'gzipFloorCsv'] : ['writeFloorCsv'];
    const order = ['sluice', 'papa', 'sluiceMain', 'papaBlobOnly', ...Object.keys(formats), ...floors].filter((name) => ONLY === null || ONLY.includes(name));
    for (let round = 0; round < ROUNDS; round++) {
      const names = round % 2 === 0 ? order : [...order].reverse();
      for (const name of names) {
        await page.evaluate(() => window.sluiceBench!.clearOpfs());
        await collectGarbage(pageCdp);
        const format = formats[name];
        const run =
          format !== undefined
            ? await page.evaluate(([f, c, m]) => window.sluiceBench!.sluiceFormat(f, c, m), format)
            : await page.evaluate((which) => window.sluiceBench![which as 'sluice' | 'papa' | 'sluiceMain' | 'papaBlobOnly' | 'writeFloorCsv' | 'writeFloorJson' | 'gzipFloorCsv'](), name);
        console.log(describeRun(round, run));
        if (ROUNDS === 1 || round > 0) runs.push(run);
      }
    }
    const summary = summarize(runs);
    console.log(`\n${ROWS.toLocaleString('en')} rows → CSV file, Chromium ${browser.version()}, median of ${runs.length / order.length} round(s):`);
    console.table(summary);
    const targets = csvTargets(summary, runs, Object.keys(formats));
    const floorLines = floorsOf(summary);
    output['csv'] = { summary, targets, floors: floorLines, loadavgAfter: loadavg(), runs };
    await context.close();

    // 2. IndexedDB → CSV: fromIndexedDB in the worker against getAll() + Papa.unparse on the page.
    if (IDB_ROWS > 0) output['indexeddb'] = await indexedDBSection();

    // 3. Memory: a long async generator → download, worker heap sampled through CDP.
    if (STREAM_ROWS > 0) {
      const memoryContext = await browser.newContext({ acceptDownloads: true });
      const memoryPage = await memoryContext.newPage();
      const cdp = await memoryContext.newCDPSession(memoryPage);
      const sampler = await heapSampler(cdp);
      await openPage(memoryPage);
      const samples: Array<{ t: number; page: number; workers: number }> = [];
      const started = Date.now();
      let sampling = true;
      const loop = (async () => {
        while (sampling) {
          const sample = await sampler.sample();
          samples.push({ t: Date.now() - started, ...sample });
          await new Promise((r) => setTimeout(r, 500));
        }
      })();
      const downloadEvent = memoryPage.waitForEvent('download', { timeout: 600_000 });
      const run = await memoryPage.evaluate((n) => window.sluiceBench!.streamToDownload(n), STREAM_ROWS);
      const download = await downloadEvent;
      const path = await download.path();
      const fileBytes = statSync(path).size;
      sampling = false;
      await loop;
      await download.delete();
      const memory = {
        rows: STREAM_ROWS,
        seconds: Number((run.ms / 1000).toFixed(2)),
        megabytes: Number(mb(run.bytes)),
        downloadedMegabytes: Number(mb(fileBytes)),
        peakWorkerHeapMB: Number(mb(sampler.peak.workers)),
        peakPageHeapMB: Number(mb(sampler.peak.page)),
        maxFrameGapMs: Math.round(run.maxFrameGapMs),
        samples: samples.length,
      };
      console.log(`\n${STREAM_ROWS.toLocaleString('en')} rows, async generator → download:`);
      console.table([memory]);
      if (fileBytes !== run.bytes) throw new Error(`the download holds ${fileBytes} bytes, the export wrote ${run.bytes}`);
      output['stream'] = { ...memory, heapSamples: samples };
      await memoryContext.close();
    }
  } finally {
    await browser.close();
    server.kill();
  }
  const outDir = fileURLToPath(new URL('./', import.meta.url));
  mkdirSync(outDir, { recursive: true });
  // A partial run (BENCH_BROWSER_ONLY) never replaces the reference figures.
  const file = ONLY === null ? 'results.json' : 'results.quick.json';
  rmSync(`${outDir}${file}`, { force: true });
  writeFileSync(`${outDir}${file}`, `${JSON.stringify(output, null, 2)}\n`);
  console.log(`\nwrote bench/browser/${file}`);
}

await main();
