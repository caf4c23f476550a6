/**
 * One memory case per process, so peak RSS belongs to that case alone (run by run.mjs):
 *
 *   node --expose-gc bench/memory.mjs <csv|ndjson|json|parquet|arrow> <rows>
 *     exports <rows> rows from the async generator to a sink that discards bytes, and reports
 *     peak RSS (sampled) and the RSS after the first 100,000 rows.
 *   node --max-old-space-size=16384 bench/memory.mjs papaparse <rows>
 *     builds the rows array and calls papaparse.unparse on it, reporting the error it throws.
 *
 * Prints one JSON line as its last line of output.
 */
import { Worker } from 'node:worker_threads';
import Papa from 'papaparse';
import { makeRows, rowsAsync, DEFAULT_SEED } from './dataset.mjs';

const [kind, rowsArg] = process.argv.slice(2);
const rows = Number(rowsArg ?? 5_000_000);
const BASELINE_AT = 100_000;
const FORMATS = ['csv', 'tsv', 'json', 'ndjson', 'parquet', 'arrow'];

function startSampler() {
  const worker = new Worker(new URL('./rss-sampler.mjs', import.meta.url));
  return {
    stop: () =>
      new Promise((resolve, reject) => {
        worker.once('message', (m) => resolve(m.peak));
        worker.once('error', reject);
        worker.postMessage('stop');
      }),
  };
}

function finish(result) {
  process.stdout.write(JSON.stringify(result) + '\n');
}

async function sluiceCase(format) {
  const { exportStream } = await import('../dist/index.js');
  const sampler = startSampler();
  let baselineRss = 0;
  let inlinePeak = 0;
  // Sampling here as well as in the worker: cheap (≈1 µs), and it sees the main thread's own peaks.
  const onRow = (produced) => {
    if (produced % 10_000 === 0) {
      const rss = process.memoryUsage.rss();
      if (produced === BASELINE_AT) baselineRss = rss;
      if (rss > inlinePeak) inlinePeak = rss;
    }
  };
  const t0 = performance.now();
  const reader = exportStream(rowsAsync(rows, DEFAULT_SEED, onRow), { format }).getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    bytes += value.byteLength;
  }
  const ms = performance.now() - t0;
  const workerPeak = await sampler.stop();
  // Not used for the peak: on Linux ru_maxrss survives exec, so a child spawned by a big parent
  // reports the parent's peak (seen: two different cases with the same maxRSS to the byte).
  const maxRss = process.resourceUsage().maxRSS * 1024;
  const peakRss = Math.max(workerPeak, inlinePeak);
  finish({ kind: format, rows, bytes, ms: Math.round(ms), baselineRss, peakRss, workerPeak, inlinePeak, maxRss, deltaMB: Math.round((peakRss - baselineRss) / 1e5) / 10 });
}

async function papaparseCase() {
  const sampler = startSampler();
  const t0 = performance.now();
  const data = makeRows(rows, DEFAULT_SEED);
  const buildMs = performance.now() - t0;
  globalThis.gc?.();
  const baselineRss = process.memoryUsage.rss();
  const t1 = performance.now();
  let result;
  try {
    const csv = Papa.unparse(data);
    result = { ok: true, length: csv.length };
  } catch (err) {
    result = { ok: false, error: `${err?.name}: ${err?.message}` };
  }
  const unparseMs = performance.now() - t1;
  const workerPeak = await sampler.stop();
  const peakRss = workerPeak;
  finish({ kind: 'papaparse', rows, ...result, buildMs: Math.round(buildMs), unparseMs: Math.round(unparseMs), baselineRss, peakRss });
}

try {
  if (kind === 'papaparse') await papaparseCase();
  else if (FORMATS.includes(kind)) await sluiceCase(kind);
  else throw new Error(`memory case must be papaparse or one of ${FORMATS.join(', ')}, got "${kind}"`);
} catch (err) {
  finish({ kind, rows, error: `${err?.code ? err.code + ': ' : ''}${err?.message ?? String(err)}` });
  process.exitCode = 1;
}
