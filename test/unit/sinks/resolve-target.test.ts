import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { currentEnvironment, resolveTarget, type TargetEnvironment } from '../../../src/sinks/resolve-target.js';

const withPicker: TargetEnvironment = { hasSavePicker: true, inCrossOriginFrame: false };
const framed: TargetEnvironment = { hasSavePicker: true, inCrossOriginFrame: true };
const noPicker: TargetEnvironment = { hasSavePicker: false, inCrossOriginFrame: false };

const fakeHandle = { kind: 'file', name: 'a.csv', getFile: async () => new Blob([]), createWritable: async () => ({}) };

describe('resolveTarget', () => {
  it.each([
    ['auto', withPicker, 'picker'],
    [undefined, withPicker, 'picker'],
    ['auto', framed, 'download'],
    ['auto', noPicker, 'download'],
    [undefined, noPicker, 'download'],
    ['picker', noPicker, 'picker'],
    ['download', withPicker, 'download'],
    ['blob', withPicker, 'blob'],
    ['opfs', withPicker, 'opfs'],
  ] as const)('%j in %j → %s', (target, env, kind) => {
    expect(resolveTarget(target, env).kind).toBe(kind);
  });

  it('takes a FileSystemFileHandle (also a look-alike from another realm)', () => {
    const plan = resolveTarget(fakeHandle as unknown as FileSystemFileHandle, withPicker);
    expect(plan).toEqual({ kind: 'handle', handle: fakeHandle });
  });

  it('takes an unlocked WritableStream and refuses a locked one', () => {
    const stream = new WritableStream<Uint8Array>();
    expect(resolveTarget(stream, noPicker)).toEqual({ kind: 'writable', stream });
    stream.getWriter();
    expect(() => resolveTarget(stream, noPicker)).toThrow(/WritableStream is locked/);
  });

  it.each([['file'], ['Picker'], [''], [42], [{}], [null]])('rejects %j with invalid_options naming target', (target) => {
    let caught: unknown;
    try {
      resolveTarget(target as never, withPicker);
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught) && caught.code).toBe('invalid_options');
    expect((caught as Error).message).toMatch(/^target must be one of "auto", "picker", "download", "blob", "opfs"/);
  });
});

describe('currentEnvironment', () => {
  it('sees a picker and a cross-origin parent', () => {
    const self = {};
    const top = {
      get location(): { href: string } {
        throw new Error('SecurityError: cross-origin');
      },
    };
    expect(currentEnvironment({ showSaveFilePicker: () => undefined, self, top })).toEqual({ hasSavePicker: true, inCrossOriginFrame: true });
  });
  it('a same-origin parent or no frame is not cross-origin', () => {
    const self = {};
    expect(currentEnvironment({ self, top: { location: { href: 'http://x/' } } }).inCrossOriginFrame).toBe(false);
    const page: Record<string, unknown> = {};
    page['self'] = page;
    page['top'] = page;
    expect(currentEnvironment(page)).toEqual({ hasSavePicker: false, inCrossOriginFrame: false });
  });
  it('Node has no picker', () => {
    expect(currentEnvironment().hasSavePicker).toBe(false);
  });
});
