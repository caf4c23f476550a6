/**
 * XLSX benchmarks against exceljs's streaming writer and SheetJS, in one process, on the benchmark
 * rows (bench/dataset.mjs). Run by run.mjs as the `xlsx` suite (`npm run bench -- xlsx`), or alone:
 *
 *   node --expose-gc bench/xlsx.mjs                      the suite (BENCH_ROWS, BENCH_MEMORY_ROWS)
 *   node --expose-gc bench/xlsx.mjs memory <sluice|sluice-csv|exceljs> <rows>
 *     one memory case in this process: rows from the async generator to a sink that discards
 *     bytes; prints peak RSS and the RSS after the first 100,000 rows as its last line (JSON),
 *     with the growth of V8's heap and of memory outside it over the same span. `sluice-csv` is
 *     the CSV export of the same rows in the same harness, for comparison. The peers are imported
 *     only in the case that runs them: their modules would otherwise sit in the measured heap.
 *
 * Speed: Sluice XLSX, Sluice CSV (the same rows, for the XLSX/CSV ratio) and exceljs's
 * `stream.xlsx.WorkbookWriter` on BENCH_ROWS rows; SheetJS (`json_to_sheet` + `write`) on half of
 * them, against Sluice on the same half; Sluice under `limits.maxBytes` with `'truncate'` (the
 * sheet deflated by fflate in measured segments), with nothing cut and cut at half the file. Each case runs once after a small warm-up: the peers take
 * tens of seconds a run. Also: where Sluice's XLSX time goes (rows → batches, XML, deflate).
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { makeRows, rowsAsync, COLUMNS, DEFAULT_SEED } from './dataset.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : () => {};
const BASELINE_AT = 100_000;

async function drain(stream) {
  const reader = stream.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

/** A Node writable that counts and discards, for exceljs. */
function countingSink() {
  const sink = new Writable({
    write(chunk, _encoding, callback) {
      sink.bytes += chunk.length;
      callback();
    },
  });
  sink.bytes = 0;
  return sink;
}

/** Sluice to XLSX (or another format). */
export async function sluiceRun(rows, format = 'xlsx', extra = {}) {
  const { exportStream } = await import('../dist/index.js');
  return drain(exportStream(rows, { format, ...extra }));
}

/** exceljs's streaming writer, rows added and committed one by one as its docs show. */
export async function exceljsRun(rows) {
  const { default: ExcelJS } = await import('exceljs');
  const sink = countingSink();
  const workbook = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: sink, useStyles: true, useSharedStrings: false });
  const sheet = workbook.addWorksheet('Sheet1');
  sheet.columns = COLUMNS.map((key) => ({ header: key, key }));
  for await (const row of rows) sheet.addRow(row).commit();
  sheet.commit();
  await workbook.commit();
  return sink.bytes;
}

/** SheetJS: the whole sheet in memory, then one compressed write. */
export async function sheetjsRun(rows) {
  const XLSX = await import('xlsx');
  const book = XLSX.utils.book_new();
  XLSX.utils.book_append_sheet(book, XLSX.utils.json_to_sheet(rows), 'Sheet1');
  return XLSX.write(book, { type: 'buffer', bookType: 'xlsx', compression: true }).length;
}

/**
 * CPU time of this process's threads (Linux: /proc/self/task), split into the main thread and the
 * others (libuv's pool, where Node's zlib deflates; V8's GC helpers); null elsewhere.
 */
