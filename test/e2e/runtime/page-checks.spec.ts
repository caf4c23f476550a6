/**
 * What the page checks before the save dialog opens, in Chromium: a mistake in the options, the
 * filter or the columns never costs the user a trip through the dialog, a failure after it leaves
 * no empty file, a second click while the dialog is open gets its own error, and a job nobody
 * awaits fails visibly.
 */
import { expect, test } from './fixtures.js';

interface Case {
  name: string;
  patch: Record<string, unknown>;
  code: string;
  path: string;
}

const CASES: Case[] = [
  { name: 'a misspelled column', patch: { columns: ['id', 'amout'] }, code: 'unknown_column', path: 'columns[1]' },
  { name: 'fitler', patch: { fitler: 'id > 5' }, code: 'invalid_options', path: 'fitler' },
  { name: 'colums', patch: { colums: ['id'] }, code: 'invalid_options', path: 'colums' },
  { name: 'fileNmae', patch: { fileNmae: 'orders.csv' }, code: 'invalid_options', path: 'fileNmae' },
  { name: 'compresion', patch: { compresion: 'gzip' }, code: 'invalid_options', path: 'compresion' },
  { name: 'limits.maxRow', patch: { limits: { maxRow: 5 } }, code: 'invalid_options', path: 'limits.maxRow' },
  { name: 'csv.delimeter', patch: { csv: { delimeter: ';' } }, code: 'invalid_options', path: 'csv.delimeter' },
  { name: 'columns: []', patch: { columns: [] }, code: 'invalid_options', path: 'columns' },
  { name: 'filter syntax', patch: { filter: 'amount >> 5' }, code: 'invalid_filter', path: 'filter' },
  { name: 'an unknown filter column', patch: { filter: 'amout > 5' }, code: 'unknown_column', path: 'filter' },
];

test('the first mistakes fail before the save dialog opens, with the same code on the worker and the main thread', async ({ runtime }) => {
  const out = await runtime.evaluate(async (cases) => {
    const { lib, standardRows, errorInfo } = window.sluiceRuntime!;
    const rows = [...standardRows(50)];
    const results: Array<{ name: string; worker: string; code: string; path: unknown; message: string }> = [];
    for (const { name, patch } of cases) {
      for (const worker of [true, false]) {
        const error = await Promise.resolve(lib.exportData(rows, { format: 'csv', target: 'picker', worker, ...patch } as never)).then(
          () => null,
          (e: unknown) => e,
        );
        results.push({ name, worker: String(worker), ...errorInfo(error), path: (error as { details?: { path?: unknown } } | null)?.details?.path });
      }
    }
    // A callback under a misspelled name is named, never "could not be cloned".
    const callback = await Promise.resolve(lib.exportData(rows, { format: 'csv', target: 'picker', onprogress: () => undefined } as never)).then(
      () => null,
      (e: unknown) => errorInfo(e),
    );
    return { results, callback, pickerCalls: window.__picker.calls.length };
  }, CASES);
  for (const { name, code, path } of CASES) {
    for (const worker of ['true', 'false']) {
      const result = out.results.find((r) => r.name === name && r.worker === worker);
      expect({ name, worker, code: result?.code, path: result?.path }).toEqual({ name, worker, code, path });
    }
  }
  expect(out.results.find((r) => r.name === 'a misspelled column')?.message).toContain('did you mean "amount"');
  expect(out.callback?.code).toBe('invalid_options');
  expect(out.callback?.message).toContain('did you mean "onProgress"');
  expect(out.pickerCalls).toBe(0);
});

test('an Arrow table: an unknown column fails before the dialog, naming the fields', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, arrowTable, errorInfo } = window.sluiceRuntime!;
    const error = await Promise.resolve(lib.exportData(arrowTable(10), { format: 'parquet', target: 'picker', columns: ['id', 'lable'] })).then(
      () => null,
      (e: unknown) => errorInfo(e),
    );
    return { error, pickerCalls: window.__picker.calls.length };
  });
  expect(out.error?.code).toBe('unknown_column');
  expect(out.error?.message).toContain('did you mean "label"');
  expect(out.pickerCalls).toBe(0);
});

