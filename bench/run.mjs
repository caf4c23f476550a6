/**
 * Sluice benchmarks against peers, in Node, on the same rows in one process.
 *
 *   npm run bench                 every suite
 *   npm run bench -- csv json     only these suites (csv, json, ndjson, parquet, arrow, filter, memory, xlsx)
 *
 * Environment: BENCH_ROWS (default 1,000,000), BENCH_ROUNDS (default 5; the first is a discarded
 * warm-up), BENCH_MEMORY_ROWS (default 5,000,000), BENCH_PAPA_TIMEOUT_S (default 300).
 *
 * Imports the built package (`npm run build` first). Writes bench/results.json (or, when a size is
 * overridden, bench/results.quick.json), merging with the suites of earlier runs, so README figures
 * can be taken from it.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtemp, readFile, rm, stat, writeFile, appendFile } from 'node:fs/promises';
import { tmpdir, cpus, totalmem, platform, arch, release, loadavg } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Papa from 'papaparse';
import * as aq from 'arquero';
import sift from 'sift';
import { tableFromJSON, tableToIPC, tableFromIPC } from 'apache-arrow';
import { parquetWriteBuffer } from 'hyparquet-writer';
import { parquetReadObjects, parquetMetadata, parquetSchema } from 'hyparquet';
import { makeRows, CATEGORIES, DEFAULT_SEED } from './dataset.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);

const ROWS = intEnv('BENCH_ROWS', 1_000_000);
const ROUNDS = Math.max(2, intEnv('BENCH_ROUNDS', 5));
const MEMORY_ROWS = intEnv('BENCH_MEMORY_ROWS', 5_000_000);
const PAPA_TIMEOUT_S = intEnv('BENCH_PAPA_TIMEOUT_S', 300);
/** A single measured run longer than this is treated as a hang. */
const RUN_TIMEOUT_MS = 300_000;
const SANITY_ROWS = 2_000;
/** Runs slower than this (scaled with the row count) are repeated only twice after the warm-up. */
const SLOW_RUN_MS = 10_000 * (ROWS / 1_000_000);
const ALL_SUITES = ['csv', 'json', 'ndjson', 'parquet', 'arrow', 'filter', 'memory', 'xlsx'];

function intEnv(name, fallback) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${name} must be a positive integer, got "${raw}"`);
  return n;
}

const encoder = new TextEncoder();
const gc = typeof globalThis.gc === 'function' ? globalThis.gc : null;

// ───────────────────────────── helpers ─────────────────────────────

/** Reads a byte stream to its end, keeping only the count (a sink that discards bytes). */
async function drain(stream) {
  const reader = stream.getReader();
  let bytes = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return bytes;
    bytes += value.byteLength;
  }
}

/** Reads a byte stream to its end and returns the bytes (sanity checks only: small inputs). */
async function collect(stream) {
  const reader = stream.getReader();
  const parts = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.byteLength;
  }
  const out = new Uint8Array(length);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

function withTimeout(promise, ms, what) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took longer than ${ms / 1000} s`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function describeError(err) {
  if (err && typeof err === 'object') {
    const code = 'code' in err && err.code ? `${err.code}: ` : '';
    return `${code}${err.message ?? String(err)}`;
  }
  return String(err);
}

const fmtInt = (n) => Math.round(n).toLocaleString('en-US');
const fmtMs = (n) => (n >= 100 ? fmtInt(n) : n.toFixed(1));
const fmtMB = (bytes) => (bytes / 1e6).toFixed(1);
const fmtX = (x) => `${x.toFixed(2)}×`;

function printTable(headers, rows) {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)));
  const line = (cells) => cells.map((c, i) => (i === 0 ? String(c).padEnd(widths[i]) : String(c).padStart(widths[i]))).join('  ');
  console.log('  ' + line(headers));
  console.log('  ' + widths.map((w) => '─'.repeat(w)).join('  '));
  for (const r of rows) console.log('  ' + line(r));
}

/**
 * Runs each implementation ROUNDS times, alternating their order every round so that none always
 * runs after the same neighbour; round 0 is a warm-up and is discarded. Each run starts after a
 * full GC, so one implementation's garbage is not collected on another's clock.
 *
 * @param {Array<{ name: string, run: () => Promise<number> | number }>} impls run returns bytes out
 */
