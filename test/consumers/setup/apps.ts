/**
 * The consumer apps: fresh projects that install the packed library the way a user would and
 * build it with their bundler's defaults.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A consumer app under `test/consumers/`. */
export interface ConsumerApp {
  /** Folder name, also the test group's name. */
  name: 'vite-app' | 'webpack-app' | 'react-app';
  /** The bundler, for messages. */
  bundler: string;
  /** Absolute path of the app. */
  dir: string;
  /** Absolute path of its build output. */
  distDir: string;
}

/** The repository root. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Where `npm pack` puts the tarball: inside the repository's ignored `test-results/`. */
export const PACK_DIR = fileURLToPath(new URL('../../../test-results/consumers-pack/', import.meta.url));

/** The environment variable through which the global setup tells the tests the tarball's path. */
export const TARBALL_ENV = 'SLUICE_CONSUMER_PACKED';

function app(name: ConsumerApp['name'], bundler: string): ConsumerApp {
  const dir = fileURLToPath(new URL(`../${name}/`, import.meta.url));
  return { name, bundler, dir, distDir: `${dir}dist` };
}

/** Both apps: Vite 8 (rolldown) and webpack 5. */
export const CONSUMER_APPS: readonly ConsumerApp[] = [app('vite-app', 'Vite 8'), app('webpack-app', 'webpack 5')];

/** A React 19 app (Vite 8 with the React plugin) that drives an export through the job's store. */
export const REACT_APP: ConsumerApp = app('react-app', 'Vite 8 + React 19');

/** Every app the global setup installs and builds. */
export const ALL_APPS: readonly ConsumerApp[] = [...CONSUMER_APPS, REACT_APP];

/** What a finished command printed. */
export interface CommandOutput {
  stdout: string;
  stderr: string;
}

/**
 * Runs a command without a shell and resolves with its output; rejects with the output in the
 * message when it exits non-zero or outlives `timeoutMs` (then it is killed).
 */
export function runCommand(command: string, args: readonly string[], options: { cwd: string; timeoutMs: number; env?: NodeJS.ProcessEnv }): Promise<CommandOutput> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs);
    child.once('error', (error) => {
      clearTimeout(timer);
      fail(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) return done({ stdout, stderr });
      const why = signal !== null ? `was killed (${signal}${signal === 'SIGKILL' ? `, over ${options.timeoutMs} ms` : ''})` : `exited with ${code}`;
      fail(new Error(`\`${command} ${args.join(' ')}\` in ${options.cwd} ${why}\n--- stdout ---\n${tail(stdout)}\n--- stderr ---\n${tail(stderr)}`));
    });
  });
}

/** The last lines of a long output: the error is nearly always at the end. */
function tail(text: string, lines = 80): string {
  const all = text.trimEnd().split('\n');
  return all.length <= lines ? all.join('\n') : `[… ${all.length - lines} lines]\n${all.slice(-lines).join('\n')}`;
}
