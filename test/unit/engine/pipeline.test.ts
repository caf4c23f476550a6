import { gunzipSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { exportStream, isExportError, type ExportResult, type Progress } from '../../../src/index.js';
import { duckdbReadCsv, papaParse, readAll, readText } from '../../helpers/readers.js';

const rows = (n: number) => Array.from({ length: n }, (_, i) => ({ id: i, name: `row ${i}` }));

describe('pull-based streaming', () => {
  it('never reads the source more than about two chunks ahead of a slow consumer', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 10_000; i++) {
        produced++;
        yield { id: i };
      }
    }
    const chunkSize = 100;
    const reader = exportStream(source(), { format: 'csv', chunkSize }).getReader();
    let consumedRows = 0;
    let maxAhead = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      consumedRows += new TextDecoder().decode(value).split('\r\n').length - 1;
      await new Promise((resolve) => setTimeout(resolve, 1));
      maxAhead = Math.max(maxAhead, produced - consumedRows);
    }
    expect(consumedRows).toBe(10_001); // header + rows
    expect(maxAhead).toBeLessThanOrEqual(2 * chunkSize + 1);
  });

  it('keeps the source close to a slow reader through gzip too', async () => {
    let produced = 0;
    async function* source() {
      for (let i = 0; i < 100_000; i++) {
        produced++;
        yield { id: i, text: `row ${i} ${'x'.repeat(40)}` };
      }
    }
    const reader = exportStream(source(), { format: 'csv', chunkSize: 1000, compression: 'gzip' }).getReader();
    let reads = 0;
    let maxProduced = 0;
    while (reads < 10) {
      const { done } = await reader.read();
      if (done) break;
      reads++;
      await new Promise((resolve) => setTimeout(resolve, 2));
      maxProduced = Math.max(maxProduced, produced);
    }
    await reader.cancel();
    // Each compressed chunk needs a few input chunks; the source must not run to its end.
    expect(maxProduced).toBeLessThan(10 * 4 * 1000);
  });

  it('reads nothing before the stream is read', async () => {
    let pulled = 0;
    function* source() {
      pulled++;
      yield { a: 1 };
    }
    const stream = exportStream(source(), { format: 'csv' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(pulled).toBe(0);
    await readText(stream);
    expect(pulled).toBe(1);
  });
});

describe('limits', () => {
  it('refuses an array longer than maxRows before writing anything', async () => {
    const stream = exportStream(rows(10), { format: 'csv', limits: { maxRows: 5 } });
    await expect(readAll(stream)).rejects.toMatchObject({ code: 'limit_exceeded', message: /10 rows, more than limits.maxRows \(5\)/ });
  });

  it('stops a stream of unknown length at maxRows', async () => {
    async function* source() {
      for (let i = 0; ; i++) yield { i };
    }
    await expect(readAll(exportStream(source(), { format: 'csv', chunkSize: 4, limits: { maxRows: 10 } }))).rejects.toMatchObject({ code: 'limit_exceeded' });
  });

  it('truncates at maxRows and says so', async () => {
    let result: ExportResult | undefined;
    let returned = false;
    function* source() {
      try {
        for (let i = 0; ; i++) yield { i };
      } finally {
        returned = true;
      }
    }
    const text = await readText(exportStream(source(), { format: 'csv', chunkSize: 4, limits: { maxRows: 10, onExceed: 'truncate' }, onComplete: (r) => (result = r) }));
    expect(papaParse(text).length).toBe(11);
    expect(result).toMatchObject({ rowsWritten: 10, truncated: true });
    expect(returned).toBe(true);
  });

  it('fails at maxBytes without writing past it', async () => {
    const reader = exportStream(rows(1000), { format: 'csv', chunkSize: 10, limits: { maxBytes: 500 } }).getReader();
    let bytes = 0;
    const error = await (async () => {
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return null;
          bytes += value.byteLength;
        }
      } catch (e) {
        return e;
      }
    })();
    expect(error).toMatchObject({ code: 'limit_exceeded', message: /limits.maxBytes \(500\)/ });
    expect(bytes).toBeLessThanOrEqual(500);
  });

  it('truncates at maxBytes on a chunk boundary, leaving a well-formed file', async () => {
    let result: ExportResult | undefined;
    const text = await readText(exportStream(rows(1000), { format: 'json', chunkSize: 10, limits: { maxBytes: 1000, onExceed: 'truncate' }, onComplete: (r) => (result = r) }));
    expect(result!.truncated).toBe(true);
    expect(JSON.parse(text).length).toBe(result!.rowsWritten);
    expect(text.length).toBeLessThanOrEqual(1003);
  });
});

