/**
 * Every ```ts block in README.md and in the reference pages (docs/*.md) compiles as pasted into a
 * strict TypeScript project that installed the built package: `'sluice'` resolves through
 * package.json's `exports` to `dist/`, as it does for a user. A block states what it assumes with
 * `declare` lines (`declare const rows: Order[];`); nothing else is added but `export {}`, which
 * makes each block its own module (top-level `await` works, and names do not leak between blocks).
 *
 * `npm test` builds first; without dist/ this fails and says so.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '../../..');

interface Snippet {
  /** Markdown file, relative to the repository root. */
  file: string;
  /** 1-based line of the block's first code line in that file. */
  line: number;
  code: string;
}

/** The pages whose ```ts blocks are checked. */
function pages(): string[] {
  const docs = join(root, 'docs');
  const reference = existsSync(docs) ? readdirSync(docs).filter((name) => name.endsWith('.md')).map((name) => join(docs, name)) : [];
  return [join(root, 'README.md'), ...reference];
}

/** Blocks fenced with ```ts (the info string's first word is exactly `ts`). */
export function extractSnippets(file: string, markdown: string): Snippet[] {
  const snippets: Snippet[] = [];
  const lines = markdown.split('\n');
  let open: { fence: string; line: number; code: string[] } | null = null;
  for (const [index, text] of lines.entries()) {
    if (open === null) {
      const start = /^(\s*)(`{3,}|~{3,})\s*([^\s`]*)/.exec(text);
      if (start === null) continue;
      open = { fence: start[2]!, line: index + 2, code: [] };
      if (start[3] !== 'ts') (open as { skip?: boolean }).skip = true;
      continue;
    }
    if (text.trim().startsWith(open.fence) && text.trim().replace(/[`~]/g, '') === '') {
      if (!(open as { skip?: boolean }).skip) snippets.push({ file, line: open.line, code: open.code.join('\n') });
      open = null;
      continue;
    }
    open.code.push(text);
  }
  if (open !== null) throw new Error(`${file}: a code block opened on line ${open.line - 1} is never closed`);
  return snippets;
}

const snippets = pages().flatMap((path) => extractSnippets(relative(root, path), readFileSync(path, 'utf8')));

/** A throwaway project: node_modules/sluice → the repository (its package.json, its dist/). */
const project = mkdtempSync(join(tmpdir(), 'sluice-snippets-'));
afterAll(() => rmSync(project, { recursive: true, force: true }));

function compile(): Map<Snippet, string[]> {
  if (!existsSync(join(root, 'dist', 'index.d.ts'))) throw new Error('dist/ is missing: run `npm run build` first (`npm test` does it before the tests)');
  mkdirSync(join(project, 'node_modules'), { recursive: true });
  symlinkSync(root, join(project, 'node_modules', 'sluice'), 'dir');
  const files = new Map<string, Snippet>();
  snippets.forEach((snippet, index) => {
    const name = join(project, `snippet-${index}.ts`);
    // On the last line, so the block's own line numbers stay as they are.
    writeFileSync(name, `${snippet.code}\nexport {};\n`);
    files.set(name, snippet);
  });
  const options: ts.CompilerOptions = {
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    lib: ['lib.es2023.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts', 'lib.dom.asynciterable.d.ts'],
    // What a browser app has: the DOM, no Node types, and the File System Access types the
    // package's declarations name (showSaveFilePicker is not in TypeScript's DOM lib yet).
    types: ['wicg-file-system-access'],
    typeRoots: [join(root, 'node_modules', '@types')],
    skipLibCheck: true,
    noEmit: true,
  };
  const program = ts.createProgram({ rootNames: [...files.keys()], options });
  const errors = new Map<Snippet, string[]>(snippets.map((snippet) => [snippet, []]));
  for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
    const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
    const snippet = diagnostic.file === undefined ? undefined : files.get(diagnostic.file.fileName);
    if (snippet === undefined || diagnostic.file === undefined || diagnostic.start === undefined) {
      throw new Error(`TS${diagnostic.code} outside the snippets: ${message}`);
    }
    const { line, character } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
    errors.get(snippet)!.push(`${snippet.file}:${snippet.line + line}:${character + 1} TS${diagnostic.code}: ${message}`);
  }
  return errors;
}

describe('code snippets in README.md and docs/*.md', () => {
  it('finds the blocks, README first', () => {
    expect(snippets.filter((s) => s.file === 'README.md').length).toBeGreaterThanOrEqual(5);
    expect(snippets.some((s) => s.file.startsWith('docs/'))).toBe(true);
    // The first block a reader meets is the install-and-use example.
    expect(snippets[0]!.code).toContain("from 'sluice'");
  });

  it('reads fences the way Markdown does', () => {
    const found = extractSnippets('x.md', ['```ts', 'a', '```', '```tsx', 'b', '```', '````ts', '```', 'c', '````', '```sh', 'd', '```'].join('\n'));
    expect(found).toEqual([
      { file: 'x.md', line: 2, code: 'a' },
      { file: 'x.md', line: 8, code: '```\nc' },
    ]);
  });

  const errors = compile();
  for (const snippet of snippets) {
    it(`${snippet.file}:${snippet.line} compiles against the built package under strict`, () => {
      expect(errors.get(snippet)).toEqual([]);
    });
  }

  it('catches a broken snippet (the check itself works)', () => {
    // The two faults the README once had: a top-level return, and `status` resolving to window.status.
    const probe = join(project, 'probe.ts');
    writeFileSync(probe, "import { exportData } from 'sluice';\ndeclare const rows: object[];\nconst job = exportData(rows, { format: 'csv' });\nif (job) return;\nstatus.textContent = 'x';\nexport {};\n");
    const program = ts.createProgram({ rootNames: [probe], options: { strict: true, module: ts.ModuleKind.ESNext, moduleResolution: ts.ModuleResolutionKind.Bundler, target: ts.ScriptTarget.ES2022, lib: ['lib.es2023.d.ts', 'lib.dom.d.ts'], types: ['wicg-file-system-access'], typeRoots: [join(root, 'node_modules', '@types')], skipLibCheck: true, noEmit: true } });
    const codes = ts.getPreEmitDiagnostics(program).map((d) => d.code);
    expect(codes).toContain(1108);
    expect(codes).toContain(2339);
  });
});
