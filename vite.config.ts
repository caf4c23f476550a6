import { defineConfig } from 'vitest/config';

// One config for the playground (`npm start`), the browser-test pages and the Node unit tests.
export default defineConfig({
  server: { port: 5173, strictPort: false },
  test: {
    include: ['test/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