async function measure(impls, rows) {
  const times = new Map(impls.map((i) => [i.name, []]));
  const bytes = new Map();
  const errors = new Map();
  for (let round = 0; round < ROUNDS; round++) {
    const order = round % 2 === 0 ? impls : [...impls].reverse();
    for (const impl of order) {
      if (errors.has(impl.name)) continue;
      // A peer that takes over SLOW_RUN_MS a run stops after two measured runs, so the whole
      // bench fits its time budget; its median is then the mean of two, and the table says so.
      const done = times.get(impl.name);
      if (done.length >= 2 && done.every((ms) => ms > SLOW_RUN_MS)) continue;
      gc?.();
      gc?.();
      const t0 = performance.now();
      try {
        const out = await withTimeout(Promise.resolve().then(impl.run), RUN_TIMEOUT_MS, impl.name);
        const ms = performance.now() - t0;
        if (round > 0) times.get(impl.name).push(ms);
        bytes.set(impl.name, out);
      } catch (err) {
        errors.set(impl.name, describeError(err));
      }
    }
    if (process.stdout.isTTY) process.stdout.write(`  round ${round + 1}/${ROUNDS}${round === 0 ? ' (warm-up)' : ''} done\r`);
  }
  if (process.stdout.isTTY) process.stdout.write(' '.repeat(40) + '\r');
  return impls.map((impl) => {
    const t = times.get(impl.name);
    if (errors.has(impl.name)) return { name: impl.name, error: errors.get(impl.name) };
    const med = median(t);
    return {
      name: impl.name,
      medianMs: round1(med),
      minMs: round1(Math.min(...t)),
      runsMs: t.map(round1),
      runs: t.length,
      rowsPerSecond: Math.round((rows / med) * 1000),
      bytes: bytes.get(impl.name),
    };
  });
}

const round1 = (x) => Math.round(x * 10) / 10;

/** Prints results with the ratio of each to a reference (reference time / its time, >1 = slower). */
function report(results, reference) {
  const ref = results.find((r) => r.name === reference && !r.error);
  printTable(
    ['implementation', 'median ms', 'min ms', 'runs', 'rows/s', 'MB out', `time ÷ ${reference}`],
    results.map((r) =>
      r.error
        ? [r.name, 'failed', '', '', '', '', r.error.slice(0, 80)]
        : [r.name, fmtMs(r.medianMs), fmtMs(r.minMs), r.runs, fmtInt(r.rowsPerSecond), fmtMB(r.bytes), ref ? fmtX(r.medianMs / ref.medianMs) : 'n/a'],
    ),
  );
}

/** `peer median / sluice median`, or null when either failed. */
function ratio(results, peer, base) {
  const p = results.find((r) => r.name === peer && !r.error);
  const b = results.find((r) => r.name === base && !r.error);
  return p && b ? Math.round((p.medianMs / b.medianMs) * 100) / 100 : null;
}

/** One line saying whether a measured ratio meets its target (numbers; shown as "N×"). */
function verdict(label, value, target, goal, higherIsBetter = true) {
  if (value === null) return `  ${label}: n/a`;
  const ok = higherIsBetter ? value >= target : value <= target;
  const goalText = goal === undefined ? '' : `, goal ${goal}×`;
  return `  ${label}: ${value.toFixed(2)}× (target ${higherIsBetter ? '≥' : '≤'} ${target}×${goalText}) ${ok ? 'MET' : 'NOT MET'}`;
}

// ───────────────────────────── Sluice loading and probing ─────────────────────────────

let sluice = null;
let sluiceLoadError = null;
async function loadSluice() {
  try {
    sluice = await import('../dist/index.js');
    if (typeof sluice.exportStream !== 'function') {
      sluiceLoadError = 'dist/index.js has no exportStream export';
      sluice = null;
    }
  } catch (err) {
    sluiceLoadError = `cannot import ../dist/index.js (run \`npm run build\`): ${describeError(err).split('\n')[0]}`;
  }
}

/** Returns null when the feature works on a tiny input, else the reason it does not. */
async function probe(options) {
  if (!sluice) return sluiceLoadError;
  try {
    const bytes = await withTimeout(drain(sluice.exportStream(makeRows(20, 7), options)), 30_000, 'probe');
    if (bytes === 0) return `exportStream(${JSON.stringify(options)}) produced 0 bytes`;
    return null;
  } catch (err) {
    return `exportStream(${JSON.stringify({ format: options.format, filter: options.filter ? '…' : undefined })}) failed: ${describeError(err)}`;
  }
}

// ───────────────────────────── sanity checks (small N, independent readers) ─────────────────────────────

