/**
 * One rule set for every entry point: the same mistake gets the same code and path from
 * `validateExport`, `exportStream`, and `exportData` on the main thread and in a worker.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError } from '../../../src/errors.js';
import { exportData } from '../../../src/export-data.js';
import type { ExportOptions } from '../../../src/types.js';
import { validateExport } from '../../../src/validate.js';
import { terminateWorkers } from '../../../src/worker/client.js';
import { fakeWorkerFactory } from '../worker/fake-worker.js';

afterAll(() => terminateWorkers());

const rows = [
  { id: 1, amount: 10.5, name: 'a' },
  { id: 2, amount: 20, name: 'b' },
];
const COLUMNS = ['id', 'amount', 'name'];
const { factory } = fakeWorkerFactory();

interface Outcome {
  code: string;
  path: string | undefined;
}

/** What `validateExport` says, folded as the thrown error folds it: the common code, the first path. */
function fromValidate(options: Record<string, unknown>): Outcome | null {
  const problems = validateExport(options as unknown as ExportOptions, COLUMNS);
  if (problems.length === 0) return null;
  const code = problems.every((p) => p.code === problems[0]!.code) ? problems[0]!.code : 'invalid_options';
  return { code, path: problems[0]!.path };
}

function outcomeOf(error: unknown): Outcome {
  if (!isExportError(error)) return { code: `not an ExportError: ${String(error)}`, path: undefined };
  return { code: error.code, path: typeof error.details.path === 'string' ? error.details.path : undefined };
}

async function fromStream(options: Record<string, unknown>): Promise<Outcome | null> {
  try {
    const reader = exportStream(rows, options as unknown as ExportOptions).getReader();
    for (;;) if ((await reader.read()).done) return null;
  } catch (error) {
    return outcomeOf(error);
  }
}

async function fromExportData(options: Record<string, unknown>, worker: false | (() => Worker)): Promise<Outcome | null> {
  try {
    await exportData(rows, { ...(options as unknown as ExportOptions), target: 'blob', worker });
    return null;
  } catch (error) {
    return outcomeOf(error);
  }
}

const KEYS = ['format', 'columns', 'filter', 'compression', 'schema', 'limits', 'chunkSize', 'timeoutMs', 'checksum', 'onProgress', 'onComplete', 'csv'];

/** A key one typing slip away from a real one: a letter dropped, doubled, swapped or re-cased. */
const misspelled = (keys: readonly string[]) =>
  fc
    .tuple(fc.constantFrom(...keys), fc.nat(), fc.constantFrom('drop', 'double', 'swap', 'case'))
    .map(([key, at, how]) => {
      const i = at % key.length;
      if (how === 'drop') return key.slice(0, i) + key.slice(i + 1);
      if (how === 'double') return key.slice(0, i) + key[i] + key.slice(i);
      if (how === 'swap' && i < key.length - 1) return key.slice(0, i) + key[i + 1] + key[i] + key.slice(i + 2);
      return key.slice(0, i) + (key[i] === key[i]!.toUpperCase() ? key[i]!.toLowerCase() : key[i]!.toUpperCase()) + key.slice(i + 1);
    })
    .filter((key) => !keys.includes(key) && key.length > 0);

/** One mistake, as a patch to apply to `{ format: 'csv' }`. */
const mistake: fc.Arbitrary<Record<string, unknown>> = fc.oneof(
  misspelled(KEYS).map((key) => ({ [key]: key.toLowerCase().startsWith('on') ? () => undefined : 'x' })),
  misspelled(['delimiter', 'header', 'quote', 'bom', 'nullValue']).map((key) => ({ csv: { [key]: ';' } })),
  misspelled(['maxRows', 'maxBytes', 'onExceed']).map((key) => ({ limits: { [key]: 5 } })),
  misspelled(['fields', 'strict', 'only']).map((key) => ({ schema: { fields: { id: 'int32' }, [key]: true } })),
  fc.constantFrom<Record<string, unknown>>(
    { format: 'xls' },
    { format: 'CSV' },
    { format: 'jsonl' },
    { format: 42 },
    { chunkSize: 0 },
    { chunkSize: 1.5 },
    { chunkSize: '8' },
    { timeoutMs: -1 },
    { checksum: 'md5' },
    { compression: 'brotli' },
    { format: 'parquet', compression: 'gzip' },
    { limits: { maxRows: -1 } },
    { limits: { onExceed: 'stop' } },
    { limits: 'none' },
    { csv: { delimiter: ';;' } },
    { csv: { quote: '' } },
    { csv: 'semicolon' },
    { format: 'json', csv: { bom: true } },
    { format: 'json', json: { bigint: 'big' } },
    { format: 'parquet', parquet: { rowGroupSize: 0 } },
    { format: 'arrow', arrow: { ipc: 'feather' } },
    { columns: [] },
    { columns: 'id' },
    { columns: [3] },
    { columns: ['id', 'id'] },
    { columns: [{ field: 'id', heading: 'ID' }] },
    { schema: { fields: { id: 'varchar' } } },
    { schema: 'int32' },
    { filter: 'amount >> 5' },
    { filter: 'amount > 5 and' },
    { filter: { op: 'gt', field: 'amount' } },
    { onProgress: 'log' },
    { onComplete: 1 },
    { signal: {} },
  ),
);

