/**
 * The layout is the architecture: these checks keep it so.
 *
 * - No import circles under src/ (static value imports; `import type` is erased and `import()`
 *   is how lazy parts load, so neither counts).
 * - Formats turn batches into bytes and know nothing of where rows come from or where bytes go:
 *   nothing under src/formats/ imports src/sinks/, src/sources/ or src/worker/, lazily or not.
 * - Format specs are page-safe: a spec module and what it imports statically hold no apache-arrow,
 *   parquet-wasm or encoder.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), '../../../src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

interface Imports {
  /** Value imports resolved to files under src/. */
  local: string[];
  /** Lazily imported files under src/. */
  lazy: string[];
  /** Bare package specifiers imported statically. */
  packages: string[];
}

const STATIC = /^\s*(import|export)\s+(?!type\b)([^'";]*?\sfrom\s+)?['"]([^'"]+)['"]/gm;
const DYNAMIC = /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(file: string): Imports {
  const text = readFileSync(file, 'utf8');
  const local: string[] = [];
  const lazy: string[] = [];
  const packages: string[] = [];
  const resolveLocal = (specifier: string): string => resolve(dirname(file), specifier.replace(/\.js$/, '.ts'));
  for (const match of text.matchAll(STATIC)) {
    const clause = match[2] ?? '';
    // `import { type A, type B } from` imports nothing at run time.
    if (/^\s*\{[^}]*\}\s*from\s*$/.test(clause) && clause.replace(/[{}\s]|from/g, '').split(',').every((name) => name === '' || name.startsWith('type'))) continue;
    const specifier = match[3]!;
    if (specifier.startsWith('.')) local.push(resolveLocal(specifier));
    else packages.push(specifier);
  }
  for (const match of text.matchAll(DYNAMIC)) {
    const specifier = match[1]!;
    if (specifier.startsWith('.')) lazy.push(resolveLocal(specifier));
  }
  return { local, lazy, packages };
}

const files = sourceFiles(SRC);
const graph = new Map(files.map((file) => [file, importsOf(file)]));
const name = (file: string): string => relative(SRC, file);

/** Strongly connected components with more than one file, or a file importing itself (Tarjan). */
function circles(): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const found: string[][] = [];
  const visit = (file: string): void => {
    indices.set(file, index);
    low.set(file, index);
    index++;
    stack.push(file);
    onStack.add(file);
    for (const next of graph.get(file)?.local ?? []) {
      if (!graph.has(next)) continue;
      if (!indices.has(next)) {
        visit(next);
        low.set(file, Math.min(low.get(file)!, low.get(next)!));
      } else if (onStack.has(next)) low.set(file, Math.min(low.get(file)!, indices.get(next)!));
    }
    if (low.get(file) === indices.get(file)) {
      const component: string[] = [];
      let member: string;
      do {
        member = stack.pop()!;
        onStack.delete(member);
        component.push(name(member));
      } while (member !== file);
      if (component.length > 1 || graph.get(file)!.local.includes(file)) found.push(component.sort());
    }
  };
  for (const file of files) if (!indices.has(file)) visit(file);
  return found;
}

/** Every file `file` reaches through static value imports, itself included. */
function staticClosure(file: string): Set<string> {
  const seen = new Set<string>();
  const walk = (current: string): void => {
    if (seen.has(current)) return;
    seen.add(current);
    for (const next of graph.get(current)?.local ?? []) walk(next);
  };
  walk(file);
  return seen;
}

describe('source layout', () => {
  it('finds the source files it checks', () => {
    expect(files.length).toBeGreaterThan(50);
    expect(graph.get(join(SRC, 'index.ts'))?.local.length).toBeGreaterThan(5);
  });

  it('has no import circles under src/', () => {
    expect(circles()).toEqual([]);
  });

  it('keeps formats away from sinks, sources and the worker', () => {
    const offending: string[] = [];
    for (const [file, imports] of graph) {
      if (!name(file).startsWith('formats/')) continue;
      for (const target of [...imports.local, ...imports.lazy]) {
        if (/^(sinks|sources|worker)\//.test(name(target))) offending.push(`${name(file)} → ${name(target)}`);
      }
    }
    expect(offending).toEqual([]);
  });

  it('keeps every format spec, and the registry, page-safe: no Arrow, no wasm, no encoder', () => {
    const specs = files.filter((file) => /^formats\/(registry|[^/]+\/spec)\.ts$/.test(name(file)));
    expect(specs.length).toBeGreaterThanOrEqual(5);
    const offending: string[] = [];
    for (const spec of specs) {
      for (const file of staticClosure(spec)) {
        const imports = graph.get(file)!;
        for (const pkg of imports.packages) if (/^(apache-arrow|parquet-wasm|fflate)/.test(pkg)) offending.push(`${name(spec)} reaches ${name(file)}, which imports ${pkg}`);
        if (/^formats\/(csv|json|parquet|arrow)\.ts$/.test(name(file))) offending.push(`${name(spec)} reaches the encoder ${name(file)}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