/** Checks that Sluice's CSV, read back by papaparse, holds the source rows. Returns problems found. */
function checkCsv(text, source) {
  const problems = [];
  const parsed = Papa.parse(text.replace(/^\uFEFF/, ''), { header: true, skipEmptyLines: true });
  if (parsed.errors.length) problems.push(`papaparse: ${parsed.errors[0].message} (row ${parsed.errors[0].row})`);
  if (parsed.data.length !== source.length) problems.push(`rows: ${parsed.data.length} read back, ${source.length} expected`);
  for (let i = 0; i < Math.min(parsed.data.length, source.length); i++) {
    const got = parsed.data[i];
    const want = source[i];
    for (const key of ['id', 'name', 'email', 'category', 'note', 'quantity']) {
      if (String(got[key]) !== String(want[key])) {
        problems.push(`row ${i} ${key}: ${JSON.stringify(got[key])} ≠ ${JSON.stringify(String(want[key]))}`);
        return problems;
      }
    }
    if (Number(got.amount) !== want.amount) problems.push(`row ${i} amount: ${got.amount} ≠ ${want.amount}`);
    if (want.score === null ? got.score !== '' : Number(got.score) !== want.score) problems.push(`row ${i} score: ${got.score} ≠ ${want.score}`);
    if (Date.parse(got.created_at) !== want.created_at.getTime()) problems.push(`row ${i} created_at: ${got.created_at} ≠ ${want.created_at.toISOString()}`);
    if (problems.length) return problems;
  }
  return problems;
}

function checkObjects(objects, source, label) {
  if (objects.length !== source.length) return [`${label}: ${objects.length} rows read back, ${source.length} expected`];
  for (let i = 0; i < source.length; i++) {
    const got = objects[i];
    const want = source[i];
    for (const key of ['id', 'name', 'email', 'category', 'note', 'quantity', 'amount', 'active', 'score']) {
      const g = typeof got[key] === 'bigint' ? Number(got[key]) : got[key];
      if (g !== want[key] && !(g === undefined && want[key] === null)) {
        return [`${label} row ${i} ${key}: ${JSON.stringify(String(g))} ≠ ${JSON.stringify(want[key])}`];
      }
    }
    const d = got.created_at;
    const ms = d instanceof Date ? d.getTime() : typeof d === 'string' ? Date.parse(d) : Number(d);
    if (ms !== want.created_at.getTime()) return [`${label} row ${i} created_at: ${String(d)} ≠ ${want.created_at.toISOString()}`];
  }
  return [];
}

async function sanity(format, extra = {}) {
  const source = makeRows(SANITY_ROWS, 99);
  const bytes = await collect(sluice.exportStream(source, { format, ...extra }));
  const text = () => new TextDecoder().decode(bytes);
  switch (format) {
    case 'csv':
      return checkCsv(text(), source);
    case 'json':
      return checkObjects(JSON.parse(text()), source, 'JSON.parse');
    case 'ndjson': {
      const t = text();
      const problems = t.endsWith('\n') ? [] : ['NDJSON does not end with \\n'];
      return problems.concat(checkObjects(t.split('\n').filter(Boolean).map((l) => JSON.parse(l)), source, 'NDJSON lines'));
    }
    case 'parquet': {
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
      return checkObjects(await parquetReadObjects({ file }), source, 'hyparquet');
    }
    case 'arrow':
      return checkObjects(tableFromIPC(bytes).toArray().map((r) => r.toJSON()), source, 'apache-arrow');
    default:
      return [];
  }
}

async function runSanity(format, extra) {
  try {
    const problems = await sanity(format, extra);
    console.log(problems.length ? `  sanity (${SANITY_ROWS} rows, independent reader): PROBLEM ${problems.join('; ')}` : `  sanity (${SANITY_ROWS} rows, independent reader): ok`);
    return problems;
  } catch (err) {
    const msg = `sanity check threw: ${describeError(err)}`;
    console.log(`  ${msg}`);
    return [msg];
  }
}

// ───────────────────────────── suites ─────────────────────────────

let rowsCache = null;
function rows() {
  if (!rowsCache) {
    const t0 = performance.now();
    rowsCache = makeRows(ROWS, DEFAULT_SEED);
    console.log(`(generated ${fmtInt(ROWS)} rows in ${fmtMs(performance.now() - t0)} ms)`);
  }
  return rowsCache;
}

const sluiceRun = (data, options) => () => drain(sluice.exportStream(data, options));

async function suiteCsv() {
  const data = rows();
  const reason = await probe({ format: 'csv' });
  const impls = [];
  if (!reason) impls.push({ name: 'sluice', run: sluiceRun(data, { format: 'csv' }) });
  impls.push(
    { name: 'papaparse', run: () => encoder.encode(Papa.unparse(data)).byteLength },
    { name: 'arquero', run: () => encoder.encode(aq.toCSV(aq.from(data))).byteLength },
  );
  if (reason) console.log(`  Sluice not measured: ${reason} (peers only)`);
  const sanityProblems = reason ? [] : await runSanity('csv');
  const results = await measure(impls, data.length);
  report(results, reason ? 'papaparse' : 'sluice');
  const ratios = { papaparseOverSluice: ratio(results, 'papaparse', 'sluice'), arqueroOverSluice: ratio(results, 'arquero', 'sluice') };
  console.log(verdict('papaparse ÷ sluice', ratios.papaparseOverSluice, 6));
  console.log(verdict('arquero ÷ sluice', ratios.arqueroOverSluice, 1));
  return { status: reason ? 'peers-only' : 'ok', reason, results, ratios, sanity: sanityProblems };
}