describe('progress', () => {
  it('reports at most 20 times a second, with a fraction for arrays, and ends with phase done', async () => {
    const updates: Progress[] = [];
    const started = performance.now();
    await readAll(exportStream(rows(200_000), { format: 'csv', chunkSize: 1000, onProgress: (p) => updates.push(p) }));
    const elapsed = performance.now() - started;
    const last = updates.at(-1)!;
    expect(last).toMatchObject({ phase: 'done', rowsRead: 200_000, rowsWritten: 200_000, totalRows: 200_000, fraction: 1 });
    expect(last.bytesWritten).toBeGreaterThan(0);
    // Running updates: at most one per 50 ms (plus the phase changes).
    const running = updates.filter((p) => p.phase === 'running');
    expect(running.length).toBeLessThanOrEqual(Math.ceil(elapsed / 50) + 1);
    for (let i = 1; i < updates.length; i++) expect(updates[i]!.rowsRead).toBeGreaterThanOrEqual(updates[i - 1]!.rowsRead);
  });

  it('has no fraction when the total is unknown', async () => {
    const updates: Progress[] = [];
    await readAll(exportStream((function* () { yield { a: 1 }; })(), { format: 'csv', onProgress: (p) => updates.push(p) }));
    expect(updates.at(-1)!.fraction).toBeUndefined();
  });
});

describe('cancel and failure', () => {
  it('aborts with a signal, calls the iterator return(), and reports phase aborted', async () => {
    const controller = new AbortController();
    let returned = false;
    async function* source() {
      try {
        for (let i = 0; ; i++) {
          if (i === 50) controller.abort('user clicked cancel');
          yield { i };
          await new Promise((resolve) => setTimeout(resolve, 0));
        }
      } finally {
        returned = true;
      }
    }
    const updates: Progress[] = [];
    const error = await readAll(exportStream(source(), { format: 'csv', chunkSize: 10, signal: controller.signal, onProgress: (p) => updates.push(p) })).catch((e) => e);
    expect(isExportError(error)).toBe(true);
    expect(error).toMatchObject({ code: 'aborted', message: 'the export was aborted: user clicked cancel' });
    expect(returned).toBe(true);
    expect(updates.at(-1)!.phase).toBe('aborted');
  });

  it('aborts a source stuck waiting', async () => {
    const controller = new AbortController();
    const never = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<object>>(() => undefined) }) };
    setTimeout(() => controller.abort(), 20);
    await expect(readAll(exportStream(never, { format: 'csv', signal: controller.signal }))).rejects.toMatchObject({ code: 'aborted' });
  });

  it('fails with an already aborted signal', async () => {
    await expect(readAll(exportStream(rows(3), { format: 'csv', signal: AbortSignal.abort() }))).rejects.toMatchObject({ code: 'aborted' });
  });

  it('releases the source when the consumer cancels the stream', async () => {
    let returned = false;
    function* source() {
      try {
        for (let i = 0; ; i++) yield { i };
      } finally {
        returned = true;
      }
    }
    const reader = exportStream(source(), { format: 'csv', chunkSize: 5 }).getReader();
    await reader.read();
    await reader.cancel('enough');
    expect(returned).toBe(true);
  });

  it('turns a source that throws into source_failed naming the row, keeping the cause', async () => {
    async function* source() {
      yield { a: 1 };
      yield { a: 2 };
      throw new Error('disk on fire');
    }
    const error = await readAll(exportStream(source(), { format: 'csv', chunkSize: 1 })).catch((e) => e);
    expect(error).toMatchObject({ name: 'ExportError', code: 'source_failed', message: 'reading the source after row 2 failed: disk on fire' });
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('stays usable after a failure', async () => {
    await expect(readAll(exportStream(rows(3), { format: 'csv', columns: ['x'] }))).rejects.toMatchObject({ code: 'unknown_column' });
    expect(papaParse(await readText(exportStream(rows(2), { format: 'csv' })))).toEqual([['id', 'name'], ['0', 'row 0'], ['1', 'row 1']]);
  });
});

