/**
 * Size budgets of the built package, measured as a consumer's Vite 8 build bundles it (see
 * bundle.ts). Needs `npm run build` first (`npm test` builds before it runs the unit tests).
 *
 * - An app that calls `exportData` loads at most 15 kB gzip on the main thread at start-up
 *   (comlink included; the worker, Parquet and the main-thread fallback load on demand).
 * - The CSV worker (`text-worker.js`, which `exportData` starts for CSV, TSV, JSON and NDJSON of
 *   an array of rows), as Vite bundles it by default (one IIFE file, every `import()` inlined),
 *   is at most 55 kB gzip and holds no parquet-wasm glue, no Arrow IPC code and no filter compiler.
 * - The full worker, where the bundler splits it (webpack; Vite with `worker.format: 'es'`), loads
 *   at most 71 kB gzip before a CSV/JSON export; parquet-wasm's glue (and the wasm) sit in chunks
 *   reached only through `import()`.
 * - An app that uses `exportStream` for CSV does not load parquet-wasm or Arrow's IPC writer.
 *
 * 1 kB = 1,000 bytes; gzip level 9, one file at a time.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { bundleForBrowser, describeChunks, DIST, gzipTotal, importChain, shortId, startupImporters, staticClosure, type BundleReport, type MeasuredChunk } from './bundle.js';

/** Main-thread code an `exportData` app loads at start-up. */
const MAIN_THREAD_BUDGET = 15_000;
/**
 * The CSV worker as a consumer's Vite bundles it with its defaults (one file). 53 kB until the
 * encoders' direct paths (CSV from row objects; CSV, JSON and NDJSON from the page's packed
 * columns: 1.1 kB gzip together, about 40% off the worker's CPU time for page-held rows to CSV)
 * took it to 54.1 kB; the consumer apps hold it to 60 kB.
 */
const WORKER_BUDGET = 55_000;
/** The full worker's code loaded before a CSV or JSON export, where the bundler splits it (70 kB before the same direct path). */
const FULL_WORKER_SPLIT_BUDGET = 71_000;

const isParquetGlue = (id: string): boolean => /[\\/]parquet-wasm[\\/]/.test(id);
const isArrowIpcWriter = (id: string): boolean => /[\\/]apache-arrow[\\/]ipc[\\/]writer\.m?js$/.test(id);
const isApacheArrow = (id: string): boolean => /[\\/]apache-arrow[\\/]/.test(id);
const isEngine = (id: string): boolean => id === join(DIST, 'engine.js');
const isRe2js = (id: string): boolean => /[\\/]re2js[\\/]/.test(id);
const isComlink = (id: string): boolean => /[\\/]comlink[\\/]/.test(id);
const isWorkerEntry = (id: string): boolean => id === join(DIST, 'worker', 'worker.js') || id === join(DIST, 'worker', 'text-worker.js');
const isArrowIpc = (id: string): boolean => /[\\/]apache-arrow[\\/]ipc[\\/]/.test(id);
const isFilterCompiler = (id: string): boolean => id.startsWith(join(DIST, 'filter') + '/') && !id.endsWith('/ast.js');

const kB = (bytes: number): string => `${(bytes / 1000).toFixed(1)} kB`;

function modulesOf(chunks: readonly MeasuredChunk[]): string[] {
  return chunks.flatMap((chunk) => chunk.modules);
}

/** Why a module is in the start-up code: the shortest import chain and every direct importer. */
function chainText(report: BundleReport, label: string, target: (id: string) => boolean): string {
  const chain = importChain(report, target);
  if (chain === null) return `${label}: not statically imported`;
  return `${label} is pulled in by:\n    ${chain.join('\n    → ')}\n  start-up modules importing it directly: ${startupImporters(report, target).join(', ')}`;
}

/** The chunks that hold a module matching `target`, and whether each is reached only by `import()`. */
function lazyOnly(report: BundleReport, target: (id: string) => boolean): { holders: string[]; staticallyLoaded: string[]; dynamicallyImported: string[] } {
  const holders = [...report.chunks.values()].filter((chunk) => chunk.modules.some(target)).map((chunk) => chunk.fileName);
  const closure = new Set(staticClosure(report).map((chunk) => chunk.fileName));
  const dynamicTargets = new Set([...report.chunks.values()].flatMap((chunk) => chunk.dynamicImports));
  return {
    holders,
    staticallyLoaded: holders.filter((name) => closure.has(name)),
    dynamicallyImported: holders.filter((name) => dynamicTargets.has(name)),
  };
}

