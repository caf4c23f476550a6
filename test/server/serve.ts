/**
 * The browser-test server: Vite's dev server over the repository root, with the test headers
 * plugin. Vite rewrites the bare imports inside `dist/*.js` (apache-arrow, comlink, ...) so test
 * pages can `import('/dist/index.js')` and run the built package unbundled.
 *
 *   npx tsx test/server/serve.ts      # Playwright starts it through `webServer`
 */
import { fileURLToPath } from 'node:url';
import { createServer } from 'vite';
import { testHeaders } from './headers-plugin.js';
import { TEST_HOST, TEST_PORT } from './config.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

const server = await createServer({
  root,
  configFile: fileURLToPath(new URL('../../vite.config.ts', import.meta.url)),
  clearScreen: false,
  // Its own pre-bundle cache, so a playground (`npm start`) running beside it cannot swap the
  // optimized dependencies under a test.
  cacheDir: 'node_modules/.vite-test-server',
  plugins: [testHeaders()],
  server: {
    host: TEST_HOST,
    port: TEST_PORT,
    strictPort: true,
    // No hot reload: a page reloading itself in the middle of a test would be a false failure.
    hmr: false,
  },
  // The dependency scanner below skips `build.outDir`, which defaults to `dist`: the very code
  // it must scan. This server never builds, so the build output is pointed elsewhere.
  build: { outDir: 'test-results/.vite-build-unused' },
  optimizeDeps: {
    // Scan the built package and every test page at start-up, so that all bare imports are
    // pre-bundled before the first page loads. A dependency discovered later makes Vite
    // re-optimize and invalidate modules a page already holds (a flaky "Outdated Optimize Dep").
    entries: ['index.html', 'test/e2e/pages/**/*.html', 'dist/**/*.js'],
  },
});

await server.listen();
server.printUrls();

let closing = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (closing) return;
    closing = true;
    server.close().finally(() => process.exit(0));
  });
}