/** Mistakes whose cause is the source's columns, alone in a request. */
const columnMistake = fc.constantFrom<Record<string, unknown>>(
  { columns: ['id', 'amout'] },
  { columns: [{ field: 'nmae', header: 'Name' }] },
  { filter: 'amout > 5' },
  { filter: { op: 'eq', field: 'Name', value: 'a' } },
);

const request = fc.oneof(
  { weight: 4, arbitrary: fc.array(mistake, { minLength: 1, maxLength: 3 }).map((patches) => Object.assign({ format: 'csv' }, ...patches) as Record<string, unknown>) },
  { weight: 1, arbitrary: columnMistake.map((patch) => ({ format: 'csv', ...patch })) },
);

describe('every entry point runs the same rules', () => {
  it('gives the same code and path for generated mistakes (1,000 cases)', async () => {
    await fc.assert(
      fc.asyncProperty(request, async (options) => {
        const expected = fromValidate(options);
        // A patch may undo another (a misspelled key that happens to be valid for the format): skip clean requests.
        fc.pre(expected !== null);
        const outcomes = {
          exportStream: await fromStream(options),
          'exportData (main thread)': await fromExportData(options, false),
          'exportData (worker)': await fromExportData(options, factory),
        };
        for (const outcome of Object.values(outcomes)) expect(outcome).toEqual(expected);
      }),
      { numRuns: 1000 },
    );
  }, 300_000);
});

describe('the mistakes a new user makes first', () => {
  const cases: Array<[string, Record<string, unknown>, string, string, RegExp]> = [
    ['a misspelled column', { columns: ['id', 'amout'] }, 'unknown_column', 'columns[1]', /unknown column "amout" \(did you mean "amount"\?\)/],
    ['fitler', { fitler: 'id > 5' }, 'invalid_options', 'fitler', /no option "fitler" \(did you mean "filter"\?\)/],
    ['colums', { colums: ['id'] }, 'invalid_options', 'colums', /did you mean "columns"/],
    ['fileNmae', { fileNmae: 'orders.csv' }, 'invalid_options', 'fileNmae', /did you mean "fileName"/],
    ['compresion', { compresion: 'gzip' }, 'invalid_options', 'compresion', /did you mean "compression"/],
    ['limits.maxRow', { limits: { maxRow: 5 } }, 'invalid_options', 'limits.maxRow', /limits has no option "maxRow" \(did you mean "maxRows"\?\)/],
    ['onprogress', { onprogress: () => undefined }, 'invalid_options', 'onprogress', /no option "onprogress" \(a function\) \(did you mean "onProgress"\?\)/],
    ['csv.delimeter', { csv: { delimeter: ';' } }, 'invalid_options', 'csv.delimeter', /did you mean "delimiter"/],
    ['an unknown filter column', { filter: 'amout > 5' }, 'unknown_column', 'filter', /unknown column "amout".*did you mean "amount"/],
    ['columns: []', { columns: [] }, 'invalid_options', 'columns', /at least one column/],
  ];
  it.each(cases)('%s → %s at %s, on every path', async (_name, patch, code, path, message) => {
    const options = { format: 'csv', ...patch };
    const entries: Array<[string, () => Promise<unknown>]> = [
      ['exportData (worker)', () => Promise.resolve(exportData(rows, { ...(options as unknown as ExportOptions), target: 'blob', worker: factory }))],
      ['exportData (main thread)', () => Promise.resolve(exportData(rows, { ...(options as unknown as ExportOptions), target: 'blob', worker: false }))],
      [
        'exportStream',
        async () => {
          const reader = exportStream(rows, options as unknown as ExportOptions).getReader();
          while (!(await reader.read()).done);
        },
      ],
    ];
    for (const [entry, run] of entries) {
      const error = await run().then(
        () => new Error(`${entry} succeeded`),
        (e: unknown) => e,
      );
      expect(isExportError(error), `${entry}: ${String(error)}`).toBe(true);
      expect({ entry, code: (error as { code: string }).code, path: (error as { details: { path?: string } }).details.path }).toEqual({ entry, code, path });
      expect((error as Error).message).toMatch(message);
    }
    const problems = validateExport(options as unknown as ExportOptions, COLUMNS);
    expect(problems[0]).toMatchObject({ code, path });
  });
});
