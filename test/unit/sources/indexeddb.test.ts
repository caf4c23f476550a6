/**
 * fromIndexedDB's description and option checks, and the remote-source dispatch, in Node (which
 * has no IndexedDB: reading is tested in Chromium, test/e2e/sources/indexeddb.spec.ts).
 */
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import type { ExportError } from '../../../src/errors.js';
import { fromIndexedDB, type IndexedDBSourceOptions } from '../../../src/sources/indexeddb.js';
import { openRemoteSource } from '../../../src/sources/remote.js';
import { readAll } from '../../helpers/readers.js';

function thrown(call: () => unknown): ExportError {
  try {
    call();
  } catch (error) {
    return error as ExportError;
  }
  throw new Error('no error');
}

describe('fromIndexedDB', () => {
  it('returns a plain description that survives structured cloning, without unset options', () => {
    const source = fromIndexedDB({ database: 'shop', store: 'orders', index: 'byDate', range: { lower: new Date(0), upperOpen: true }, direction: 'prev', limit: 10 });
    expect(structuredClone(source)).toEqual({ kind: 'indexeddb', database: 'shop', store: 'orders', index: 'byDate', range: { lower: new Date(0), upperOpen: true }, direction: 'prev', limit: 10 });
    expect(Object.keys(fromIndexedDB({ database: 'a', store: 'b' }))).toEqual(['kind', 'database', 'store']);
  });

  it.each<[string, unknown, string, string]>([
    ['no database', { store: 's' }, 'database', 'fromIndexedDB: database must be a non-empty string, got undefined'],
    ['an empty store', { database: 'd', store: '' }, 'store', 'fromIndexedDB: store must be a non-empty string, got ""'],
    ['a numeric index', { database: 'd', store: 's', index: 3 }, 'index', 'fromIndexedDB: index must be a non-empty string, got 3'],
    ['a cursor direction it does not take', { database: 'd', store: 's', direction: 'nextunique' }, 'direction', `fromIndexedDB: direction must be 'next' or 'prev', got "nextunique"`],
    ['a fractional limit', { database: 'd', store: 's', limit: 1.5 }, 'limit', 'fromIndexedDB: limit must be a non-negative integer, got 1.5'],
    ['a negative limit', { database: 'd', store: 's', limit: -1 }, 'limit', 'fromIndexedDB: limit must be a non-negative integer, got -1'],
    ['a range that is a key', { database: 'd', store: 's', range: 5 }, 'range', 'fromIndexedDB: range must be { lower?, upper?, lowerOpen?, upperOpen? } or { only }, got 5'],
    ['a misspelt range bound', { database: 'd', store: 's', range: { from: 1 } }, 'range.from', 'fromIndexedDB: range has an unknown field "from"'],
    ['only with a bound', { database: 'd', store: 's', range: { only: 1, lower: 0 } }, 'range', 'fromIndexedDB: range with "only" takes no other bound'],
  ])('rejects %s', (_name, options, path, message) => {
    const error = thrown(() => fromIndexedDB(options as IndexedDBSourceOptions));
    expect(error.code).toBe('invalid_options');
    expect(error.details.path).toBe(path);
    expect(error.message).toBe(message);
  });

  it('fails with unsupported_environment where there is no IndexedDB', async () => {
    const stream = exportStream(fromIndexedDB({ database: 'd', store: 's' }), { format: 'csv' });
    await expect(readAll(stream)).rejects.toMatchObject({ code: 'unsupported_environment', message: 'fromIndexedDB: IndexedDB is not available here' });
  });
});

describe('openRemoteSource', () => {
  it('rejects an unknown kind, naming the ones it knows', async () => {
    await expect(openRemoteSource({ kind: 'ftp' }, { report: () => undefined, chunkSize: 10 })).rejects.toMatchObject({
      code: 'invalid_options',
      message: `unknown source kind "ftp": expected 'indexeddb' (fromIndexedDB) or 'url' (fromURL)`,
    });
  });

  it('checks a hand-written description as fromURL would', async () => {
    await expect(openRemoteSource({ kind: 'url', url: 'http://127.0.0.1:9/x', format: 'xml' } as { kind: string }, { report: () => undefined, chunkSize: 10 })).rejects.toMatchObject({
      code: 'invalid_options',
      message: 'fromURL: format must be one of csv, tsv, ndjson, json, arrow, got "xml"',
    });
  });
});
