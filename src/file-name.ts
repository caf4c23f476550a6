/**
 * File names: the rules a name must follow on every platform, the extension and MIME type an
 * export's format and compression give, and the default name. Page-safe.
 */
import { ExportError, printValue } from './errors.js';
import { FORMAT_SPECS, formatSpec } from './formats/registry.js';
import { EXPORT_FORMATS, type StreamOptions } from './types.js';

/**
 * Suffix added after the format's extension for outer compression. `deflate` output is a zlib
 * stream (RFC 1950, what `CompressionStream('deflate')` writes), whose customary suffix is `.zz`.
 */
export const COMPRESSION_EXTENSIONS = { none: '', gzip: 'gz', deflate: 'zz' } as const;

/** MIME types of the compressed containers, used for the save picker's `types`. */
export const COMPRESSION_MIME_TYPES = { gzip: 'application/gzip', deflate: 'application/zlib' } as const;

/** Longest file name most file systems accept, in UTF-8 bytes (ext4, APFS; NTFS's 255 UTF-16 units are more lenient). */
export const MAX_FILE_NAME_BYTES = 255;

/** The options that decide a file's extension and type. */
export type FileTypeOptions = Pick<StreamOptions, 'format' | 'compression' | 'arrow'>;

/** The full extension without a leading dot, e.g. `csv`, `csv.gz`, `parquet`, `arrows`. */
export function fileExtension(options: FileTypeOptions): string {
  const base = formatSpec(options.format).extension(options);
  const suffix = COMPRESSION_EXTENSIONS[options.compression ?? 'none'];
  return suffix ? `${base}.${suffix}` : base;
}

/** The MIME type of the file written: the format's, or the compression container's. */
export function fileMimeType(options: FileTypeOptions): string {
  const compression = options.compression ?? 'none';
  return compression === 'none' ? formatSpec(options.format).mimeType(options) : COMPRESSION_MIME_TYPES[compression];
}

/** A short description for the picker's file-type list, e.g. `CSV file` or `CSV file (gzip)`. */
export function fileDescription(options: FileTypeOptions): string {
  const label = formatSpec(options.format).label;
  const compression = options.compression ?? 'none';
  return compression === 'none' ? `${label} file` : `${label} file (${compression})`;
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

// Windows refuses these in any file name; the save picker and OPFS refuse most of them everywhere.
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// Device names Windows reserves whatever the extension (`nul.csv` is the null device). The
// superscript digits count too: Windows treats `COM¹` like `COM1`.
const RESERVED_STEM = /^(?:CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])$/i;
const utf8 = new TextEncoder();

/** Every extension some format writes (`csv`, `arrows`, `arrow`, …) and the compression suffixes. */
function knownExtensions(): Set<string> {
  const names = new Set<string>(['gz', 'zz']);
  for (const name of EXPORT_FORMATS) {
    const spec = FORMAT_SPECS[name];
    names.add(spec.extension({}));
    names.add(spec.extension({ arrow: { ipc: 'file' } }));
  }
  return names;
}

/**
 * Why `name` cannot be a file name on every platform (empty when it can): path separators,
 * characters Windows forbids (`<>:"|?*`), control characters, device names Windows reserves
 * (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with or without an extension), a
 * trailing dot or space, unpaired surrogates, more than 255 UTF-8 bytes; and, given the export's
 * options, an extension of another format (`orders.xlsx` for a CSV export).
 */
export function fileNameProblems(name: unknown, options?: FileTypeOptions): string[] {
  if (typeof name !== 'string') return [`fileName must be a string, got ${printValue(name)}`];
  if (name.trim() === '') return [`fileName must be a non-empty file name, got ${printValue(name)}`];
  if (name === '.' || name === '..') return [`fileName must be a file name, not ${printValue(name)}`];
  const problems: string[] = [];
  if (/[/\\]/.test(name)) problems.push(`fileName must be a name, not a path: it holds a "/" or "\\", got ${printValue(name)}`);
  const forbidden = [...new Set(name.match(WINDOWS_FORBIDDEN) ?? [])];
  if (forbidden.length > 0) problems.push(`fileName must not contain ${forbidden.map((c) => `"${c}"`).join(', ')} (Windows forbids <>:"|?*), got ${printValue(name)}`);
  if (CONTROL.test(name)) problems.push(`fileName must not contain control characters, got ${printValue(name)}`);
  const stem = name.split('.')[0]!.trimEnd();
  if (RESERVED_STEM.test(stem)) problems.push(`fileName ${printValue(name)} starts with the reserved device name "${stem}" (Windows reserves CON, PRN, AUX, NUL, COM1-9 and LPT1-9, with any extension)`);
  if (/[. ]$/.test(name)) problems.push(`fileName must not end with a dot or a space (Windows drops them), got ${printValue(name)}`);
  if (hasLoneSurrogate(name)) problems.push(`fileName holds an unpaired surrogate, which has no UTF-8 form, got ${printValue(name)}`);
  const bytes = utf8.encode(name).length;
  if (bytes > MAX_FILE_NAME_BYTES) problems.push(`fileName must be at most ${MAX_FILE_NAME_BYTES} bytes in UTF-8, got ${bytes}`);
  if (problems.length === 0 && options !== undefined && (EXPORT_FORMATS as readonly unknown[]).includes(options.format)) {
    const expected = fileExtension(options);
    const dot = name.lastIndexOf('.');
    const suffix = dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
    if (!name.toLowerCase().endsWith(`.${expected}`) && knownExtensions().has(suffix) && !expected.startsWith(`${suffix}.`)) {
      problems.push(`fileName ${printValue(name)} ends in ".${suffix}" but the export writes ${formatSpec(options.format).label} (".${expected}"); name it ${printValue(`${name.slice(0, dot)}.${expected}`)} or leave the extension out`);
    }
  }
  return problems;
}

/**
 * `options.fileName` checked and completed, or the default name when it is absent. A name without
 * an extension gets the export's (`orders` → `orders.csv`, `report.2024` → `report.2024.csv`,
 * `orders.csv` with gzip → `orders.csv.gz`); an extension of no format (`orders.txt`) is the
 * user's choice and kept; another format's is refused by {@link fileNameProblems}.
 */
export function resolveFileName(options: FileTypeOptions & { fileName?: string | undefined }, now?: Date): string {
  const { fileName } = options;
  if (fileName === undefined) return defaultFileName(options, now);
  const problems = fileNameProblems(fileName, options);
  if (problems.length > 0) throw new ExportError('invalid_options', problems.join('; '), { details: { path: 'fileName', value: printValue(fileName) } });
  const extension = fileExtension(options);
  if (fileName.toLowerCase().endsWith(`.${extension}`)) return fileName;
  const base = formatSpec(options.format).extension(options);
  // `orders.csv` for a gzip export: only the compression suffix is missing.
  if (extension !== base && fileName.toLowerCase().endsWith(`.${base}`)) return `${fileName}${extension.slice(base.length)}`;
  const dot = fileName.lastIndexOf('.');
  const suffix = dot > 0 ? fileName.slice(dot + 1) : '';
  if (/^[a-z][a-z0-9]{0,4}$/i.test(suffix)) return fileName;
  return `${fileName}.${extension}`;
}

function hasLoneSurrogate(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) i++;
      else return true;
    } else if (unit >= 0xdc00 && unit <= 0xdfff) return true;
  }
  return false;
}
