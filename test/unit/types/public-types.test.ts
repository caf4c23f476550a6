/**
 * Type-level checks of the public surface (run by `npm run typecheck` and by Vitest's type
 * checker through `expectTypeOf`): a typo in a source description or an option does not compile.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type * as Sluice from '../../../src/index.js';
import type {
  ExportJob, ExportResources, ExportResult, ExportSource, JobSnapshot, RemoteSourceDescriptor, SavedExportResult, StreamOptions,
} from '../../../src/index.js';
import { exportData, fromIndexedDB, fromURL } from '../../../src/index.js';

describe('public types', () => {
  it('types remote sources as the real descriptors', () => {
    expectTypeOf(fromIndexedDB({ database: 'db', store: 'orders' })).toMatchTypeOf<RemoteSourceDescriptor>();
    expectTypeOf(fromURL('https://example.com/orders.csv', { format: 'csv' })).toMatchTypeOf<ExportSource>();
    // @ts-expect-error: "indexdb" is no source kind
    const typo: ExportSource = { kind: 'indexdb', database: 'db', store: 'orders' };
    void typo;
  });

  it('refuses a misspelled option', () => {
    // @ts-expect-error: "fitler" is no option
    const options: StreamOptions = { format: 'csv', fitler: 'id > 5' };
    void options;
  });

  it('types the job exportData returns with the result it resolves with', () => {
    expectTypeOf(exportData).returns.toEqualTypeOf<ExportJob<SavedExportResult>>();
    expectTypeOf<Awaited<ExportJob<SavedExportResult>>>().toEqualTypeOf<SavedExportResult>();
    expectTypeOf<ReturnType<ExportJob<SavedExportResult>['getSnapshot']>>().toEqualTypeOf<JobSnapshot<SavedExportResult>>();
    expectTypeOf<ReturnType<ExportJob<SavedExportResult>['finally']>>().toEqualTypeOf<Promise<SavedExportResult>>();
    expectTypeOf<SavedExportResult['resources']>().toEqualTypeOf<ExportResources>();
    // The contract's ExportJob is the job of a plain ExportResult; a saved export's job is one too.
    expectTypeOf<ExportJob>().toEqualTypeOf<ExportJob<ExportResult>>();
    expectTypeOf<ExportJob<SavedExportResult>>().toMatchTypeOf<ExportJob>();
    expectTypeOf<ExportResult>().not.toHaveProperty('resources');
    // @ts-expect-error: a job's result type must be an ExportResult
    expectTypeOf<ExportJob<{ rows: number }>>();
  });

  it('has one job type and one result type', () => {
    // @ts-expect-error: ExportDataJob is ExportJob<SavedExportResult>
    expectTypeOf<Sluice.ExportDataJob>();
    // @ts-expect-error: ExportDataResult is SavedExportResult
    expectTypeOf<Sluice.ExportDataResult>();
  });
});
