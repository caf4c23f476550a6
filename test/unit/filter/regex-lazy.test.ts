/**
 * RE2 loads only when an export has a `matches` filter: before that, patterns are checked without
 * it (structure, flags, unsupported constructs) and the rest of the syntax when the export starts.
 * Its own file, so no other test has loaded RE2 first.
 */
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { regexEngineLoaded } from '../../../src/filter/regex.js';
import { readAll } from '../../helpers/readers.js';

describe('RE2 loads on demand', () => {
  it('is not loaded by exports without a matches filter', async () => {
    await readAll(exportStream([{ s: 'a' }], { format: 'csv', filter: "s contains 'a'" }));
    expect(regexEngineLoaded()).toBe(false);
  });

  it('a pattern only RE2 refuses passes the page-side check and fails at the first read, with nothing written', async () => {
    const stream = exportStream([{ s: 'a' }], { format: 'csv', filter: { op: 'matches', field: 's', pattern: 'a{1001}' } });
    expect(regexEngineLoaded()).toBe(false);
    await expect(stream.getReader().read()).rejects.toMatchObject({ code: 'invalid_filter', message: expect.stringMatching(/bad regular expression \/a\{1001\}\/: .*repeat/) });
    expect(regexEngineLoaded()).toBe(true);
  });
});
