/**
 * createExport: the stream and a result promise that settles when the stream completes — with
 * the same result onComplete receives, or with the ExportError the stream failed with.
 */
import { describe, expect, it } from 'vitest';
import { FULL_PARTS } from '../../../src/engine-parts.js';
import { createExport } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import type { ExportResult } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';

const rows = Array.from({ length: 50 }, (_, i) => ({ id: i, name: `n${i}` }));

async function rejection(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise;
  } catch (error) {
    if (!isExportError(error)) throw error;
    return { code: error.code, message: error.message };
  }
  throw new Error('the promise resolved');
}

describe('createExport', () => {
  it('resolves the result when the stream completes, the same object onComplete receives', async () => {
    let fromCallback: ExportResult | undefined;
    const { stream, result } = createExport(FULL_PARTS, rows, { format: 'csv', checksum: true, onComplete: (r) => (fromCallback = r) });
    const bytes = await readAll(stream);
    const settled = await result;
    expect(settled).toBe(fromCallback);
    expect(settled.rowsWritten).toBe(50);
    expect(settled.bytesWritten).toBe(bytes.byteLength);
    expect(settled.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(new TextDecoder().decode(bytes).split('\r\n')[1]).toBe('0,n0');
  });

  it('rejects the result with the error the stream failed with', async () => {
    const { stream, result } = createExport(FULL_PARTS, rows, { format: 'csv', limits: { maxRows: 10 } });
    const fromStream = await rejection(readAll(stream));
    const fromResult = await rejection(result);
    expect(fromStream.code).toBe('limit_exceeded');
    expect(fromResult).toEqual(fromStream);
  });

  it("rejects the result with 'aborted' when the reader cancels", async () => {
    const many = Array.from({ length: 100_000 }, (_, i) => ({ id: i }));
    const { stream, result } = createExport(FULL_PARTS, many, { format: 'csv', chunkSize: 100 });
    const reader = stream.getReader();
    await reader.read();
    await reader.cancel('enough');
    expect((await rejection(result)).code).toBe('aborted');
  });

  it('throws invalid options at once, before a stream exists', () => {
    expect(() => createExport(FULL_PARTS, rows, { format: 'nope' as never })).toThrow(/nope/);
  });
});
