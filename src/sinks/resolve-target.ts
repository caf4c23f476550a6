/**
 * Turns `options.target` into a plan: what to ask the user for, and where the bytes go.
 */
import { ExportError, printValue } from '../errors.js';
import type { ExportTarget } from '../types.js';

/** A resolved target. */
export type TargetPlan =
  | { kind: 'picker' }
  | { kind: 'handle'; handle: FileSystemFileHandle }
  | { kind: 'download' }
  | { kind: 'blob' }
  | { kind: 'opfs' }
  | { kind: 'writable'; stream: WritableStream<Uint8Array> };

/** What `'auto'` looks at; the page's globals by default. */
export interface TargetEnvironment {
  /** `showSaveFilePicker` exists. */
  hasSavePicker: boolean;
  /** The page is framed by another origin, where the picker throws `SecurityError`. */
  inCrossOriginFrame: boolean;
}

/** True when `window.top` belongs to another origin (reading its location throws). */
function crossOriginFrame(scope: { self?: unknown; top?: { location: { href: string } } | null }): boolean {
  if (scope.top === undefined || scope.top === null || scope.top === scope.self) return false;
  try {
    void scope.top.location.href;
    return false;
  } catch {
    return true;
  }
}

/** Reads the current environment for `'auto'`. */
export function currentEnvironment(scope: object = globalThis): TargetEnvironment {
  return {
    hasSavePicker: typeof (scope as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function',
    inCrossOriginFrame: crossOriginFrame(scope as { self?: unknown; top?: { location: { href: string } } | null }),
  };
}

/** A `FileSystemFileHandle`, also one from another realm. */
export function isFileHandle(value: unknown): value is FileSystemFileHandle {
  if (typeof FileSystemFileHandle !== 'undefined' && value instanceof FileSystemFileHandle) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    (value as { kind?: unknown }).kind === 'file' &&
    typeof (value as { getFile?: unknown }).getFile === 'function' &&
    typeof (value as { createWritable?: unknown }).createWritable === 'function'
  );
}

/** A `WritableStream`, also one from another realm. */
export function isWritableStream(value: unknown): value is WritableStream<Uint8Array> {
  if (typeof WritableStream !== 'undefined' && value instanceof WritableStream) return true;
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as { getWriter?: unknown }).getWriter === 'function' &&
    typeof (value as { abort?: unknown }).abort === 'function'
  );
}

const NAMED_TARGETS = ['auto', 'picker', 'download', 'blob', 'opfs'] as const;

/**
 * Resolves `target` (default `'auto'`): `'auto'` is the save picker where `showSaveFilePicker`
 * exists and the page is not in a cross-origin iframe, else a download.
 */
export function resolveTarget(target: ExportTarget | undefined, env: TargetEnvironment = currentEnvironment()): TargetPlan {
  const value: unknown = target === undefined ? 'auto' : target;
  if (value === 'auto') return env.hasSavePicker && !env.inCrossOriginFrame ? { kind: 'picker' } : { kind: 'download' };
  if (value === 'picker' || value === 'download' || value === 'blob' || value === 'opfs') return { kind: value };
  if (isFileHandle(value)) return { kind: 'handle', handle: value };
  if (isWritableStream(value)) {
    if ((value as { locked?: unknown }).locked === true) {
      throw new ExportError('invalid_options', 'target WritableStream is locked (a writer holds it); pass an unlocked stream', { details: { path: 'target' } });
    }
    return { kind: 'writable', stream: value };
  }
  throw new ExportError(
    'invalid_options',
    `target must be one of ${NAMED_TARGETS.map((t) => `"${t}"`).join(', ')}, a FileSystemFileHandle or a WritableStream, got ${printValue(value)}`,
    { details: { path: 'target', value: printValue(value) } },
  );
}
