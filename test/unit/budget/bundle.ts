/**
 * Bundles the built package (`dist/`) the way a consumer's Vite 8 app would (rolldown, Vite's
 * default minifier, code splitting on dynamic `import()`), and measures what a page downloads:
 * an entry chunk plus every chunk it imports statically, gzip-compressed one file at a time as a
 * web server would send them. Chunks reached only through `import()` load later and are counted
 * apart. The module graph is kept so a failed budget can name the import chain that pulled a
 * module in.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { build, type Plugin, type Rolldown } from 'vite';

/** The repository's `dist/`, as `npm run build` leaves it. */
export const DIST = fileURLToPath(new URL('../../../dist/', import.meta.url));

/** One output chunk, measured. */
export interface MeasuredChunk {
  fileName: string;
  /** Minified bytes. */
  bytes: number;
  /** Gzip (zlib level 9) bytes of this file alone. */
  gzipBytes: number;
  /** Module ids with code in it (tree-shaken modules are left out). */
  modules: string[];
  /** Module ids the bundler assigned to it, code or not. */
  assigned: string[];
  /** Chunks it imports statically / dynamically (file names). */
  imports: string[];
  dynamicImports: string[];
  code: string;
}

/** The result of {@link bundleForBrowser}. */
export interface BundleReport {
  /** All chunks by file name. */
  chunks: Map<string, MeasuredChunk>;
  /** Emitted non-JS files (the worker, when Vite bundles it as an asset; the wasm). */
  assets: Array<{ fileName: string; bytes: number; gzipBytes: number }>;
  /** Module ids with code in each worker file Vite built (by the worker's file name). */
  workerModules: Map<string, string[]>;
  /** The entry chunk. */
  entry: MeasuredChunk;
  /** Static imports between modules (id → ids), for {@link importChain}. */
  staticImports: Map<string, string[]>;
  /** The entry module's id. */
  entryModule: string;
}

const gzip = (data: string | Uint8Array): number => gzipSync(data, { level: 9 }).byteLength;

/** Records the module graph while Vite builds. */
function graphRecorder(graph: Map<string, string[]>): Plugin {
  return {
    name: 'sluice-budget-graph',
    generateBundle() {
      for (const id of this.getModuleIds()) {
        const info = this.getModuleInfo(id);
        if (info !== null) graph.set(id, [...info.importedIds]);
      }
    },
  };
}

/** Records the modules of each worker file (Vite builds workers in a build of their own). */
function workerRecorder(workers: Map<string, string[]>): Plugin {
  return {
    name: 'sluice-budget-workers',
    generateBundle(_options, bundle) {
      for (const item of Object.values(bundle)) {
        if (item.type !== 'chunk') continue;
        const modules = Object.entries(item.modules)
          .filter(([, info]) => info.renderedLength > 0)
          .map(([id]) => id);
        workers.set(item.fileName, [...(workers.get(item.fileName) ?? []), ...modules]);
      }
    },
  };
}

/**
 * Builds `entrySource` (an app's entry module; `'sluice'` resolves to `dist/index.js`) or, when
 * `entryFile` is given, that file, with Vite's production defaults and nothing written to disk.
 */
