/**
 * Runs the engine suite: the same specs in Chromium, Firefox and WebKit, each driven through one
 * interface (drivers/types.ts). An engine that is not installed is skipped with the reason, unless
 * it is required. Ends with one line per run, e.g.
 *
 *   engines: chromium 27 passed 2 skipped, firefox 26 passed 3 skipped, webkit 25 passed 4 skipped
 *
 *   npm run build && npm run test:engines
 *   npx tsx test/engines/run.ts --engines webkit --grep cancel
 *
 * Environment: SLUICE_ENGINES (engines to run, default all), SLUICE_ENGINES_REQUIRE (`all`, or a
 * list: a missing one fails the run instead of being skipped), SLUICE_TEST_PORT (server port),
 * SLUICE_FIREFOX, SLUICE_CHROMIUM, SLUICE_WEBKIT_DRIVER, SLUICE_MINIBROWSER (binaries),
 * SLUICE_WEBKIT_DRIVER_PORT (default: a free port).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { TEST_PORT } from '../server/config.js';
import { REPO_ROOT } from './drivers/common.js';
import { ENGINES, launchEngine, type EngineDriver, type EngineName } from './drivers/index.js';
import { PAGES, runSpecs, specs, type EngineCaps } from './harness.js';
import { startServer } from './server.js';
import { printSummary, type EngineReport } from './summary.js';
import './specs/downloads.spec.js';
import './specs/targets.spec.js';
import './specs/failures.spec.js';
import './specs/sources.spec.js';
import './specs/runtime.spec.js';
import './specs/csp.spec.js';

function list(value: string | undefined, fallback: readonly EngineName[]): EngineName[] {
  if (value === undefined || value.trim() === '') return [...fallback];
  if (value.trim() === 'all') return [...ENGINES];
  const names = value.split(',').map((name) => name.trim()).filter(Boolean);
  for (const name of names) if (!(ENGINES as readonly string[]).includes(name)) throw new Error(`unknown engine "${name}"; known: ${ENGINES.join(', ')}`);
  return names as EngineName[];
}

const { values } = parseArgs({ options: { engines: { type: 'string' }, grep: { type: 'string' } } });
const engines = list(values.engines ?? process.env.SLUICE_ENGINES, ENGINES);
const required = list(process.env.SLUICE_ENGINES_REQUIRE, []);
const grep = values.grep === undefined ? null : new RegExp(values.grep, 'i');
const selected = specs().filter((s) => grep === null || grep.test(s.name));

if (!existsSync(join(REPO_ROOT, 'dist', 'index.js'))) {
  console.error('engines: no dist/index.js — run `npm run build` first');
  process.exit(1);
}

const started = Date.now();
const server = await startServer(TEST_PORT);
console.log(`engine suite: ${selected.length} specs, engines ${engines.join(', ')}, server ${server.origin}`);
const reports: EngineReport[] = [];
try {
  for (const engine of engines) {
    console.log(`\n[${engine}]`);
    let driver: EngineDriver | undefined;
    try {
      const launched = await launchEngine(engine);
      if (!launched.ok) {
        console.log(`  SKIPPED: ${engine} is not installed here: ${launched.reason}`);
        reports.push({ engine, installed: false, reason: launched.reason, results: [] });
        continue;
      }
      driver = launched.driver;
      console.log(`  ${driver.version}, driven by ${driver.protocol}`);
      await driver.open(`${server.origin}${PAGES.harness}`);
      const caps = await driver.call<EngineCaps>('env');
      console.log(`  showSaveFilePicker ${caps.savePicker ? 'yes' : 'no'}, OPFS ${caps.opfs ? 'yes' : 'no'}, CompressionStream ${caps.compressionStream ? 'yes' : 'no'}, Web Locks ${caps.webLocks ? 'yes' : 'no'}, transferable streams ${caps.transferableStreams ? 'yes' : 'no'}`);
      const results = await runSpecs(driver, server, selected, caps);
      reports.push({ engine, installed: true, version: driver.version, protocol: driver.protocol, caps, results });
    } catch (error) {
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      console.log(`  ✗ ${engine} could not be started or driven: ${message}`);
      reports.push({ engine, installed: true, reason: `start-up failed: ${message.split('\n')[0]}`, results: [{ name: '(start-up)', status: 'failed', error: message, ms: 0, notes: [] }] });
    } finally {
      await driver?.close();
    }
  }
} finally {
  await server.close();
}

mkdirSync(join(REPO_ROOT, 'test-results', 'engines'), { recursive: true });
writeFileSync(join(REPO_ROOT, 'test-results', 'engines', 'summary.json'), JSON.stringify(reports, null, 2));

console.log('');
const failed = printSummary(reports, required, Date.now() - started);
process.exit(failed ? 1 : 0);
