/**
 * Memory of a large download, per engine, measured from outside the browser: the peak resident
 * set (VmHWM in /proc/<pid>/status, reset before the export through /proc/<pid>/clear_refs) of
 * each browser process. The page and its dedicated worker share one content process in all three
 * engines, so that process's peak is "page + worker"; Blob data lives in another process (the
 * network process in WebKit, the browser process in Chromium, the parent process in Firefox).
 *
 *   npm run build && npm run bench:engines                      # 1,000,000 rows, every engine
 *   npx tsx test/engines/memory.ts --engines webkit --rows 200000
 *
 * Linux only (it reads /proc). `performance.memory` (Chromium's page heap, no workers) is printed
 * beside it where the engine has it.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_PORT } from '../server/config.js';
import { poll, REPO_ROOT } from './drivers/common.js';
import { ENGINES, launchEngine, type EngineName } from './drivers/index.js';
import { PAGES } from './harness.js';
import type { RunOutcome } from './pages/harness.js';
import { startServer } from './server.js';

const MiB = 1024 * 1024;

interface ProcessInfo {
  pid: number;
  kind: string;
}

function ppidOf(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: read after the last ')'.
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return null;
  }
}

/** Every live descendant of `roots`. */
function descendants(roots: readonly number[]): number[] {
  const children = new Map<number, number[]>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const pid = Number(entry);
    const ppid = ppidOf(pid);
    if (ppid === null) continue;
    children.set(ppid, [...(children.get(ppid) ?? []), pid]);
  }
  const out: number[] = [];
  const queue = [...roots];
  while (queue.length > 0) {
    const pid = queue.shift()!;
    out.push(pid);
    queue.push(...(children.get(pid) ?? []));
  }
  return out;
}

/** What a browser process is, from its command line. */
function kindOf(pid: number): string {
  let cmd = '';
  try {
    cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return 'gone';
  }
  if (/WebKitWebProcess/.test(cmd)) return 'webkit web process (page + worker)';
  if (/WebKitNetworkProcess/.test(cmd)) return 'webkit network process (blob store)';
  if (/WebKitGPUProcess/.test(cmd)) return 'webkit gpu process';
  if (/MiniBrowser/.test(cmd)) return 'webkit ui process';
  if (/WebKitWebDriver/.test(cmd)) return 'webkit driver';
  if (/--type=renderer/.test(cmd)) return 'chromium renderer (page + worker)';
  if (/--type=/.test(cmd)) return `chromium ${/--type=(\S+)/.exec(cmd)?.[1] ?? '?'}`;
  if (/chrom/.test(cmd)) return 'chromium browser process (blob store)';
  if (/-contentproc/.test(cmd)) return `firefox content (${/ (tab|rdd|socket|utility|gpu|forkserver)\b/.exec(cmd)?.[1] ?? 'other'})`;
  if (/firefox/.test(cmd)) return 'firefox parent process (blob store)';
  return cmd.split(' ')[0]?.split('/').pop() ?? '?';
}

function status(pid: number, field: 'VmHWM' | 'VmRSS'): number {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

function resetPeak(pid: number): void {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
  } catch {
    // Not ours or gone: its peak is then since start.
  }
}

const { values } = parseArgs({ options: { engines: { type: 'string' }, rows: { type: 'string' } } });
const engines = (values.engines ?? 'webkit,chromium,firefox').split(',') as EngineName[];
for (const engine of engines) if (!(ENGINES as readonly string[]).includes(engine)) throw new Error(`unknown engine ${engine}`);
const rows = Number(values.rows ?? 1_000_000);
if (!existsSync(join(REPO_ROOT, 'dist', 'index.js'))) throw new Error('run `npm run build` first');

const server = await startServer(TEST_PORT);
try {
  for (const engine of engines) {
    // Each target in a fresh browser, so both start from the same memory and garbage.
    for (const target of ['discard', 'download'] as const) {
      const launched = await launchEngine(engine);
      if (!launched.ok) {
        console.log(`${engine}: skipped (${launched.reason})`);
        break;
      }
      const driver = launched.driver;
      try {
        await driver.open(`${server.origin}${PAGES.harness}`);
        // Warm up: the worker and its modules are loaded before the measured export.
        await driver.call('run', { source: { kind: 'rows', count: 10 }, options: { format: 'csv' }, target: 'blob' });
        const processes: ProcessInfo[] = descendants(driver.rootPids).map((pid) => ({ pid, kind: kindOf(pid) }));
        if (target === 'discard') console.log(`\n${driver.version}: ${rows.toLocaleString('en-US')} rows of CSV from an async generator on the page`);
        const before = new Map(processes.map((p) => [p.pid, status(p.pid, 'VmRSS')]));
        for (const p of processes) resetPeak(p.pid);
        const heapBefore = await driver.call<{ usedJSHeapSize: number } | null>('pageHeap');
        const started = Date.now();
        const fileName = `${target}.csv`;
        const out = await driver.call<RunOutcome>('run', { source: { kind: 'generator', count: rows }, options: { format: 'csv', fileName }, target });
        if (!out.ok) throw new Error(`the export failed: ${JSON.stringify(out.error)}`);
        const size = out.result!.bytesWritten;
        let check = '';
        if (target === 'download') {
          const path = join(driver.downloadDir, fileName);
          await poll(() => (existsSync(path) && statSync(path).size === size ? true : undefined), 300_000, () => `no finished ${fileName} of ${size} bytes`, 250);
          const lines = readFileSync(path, 'utf8').split('\r\n').length - 1;
          check = `; the file on disk has ${lines.toLocaleString('en-US')} line ends`;
        }
        const seconds = (Date.now() - started) / 1000;
        const heapAfter = await driver.call<{ usedJSHeapSize: number } | null>('pageHeap');
        console.log(`  target ${target === 'discard' ? 'WritableStream that drops the bytes (no file held)' : "'download'"}: ${(size / MiB).toFixed(1)} MiB in ${seconds.toFixed(1)} s${check}`);
        const byKind = new Map<string, { base: number; peak: number; count: number }>();
        for (const p of processes) {
          const entry = byKind.get(p.kind) ?? { base: 0, peak: 0, count: 0 };
          entry.base += before.get(p.pid) ?? 0;
          entry.peak += status(p.pid, 'VmHWM');
          entry.count++;
          byKind.set(p.kind, entry);
        }
        for (const [kind, m] of [...byKind].sort((a, b) => b[1].peak - b[1].base - (a[1].peak - a[1].base)).slice(0, 2)) {
          console.log(`    ${kind}${m.count > 1 ? ` ×${m.count}` : ''}: RSS ${(m.base / MiB).toFixed(0)} MiB before, peak ${(m.peak / MiB).toFixed(0)} MiB (+${((m.peak - m.base) / MiB).toFixed(0)} MiB = ${((m.peak - m.base) / size).toFixed(2)} × the file)`);
        }
        if (heapBefore !== null && heapAfter !== null) console.log(`    performance.memory (page heap only): ${(heapBefore.usedJSHeapSize / MiB).toFixed(0)} → ${(heapAfter.usedJSHeapSize / MiB).toFixed(0)} MiB`);
      } finally {
        await driver.close();
      }
    }
  }
} finally {
  await server.close();
}