export async function bundleForBrowser(options: { entrySource: string } | { entryFile: string }): Promise<BundleReport> {
  const scratch = await mkdtemp(join(tmpdir(), 'sluice-budget-'));
  try {
    let input: string;
    if ('entryFile' in options) {
      input = options.entryFile;
    } else {
      input = join(scratch, 'app.js');
      await writeFile(input, options.entrySource);
    }
    const graph = new Map<string, string[]>();
    const workerModules = new Map<string, string[]>();
    const result = await build({
      configFile: false,
      logLevel: 'silent',
      root: scratch,
      // Its own cache folder: nothing of this build may leak into the repository's other caches.
      cacheDir: join(scratch, '.vite'),
      resolve: { alias: { sluice: join(DIST, 'index.js') } },
      plugins: [graphRecorder(graph)],
      // Vite's defaults for workers otherwise (one IIFE file each): only the recorder is added.
      worker: { plugins: () => [workerRecorder(workerModules)] },
      build: { write: false, modulePreload: false, reportCompressedSize: false, rollupOptions: { input } },
    });
    const outputs = (Array.isArray(result) ? result : [result]) as Rolldown.RolldownOutput[];
    const chunks = new Map<string, MeasuredChunk>();
    const assets: BundleReport['assets'] = [];
    let entry: MeasuredChunk | undefined;
    let entryModule: string | undefined;
    for (const output of outputs) {
      for (const item of output.output) {
        if (item.type === 'asset') {
          const source = item.source;
          assets.push({ fileName: item.fileName, bytes: typeof source === 'string' ? Buffer.byteLength(source) : source.byteLength, gzipBytes: gzip(source) });
          continue;
        }
        const chunk: MeasuredChunk = {
          fileName: item.fileName,
          bytes: Buffer.byteLength(item.code),
          gzipBytes: gzip(item.code),
          modules: Object.entries(item.modules)
            .filter(([, info]) => info.renderedLength > 0)
            .map(([id]) => id),
          assigned: Object.keys(item.modules),
          imports: [...item.imports],
          dynamicImports: [...item.dynamicImports],
          code: item.code,
        };
        chunks.set(item.fileName, chunk);
        if (item.isEntry) {
          entry = chunk;
          entryModule = item.facadeModuleId ?? undefined;
        }
      }
    }
    if (entry === undefined || entryModule === undefined) throw new Error('the build produced no entry chunk');
    return { chunks, assets, entry, staticImports: graph, entryModule, workerModules };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The entry chunk and every chunk reachable from it through static imports. */
export function staticClosure(report: BundleReport): MeasuredChunk[] {
  const seen = new Set<string>();
  const out: MeasuredChunk[] = [];
  const stack = [report.entry.fileName];
  while (stack.length > 0) {
    const name = stack.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    const chunk = report.chunks.get(name);
    if (chunk === undefined) continue;
    out.push(chunk);
    stack.push(...chunk.imports);
  }
  return out;
}

/** Sum of the chunks' gzip sizes. */
export function gzipTotal(chunks: readonly MeasuredChunk[]): number {
  return chunks.reduce((sum, chunk) => sum + chunk.gzipBytes, 0);
}

/** Shortens a module id to its path inside the repository or inside node_modules. */
export function shortId(id: string): string {
  const inModules = id.lastIndexOf('node_modules/');
  if (inModules >= 0) return id.slice(inModules + 'node_modules/'.length);
  return id.startsWith(DIST) ? `dist/${id.slice(DIST.length)}` : id;
}

/**
 * The shortest chain of static imports from the entry to a module matching `target` that is
 * loaded at start-up, or null. The chain only passes through modules of the start-up chunks and
 * modules that are in no chunk (pure re-exports), not through modules the bundler moved to a lazy
 * chunk, so it names the imports that really pull the target in.
 */
export function importChain(report: BundleReport, target: (id: string) => boolean): string[] | null {
  const atStartup = new Set(staticClosure(report).flatMap((chunk) => chunk.assigned));
  const inSomeChunk = new Set([...report.chunks.values()].flatMap((chunk) => chunk.assigned));
  const allowed = (id: string): boolean => atStartup.has(id) || !inSomeChunk.has(id);
  const previous = new Map<string, string | null>([[report.entryModule, null]]);
  const queue = [report.entryModule];
  while (queue.length > 0) {
    const id = queue.shift() as string;
    if (target(id)) {
      const chain: string[] = [];
      for (let at: string | null | undefined = id; at != null; at = previous.get(at)) chain.unshift(shortId(at));
      return chain;
    }
    for (const next of report.staticImports.get(id) ?? []) {
      if (!previous.has(next) && allowed(next)) {
        previous.set(next, id);
        queue.push(next);
      }
    }
  }
  return null;
}

/**
 * The start-up modules, other than the target's own, that import a module matching `target`
 * directly. A module that start-up code imports for one export can drag in another export's
 * dependencies when lazy code uses that other export, so every importer is a suspect, not only
 * the one on the shortest chain.
 */
export function startupImporters(report: BundleReport, target: (id: string) => boolean): string[] {
  const atStartup = new Set(staticClosure(report).flatMap((chunk) => chunk.assigned));
  const inSomeChunk = new Set([...report.chunks.values()].flatMap((chunk) => chunk.assigned));
  return [...report.staticImports]
    .filter(([id, imports]) => !target(id) && (atStartup.has(id) || !inSomeChunk.has(id)) && imports.some(target))
    .map(([id]) => shortId(id));
}

/** Who a module id belongs to: a package name, a `dist/` file, or null for the app's own and virtual modules. */
function ownerOf(id: string): string | null {
  const short = shortId(id);
  if (short.startsWith('dist/')) return short;
  if (!id.includes('node_modules/')) return null;
  const parts = short.split('/');
  return (parts[0]?.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]) ?? null;
}

/** A table of the chunks: name, gzip size, the packages in each and how many `dist/` modules. */
export function describeChunks(chunks: readonly MeasuredChunk[]): string {
  return chunks
    .map((chunk) => {
      const owners = new Set(chunk.modules.map(ownerOf).filter((owner): owner is string => owner !== null));
      const packages = [...owners].filter((owner) => !owner.startsWith('dist/'));
      const ours = [...owners].filter((owner) => owner.startsWith('dist/'));
      return `  ${chunk.fileName}: ${(chunk.gzipBytes / 1000).toFixed(1)} kB gzip (${(chunk.bytes / 1000).toFixed(1)} kB min); packages: ${packages.join(', ') || '-'}; ${ours.length} dist modules`;
    })
    .join('\n');
}
