/**
 * File names, extensions and save-picker options derived from the export's format and compression.
 */
import { ExportError, printValue } from './errors.js';
import { formatInfo, mimeTypeOf } from './formats/catalog.js';
import type { StreamOptions } from './types.js';

/**
 * Suffix added after the format's extension for outer compression. `deflate` output is a zlib
 * stream (RFC 1950, what `CompressionStream('deflate')` writes), whose customary suffix is `.zz`.
 */
export const COMPRESSION_EXTENSIONS = { none: '', gzip: 'gz', deflate: 'zz' } as const;

/** MIME types of the compressed containers, used for the save picker's `types`. */
export const COMPRESSION_MIME_TYPES = { gzip: 'application/gzip', deflate: 'application/zlib' } as const;

/** The options that decide a file's extension and type. */
export type FileTypeOptions = Pick<StreamOptions, 'format' | 'compression' | 'arrow' | 'csv' | 'json' | 'parquet' | 'xlsx'>;

/** The full extension without a leading dot, e.g. `csv`, `csv.gz`, `parquet`, `arrows`. */
export function fileExtension(options: FileTypeOptions): string {
  const base = formatInfo(options.format).extension(options as StreamOptions);
  const suffix = COMPRESSION_EXTENSIONS[options.compression ?? 'none'];
  return suffix ? `${base}.${suffix}` : base;
}

/** The MIME type of the file written: the format's, or the compression container's. */
export function fileMimeType(options: FileTypeOptions): string {
  const compression = options.compression ?? 'none';
  return compression === 'none' ? mimeTypeOf(formatInfo(options.format), options) : COMPRESSION_MIME_TYPES[compression];
}

/** Two-digit zero padding for date parts. */
function pad(value: number): string {
  return String(value).padStart(2, '0');
}

/**
 * The default file name, `export-YYYYMMDD-HHmmss.<ext>` in local time, so names sort by when the
 * export ran and match what the user's clock shows.
 */
export function defaultFileName(options: FileTypeOptions, now: Date = new Date()): string {
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  return `export-${stamp}.${fileExtension(options)}`;
}

/**
 * Characters no file system accepts in a name (Windows' reserved set plus control characters);
 * the picker and OPFS reject them, so they fail early with a message that names the option.
 */
// eslint-disable-next-line no-control-regex
const FORBIDDEN_NAME = /[\\/:*?"<>|\u0000-\u001f]/;

/** `options.fileName` validated, or the default name when it is absent. */
export function resolveFileName(options: FileTypeOptions & { fileName?: string }, now?: Date): string {
  const { fileName } = options;
  if (fileName === undefined) return defaultFileName(options, now);
  if (typeof fileName !== 'string' || fileName.trim() === '' || fileName === '.' || fileName === '..') {
    throw new ExportError('invalid_options', `fileName must be a non-empty file name, got ${printValue(fileName)}`, {
      details: { path: 'fileName', value: printValue(fileName) },
    });
  }
  if (FORBIDDEN_NAME.test(fileName)) {
    throw new ExportError(
      'invalid_options',
      `fileName must not contain path separators or any of :*?"<>| or control characters, got ${printValue(fileName)}`,
      { details: { path: 'fileName', value: printValue(fileName) } },
    );
  }
  if (fileName.length > 255) {
    throw new ExportError('invalid_options', `fileName must be at most 255 characters, got ${fileName.length}`, {
      details: { path: 'fileName', value: printValue(fileName) },
    });
  }
  return fileName;
}

/** `showSaveFilePicker`'s `id` rule: at most 32 characters of `[A-Za-z0-9_-]`. */
const PICKER_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Throws `'invalid_options'` unless `pickerId` is absent or a valid picker id. */
export function validatePickerId(pickerId: unknown): string | undefined {
  if (pickerId === undefined) return undefined;
  if (typeof pickerId !== 'string' || !PICKER_ID.test(pickerId)) {
    throw new ExportError(
      'invalid_options',
      `pickerId must be 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-", got ${printValue(pickerId)}`,
      { details: { path: 'pickerId', value: printValue(pickerId) } },
    );
  }
  return pickerId;
}

/** A short description for the picker's file-type list, e.g. `CSV file` or `CSV file (gzip)`. */
export function fileDescription(options: FileTypeOptions): string {
  const label = options.format === 'ndjson' ? 'NDJSON' : options.format === 'parquet' ? 'Parquet' : options.format === 'arrow' ? 'Arrow IPC' : options.format.toUpperCase();
  const compression = options.compression ?? 'none';
  return compression === 'none' ? `${label} file` : `${label} file (${compression})`;
}