describe('compression', () => {
  it('gzips text formats readably by gunzip and DuckDB', async () => {
    const data = rows(5000);
    const bytes = await readAll(exportStream(data, { format: 'csv', compression: 'gzip' }));
    expect([bytes[0], bytes[1]]).toEqual([0x1f, 0x8b]);
    const text = gunzipSync(bytes).toString('utf8');
    expect(papaParse(text).length).toBe(5001);
    const table = await duckdbReadCsv(bytes, { compression: 'gzip' });
    expect(table.rows.length).toBe(5000);
    expect(table.rows[4999]).toEqual(['4999', 'row 4999']);
  });

  it('deflates', async () => {
    const bytes = await readAll(exportStream(rows(10), { format: 'ndjson', compression: 'deflate' }));
    expect(inflateSync(bytes).toString('utf8').split('\n').length).toBe(11);
  });

  it('counts compressed bytes in the result', async () => {
    let result: ExportResult | undefined;
    const bytes = await readAll(exportStream(rows(5000), { format: 'csv', compression: 'gzip', onComplete: (r) => (result = r) }));
    expect(result!.bytesWritten).toBe(bytes.byteLength);
  });
});

describe('time budget', () => {
  it('fails with timeout while waiting for a slow source', async () => {
    const slow = { [Symbol.asyncIterator]: () => ({ next: () => new Promise<IteratorResult<object>>(() => undefined) }) };
    await expect(readAll(exportStream(slow, { format: 'csv', timeoutMs: 30 }))).rejects.toMatchObject({ code: 'timeout', message: 'the export took longer than timeoutMs (30 ms)' });
  });

  it('fails with timeout between chunks of a busy export', async () => {
    function* source() {
      for (let i = 0; i < 1e7; i++) {
        if (i % 1000 === 0) {
          const until = performance.now() + 2;
          while (performance.now() < until);
        }
        yield { i };
      }
    }
    await expect(readAll(exportStream(source(), { format: 'csv', chunkSize: 1000, timeoutMs: 50 }))).rejects.toMatchObject({ code: 'timeout' });
  });

  it('refuses a timeout that is not a positive integer', () => {
    expect(() => exportStream([], { format: 'csv', timeoutMs: -1 })).toThrow(/timeoutMs must be a whole number of milliseconds/);
  });
});

describe('checksum', () => {
  it('reports the SHA-256 of the bytes written, after compression, computed as they stream', async () => {
    const { createHash } = await import('node:crypto');
    for (const compression of ['none', 'gzip'] as const) {
      let result: ExportResult | undefined;
      const bytes = await readAll(exportStream(rows(3000), { format: 'csv', compression, chunkSize: 100, checksum: true, onComplete: (r) => (result = r) }));
      expect(result!.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    }
  });

  it('is absent unless asked for', async () => {
    let result: ExportResult | undefined;
    await readAll(exportStream(rows(3), { format: 'csv', onComplete: (r) => (result = r) }));
    expect(result!.sha256).toBeUndefined();
  });
});