describe('bundle budgets (Vite 8 production build of dist/)', () => {
  beforeAll(() => {
    if (!existsSync(join(DIST, 'index.js')) || !existsSync(join(DIST, 'worker', 'worker.js'))) {
      throw new Error(`no built package in ${DIST}: run \`npm run build\` first`);
    }
  });

  describe('an app that calls exportData', () => {
    let report: BundleReport;
    beforeAll(async () => {
      report = await bundleForBrowser({
        entrySource: [
          "import { exportData, preload, isExportError } from 'sluice';",
          "document.querySelector('button')?.addEventListener('click', () => {",
          "  exportData([{ a: 1 }], { format: 'csv' }).then(console.log, (error) => console.error(isExportError(error)));",
          '});',
          "preload({ formats: ['parquet'] });",
        ].join('\n'),
      });
    }, 120_000);

    it(`loads at most ${kB(MAIN_THREAD_BUDGET)} gzip on the main thread at start-up, comlink included`, () => {
      const closure = staticClosure(report);
      const size = gzipTotal(closure);
      const full = [...report.chunks.values()];
      const worker = report.assets.filter((asset) => /\.m?js$/.test(asset.fileName));
      console.info(
        [
          `main thread at start-up: ${kB(size)} gzip in ${closure.length} chunks (budget ${kB(MAIN_THREAD_BUDGET)})`,
          describeChunks(closure),
          `all main-thread chunks, lazy ones included: ${kB(gzipTotal(full))} gzip`,
          ...worker.map((asset) => `worker as Vite bundles it by default (${asset.fileName}): ${kB(asset.gzipBytes)} gzip, ${kB(asset.bytes)} min`),
        ].join('\n'),
      );
      expect(modulesOf(closure).some(isComlink), 'comlink belongs to the main-thread entry').toBe(true);
      expect(modulesOf(closure).some(isWorkerEntry), 'the worker is bundled apart').toBe(false);
      expect(worker.length, 'Vite emitted the worker as a file of its own').toBeGreaterThanOrEqual(1);
      expect(
        size,
        [
          `main-thread start-up code is ${kB(size)} gzip, over ${kB(MAIN_THREAD_BUDGET)}`,
          describeChunks(closure),
          chainText(report, 'apache-arrow', isApacheArrow),
          chainText(report, 'dist/engine.js', isEngine),
        ].join('\n'),
      ).toBeLessThanOrEqual(MAIN_THREAD_BUDGET);
    });

    it(`bundles the CSV worker by Vite's defaults in at most ${kB(WORKER_BUDGET)} gzip, without Parquet, Arrow IPC or filter code`, () => {
      const csvWorker = report.assets.find((asset) => /(^|\/)text-worker-[^/]*\.js$/.test(asset.fileName));
      expect(csvWorker, `no text-worker file among ${report.assets.map((asset) => asset.fileName).join(', ')}`).toBeDefined();
      const modules = report.workerModules.get(csvWorker!.fileName) ?? [];
      const full = report.assets.find((asset) => /(^|\/)worker-[^/]*\.js$/.test(asset.fileName));
      console.info(
        `CSV worker as Vite bundles it by default (${csvWorker!.fileName}): ${kB(csvWorker!.gzipBytes)} gzip, ${kB(csvWorker!.bytes)} min (budget ${kB(WORKER_BUDGET)})` +
          (full === undefined ? '' : `; the full worker (${full.fileName}): ${kB(full.gzipBytes)} gzip`),
      );
      expect(modules.length, 'the worker build recorded its modules').toBeGreaterThan(10);
      expect(modules.filter(isParquetGlue).map(shortId)).toEqual([]);
      expect(modules.filter(isArrowIpc).map(shortId)).toEqual([]);
      expect(modules.filter(isFilterCompiler).map(shortId)).toEqual([]);
      expect(modules.map(shortId)).not.toContain('dist/formats/parquet.js');
      expect(modules.map(shortId)).not.toContain('dist/sources/remote.js');
      expect(csvWorker!.gzipBytes, `the CSV worker is ${kB(csvWorker!.gzipBytes)} gzip`).toBeLessThanOrEqual(WORKER_BUDGET);
    });

    it('keeps parquet-wasm glue in chunks reached only through import(), and the wasm a file of its own', () => {
      const glue = lazyOnly(report, isParquetGlue);
      expect(glue.holders.length, 'parquet-wasm glue is in the main-thread build (preload, main-thread fallback)').toBeGreaterThanOrEqual(1);
      expect(glue.staticallyLoaded, chainText(report, 'parquet-wasm', isParquetGlue)).toEqual([]);
      expect(glue.dynamicallyImported).toEqual(glue.holders);
      expect(report.assets.some((asset) => asset.fileName.endsWith('.wasm'))).toBe(true);
      for (const chunk of report.chunks.values()) expect(chunk.code, chunk.fileName).not.toContain('data:application/wasm');
    });
  });

  describe('the full worker (dist/worker/worker.js), bundled with code splitting', () => {
    let report: BundleReport;
    beforeAll(async () => {
      report = await bundleForBrowser({ entryFile: join(DIST, 'worker', 'worker.js') });
    }, 120_000);

    it(`loads at most ${kB(FULL_WORKER_SPLIT_BUDGET)} gzip before a CSV or JSON export when split into chunks`, () => {
      const closure = staticClosure(report);
      const size = gzipTotal(closure);
      const glue = lazyOnly(report, isParquetGlue);
      const parquetChunks = glue.holders.map((name) => report.chunks.get(name) as MeasuredChunk);
      console.info(
        [
          `full worker (split) before a CSV/JSON export: ${kB(size)} gzip in ${closure.length} chunks (budget ${kB(FULL_WORKER_SPLIT_BUDGET)})`,
          describeChunks(closure),
          `parquet-wasm glue chunks (lazy): ${parquetChunks.map((chunk) => `${chunk.fileName} ${kB(chunk.gzipBytes)}`).join(', ')}`,
          ...report.assets.map((asset) => `asset ${asset.fileName}: ${kB(asset.gzipBytes)} gzip, ${kB(asset.bytes)} raw`),
        ].join('\n'),
      );
      expect(size, `worker start-up code is ${kB(size)} gzip, over ${kB(FULL_WORKER_SPLIT_BUDGET)}\n${describeChunks(closure)}`).toBeLessThanOrEqual(FULL_WORKER_SPLIT_BUDGET);
    });

    it('loads parquet-wasm glue only through import()', () => {
      const glue = lazyOnly(report, isParquetGlue);
      expect(glue.holders.length).toBeGreaterThanOrEqual(1);
      expect(glue.staticallyLoaded, chainText(report, 'parquet-wasm', isParquetGlue)).toEqual([]);
      expect(glue.dynamicallyImported).toEqual(glue.holders);
      expect(report.assets.some((asset) => asset.fileName.endsWith('.wasm')), 'the wasm is emitted as a file').toBe(true);
    });

    it('loads re2js (for `matches` filters) only through import()', () => {
      const re2 = lazyOnly(report, isRe2js);
      expect(re2.holders.length).toBeGreaterThanOrEqual(1);
      expect(re2.staticallyLoaded, chainText(report, 're2js', isRe2js)).toEqual([]);
      expect(re2.dynamicallyImported).toEqual(re2.holders);
    });
  });

  describe("an app that uses only exportStream for CSV (tree-shaking)", () => {
    let report: BundleReport;
    beforeAll(async () => {
      report = await bundleForBrowser({
        entrySource: [
          "import { exportStream } from 'sluice';",
          "const stream = exportStream([{ a: 1, b: 'x' }], { format: 'csv' });",
          'new Response(stream).text().then(console.log);',
        ].join('\n'),
      });
    }, 120_000);

    it('loads no parquet-wasm code and no Arrow IPC writer at start-up', () => {
      const closure = staticClosure(report);
      const modules = modulesOf(closure);
      console.info([`exportStream (CSV) app at start-up: ${kB(gzipTotal(closure))} gzip`, describeChunks(closure)].join('\n'));
      expect(modules.filter(isParquetGlue).map(shortId), chainText(report, 'parquet-wasm', isParquetGlue)).toEqual([]);
      // A string that survives minification: the wasm file name in parquet-wasm's glue.
      for (const chunk of closure) expect(chunk.code, chunk.fileName).not.toContain('parquet_wasm_bg');
      expect(modules.filter(isArrowIpcWriter).map(shortId), chainText(report, 'apache-arrow/ipc/writer', isArrowIpcWriter)).toEqual([]);
      expect(modules.map(shortId)).not.toContain('dist/formats/parquet.js');
      expect(modules.map(shortId)).not.toContain('dist/formats/arrow.js');
    });
  });
});