async function suiteJson() {
  const data = rows();
  const reason = await probe({ format: 'json' });
  const impls = [];
  if (!reason) impls.push({ name: 'sluice', run: sluiceRun(data, { format: 'json' }) });
  impls.push({ name: 'JSON.stringify', run: () => encoder.encode(JSON.stringify(data)).byteLength });
  if (reason) console.log(`  Sluice not measured: ${reason} (peers only)`);
  const sanityProblems = reason ? [] : await runSanity('json');
  const results = await measure(impls, data.length);
  report(results, reason ? 'JSON.stringify' : 'sluice');
  const ratios = { stringifyOverSluice: ratio(results, 'JSON.stringify', 'sluice') };
  console.log(verdict('JSON.stringify ÷ sluice', ratios.stringifyOverSluice, 1));
  return { status: reason ? 'peers-only' : 'ok', reason, results, ratios, sanity: sanityProblems };
}

async function suiteNdjson() {
  const data = rows();
  const reason = await probe({ format: 'ndjson' });
  const impls = [];
  if (!reason) impls.push({ name: 'sluice', run: sluiceRun(data, { format: 'ndjson' }) });
  // The usual hand-rolled NDJSON: one stringify per row, joined (with the final newline NDJSON needs).
  impls.push({ name: 'map(JSON.stringify).join', run: () => encoder.encode(data.map((r) => JSON.stringify(r)).join('\n') + '\n').byteLength });
  if (reason) console.log(`  Sluice not measured: ${reason} (peers only)`);
  const sanityProblems = reason ? [] : await runSanity('ndjson');
  const results = await measure(impls, data.length);
  report(results, reason ? 'map(JSON.stringify).join' : 'sluice');
  const ratios = { joinOverSluice: ratio(results, 'map(JSON.stringify).join', 'sluice') };
  console.log(verdict('map(JSON.stringify).join ÷ sluice', ratios.joinOverSluice, 1));
  return { status: reason ? 'peers-only' : 'ok', reason, results, ratios, sanity: sanityProblems };
}

/** parquet-wasm for Node (CommonJS, loads its wasm synchronously). */
function parquetWasm() {
  return require('parquet-wasm/node');
}

/** The path most apps take today: rows → Arrow via tableFromJSON → IPC stream → parquet-wasm. */
function naiveParquet(data) {
  const pw = parquetWasm();
  const ipc = tableToIPC(tableFromJSON(data), 'stream');
  const props = new pw.WriterPropertiesBuilder().setCompression(pw.Compression.SNAPPY).build();
  return pw.writeParquet(pw.Table.fromIPCStream(ipc), props).byteLength;
}

/** hyparquet-writer from the row objects: one array per column, with declared types. */
function hyparquetParquet(data) {
  const n = data.length;
  const col = (key) => {
    const out = new Array(n);
    for (let i = 0; i < n; i++) out[i] = data[i][key];
    return out;
  };
  const buffer = parquetWriteBuffer({
    columnData: [
      { name: 'id', data: col('id'), type: 'INT32' },
      { name: 'name', data: col('name'), type: 'STRING' },
      { name: 'email', data: col('email'), type: 'STRING' },
      { name: 'amount', data: col('amount'), type: 'DOUBLE' },
      { name: 'quantity', data: col('quantity'), type: 'INT32' },
      { name: 'active', data: col('active'), type: 'BOOLEAN' },
      { name: 'created_at', data: col('created_at'), type: 'TIMESTAMP' },
      { name: 'category', data: col('category'), type: 'STRING' },
      { name: 'note', data: col('note'), type: 'STRING' },
      { name: 'score', data: col('score'), type: 'DOUBLE' },
    ],
  });
  return buffer.byteLength;
}

/** Writes the rows as NDJSON with JSON.stringify (independent of Sluice), in slices to stay under string limits. */
async function writeNdjsonFile(path, data) {
  await writeFile(path, '');
  const step = 100_000;
  for (let i = 0; i < data.length; i += step) {
    await appendFile(path, data.slice(i, i + step).map((r) => JSON.stringify(r)).join('\n') + '\n');
  }
}

