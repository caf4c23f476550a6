/**
 * Offline-first use: after `preload`, an IndexedDB store exports to CSV and Parquet in the worker
 * with the network off, and no request leaves the page or its workers (watched through
 * Playwright's request events and, for workers, CDP's Network domain).
 */
import type { CDPSession } from '@playwright/test';
import { parquetReadObjects } from 'hyparquet';
import { expect, parseCsv, test } from './fixtures.js';

/** Records every request a worker of the page sends, through a CDP session per worker target. */
async function watchWorkerRequests(session: CDPSession, urls: string[]): Promise<void> {
  let id = 0;
  session.on('Target.attachedToTarget', (event: { sessionId: string; targetInfo: { type: string } }) => {
    if (event.targetInfo.type !== 'worker') return;
    void session.send('Target.sendMessageToTarget', { sessionId: event.sessionId, message: JSON.stringify({ id: ++id, method: 'Network.enable', params: {} }) }).catch(() => undefined);
    // The worker waits for the debugger (so nothing is missed) until Network is on.
    void session
      .send('Target.sendMessageToTarget', { sessionId: event.sessionId, message: JSON.stringify({ id: ++id, method: 'Runtime.runIfWaitingForDebugger', params: {} }) })
      .catch(() => undefined);
  });
  session.on('Target.receivedMessageFromTarget', (event: { message: string }) => {
    const message = JSON.parse(event.message) as { method?: string; params?: { request?: { url?: string } } };
    if (message.method === 'Network.requestWillBeSent') urls.push(`worker: ${message.params?.request?.url ?? '?'}`);
  });
  await session.send('Target.setAutoAttach', { autoAttach: true, waitForDebuggerOnStart: true, flatten: false });
}

test('after preload, exports IndexedDB to CSV and Parquet offline without a request', async ({ sources, context, pageErrors }) => {
  test.setTimeout(180_000);
  await sources.evaluate(() => window.sluiceSources!.fill('offline', 'rows', 5000));
  const requests: string[] = [];
  const session = await context.newCDPSession(sources);
  await watchWorkerRequests(session, requests);
  await sources.evaluate(() => window.sluiceSources!.preload(['csv', 'parquet']));

  sources.on('request', (request) => requests.push(`page: ${request.url()}`));
  // The watcher works: it saw the worker load its modules while online.
  await expect.poll(() => requests.some((url) => url.startsWith('worker: ') && url.includes('/dist/'))).toBe(true);
  const online = requests.length;
  await context.setOffline(true);
  try {
    const spec = { kind: 'indexeddb' as const, options: { database: 'offline', store: 'rows' } };
    const csv = await sources.evaluate((s) => window.sluiceSources!.exportInWorker(s, { format: 'csv' }), spec);
    const rows = parseCsv(csv.text);
    expect(rows).toHaveLength(5000);
    expect(rows[4999]).toEqual({ id: '4999', name: 'name 4999', group: '99', amount: '2499.5', active: 'false' });

    const parquet = await sources.evaluate((s) => window.sluiceSources!.exportInWorker(s, { format: 'parquet' }), spec);
    const bytes = Buffer.from(parquet.base64!, 'base64');
    const records = (await parquetReadObjects({ file: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer })) as Array<Record<string, unknown>>;
    expect(records).toHaveLength(5000);
    expect(records[1]).toEqual({ id: 1, name: 'name 1', group: 1, amount: 0.5, active: false });
  } finally {
    await context.setOffline(false);
  }
  expect(requests.slice(online), 'requests sent while offline').toEqual([]);
  await sources.evaluate(() => window.sluiceSources!.deleteDatabase('offline'));
  expect(pageErrors).toEqual([]);
});
