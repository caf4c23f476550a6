/** Where the browser-test server listens; shared by the server script and the Playwright config. */

/** Loopback address the test server binds to. An IP, not `localhost`, so IPv4/IPv6 resolution cannot differ between Node and Chromium; it is still a secure context. */
export const TEST_HOST = '127.0.0.1';

/** Port of the test server: `$SLUICE_TEST_PORT`, default 5317 (away from the playground's 5173). */
export const TEST_PORT = parsePort(process.env.SLUICE_TEST_PORT, 5317);

/** Base URL of the test server, e.g. `http://127.0.0.1:5317`. */
export const TEST_ORIGIN = `http://${TEST_HOST}:${TEST_PORT}`;

function parsePort(value: string | undefined, fallback: number): number {
  if (value === undefined || value.trim() === '') return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new Error(`SLUICE_TEST_PORT must be a port number (1-65535), got "${value}"`);
  }
  return port;
}