function threadCpu() {
  try {
    const ticks = {};
    for (const tid of readdirSync('/proc/self/task')) {
      const stat = readFileSync(`/proc/self/task/${tid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime, in clock ticks (100 a second on Linux).
      ticks[tid] = (Number(fields[11]) + Number(fields[12])) * 10;
    }
    return ticks;
  } catch {
    return null;
  }
}

function cpuSince(before) {
  const after = threadCpu();
  if (before === null || after === null) return null;
  let main = 0;
  let other = 0;
  for (const [tid, ms] of Object.entries(after)) {
    const spent = ms - (before[tid] ?? 0);
    if (tid === String(process.pid)) main += spent;
    else other += spent;
  }
  return { mainMs: main, otherThreadsMs: other };
}

async function time(fn) {
  gc();
  const cpu0 = threadCpu();
  const t0 = performance.now();
  const bytes = await fn();
  return { ms: performance.now() - t0, bytes, cpu: cpuSince(cpu0) };
}

/**
 * Where an XLSX export's time goes: the CSV export of the same rows (rows → Arrow batches → bytes,
 * the part both formats share), the XLSX export with a deflate that drops its input (rows → batches
 * → worksheet XML → zip framing), and CompressionStream alone over as many bytes of that XML.
 */
async function stages(rows) {
  const { exportStream } = await import('../dist/index.js');
  const csv = await time(() => drain(exportStream(rows, { format: 'csv' })));
  const Real = globalThis.CompressionStream;
  let xmlBytes = 0;
  const sample = [];
  let sampled = 0;
  // A "gzip" stream that keeps a sample of what it is given and outputs an empty member.
  globalThis.CompressionStream = class {
    constructor() {
      const { readable, writable } = new TransformStream({
        start: (controller) => controller.enqueue(new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3])),
        transform: (chunk) => {
          xmlBytes += chunk.byteLength;
          if (sampled < 8 << 20) {
            sample.push(chunk.slice());
            sampled += chunk.byteLength;
          }
        },
        flush: (controller) => controller.enqueue(new Uint8Array(8)),
      });
      this.readable = readable;
      this.writable = writable;
    }
  };
  let xmlOnly;
  try {
    xmlOnly = await time(() => drain(exportStream(rows, { format: 'xlsx' })));
  } finally {
    globalThis.CompressionStream = Real;
  }
  const deflate = await time(async () => {
    const stream = new CompressionStream('gzip');
    const writer = stream.writable.getWriter();
    const reading = drain(stream.readable);
    for (let fed = 0; fed < xmlBytes; ) {
      for (const chunk of sample) {
        if (fed >= xmlBytes) break;
        await writer.write(chunk);
        fed += chunk.byteLength;
      }
    }
    await writer.close();
    return reading;
  });
  return {
    csvMs: Math.round(csv.ms),
    csvCpu: csv.cpu,
    xmlWithoutDeflateMs: Math.round(xmlOnly.ms),
    xmlWithoutDeflateCpu: xmlOnly.cpu,
    xmlMegabytes: Math.round(xmlBytes / 1e5) / 10,
    deflateAloneMs: Math.round(deflate.ms),
    deflateAloneCpu: deflate.cpu,
  };
}

export async function suiteXlsx({ rows: ROWS, memoryRows: MEMORY_ROWS, log = console.log }) {
  const out = { rows: ROWS, cases: {} };
  log(`  making ${ROWS.toLocaleString('en-US')} rows…`);
  const rows = makeRows(ROWS, DEFAULT_SEED);
  const half = rows.slice(0, Math.floor(ROWS / 2));
  const warm = rows.slice(0, 10_000);
  await sluiceRun(warm);
  await sluiceRun(warm, 'csv');
  await exceljsRun(warm);
  await sheetjsRun(warm.slice(0, 2000));

  const xlsx = await time(() => sluiceRun(rows));
  log(`  sluice xlsx ${Math.round(xlsx.ms)} ms, ${(xlsx.bytes / 1e6).toFixed(1)} MB`);
  const csv = await time(() => sluiceRun(rows, 'csv'));
  log(`  sluice csv ${Math.round(csv.ms)} ms, ${(csv.bytes / 1e6).toFixed(1)} MB`);
  const excel = await time(() => exceljsRun(rows));
  log(`  exceljs stream ${Math.round(excel.ms)} ms, ${(excel.bytes / 1e6).toFixed(1)} MB`);
  const xlsxHalf = await time(() => sluiceRun(half));
  log(`  sluice xlsx (${half.length.toLocaleString('en-US')} rows) ${Math.round(xlsxHalf.ms)} ms`);
  // Under limits.maxBytes with 'truncate' the sheet goes through fflate in measured segments:
  // once with a limit it never reaches (the whole file that way), once cut at half the plain file.
  const truncating = await time(() => sluiceRun(rows, 'xlsx', { limits: { maxBytes: 2 ** 40, onExceed: 'truncate' } }));
  log(`  sluice xlsx under limits.maxBytes, nothing cut ${Math.round(truncating.ms)} ms, ${(truncating.bytes / 1e6).toFixed(1)} MB`);
  const cutHalf = await time(() => sluiceRun(rows, 'xlsx', { limits: { maxBytes: Math.floor(xlsx.bytes / 2), onExceed: 'truncate' } }));
  log(`  sluice xlsx cut at half the plain file's bytes ${Math.round(cutHalf.ms)} ms, ${(cutHalf.bytes / 1e6).toFixed(1)} MB`);
  let sheetjs;
  try {
    sheetjs = await time(() => sheetjsRun(half));
    log(`  sheetjs (${half.length.toLocaleString('en-US')} rows) ${Math.round(sheetjs.ms)} ms, ${(sheetjs.bytes / 1e6).toFixed(1)} MB`);
  } catch (error) {
    sheetjs = { error: String(error?.message ?? error) };
    log(`  sheetjs failed: ${sheetjs.error}`);
  }
  const stage = await stages(rows);
  out.cases = {
    sluiceXlsx: { ms: Math.round(xlsx.ms), bytes: xlsx.bytes, cpu: xlsx.cpu },
    sluiceCsv: { ms: Math.round(csv.ms), bytes: csv.bytes, cpu: csv.cpu },
    exceljsStream: { ms: Math.round(excel.ms), bytes: excel.bytes },
    sluiceXlsxHalf: { rows: half.length, ms: Math.round(xlsxHalf.ms), bytes: xlsxHalf.bytes },
    sluiceXlsxTruncatingPath: { ms: Math.round(truncating.ms), bytes: truncating.bytes },
    sluiceXlsxCutAtHalf: { maxBytes: Math.floor(xlsx.bytes / 2), ms: Math.round(cutHalf.ms), bytes: cutHalf.bytes },
    sheetjsHalf: sheetjs.error ? { rows: half.length, error: sheetjs.error } : { rows: half.length, ms: Math.round(sheetjs.ms), bytes: sheetjs.bytes },
    stages: stage,
  };
  out.ratios = {
    speedupOverExceljs: round2(excel.ms / xlsx.ms),
    sizeVsExceljs: round2(xlsx.bytes / excel.bytes),
    speedupOverSheetjsHalf: sheetjs.error ? null : round2(sheetjs.ms / xlsxHalf.ms),
    xlsxOverCsv: round2(xlsx.ms / csv.ms),
    truncatingPathOverPlain: round2(truncating.ms / xlsx.ms),
  };
  log(
    `  ratios: ${out.ratios.speedupOverExceljs}× faster than exceljs (target ≥ 4), size ${out.ratios.sizeVsExceljs}× exceljs's (target ≤ 1.15), ` +
      `${out.ratios.speedupOverSheetjsHalf ?? '–'}× faster than SheetJS on ${half.length.toLocaleString('en-US')} rows (target ≥ 6), XLSX/CSV time ${out.ratios.xlsxOverCsv}× (aim ≤ 3)`,
  );
  const cpu = (c) => (c === null ? '' : ` [CPU: main ${c.mainMs} ms, other threads ${c.otherThreadsMs} ms]`);
  log(`  sluice xlsx${cpu(xlsx.cpu)}; sluice csv${cpu(csv.cpu)}`);
  log(
    `  stages: CSV of the same rows ${stage.csvMs} ms${cpu(stage.csvCpu)}; XLSX without deflate ${stage.xmlWithoutDeflateMs} ms${cpu(stage.xmlWithoutDeflateCpu)} (${stage.xmlMegabytes} MB of XML); ` +
      `CompressionStream alone over that much XML ${stage.deflateAloneMs} ms${cpu(stage.deflateAloneCpu)}`,
  );

  if (MEMORY_ROWS > 0) {
    out.memory = { rows: MEMORY_ROWS };
    for (const kind of ['sluice', 'sluice-csv', 'exceljs']) {
      log(`  memory: ${kind}, ${MEMORY_ROWS.toLocaleString('en-US')} rows from a generator (child process)…`);
      const result = await child(['--expose-gc', join(here, 'xlsx.mjs'), 'memory', kind, String(MEMORY_ROWS)], 1_800_000);
      out.memory[kind] = result;
      if (result.error) log(`    ${kind}: ${result.error}`);
      else {
        const parts = result.growthMB ? ` (peak heapTotal +${result.growthMB.heapTotal}, heapUsed +${result.growthMB.heapUsed}, external +${result.growthMB.external})` : '';
        log(`    ${kind}: ${result.ms} ms, ${(result.bytes / 1e6).toFixed(1)} MB, RSS @100k ${(result.baselineRss / 1e6).toFixed(1)} MB, peak ${(result.peakRss / 1e6).toFixed(1)} MB, growth ${result.deltaMB} MB${parts}${kind === 'sluice' ? ` (target ≤ 64: ${result.deltaMB <= 64 ? 'MET' : 'NOT MET'})` : ''}`);
      }
    }
  }
  return out;
}

const round2 = (x) => Math.round(x * 100) / 100;

function child(args, timeoutMs) {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => proc.kill('SIGKILL'), timeoutMs);
    proc.stdout.on('data', (d) => (stdout += d));
    proc.stderr.on('data', (d) => (stderr += d));
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      try {
        resolve(JSON.parse(stdout.trim().split('\n').pop() ?? ''));
      } catch {
        resolve({ error: `exit ${code ?? signal}: ${stderr.trim().split('\n').slice(-3).join(' | ')}` });
      }
    });
  });
}

