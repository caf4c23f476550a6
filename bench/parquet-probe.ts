/**
 * Parquet write probe: 1M rows × 10 typical columns, fed as Arrow batches of 16,384 rows to the
 * Parquet encoder, for several row-group sizes and dictionary settings. Each case runs in a fresh
 * process, because wasm memory never shrinks and would carry over between cases.
 *
 *   npx tsx bench/parquet-probe.ts            # every case
 *   npx tsx bench/parquet-probe.ts --one 65536 auto snappy   # one case (used by the runner)
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { Bool, Field, Float64, Int32, RecordBatch, Schema, Struct, TimestampMillisecond, Utf8, makeData } from 'apache-arrow';
import type { Data } from 'apache-arrow';
import { getFormat } from '../src/formats/registry.js';
import { loadParquetWasm } from '../src/formats/parquet/wasm.js';
import type { ParquetCompression } from '../src/types.js';

const ROWS = 1_000_000;
const CHUNK = 16_384;
const encoder = new TextEncoder();

function text(values: (i: number) => string | null, start: number, n: number): Data {
  const offsets = new Int32Array(n + 1);
  const parts: Uint8Array[] = [];
  const validity = new Uint8Array((n + 7) >> 3);
  let total = 0;
  let nulls = 0;
  for (let i = 0; i < n; i++) {
    const value = values(start + i);
    if (value === null) nulls++;
    else {
      validity[i >> 3]! |= 1 << (i & 7);
      const bytes = encoder.encode(value);
      parts.push(bytes);
      total += bytes.length;
    }
    offsets[i + 1] = total;
  }
  const data = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    data.set(part, at);
    at += part.length;
  }
  return makeData({ type: new Utf8(), length: n, nullCount: nulls, nullBitmap: validity, valueOffsets: offsets, data });
}

const FIRST = ['Ada', 'Grace', 'Alan', 'Edsger', 'Barbara', 'Donald', 'Frances', 'John', 'Margaret', 'Ken', 'Dennis', 'Radia', 'Tim', 'Linus', 'Guido', 'Anita'];
const LAST = ['Lovelace', 'Hopper', 'Turing', 'Dijkstra', 'Liskov', 'Knuth', 'Allen', 'McCarthy', 'Hamilton', 'Thompson', 'Ritchie', 'Perlman', 'Berners-Lee', 'Torvalds', 'van Rossum', 'Borg'];
const CATEGORIES = ['books', 'music', 'garden', 'toys', 'food', 'tools', 'sports', 'health'];

function batchAt(start: number, n: number): RecordBatch {
  const id = new Int32Array(n);
  const amount = new Float64Array(n);
  const quantity = new Int32Array(n);
  const active = new Uint8Array((n + 7) >> 3);
  const created = new BigInt64Array(n);
  const score = new Float64Array(n);
  const scoreValid = new Uint8Array((n + 7) >> 3);
  let scoreNulls = 0;
  for (let i = 0; i < n; i++) {
    const r = start + i;
    id[i] = r;
    amount[i] = Math.round(((r * 7919) % 100_000) + 0.37 * (r % 100)) / 100;
    quantity[i] = (r % 97) + 1;
    if (r % 3 !== 0) active[i >> 3]! |= 1 << (i & 7);
    created[i] = BigInt(Date.UTC(2015, 0, 1) + r * 61_001);
    if (r % 5 === 0) scoreNulls++;
    else {
      score[i] = ((r * 2654435761) % 1000) / 10;
      scoreValid[i >> 3]! |= 1 << (i & 7);
    }
  }
  const children: Record<string, Data> = {
    id: makeData({ type: new Int32(), length: n, data: id }),
    name: text((r) => `${FIRST[r % 16]} ${LAST[(r >> 4) % 16]}`, start, n),
    email: text((r) => `user${r}@example.com`, start, n),
    amount: makeData({ type: new Float64(), length: n, data: amount }),
    quantity: makeData({ type: new Int32(), length: n, data: quantity }),
    active: makeData({ type: new Bool(), length: n, data: active }),
    created_at: makeData({ type: new TimestampMillisecond('UTC'), length: n, data: created }),
    category: text((r) => CATEGORIES[r % 8]!, start, n),
    note: text((r) => (r % 4 === 0 ? null : `note ${r}: call back after ${(r % 28) + 1} days`), start, n),
    score: makeData({ type: new Float64(), length: n, nullCount: scoreNulls, nullBitmap: scoreValid, data: score }),
  };
  const fields = Object.entries(children).map(([name, data]) => new Field(name, data.type, true));
  return new RecordBatch(new Schema(fields), makeData({ type: new Struct(fields), length: n, children: Object.values(children) }));
}

async function runOne(rowGroupSize: number, dictionary: 'auto' | boolean, compression: ParquetCompression): Promise<void> {
  const batches: RecordBatch[] = [];
  for (let start = 0; start < ROWS; start += CHUNK) batches.push(batchAt(start, Math.min(CHUNK, ROWS - start)));
  const wasm = await loadParquetWasm();
  const before = wasm.wasmMemory().buffer.byteLength;
  const columns = batches[0]!.schema.fields.map((f) => ({ field: f.name, header: f.name }));
  let bytes = 0;
  let emits = 0;
  let peakRss = process.memoryUsage().rss;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const enc = await getFormat('parquet').createEncoder({
    columns,
    options: { format: 'parquet', parquet: { rowGroupSize, dictionary, compression } },
    report: () => {},
    countEscapedFormula: () => {},
  });
  const emit = (b: Uint8Array): void => {
    bytes += b.length;
    emits++;
  };
  for (const batch of batches) {
    await enc.encode({ batch, selection: null, firstRow: 0, mismatches: null }, emit);
    peakRss = Math.max(peakRss, process.memoryUsage().rss);
  }
  await enc.finish(emit, batches[0]!.schema);
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  // CPU time is steadier than wall time on a shared machine.
  const cpuSeconds = (cpu.user + cpu.system) / 1e6;
  const wasmMiB = wasm.wasmMemory().buffer.byteLength / 2 ** 20;
  console.log(JSON.stringify({ rowGroupSize, dictionary, compression, seconds: +seconds.toFixed(2), cpuSeconds: +cpuSeconds.toFixed(2), fileMiB: +(bytes / 2 ** 20).toFixed(1), emits, wasmStartMiB: +(before / 2 ** 20).toFixed(1), wasmPeakMiB: +wasmMiB.toFixed(1), rssPeakMiB: Math.round(peakRss / 2 ** 20) }));
}

const args = process.argv.slice(2);
if (args[0] === '--one') {
  const dictionary = args[2] === 'auto' ? 'auto' : args[2] === 'true';
  await runOne(Number(args[1]), dictionary, (args[3] ?? 'snappy') as ParquetCompression);
} else {
  const self = fileURLToPath(import.meta.url);
  const cases: Array<[number, string, string]> = [
    [65_536, 'auto', 'snappy'],
    [131_072, 'auto', 'snappy'],
    [65_536, 'true', 'snappy'],
    [131_072, 'true', 'snappy'],
    [65_536, 'auto', 'zstd'],
  ];
  const REPEATS = 5;
  console.log(`${ROWS} rows × 10 columns, batches of ${CHUNK}; median of ${REPEATS} fresh processes per case`);
  for (const [size, dictionary, compression] of cases) {
    const runs: Array<Record<string, number>> = [];
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const result = spawnSync(process.execPath, [...process.execArgv, self, '--one', String(size), dictionary, compression], { encoding: 'utf8' });
      if (result.status !== 0) throw new Error(result.stderr);
      runs.push(JSON.parse(result.stdout) as Record<string, number>);
    }
    const median = (key: string) => runs.map((run) => run[key]!).sort((a, b) => a - b)[Math.floor(REPEATS / 2)];
    const times = runs.map((run) => run.seconds).join(' ');
    const cpuTimes = runs.map((run) => run.cpuSeconds).join(' ');
    console.log(`rowGroupSize ${size}, dictionary ${dictionary}, ${compression}: wall ${median('seconds')} s (runs: ${times}), CPU ${median('cpuSeconds')} s (runs: ${cpuTimes}), file ${median('fileMiB')} MiB, wasm peak ${median('wasmPeakMiB')} MiB, RSS peak ${median('rssPeakMiB')} MiB`);
  }
}
