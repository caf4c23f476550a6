import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { pickerError, pickerOptions, pickFile } from '../../../src/sinks/picker.js';

const request = { suggestedName: 'export-1.csv.gz', mimeType: 'application/gzip', extension: 'csv.gz', description: 'CSV file (gzip)' };

function domError(name: string, message = name): Error {
  return Object.assign(new Error(message), { name });
}

describe('pickerOptions', () => {
  it('suggests the name and offers the last extension part for the MIME type', () => {
    expect(pickerOptions(request)).toEqual({
      suggestedName: 'export-1.csv.gz',
      types: [{ description: 'CSV file (gzip)', accept: { 'application/gzip': ['.gz'] } }],
    });
    expect(pickerOptions({ ...request, id: 'reports' }).id).toBe('reports');
  });
});

describe('pickFile', () => {
  it('calls the picker synchronously, before its first await', () => {
    let called = false;
    const scope = {
      showSaveFilePicker: () => {
        called = true;
        return new Promise(() => undefined);
      },
    };
    void pickFile(request, scope);
    expect(called).toBe(true);
  });

  it('resolves with the picked handle', async () => {
    const handle = { kind: 'file', name: 'x' };
    await expect(pickFile(request, { showSaveFilePicker: async () => handle })).resolves.toBe(handle);
  });

  it.each([
    ['AbortError', 'picker_cancelled'],
    ['SecurityError', 'unsupported_environment'],
    ['NotAllowedError', 'unsupported_environment'],
    ['TypeError', 'invalid_options'],
    ['UnknownError', 'sink_failed'],
  ])('maps %s to %s', async (name, code) => {
    const scope = { showSaveFilePicker: async () => Promise.reject(domError(name)) };
    const error = await pickFile(request, scope).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe(code);
    expect(pickerError(domError(name)).code).toBe(code);
  });

  it('a synchronous throw is mapped too', async () => {
    const scope = {
      showSaveFilePicker: () => {
        throw domError('SecurityError', 'Must be handling a user gesture');
      },
    };
    const error = await pickFile(request, scope).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('unsupported_environment');
    expect((error as Error).message).toMatch(/user gesture/);
  });

  it('without showSaveFilePicker: unsupported_environment naming the fallback', async () => {
    const error = await pickFile(request, {}).catch((e: unknown) => e);
    expect(isExportError(error) && error.code).toBe('unsupported_environment');
    expect((error as Error).message).toMatch(/"download"/);
  });
});
