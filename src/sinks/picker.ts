/**
 * The `'picker'` target: `showSaveFilePicker`, which needs the click's transient activation, so
 * `exportData` calls it before any other `await`.
 */
import { ExportError, toExportError } from '../errors.js';

/** What the picker is asked for. */
export interface PickerRequest {
  suggestedName: string;
  /** MIME type of the file, for the type filter. */
  mimeType: string;
  /** Extension (without dot) offered in the type filter; only the last part of `csv.gz` is used. */
  extension: string;
  /** Description of the type filter, e.g. `CSV file`. */
  description: string;
  /** Picker id (validated by the caller). */
  id?: string;
}

type SaveFilePicker = (options?: SaveFilePickerOptions) => Promise<FileSystemFileHandle>;

/** The page's `showSaveFilePicker`, or null where the browser has none. */
export function getSaveFilePicker(scope: object = globalThis): SaveFilePicker | null {
  const picker = (scope as { showSaveFilePicker?: unknown }).showSaveFilePicker;
  return typeof picker === 'function' ? (picker.bind(scope) as SaveFilePicker) : null;
}

/** The options passed to `showSaveFilePicker`. */
export function pickerOptions(request: PickerRequest): SaveFilePickerOptions {
  // Chromium checks each accept extension; a single last part (".gz") is accepted everywhere.
  const extension = `.${request.extension.split('.').pop() ?? request.extension}`;
  const options: SaveFilePickerOptions = {
    suggestedName: request.suggestedName,
    types: [{ description: request.description, accept: { [request.mimeType]: [extension] } as Record<`${string}/${string}`, `.${string}`[]> }],
  };
  if (request.id !== undefined) options.id = request.id;
  return options;
}

/**
 * Shows the save picker. Call it synchronously from the click handler's task: the picker itself
 * is invoked before this function awaits anything.
 *
 * Rejects with `'picker_cancelled'` when the user closes the picker, `'unsupported_environment'`
 * where there is no picker or it is not allowed (no user gesture, a cross-origin iframe).
 */
export async function pickFile(request: PickerRequest, scope: object = globalThis): Promise<FileSystemFileHandle> {
  const picker = getSaveFilePicker(scope);
  if (picker === null) {
    throw new ExportError('unsupported_environment', 'target "picker" needs showSaveFilePicker, which this browser does not have; use target "auto" or "download"', {
      details: { path: 'target', value: '"picker"' },
    });
  }
  let pending: Promise<FileSystemFileHandle>;
  try {
    pending = picker(pickerOptions(request));
  } catch (error) {
    throw pickerError(error);
  }
  try {
    return await pending;
  } catch (error) {
    throw pickerError(error);
  }
}

/** Maps the picker's DOMExceptions to export errors. */
export function pickerError(error: unknown): ExportError {
  const name = typeof error === 'object' && error !== null ? (error as { name?: unknown }).name : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'AbortError') return new ExportError('picker_cancelled', 'the save picker was closed without choosing a file', { cause: error });
  if (name === 'SecurityError' || name === 'NotAllowedError') {
    return new ExportError(
      'unsupported_environment',
      `showSaveFilePicker was refused (${name}: ${message}); it needs a user gesture (call exportData in the click handler, before any await) and does not work in cross-origin iframes; target "download" needs neither`,
      { cause: error },
    );
  }
  if (name === 'TypeError') return toExportError(error, 'invalid_options', 'showing the save picker');
  return toExportError(error, 'sink_failed', 'showing the save picker');
}