/** DuckDB's Parquet file of the same data, for the file-size comparison. */
async function duckdbParquet(data, sluiceParquetTypes) {
  const { DuckDBInstance } = await import('@duckdb/node-api');
  const dir = await mkdtemp(join(tmpdir(), 'sluice-bench-'));
  try {
    const jsonPath = join(dir, 'rows.ndjson');
    const outPath = join(dir, 'out.parquet');
    await writeNdjsonFile(jsonPath, data);
    const instance = await DuckDBInstance.create(':memory:');
    const conn = await instance.connect();
    // Column types follow Sluice's Parquet schema where it is known, so sizes compare like for like.
    const intType = (name) => (sluiceParquetTypes?.[name] === 'DOUBLE' ? 'DOUBLE' : sluiceParquetTypes?.[name] === 'INT64' ? 'BIGINT' : 'INTEGER');
    await conn.run(`CREATE TABLE t AS SELECT * FROM read_json('${jsonPath}', format = 'newline_delimited', auto_detect = false,
      columns = { 'id': '${intType('id')}', 'name': 'VARCHAR', 'email': 'VARCHAR', 'amount': 'DOUBLE', 'quantity': '${intType('quantity')}',
        'active': 'BOOLEAN', 'created_at': 'TIMESTAMPTZ', 'category': 'VARCHAR', 'note': 'VARCHAR', 'score': 'DOUBLE' })`);
    const [count, scores] = (await conn.runAndReadAll('SELECT count(*), count(score) FROM t')).getRows()[0].map(Number);
    const expectedScores = data.reduce((n, r) => n + (r.score === null ? 0 : 1), 0);
    if (count !== data.length || scores !== expectedScores) {
      throw new Error(`DuckDB loaded ${count} rows with ${scores} scores, expected ${data.length} with ${expectedScores}`);
    }
    const t0 = performance.now();
    await conn.run(`COPY (SELECT * FROM t) TO '${outPath}' (FORMAT parquet, COMPRESSION snappy)`);
    const ms = performance.now() - t0;
    const { size } = await stat(outPath);
    conn.closeSync?.();
    return { bytes: size, copyMs: round1(ms) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function suiteParquet() {
  const data = rows();
  const reason = await probe({ format: 'parquet' });
  const impls = [];
  if (!reason) impls.push({ name: 'sluice', run: sluiceRun(data, { format: 'parquet' }) });
  impls.push({ name: 'tableFromJSON+parquet-wasm', run: () => naiveParquet(data) }, { name: 'hyparquet-writer', run: () => hyparquetParquet(data) });
  if (reason) console.log(`  Sluice not measured: ${reason} (peers only)`);
  let sluiceTypes = null;
  let sanityProblems = [];
  if (!reason) {
    sanityProblems = await runSanity('parquet');
    try {
      const bytes = await collect(sluice.exportStream(makeRows(100, 5), { format: 'parquet' }));
      const meta = parquetMetadata(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
      sluiceTypes = Object.fromEntries(parquetSchema(meta).children.map((c) => [c.element.name, c.element.type]));
      console.log(`  sluice parquet physical types: ${Object.entries(sluiceTypes).map(([k, v]) => `${k}=${v}`).join(', ')}`);
    } catch (err) {
      console.log(`  (could not read Sluice's parquet schema: ${describeError(err)})`);
    }
  }
  const results = await measure(impls, data.length);
  report(results, reason ? 'tableFromJSON+parquet-wasm' : 'sluice');
  const ratios = {
    naiveOverSluice: ratio(results, 'tableFromJSON+parquet-wasm', 'sluice'),
    hyparquetOverSluice: ratio(results, 'hyparquet-writer', 'sluice'),
  };
  console.log(verdict('tableFromJSON+parquet-wasm ÷ sluice', ratios.naiveOverSluice, 3));
  console.log(verdict('hyparquet-writer ÷ sluice', ratios.hyparquetOverSluice, 1.5));
  let duckdb = null;
  try {
    duckdb = await duckdbParquet(data, sluiceTypes);
    const s = results.find((r) => r.name === 'sluice' && !r.error);
    const sizeRatio = s ? Math.round((s.bytes / duckdb.bytes) * 1000) / 1000 : null;
    duckdb.sluiceSizeOverDuckdb = sizeRatio;
    console.log(`  DuckDB COPY … (FORMAT parquet, COMPRESSION snappy): ${fmtMB(duckdb.bytes)} MB, COPY took ${fmtMs(duckdb.copyMs)} ms (native, not in the timing table)`);
    if (sizeRatio !== null) console.log(`  sluice size ÷ DuckDB size: ${sizeRatio} (target within 10%: ${Math.abs(sizeRatio - 1) <= 0.1 ? 'MET' : 'NOT MET'})`);
  } catch (err) {
    console.log(`  DuckDB size comparison failed: ${describeError(err)}`);
    duckdb = { error: describeError(err) };
  }
  return { status: reason ? 'peers-only' : 'ok', reason, results, ratios, duckdb, sluiceParquetTypes: sluiceTypes, sanity: sanityProblems };
}

async function suiteArrow() {
  const data = rows();
  const reason = await probe({ format: 'arrow' });
  const impls = [];
  if (!reason) impls.push({ name: 'sluice', run: sluiceRun(data, { format: 'arrow' }) });
  impls.push({ name: 'tableToIPC(tableFromJSON)', run: () => tableToIPC(tableFromJSON(data), 'stream').byteLength });
  if (reason) console.log(`  Sluice not measured: ${reason} (peers only)`);
  const sanityProblems = reason ? [] : await runSanity('arrow');
  const results = await measure(impls, data.length);
  report(results, reason ? 'tableToIPC(tableFromJSON)' : 'sluice');
  const ratios = { tableFromJSONOverSluice: ratio(results, 'tableToIPC(tableFromJSON)', 'sluice') };
  console.log(verdict('tableToIPC(tableFromJSON) ÷ sluice', ratios.tableFromJSONOverSluice, 1));
  return { status: reason ? 'peers-only' : 'ok', reason, results, ratios, sanity: sanityProblems };
}

// Five terms each; "keep all" keeps every row, "keep 10%" keeps category ∈ 2 of 8 (25%) × quantity < 200 (40%).
const FILTERS = {
  keepAll: {
    ast: {
      op: 'and',
      filters: [
        { op: 'gte', field: 'amount', value: 0 },
        { op: 'lt', field: 'quantity', value: 1000 },
        { op: 'in', field: 'category', values: [...CATEGORIES] },
        { op: 'gte', field: 'created_at', value: { $date: '2020-01-01T00:00:00.000Z' } },
        { op: 'contains', field: 'email', value: '@' },
      ],
    },
    sift: {
      amount: { $gte: 0 },
      quantity: { $lt: 1000 },
      category: { $in: [...CATEGORIES] },
      created_at: { $gte: new Date('2020-01-01T00:00:00.000Z') },
      email: { $regex: /@/ },
    },
    js: (r) => r.amount >= 0 && r.quantity < 1000 && CATEGORIES.includes(r.category) && r.created_at >= new Date('2020-01-01T00:00:00.000Z') && r.email.includes('@'),
  },
  keep10: {
    ast: {
      op: 'and',
      filters: [
        { op: 'gte', field: 'amount', value: 0 },
        { op: 'lt', field: 'quantity', value: 200 },
        { op: 'in', field: 'category', values: ['books', 'toys'] },
        { op: 'gte', field: 'created_at', value: { $date: '2020-01-01T00:00:00.000Z' } },
        { op: 'contains', field: 'email', value: '@' },
      ],
    },
    sift: {
      amount: { $gte: 0 },
      quantity: { $lt: 200 },
      category: { $in: ['books', 'toys'] },
      created_at: { $gte: new Date('2020-01-01T00:00:00.000Z') },
      email: { $regex: /@/ },
    },
    js: (r) => r.amount >= 0 && r.quantity < 200 && (r.category === 'books' || r.category === 'toys') && r.created_at >= new Date('2020-01-01T00:00:00.000Z') && r.email.includes('@'),
  },
};

async function suiteFilter() {
  const data = rows();
  const reason = (await probe({ format: 'csv' })) ?? (await probe({ format: 'csv', filter: FILTERS.keep10.ast }));
  const out = { status: reason ? 'peers-only' : 'ok', reason, cases: {} };
  if (reason) console.log(`  Sluice not measured: ${reason} (peers only)`);
  // One measured group, so the unfiltered reference runs in the same alternation as every case.
  const impls = [];
  if (!reason) impls.push({ name: 'sluice unfiltered', run: sluiceRun(data, { format: 'csv' }) });
  for (const [label, f] of Object.entries(FILTERS)) {
    const expected = data.filter(f.js).length;
    const siftCount = data.filter(sift(f.sift)).length;
    console.log(`  ${label}: ${fmtInt(expected)} of ${fmtInt(data.length)} rows kept (${((expected / data.length) * 100).toFixed(1)}%)`);
    if (siftCount !== expected) console.log(`  WARNING: sift keeps ${siftCount}, plain JS keeps ${expected}`);
    let sanityProblems = [];
    if (!reason) {
      // The filtered export must hold exactly the rows the equivalent JS predicate keeps.
      const small = makeRows(SANITY_ROWS, 99);
      try {
        const text = new TextDecoder().decode(await collect(sluice.exportStream(small, { format: 'csv', filter: f.ast })));
        sanityProblems = checkCsv(text, small.filter(f.js));
      } catch (err) {
        sanityProblems = [`filtered export threw: ${describeError(err)}`];
      }
      console.log(`  sanity ${label} (${SANITY_ROWS} rows, papaparse reader): ${sanityProblems.length ? 'PROBLEM ' + sanityProblems.join('; ') : 'ok'}`);
      impls.push({ name: `sluice filtered ${label}`, run: sluiceRun(data, { format: 'csv', filter: f.ast }) });
    }
    impls.push({ name: `sift + papaparse ${label}`, run: () => encoder.encode(Papa.unparse(data.filter(sift(f.sift)))).byteLength });
    out.cases[label] = { keptRows: expected, sanity: sanityProblems };
  }
  const results = await measure(impls, data.length);
  report(results, reason ? 'sift + papaparse keepAll' : 'sluice unfiltered');
  out.results = results;
  for (const label of Object.keys(FILTERS)) {
    const filteredOverUnfiltered = ratio(results, `sluice filtered ${label}`, 'sluice unfiltered');
    const siftOverSluice = ratio(results, `sift + papaparse ${label}`, `sluice filtered ${label}`);
    if (label === 'keepAll') console.log(verdict('keepAll: filtered ÷ unfiltered time', filteredOverUnfiltered, 1.15, undefined, false));
    else console.log(verdict(`${label}: unfiltered ÷ filtered time`, filteredOverUnfiltered ? Math.round((1 / filteredOverUnfiltered) * 100) / 100 : null, 3));
    console.log(verdict(`${label}: sift + papaparse ÷ sluice filtered`, siftOverSluice, 1));
    out.cases[label].ratios = { filteredOverUnfiltered, siftOverSluice };
  }
  return out;
}

// ───────────────────────────── memory (child processes) ─────────────────────────────

function runChild(args, timeoutMs) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: here, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let timedOut = false;
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const last = stdout.trim().split('\n').pop() ?? '';
      let result = null;
      try {
        result = JSON.parse(last);
      } catch {
        // The child died before printing its result; stderr tells why.
      }
      resolve({ code, signal, timedOut, result, stderr: stderr.trim().split('\n').slice(-3).join(' | ') });
    });
  });
}

