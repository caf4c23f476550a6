/**
 * Strict CSP (no 'unsafe-eval') must work: the built package, and every dependency module it can
 * reach, must not compile code from strings. Scans `dist/` and the module graph it imports (bare
 * imports resolved as a browser bundler would) for `eval(`, `new Function` and `Function(`, and
 * fails listing each hit that is not allow-listed below with a reason.
 *
 * Needs the build (`npm run build`, which `npm test` runs first). The browser side of the same
 * promise is test/e2e/csp/csp.spec.ts, which watches for actual violations.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DIST = join(ROOT, 'dist');

/** Code compiled from a string: a direct or indirect eval, the Function constructor. */
const EVAL_PATTERNS: ReadonlyArray<[string, RegExp]> = [
  // `window.eval(` and `globalThis.Function(` count too: no dot excluded before the name.
  ['eval(', /(?<![\w$])eval\s*\(/g],
  ['new Function', /\bnew\s+Function\s*\(/g],
  ['Function(', /(?<![\w$]|new\s+)Function\s*\(/g],
];

/**
 * Known-harmless matches: [file (relative to the repository), text around the hit, why it is fine].
 * A hit is allowed when its file matches and the 80 characters around it contain the text.
 */
const ALLOWED: ReadonlyArray<[RegExp, string, string]> = [
  [
    /node_modules\/apache-arrow\/builder\/valid\.mjs$/,
    'new Function',
    "Builder `nullValues` compiles a predicate; Sluice never uses Arrow's Builders (schema/builder.ts writes typed arrays), so this never runs",
  ],
  [
    /node_modules\/parquet-wasm\/esm\/parquet_wasm\.js$/,
    'Function(${',
    'wasm-bindgen debugString formats a function name as the text `Function(name)`; nothing is compiled',
  ],
  [
    /node_modules\/re2js\/build\/index\.js$/,
    'eval(input, pos)',
    "re2js's prefilter nodes have a method named `eval` that tests literals against the input; nothing is compiled",
  ],
];

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return /\.(m?js)$/.test(entry.name) ? [path] : [];
  });
}

/** Module specifiers a file imports statically or with a literal dynamic import. */
function importsOf(code: string): string[] {
  const specifiers = new Set<string>();
  // Statements start a line (after optional spaces); a dynamic import with a literal may sit anywhere.
  const patterns = [/^[ \t]*(?:import|export)\b[^;'"]*?\bfrom\s*['"]([^'"]+)['"]/gm, /^[ \t]*import\s*['"]([^'"]+)['"]/gm, /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) specifiers.add(match[1]!);
  return [...specifiers];
}

/** The target of a package `exports` entry under browser-bundler conditions. */
function pickExport(entry: unknown): string | undefined {
  if (typeof entry === 'string') return entry;
  if (entry === null || typeof entry !== 'object') return undefined;
  const conditions = entry as Record<string, unknown>;
  for (const condition of ['browser', 'import', 'module', 'default']) {
    if (condition in conditions) {
      const picked = pickExport(conditions[condition]);
      if (picked !== undefined) return picked;
    }
  }
  return undefined;
}

/** Resolves a bare specifier as a browser bundler would: `exports` (browser/import), then `browser`, `module`, `main`. */
function resolveBare(specifier: string): string | null {
  const parts = specifier.split('/');
  const name = specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
  const subpath = `.${specifier.slice(name.length)}`;
  const dir = join(ROOT, 'node_modules', name);
  if (!existsSync(join(dir, 'package.json'))) return null;
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as Record<string, unknown>;
  const exportsField = manifest['exports'] as Record<string, unknown> | string | undefined;
  if (exportsField !== undefined) {
    const map = typeof exportsField === 'string' || !Object.keys(exportsField).some((key) => key.startsWith('.')) ? { '.': exportsField } : exportsField;
    let target = pickExport((map as Record<string, unknown>)[subpath]);
    if (target === undefined) {
      for (const [key, value] of Object.entries(map)) {
        if (key.includes('*') && subpath.startsWith(key.slice(0, key.indexOf('*')))) {
          const star = subpath.slice(key.indexOf('*'), subpath.length - (key.length - key.indexOf('*') - 1));
          target = pickExport(value)?.replace('*', star);
        }
      }
    }
    return target === undefined ? null : join(dir, target);
  }
  if (subpath !== '.') return join(dir, subpath);
  const browser = manifest['browser'];
  const main = (typeof browser === 'string' ? browser : undefined) ?? (manifest['module'] as string | undefined) ?? (manifest['main'] as string | undefined) ?? 'index.js';
  return join(dir, main);
}

