/**
 * The published package's shape: package.json fields, the exports map, the files it points at
 * (after `npm run build`), the bare imports of the built code, and publint.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { publint } from 'publint';
import { formatMessage } from 'publint/utils';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dist = join(root, 'dist');

type ExportsValue = string | null | ExportsValue[] | { [condition: string]: ExportsValue };

interface PackageJson {
  name?: unknown;
  type?: unknown;
  main?: unknown;
  module?: unknown;
  types?: unknown;
  sideEffects?: unknown;
  files?: unknown;
  exports?: Record<string, ExportsValue>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as PackageJson;
const exportsMap = pkg.exports ?? {};

/** `npm test` builds first; when dist/ is missing the build did not run, which is a failure, not a skip. */
function requireDist(): void {
  if (!existsSync(join(dist, 'index.js'))) {
    throw new Error('dist/ is missing or empty: run `npm run build` first (`npm test` does it before the tests)');
  }
}

/** Every condition object under a subpath, with its path for messages. */
function conditionObjects(value: ExportsValue, path: string): Array<{ path: string; conditions: Record<string, ExportsValue> }> {
  if (value === null || typeof value === 'string') return [];
  if (Array.isArray(value)) return value.flatMap((item, index) => conditionObjects(item, `${path}[${index}]`));
  return [{ path, conditions: value }, ...Object.entries(value).flatMap(([key, inner]) => conditionObjects(inner, `${path}.${key}`))];
}

/** Every file path a value points at. */
function targets(value: ExportsValue): string[] {
  if (value === null) return [];
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(targets);
  return Object.values(value).flatMap(targets);
}

const isCode = (target: string): boolean => /\.(?:c|m)?js$/.test(target);

function listFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path) : [path];
  });
}

/** The package a bare specifier belongs to: `parquet-wasm/esm` → `parquet-wasm`, `@a/b/c` → `@a/b`. */
function packageOf(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : (parts[0] ?? specifier);
}

const isBare = (specifier: string): boolean => !/^(?:\.{1,2}\/|\/|[a-z][a-z0-9+.-]*:\/\/|data:|blob:)/i.test(specifier);

describe('package.json', () => {
  it('is an ES module package', () => {
    expect(pkg.type).toBe('module');
  });

  it('declares sideEffects (false or a list of files)', () => {
    expect(pkg.sideEffects === false || Array.isArray(pkg.sideEffects), `sideEffects is ${JSON.stringify(pkg.sideEffects)}`).toBe(true);
  });

  it('publishes only dist/', () => {
    expect(pkg.files).toEqual(['dist']);
  });

  it('has an exports map with a root entry', () => {
    expect(Object.keys(exportsMap).length).toBeGreaterThan(0);
    expect(exportsMap).toHaveProperty(['.']);
  });
});

describe.each(Object.entries(exportsMap))('exports["%s"]', (subpath, value) => {
  const objects = conditionObjects(value, `exports["${subpath}"]`);

  it('lists `types` first and `default` last in every condition object', () => {
    for (const { path, conditions } of objects) {
      const keys = Object.keys(conditions);
      if (keys.includes('types')) expect(keys[0], `${path}: ${keys.join(', ')}`).toBe('types');
      if (keys.includes('default')) expect(keys.at(-1), `${path}: ${keys.join(', ')}`).toBe('default');
    }
  });

  it('gives every JavaScript target its types', () => {
    for (const { path, conditions } of objects) {
      const leaves = Object.entries(conditions).filter((entry): entry is [string, string] => typeof entry[1] === 'string');
      if (!leaves.some(([, target]) => isCode(target))) continue;
      const types = conditions['types'];
      expect(typeof types === 'string' && /\.d\.(?:c|m)?ts$/.test(types), `${path} has JavaScript but no "types" .d.ts`).toBe(true);
    }
    if (typeof value === 'string') expect(isCode(value), `exports["${subpath}"] is a bare JavaScript path without types`).toBe(false);
  });

  it('points at files that exist after the build', () => {
    requireDist();
    const paths = targets(value);
    expect(paths.length).toBeGreaterThan(0);
    for (const target of paths) {
      // Patterns ("./dist/*.js") are checked by publint (EXPORTS_GLOB_NO_MATCHED_FILES).
      if (target.includes('*')) continue;
      expect(existsSync(join(root, target)), `${target} (exports["${subpath}"]) does not exist`).toBe(true);
    }
  });
});

describe('built package', () => {
  // Only the legacy fields the package sets: the exports map is what modern tools read.
  const legacyFields = (['main', 'module', 'types'] as const).filter((field) => pkg[field] !== undefined);
  it.runIf(legacyFields.length > 0).each(legacyFields)('top-level "%s" points at a file that exists', (field) => {
    requireDist();
    const target = pkg[field];
    expect(typeof target).toBe('string');
    expect(existsSync(join(root, target as string)), `${field}: ${String(target)} does not exist`).toBe(true);
  });

  it('imports only its declared dependencies, and uses every one of them', () => {
    requireDist();
    const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
    const used = new Set<string>();
    const undeclared: string[] = [];
    for (const file of listFiles(dist).filter(isCode)) {
      const source = readFileSync(file, 'utf8');
      // TypeScript's own scanner: static imports, re-exports and `import()`, without comments or strings.
      const { importedFiles } = ts.preProcessFile(source, true, true);
      for (const { fileName } of importedFiles) {
        if (!isBare(fileName)) continue;
        const name = packageOf(fileName);
        used.add(name);
        // node: built-ins count as undeclared: the package must run in browsers.
        if (!declared.has(name)) undeclared.push(`${relative(root, file)} imports "${fileName}"`);
      }
      // Assets found through `new URL('pkg/file.wasm', import.meta.url)`, which bundlers resolve.
      for (const match of source.matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g)) {
        const specifier = match[1] ?? '';
        if (isBare(specifier) && declared.has(packageOf(specifier))) used.add(packageOf(specifier));
      }
    }
    expect(undeclared, 'bare imports that are not in dependencies or peerDependencies').toEqual([]);
    expect([...declared].filter((name) => !used.has(name)), 'dependencies the built code never imports').toEqual([]);
  });

  it('passes publint --strict (warnings count as errors)', async () => {
    requireDist();
    // `pack: 'npm'` lists what `npm pack` would publish (without running prepack), so a file the
    // exports map names but `files` leaves out is caught too.
    const { messages, pkg: linted } = await publint({ pkgDir: root, pack: 'npm', strict: true, level: 'warning' });
    const problems = messages.map((message) => `${message.type} ${message.code}: ${formatMessage(message, linted, { color: false }) ?? ''}`);
    expect(problems).toEqual([]);
  }, 60_000);
});