async function suiteMemory() {
  const out = { rows: MEMORY_ROWS, cases: {} };
  const reasonCsv = await probe({ format: 'csv' });
  const cases = [
    { kind: 'csv', target: 100 },
    { kind: 'ndjson', target: 100 },
    { kind: 'parquet', target: 250 },
  ];
  const table = [];
  for (const c of cases) {
    const reason = c.kind === 'csv' ? reasonCsv : await probe({ format: c.kind });
    if (reason) {
      console.log(`  ${c.kind}: SKIPPED: ${reason}`);
      out.cases[c.kind] = { status: 'skipped', reason };
      table.push([`sluice ${c.kind}`, 'skipped', '', '', '', '', '']);
      continue;
    }
    const r = await runChild(['--expose-gc', join(here, 'memory.mjs'), c.kind, String(MEMORY_ROWS)], 600_000);
    if (!r.result || r.result.error) {
      const why = r.timedOut ? 'timed out after 600 s' : r.result?.error ?? `exit ${r.code ?? r.signal}: ${r.stderr}`;
      console.log(`  ${c.kind}: FAILED: ${why}`);
      out.cases[c.kind] = { status: 'failed', reason: why };
      table.push([`sluice ${c.kind}`, 'failed', '', '', '', '', '']);
      continue;
    }
    const m = r.result;
    out.cases[c.kind] = { status: 'ok', ...m, targetMB: c.target };
    table.push([
      `sluice ${c.kind}`,
      fmtInt(m.ms),
      fmtMB(m.bytes),
      fmtMB(m.baselineRss),
      fmtMB(m.peakRss),
      fmtMB(m.peakRss - m.baselineRss),
      `≤ ${c.target} ${(m.peakRss - m.baselineRss) / 1e6 <= c.target ? 'MET' : 'NOT MET'}`,
    ]);
  }
  // The peer that holds everything in one string, given a heap big enough to fail on V8's string
  // length limit rather than on heap size.
  console.log(`  papaparse.unparse of ${fmtInt(MEMORY_ROWS)} rows (child with --max-old-space-size=16384, timeout ${PAPA_TIMEOUT_S} s)…`);
  const p = await runChild(['--max-old-space-size=16384', join(here, 'memory.mjs'), 'papaparse', String(MEMORY_ROWS)], PAPA_TIMEOUT_S * 1000);
  if (p.timedOut) {
    out.cases.papaparse = { status: 'timed-out', reason: `no result within ${PAPA_TIMEOUT_S} s` };
    table.push(['papaparse.unparse', `> ${PAPA_TIMEOUT_S * 1000}`, 'timed out', '', '', '', '']);
  } else if (!p.result) {
    out.cases.papaparse = { status: 'crashed', reason: `exit ${p.code ?? p.signal}: ${p.stderr}` };
    table.push(['papaparse.unparse', 'crashed', p.stderr.slice(0, 60), '', '', '', '']);
  } else {
    out.cases.papaparse = { status: p.result.ok ? 'succeeded' : 'failed-as-expected', ...p.result };
    table.push([
      'papaparse.unparse',
      fmtInt(p.result.unparseMs),
      p.result.ok ? fmtMB(p.result.length) : p.result.error,
      fmtMB(p.result.baselineRss),
      fmtMB(p.result.peakRss),
      fmtMB(p.result.peakRss - p.result.baselineRss),
      '',
    ]);
  }
  printTable(['case', 'ms', 'MB out', 'RSS @100k MB', 'peak RSS MB', 'peak − base MB', 'target MB'], table);
  if (out.cases.papaparse?.error) console.log(`  papaparse: ${out.cases.papaparse.error} (rows array built in ${fmtInt(out.cases.papaparse.buildMs)} ms, unparse failed after ${fmtInt(out.cases.papaparse.unparseMs)} ms)`);
  return out;
}

