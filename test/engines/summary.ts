/**
 * The engine suite's summary: per engine, the specs run, passed, failed and skipped (with the
 * reasons), and one final line:
 *
 *   engines: chromium 28 passed 3 skipped, firefox 27 passed 4 skipped, webkit 26 passed 5 skipped
 *
 * run.ts prints it at the end of a run; `npx tsx test/engines/summary.ts` prints it again from
 * test-results/engines/summary.json (the CI log's last lines).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './drivers/common.js';
import type { EngineName } from './drivers/types.js';
import type { EngineCaps, SpecResult } from './harness.js';

/** One engine's run, as written to test-results/engines/summary.json. */
export interface EngineReport {
  engine: EngineName;
  installed: boolean;
  reason?: string;
  version?: string;
  protocol?: string;
  caps?: EngineCaps;
  results: SpecResult[];
}

/** Where run.ts writes the reports. */
export const SUMMARY_PATH = join(REPO_ROOT, 'test-results', 'engines', 'summary.json');

/** Prints the summary; returns true when the run failed (a failed spec, or a required engine missing). */
export function printSummary(reports: readonly EngineReport[], required: readonly EngineName[], elapsedMs?: number): boolean {
  let failed = false;
  const parts: string[] = [];
  for (const report of reports) {
    if (report.results.length === 0 && !report.installed) {
      const missingRequired = required.includes(report.engine);
      failed ||= missingRequired;
      parts.push(`${report.engine} ${missingRequired ? 'MISSING (required)' : 'SKIPPED (not installed)'}`);
      console.log(`${report.engine}: ${missingRequired ? 'MISSING, and required here' : 'skipped, not installed'}: ${report.reason ?? '?'}`);
      continue;
    }
    const count = (status: SpecResult['status']): number => report.results.filter((r) => r.status === status).length;
    const [passed, skipped, failures] = [count('passed'), count('skipped'), count('failed')];
    failed ||= failures > 0;
    parts.push(`${report.engine} ${passed} passed${failures > 0 ? ` ${failures} FAILED` : ''}${skipped > 0 ? ` ${skipped} skipped` : ''}`);
    console.log(`${report.engine} (${report.version ?? '?'}): ${passed + failures} specs run, ${passed} passed, ${failures} failed, ${skipped} skipped`);
    for (const r of report.results.filter((x) => x.status === 'skipped')) console.log(`  skipped: ${r.name} — ${r.reason ?? '?'}`);
    for (const r of report.results.filter((x) => x.status === 'failed')) console.log(`  FAILED: ${r.name}: ${(r.error ?? '').split('\n')[0]}`);
  }
  console.log(`engines: ${parts.join(', ')}${elapsedMs === undefined ? '' : ` (${(elapsedMs / 1000).toFixed(0)} s)`}`);
  return failed;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!existsSync(SUMMARY_PATH)) {
    console.log(`engines: no summary at ${SUMMARY_PATH} (the engine suite did not run)`);
    process.exitCode = 1;
  } else {
    printSummary(JSON.parse(readFileSync(SUMMARY_PATH, 'utf8')) as EngineReport[], []);
  }
}
