/**
 * Type-level checks of the public surface (run by `npm run typecheck` and by Vitest's type
 * checker through `expectTypeOf`): a typo in a source description or an option does not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { ExportSource, RemoteSourceDescriptor, StreamOptions } from '../../../src/index.js';
import { fromIndexedDB, fromURL } from '../../../src/index.js';

describe('public types', () => {
  it('types remote sources as the real descriptors', () => {
    expectTypeOf(fromIndexedDB({ database: 'db', store: 'orders' })).toMatchTypeOf<RemoteSourceDescriptor>();
    expectTypeOf(fromURL('/orders.csv', { format: 'csv' })).toMatchTypeOf<ExportSource>();
    // @ts-expect-error: "indexdb" is no source kind
    const typo: ExportSource = { kind: 'indexdb', database: 'db', store: 'orders' };
    void typo;
  });

  it('refuses a misspelled option', () => {
    // @ts-expect-error: "fitler" is no option
    const options: StreamOptions = { format: 'csv', fitler: 'id > 5' };
    void options;
  });
});
