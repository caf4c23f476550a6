import { expose, wrap } from 'comlink';
import { MessageChannel } from 'node:worker_threads';
import { afterAll, describe, expect, it } from 'vitest';
import { ExportError, isExportError } from '../../../src/errors.js';
import { installErrorTransfer } from '../../../src/worker/transfer.js';

describe('ExportError across comlink', () => {
  installErrorTransfer();
  const { port1, port2 } = new MessageChannel();
  expose(
    {
      fail(code: string) {
        throw new ExportError(code as 'quota_exceeded', `failed with ${code}`, { cause: new TypeError('inner'), details: { row: 7, column: 'amount', path: 'csv.delimiter' } });
      },
      plain() {
        throw new RangeError('plain error');
      },
    },
    port2 as never,
  );
  const remote = wrap<{ fail(code: string): void; plain(): void }>(port1 as never);
  afterAll(() => {
    port1.close();
    port2.close();
  });

  it.each([['quota_exceeded'], ['aborted'], ['source_failed']])('keeps code %s, message, details and cause', async (code) => {
    const error = await Promise.resolve(remote.fail(code)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ExportError);
    expect(isExportError(error) && error.code).toBe(code);
    expect((error as ExportError).message).toBe(`failed with ${code}`);
    expect((error as ExportError).details).toEqual({ row: 7, column: 'amount', path: 'csv.delimiter' });
    expect(((error as ExportError).cause as Error).message).toBe('inner');
  });

  it('other errors still cross as comlink sends them', async () => {
    const error = await Promise.resolve(remote.plain()).catch((e: unknown) => e);
    expect(isExportError(error)).toBe(false);
    expect((error as Error).message).toBe('plain error');
  });
});
