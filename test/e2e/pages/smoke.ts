/**
 * Smoke page: loads the built package (`/dist/index.js`, as a consumer would get it) and runs a
 * small CSV export on the main thread. The spec calls `window.sluiceSmoke.run()`.
 */
import type * as Sluice from '../../../src/index.js';
import { SMOKE_ROWS, type SmokeResult } from './smoke-data.js';

/** The built package. A variable, not a literal, so neither tsc nor Vite tries to resolve it ahead of time. */
const LIBRARY_URL = '/dist/index.js';

declare global {
  interface Window {
    /** Set by the smoke page once it has loaded. */
    sluiceSmoke?: { run(): Promise<SmokeResult> };
  }
}

async function run(): Promise<SmokeResult> {
  const { exportStream } = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
  const stream = exportStream(SMOKE_ROWS.map((row) => ({ ...row })), { format: 'csv' });
  // Read with a reader, not `for await`: that is what every supported browser has.
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  const foreignChunks: string[] = [];
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    if (value instanceof Uint8Array) chunks.push(value);
    else foreignChunks.push(Object.prototype.toString.call(value));
  }
  const byteLength = chunks.reduce((sum, chunk) => sum + chunk.byteLength, 0);
  const bytes = new Uint8Array(byteLength);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  // fatal: invalid UTF-8 must fail the test; ignoreBOM: keep a BOM so the spec can see it.
  const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  return { text, byteLength, chunkCount: chunks.length, foreignChunks };
}

window.sluiceSmoke = { run };
document.documentElement.dataset['ready'] = 'true';