function startSampler() {
  const worker = new Worker(new URL('./rss-sampler.mjs', import.meta.url));
  return () =>
    new Promise((resolve, reject) => {
      worker.once('message', (m) => resolve(m.peak));
      worker.once('error', reject);
      worker.postMessage('stop');
    });
}

async function memoryCase(kind, rows) {
  const run = { sluice: (r) => sluiceRun(r), 'sluice-csv': (r) => sluiceRun(r, 'csv'), exceljs: (r) => exceljsRun(r) }[kind];
  if (run === undefined) throw new Error(`memory case must be sluice, sluice-csv or exceljs, got "${kind}"`);
  // Loaded before the baseline, so the module's code is not counted as growth.
  if (kind === 'exceljs') await import('exceljs');
  else await import('../dist/index.js');
  const stop = startSampler();
  let baselineRss = 0;
  let inlinePeak = 0;
  // Where the growth is: V8's heap (heapTotal) or outside it (ArrayBuffers, zlib, code), every 10,000 rows.
  let baseline = null;
  const peak = { heapTotal: 0, heapUsed: 0, external: 0 };
  const onRow = (produced) => {
    if (produced % 10_000 === 0) {
      const usage = process.memoryUsage();
      if (produced === BASELINE_AT) {
        baselineRss = usage.rss;
        baseline = usage;
      }
      if (usage.rss > inlinePeak) inlinePeak = usage.rss;
      if (baseline !== null) for (const key of Object.keys(peak)) peak[key] = Math.max(peak[key], usage[key]);
    }
  };
  const t0 = performance.now();
  const bytes = await run(rowsAsync(rows, DEFAULT_SEED, onRow));
  const ms = performance.now() - t0;
  const peakRss = Math.max(await stop(), inlinePeak);
  const mb = (x) => Math.round(x / 1e5) / 10;
  const growth = baseline === null ? null : Object.fromEntries(Object.keys(peak).map((key) => [key, mb(peak[key] - baseline[key])]));
  return { kind, rows, bytes, ms: Math.round(ms), baselineRss, peakRss, deltaMB: mb(peakRss - baselineRss), growthMB: growth };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [mode, kind, rowsArg] = process.argv.slice(2);
  if (mode === 'memory') {
    try {
      process.stdout.write(JSON.stringify(await memoryCase(kind, Number(rowsArg))) + '\n');
    } catch (error) {
      process.stdout.write(JSON.stringify({ kind, error: String(error?.message ?? error) }) + '\n');
      process.exitCode = 1;
    }
  } else {
    const rows = Number(process.env.BENCH_ROWS ?? 1_000_000);
    const memoryRows = Number(process.env.BENCH_MEMORY_ROWS ?? 5_000_000);
    console.log(JSON.stringify(await suiteXlsx({ rows, memoryRows }), null, 2));
  }
}
