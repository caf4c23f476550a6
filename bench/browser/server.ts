/** The test server (`test/server/serve.ts`) on a port of its own, for the browser benchmarks. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));

/** Starts the test server on `port` and waits (up to 60 s) until it answers. */
export async function startTestServer(port: number): Promise<ChildProcess> {
  const origin = `http://127.0.0.1:${port}`;
  const server = spawn('npx', ['tsx', 'test/server/serve.ts'], { cwd: root, env: { ...process.env, SLUICE_TEST_PORT: String(port) }, stdio: 'ignore' });
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${origin}/__sluice/health`)).ok) return server;
    } catch {
      // Not up yet.
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  server.kill();
  throw new Error(`the test server did not start on ${origin} within 60 s`);
}
