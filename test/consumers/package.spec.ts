/**
 * The packed tarball's metadata, as the package linters see it: publint (exports map, files,
 * `type`) and Are The Types Wrong (types resolve for every module resolution a consumer of an
 * ES-module-only package can use). Both read the very tarball the consumer apps installed.
 */
import { expect, test } from '@playwright/test';
import { fileURLToPath } from 'node:url';
import { REPO_ROOT, runCommand, TARBALL_ENV } from './setup/apps.js';

const bin = (name: string): string => fileURLToPath(new URL(`../../node_modules/.bin/${name}`, import.meta.url));

function tarball(): string {
  const path = process.env[TARBALL_ENV];
  if (path === undefined || path === '') throw new Error(`$${TARBALL_ENV} is not set: the global setup did not pack the library`);
  return path;
}

test.describe('the packed tarball', () => {
  test('publint finds nothing, warnings included', async () => {
    const { stdout } = await runCommand(bin('publint'), ['run', tarball(), '--strict'], { cwd: REPO_ROOT, timeoutMs: 60_000 });
    expect(stdout).toContain('All good!');
  });

  // The package is ES modules only (`"type": "module"`, no `require` condition), so `require()`
  // from CommonJS (node16-cjs) and the pre-exports node10 resolution are out of scope: that is
  // attw's esm-only profile. Every other resolution must have no problem at all.
  test('attw (esm-only profile) finds no type resolution problem', async () => {
    const { stdout } = await runCommand(bin('attw'), [tarball(), '--profile', 'esm-only', '--format', 'json'], { cwd: REPO_ROOT, timeoutMs: 120_000 });
    const report = JSON.parse(stdout) as { problems: Record<string, Array<{ kind: string; entrypoint: string; resolutionKind?: string }>> };
    const outOfScope = new Set(['node10', 'node16-cjs']);
    const problems = Object.values(report.problems)
      .flat()
      .filter((problem) => problem.resolutionKind === undefined || !outOfScope.has(problem.resolutionKind));
    expect(problems).toEqual([]);
  });
});