test('a failure after the dialog created the file removes it; a chosen file with content keeps it', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, errorInfo, readOpfs, writeOpfs } = window.sluiceRuntime!;
    // A type mismatch can only be found against the data, in the worker, after the dialog.
    const rows = [{ id: 1, name: 'a' }];
    const created = await Promise.resolve(lib.exportData(rows, { format: 'csv', target: 'picker', fileName: 'new.csv', filter: "id > 'x'" })).then(
      () => null,
      (e: unknown) => errorInfo(e),
    );
    await writeOpfs('keep.csv', 'OLD CONTENT\n');
    window.__picker.nextName = 'keep.csv';
    const kept = await Promise.resolve(lib.exportData(rows, { format: 'csv', target: 'picker', filter: "id > 'x'" })).then(
      () => null,
      (e: unknown) => errorInfo(e),
    );
    return { created, kept, pickerCalls: window.__picker.calls.length, newFile: await readOpfs('new.csv'), keepFile: await readOpfs('keep.csv') };
  });
  expect(out.created?.code).toBe('invalid_filter');
  expect(out.kept?.code).toBe('invalid_filter');
  expect(out.pickerCalls).toBe(2);
  expect(out.newFile).toBeNull();
  expect(out.keepFile).toBe('OLD CONTENT\n');
});

test('a second click while the save dialog is open fails as picker_busy and leaves the first export alone', async ({ runtime }) => {
  const out = await runtime.evaluate(async () => {
    const { lib, errorInfo, readOpfs } = window.sluiceRuntime!;
    const real = window.showSaveFilePicker;
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    window.showSaveFilePicker = (async (options?: SaveFilePickerOptions) => {
      await gate;
      return real(options);
    }) as typeof window.showSaveFilePicker;
    const rows = [{ id: 1 }, { id: 2 }];
    const first = lib.exportData(rows, { format: 'csv', target: 'picker', fileName: 'first.csv' });
    await new Promise((r) => setTimeout(r, 50));
    const second = await Promise.resolve(lib.exportData(rows, { format: 'csv', target: 'picker', fileName: 'second.csv' })).then(
      () => null,
      (e: unknown) => errorInfo(e),
    );
    release();
    const result = await first;
    window.showSaveFilePicker = real;
    return { second, rows: result.rowsWritten, file: await readOpfs('first.csv') };
  });
  expect(out.second?.code).toBe('picker_busy');
  expect(out.rows).toBe(2);
  expect(out.file).toBe('id\r\n1\r\n2\r\n');
});

test('a job nobody awaits fails visibly, as fetch does; a cancelled one does not', async ({ runtime, pageErrors }) => {
  const out = await runtime.evaluate(async () => {
    const { lib } = window.sluiceRuntime!;
    const seen: string[] = [];
    const listener = (event: PromiseRejectionEvent): void => {
      seen.push(String((event.reason as { code?: string }).code));
      event.preventDefault();
    };
    window.addEventListener('unhandledrejection', listener);
    // The README's one-liner with a mistake in it: nobody awaits the job.
    const unawaited = lib.exportData([{ id: 1 }], { format: 'xls' as 'csv', target: 'blob' });
    const cancelled = lib.exportData([{ id: 1 }], { format: 'csv', target: 'blob' });
    cancelled.cancel();
    // Both settle (reading `progress` adds no handler), however long a busy machine takes to load
    // the checks; then a while longer for the rejection events, which come after the settling.
    const deadline = performance.now() + 20_000;
    while ((unawaited.progress.phase !== 'failed' || cancelled.progress.phase !== 'aborted') && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 500));
    window.removeEventListener('unhandledrejection', listener);
    return seen;
  });
  expect(out).toEqual(['unsupported_format']);
  expect(pageErrors).toEqual([]);
});