/** Every module reachable from the built package: dist files and the dependency files they import. */
function moduleGraph(): { files: string[]; unresolved: string[] } {
  const seen = new Set<string>();
  const unresolved: string[] = [];
  const queue = filesUnder(DIST);
  while (queue.length > 0) {
    const file = queue.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const specifier of importsOf(readFileSync(file, 'utf8'))) {
      if (specifier.startsWith('node:') || /\.(wasm|json|css)$/.test(specifier)) continue;
      let target: string | null;
      if (specifier.startsWith('.') || specifier.startsWith('/')) target = resolve(dirname(file), specifier);
      else if (/^[a-z@]/i.test(specifier)) target = resolveBare(specifier);
      else continue;
      if (target !== null && !existsSync(target) && existsSync(`${target}.js`)) target = `${target}.js`;
      if (target === null || !existsSync(target)) unresolved.push(`${relative(ROOT, file)} → ${specifier}`);
      else queue.push(target);
    }
  }
  return { files: [...seen], unresolved };
}

describe('no code compiled from strings (strict CSP)', () => {
  it.each<[string, boolean]>([
    ['eval(text)', true],
    ['window.eval (text)', true],
    ['new Function("a", "return a")', true],
    ["Function('return this')()", true],
    ['globalThis.Function(body)', true],
    ['isFunction(x)', false],
    ['evaluate(batch)', false],
    ['typeof f === "function"', false],
  ])('the detector flags %j: %s', (code, flagged) => {
    expect(EVAL_PATTERNS.some(([, pattern]) => new RegExp(pattern.source).test(code))).toBe(flagged);
  });

  it('dist/ and the dependency modules it reaches hold no eval, new Function or Function( outside the allow-list', () => {
    expect(existsSync(join(DIST, 'index.js')), 'dist/index.js is missing: run `npm run build` first').toBe(true);
    const { files, unresolved } = moduleGraph();
    // Node built-ins reached only from Node-only branches are fine; anything else must resolve,
    // except the `import('./RE2.js')` types in re2js's JSDoc comments (its build is one file).
    const jsdocTypes = /^node_modules\/re2js\/build\/index\.js → \.\/(Machine|RE2)\.js$/;
    expect(unresolved.filter((line) => !/→ (fs|path|url|module|crypto|os|zlib|stream|util|worker_threads)$/.test(line) && !jsdocTypes.test(line))).toEqual([]);
    const dependencies = files.filter((file) => file.includes('node_modules'));
    for (const name of ['apache-arrow', 'comlink', 'papaparse', 'parquet-wasm', 'idb', '@noble/hashes', 're2js']) {
      expect(dependencies.some((file) => file.includes(`node_modules/${name}/`)), `the scan reaches ${name}`).toBe(true);
    }
    const hits: string[] = [];
    const allowedSeen = new Set<number>();
    for (const file of files) {
      const code = readFileSync(file, 'utf8');
      const path = relative(ROOT, file);
      for (const [label, pattern] of EVAL_PATTERNS) {
        for (const match of code.matchAll(pattern)) {
          const around = code.slice(Math.max(0, match.index - 40), match.index + 40);
          const allowed = ALLOWED.findIndex(([file, text]) => file.test(path) && around.includes(text));
          if (allowed >= 0) allowedSeen.add(allowed);
          else hits.push(`${path}: ${label} in …${around.replace(/\s+/g, ' ')}…`);
        }
      }
    }
    console.info(
      `no-eval scan: ${files.length} modules (${dependencies.length} from dependencies); allow-list entries matched: ${[...allowedSeen].map((i) => ALLOWED[i]![0].source).join(', ') || 'none'}`,
    );
    expect(hits).toEqual([]);
    // Nothing from dist/ itself may need the allow-list.
    expect(files.filter((file) => !file.includes('node_modules')).length).toBeGreaterThan(20);
  });
});
