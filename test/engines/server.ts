/**
 * The engine suite's server: the browser-test server's setup (Vite over the repository root, with
 * the test headers plugin, so pages import the built package from /dist), started in this process,
 * plus an "offline" switch. While offline, every request is answered by closing the connection
 * and is recorded: a page that still needs the network fails, and the spec sees what it asked for.
 * This works the same in every engine, where a browser's own offline mode would not. And
 * `/__engines/status/<code>/…` answers with that HTTP status.
 */
import { fileURLToPath } from 'node:url';
import { createServer, type Plugin, type ViteDevServer } from 'vite';
import { HEALTH_PATH, REPORTS_PATH, testHeaders } from '../server/headers-plugin.js';
import { TEST_HOST } from '../server/config.js';

/** The running server. */
export interface EngineServer {
  origin: string;
  /** Turns the network off (every request fails and is recorded) or on again. */
  setOffline(offline: boolean): void;
  /** Requests seen while offline, as `METHOD path`. */
  offlineRequests(): string[];
  /** Reports posted to the report endpoint (CSP violations), and a way to clear them. */
  reports(): Promise<unknown[]>;
  clearReports(): Promise<void>;
  close(): Promise<void>;
}

function offlineSwitch(state: { offline: boolean; seen: string[] }): Plugin {
  return {
    name: 'sluice-engines-offline',
    apply: 'serve',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const path = (req.url ?? '/').split('?')[0] ?? '/';
        if (!state.offline || path === HEALTH_PATH || path === REPORTS_PATH) {
          next();
          return;
        }
        state.seen.push(`${req.method ?? 'GET'} ${path}`);
        res.socket?.destroy();
      });
      // `/__engines/status/404/<name>` answers with that status: Vite answers unknown paths with
      // its HTML page, so a real 404 needs a route of its own.
      server.middlewares.use((req, res, next) => {
        const match = /^\/__engines\/status\/(\d{3})\//.exec(req.url ?? '');
        if (match === null) {
          next();
          return;
        }
        res.statusCode = Number(match[1]);
        res.setHeader('Content-Type', 'text/plain');
        res.end('gone');
      });
    },
  };
}

/** Starts the server on `port` (strict: a port in use is an error, not a silent other port). */
export async function startServer(port: number): Promise<EngineServer> {
  const root = fileURLToPath(new URL('../../', import.meta.url));
  const state = { offline: false, seen: [] as string[] };
  let server: ViteDevServer;
  try {
    server = await createServer({
      root,
      configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
      clearScreen: false,
      logLevel: 'warn',
      cacheDir: 'node_modules/.vite-engines-server',
      plugins: [offlineSwitch(state), testHeaders()],
      server: { host: TEST_HOST, port, strictPort: true, hmr: false },
      build: { outDir: 'test-results/.vite-build-unused' },
      optimizeDeps: { entries: ['test/engines/pages/**/*.html', 'dist/**/*.js'] },
    });
    await server.listen();
  } catch (error) {
    throw new Error(`the engine test server could not listen on ${TEST_HOST}:${port} (set SLUICE_TEST_PORT to a free port): ${String(error)}`);
  }
  const origin = `http://${TEST_HOST}:${port}`;
  return {
    origin,
    setOffline(offline) {
      state.offline = offline;
      if (offline) state.seen = [];
    },
    offlineRequests: () => [...state.seen],
    reports: async () => (await (await fetch(`${origin}${REPORTS_PATH}`)).json()) as unknown[],
    clearReports: async () => void (await fetch(`${origin}${REPORTS_PATH}`, { method: 'DELETE' })),
    close: () => server.close(),
  };
}