// ───────────────────────────── main ─────────────────────────────

// XLSX against exceljs and SheetJS lives in its own file (bench/xlsx.mjs).
const suiteXlsx = async () => (await import('./xlsx.mjs')).suiteXlsx({ rows: ROWS, memoryRows: MEMORY_ROWS });

const SUITES = { csv: suiteCsv, json: suiteJson, ndjson: suiteNdjson, parquet: suiteParquet, arrow: suiteArrow, filter: suiteFilter, memory: suiteMemory, xlsx: suiteXlsx };

async function main() {
  const requested = process.argv.slice(2).filter((a) => !a.startsWith('-'));
  const unknown = requested.filter((s) => !ALL_SUITES.includes(s));
  if (unknown.length) {
    console.error(`unknown suite(s): ${unknown.join(', ')}; choose from ${ALL_SUITES.join(', ')}`);
    process.exit(2);
  }
  const selected = requested.length ? requested : ALL_SUITES;
  if (!gc) console.log('WARNING: run with --expose-gc (npm run bench does) so each run starts after a full GC');
  await loadSluice();
  const cpu = cpus();
  const machine = { cpu: cpu[0]?.model ?? 'unknown', cores: cpu.length, memoryGB: Math.round(totalmem() / 2 ** 30), platform: `${platform()} ${release()}`, arch: arch() };
  console.log(`Sluice benchmarks — node ${process.version}, ${machine.cpu} × ${machine.cores}, ${machine.memoryGB} GiB, load average ${loadavg()[0].toFixed(2)}`);
  console.log(`rows ${fmtInt(ROWS)}, rounds ${ROUNDS} (first discarded), memory rows ${fmtInt(MEMORY_ROWS)}; Sluice: ${sluice ? 'dist/index.js loaded' : sluiceLoadError}`);
  const started = performance.now();
  // Quick runs (any size override) go to their own file so they never replace the reference figures.
  const quick = ROWS !== 1_000_000 || MEMORY_ROWS !== 5_000_000 || ROUNDS < 5;
  const resultsName = quick ? 'results.quick.json' : 'results.json';
  for (const name of selected) {
    console.log(`\n■ ${name}`);
    const t0 = performance.now();
    let suite;
    try {
      suite = await SUITES[name]();
    } catch (err) {
      console.log(`  SUITE FAILED: ${describeError(err)}`);
      suite = { status: 'failed', reason: describeError(err) };
    }
    suite.rows = suite.rows ?? ROWS;
    suite.rounds = ROUNDS;
    suite.date = new Date().toISOString();
    suite.suiteSeconds = round1((performance.now() - t0) / 1000);
    // Other processes on a small machine skew figures; the load average tells a reader how quiet it was.
    suite.loadAverage1m = round1(loadavg()[0]);
    console.log(`  (${suite.suiteSeconds} s, load average ${suite.loadAverage1m})`);
    // Saved after every suite, so an interrupted run keeps what it measured.
    await saveResults(resultsName, machine, name, suite);
  }
  console.log(`\nwrote bench/${resultsName} (total ${round1((performance.now() - started) / 1000)} s)`);
}

/** Merges one suite's figures into the results file. */
async function saveResults(fileName, machine, name, suite) {
  const path = join(here, fileName);
  let previous = {};
  try {
    previous = JSON.parse(await readFile(path, 'utf8'));
  } catch {
    // First run, or an unreadable file: start afresh.
  }
  const merged = {
    machine,
    node: process.version,
    date: new Date().toISOString(),
    seed: DEFAULT_SEED,
    suites: { ...(previous.suites ?? {}), [name]: suite },
  };
  await writeFile(path, JSON.stringify(merged, null, 2) + '\n');
}

await main();
