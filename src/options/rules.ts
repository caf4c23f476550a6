/**
 * The one rule set for export options. `exportStream`, `exportData` (on the page, before the save
 * dialog opens), the worker and `validateExport` all run {@link collectProblems}, so the same
 * mistake gets the same code, path and message whichever way the export runs.
 *
 * Format rules come from the format specs (formats/registry.ts); the filter rules are passed in
 * (validate.ts, and the page's lazily loaded checks) so the page's start-up bundle stays small.
 */
import type { Schema } from 'apache-arrow';
import { printValue } from '../errors.js';
import { fileNameProblems, type FileTypeOptions } from '../file-name.js';
import type { Filter } from '../filter/ast.js';
import { FORMAT_OPTION_KEYS, FORMAT_SPECS, formatsUsingOptions, isExportFormat, unknownFormatMessage } from '../formats/registry.js';
import type { ExportOptions } from '../types.js';
import { checkKnownKeys, didYouMean, isIntegerIn, isRecord, Problems, type AddProblem } from './problems.js';

/**
 * The columns a source is known to have, for checking `columns`, `schema` and `filter` before
 * reading: an Arrow `Schema` (names and types, so filter literals are type-checked too) or a list
 * of names.
 */
export type KnownColumns = Schema | readonly string[];

/**
 * Rows per record batch unless `chunkSize` says otherwise. Measured on the benchmark rows (Node 20,
 * 1M rows): 8,192 was the fastest of 8,192–32,768 for every format (CSV 1.41 s against 1.53 s at
 * 16,384 and 1.84 s at 32,768; JSON 1.63 s against 2.09 s), with the same Parquet size: a batch's
 * columns then stay in the CPU caches between building and encoding.
 */
export const DEFAULT_CHUNK_SIZE = 8192;

/** Largest `chunkSize` accepted: bigger batches only cost memory. */
export const MAX_CHUNK_SIZE = 1 << 20;

/** Longest `timeoutMs` accepted: `setTimeout` fires at once for delays above 2^31 − 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The string targets `exportData` accepts. */
export const TARGET_NAMES = ['auto', 'picker', 'download', 'blob', 'opfs'] as const;

/** Column type names `schema.fields` accepts (besides `{ type: 'decimal', precision, scale }`). */
export const FIELD_TYPE_NAMES = ['string', 'float64', 'float32', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'boolean', 'timestamp', 'timestamp[ms]', 'timestamp[us]', 'date', 'json'] as const;

/** The options every export takes (`exportStream` and `exportData`), besides each format's own. */
const STREAM_KEYS = ['format', 'columns', 'filter', 'compression', 'schema', 'limits', 'chunkSize', 'signal', 'timeoutMs', 'checksum', 'onProgress', 'onComplete'] as const;
/** The options only `exportData` takes: where the file goes and where the export runs. */
const EXPORT_ONLY_KEYS = ['fileName', 'target', 'worker', 'pickerId'] as const;
/** Every top-level option of `exportData`. */
export const EXPORT_OPTION_KEYS: readonly string[] = [...STREAM_KEYS, ...FORMAT_OPTION_KEYS, ...EXPORT_ONLY_KEYS];

const LIMIT_KEYS = ['maxRows', 'maxBytes', 'onExceed'] as const;
const SCHEMA_KEYS = ['fields', 'strict', 'only'] as const;
const COLUMN_KEYS = ['field', 'header'] as const;
const FIELD_SPEC_KEYS = ['type', 'nullable', 'precision', 'scale'] as const;
const PICKER_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** The filter checks {@link collectProblems} runs when given (the filter parser is not page start-up code). */
export interface FilterChecks {
  /** Parses text and builders into one AST (throws invalid_filter). */
  normalize(input: unknown): Filter | null;
  /** The columns a filter reads. */
  fields(filter: Filter): string[];
  /** Binds a filter to an Arrow schema, throwing what `compileFilter` throws. */
  compile?(filter: Filter, schema: Schema): unknown;
}

/** What a caller of {@link collectProblems} knows beyond the options. */
export interface CheckContext {
  /** `'stream'` for `exportStream` and the engine (no file, no thread, no target), `'export'` for `exportData` and `validateExport`. */
  entry: 'stream' | 'export';
  /** The source's columns, when known before reading. */
  known?: KnownColumns | undefined;
  /**
   * Whether `known` is every column the source has (an Arrow schema, a caller's list), or only what
   * its first rows showed (rows held by the page). Default `true`. A `schema` field the source lacks
   * is a typo only when the list is exact; with rows, a declared column may first appear later.
   */
  exact?: boolean;
  /** The filter rules; without them the filter is not looked at. */
  filters?: FilterChecks | undefined;
}

/** Every problem with the options, each with its path. */
export function collectProblems(options: unknown, context: CheckContext): Problems {
  const p = new Problems();
  if (!isRecord(options)) {
    p.add('', `options must be an object with a format, got ${printValue(options)}`);
    return p;
  }
  const o = options as Partial<ExportOptions> & Record<string, unknown>;
  checkTopLevelKeys(p.add, o, context.entry);
  const formatProblem = unknownFormatMessage(o.format);
  if (formatProblem !== null) p.add('format', formatProblem, 'unsupported_format');
  const spec = isExportFormat(o.format) ? FORMAT_SPECS[o.format] : undefined;
  if (o.compression !== undefined && !['gzip', 'deflate', 'none'].includes(o.compression)) {
    p.add('compression', `compression must be "gzip", "deflate" or "none", got ${printValue(o.compression)}`);
  } else if (o.compression !== undefined && o.compression !== 'none' && spec !== undefined && !spec.outerCompression) {
    p.add('compression', `compression applies to text formats; ${spec.name} compresses inside the file${spec.optionsKey === 'parquet' ? ' (use parquet.compression)' : ''}`);
  }
  if (o.chunkSize !== undefined && !isIntegerIn(o.chunkSize, 1, MAX_CHUNK_SIZE)) {
    p.add('chunkSize', `chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${printValue(o.chunkSize)}`);
  }
  checkLimits(p.add, o.limits);
  const sourceColumns = context.known === undefined ? undefined : knownNames(context.known);
  const declared = checkDeclaredSchema(p.add, o.schema, context.exact === false ? undefined : sourceColumns);
  // Declared columns are columns of the export even where the source lacks them (written as nulls).
  const known = sourceColumns === undefined ? undefined : [...sourceColumns, ...declared.filter((name) => !sourceColumns.includes(name))];
  checkColumns(p.add, o.columns, known);
  if (context.filters !== undefined) checkFilter(p, o.filter, context.known, known, context.filters);
  if (o.signal !== undefined && !isAbortSignal(o.signal)) p.add('signal', `signal must be an AbortSignal, got ${printValue(o.signal)}`);
  for (const key of ['onProgress', 'onComplete'] as const) {
    if (o[key] !== undefined && typeof o[key] !== 'function') p.add(key, `${key} must be a function, got ${printValue(o[key])}`);
  }
  if (o.checksum !== undefined && typeof o.checksum !== 'boolean' && o.checksum !== 'sha256') {
    p.add('checksum', `checksum must be true, false or "sha256", got ${printValue(o.checksum)}`);
  }
  if (o.timeoutMs !== undefined && !isIntegerIn(o.timeoutMs, 1, MAX_TIMEOUT_MS)) {
    p.add('timeoutMs', `timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${printValue(o.timeoutMs)}`);
  }
  checkFormatOptions(p.add, o, spec);
  if (context.entry === 'export') checkExportOnly(p.add, o);
  return p;
}

/** Unknown top-level keys (with a did-you-mean), and exportData's own keys given to exportStream. */
function checkTopLevelKeys(add: AddProblem, options: Record<string, unknown>, entry: CheckContext['entry']): void {
  const allowed = entry === 'export' ? EXPORT_OPTION_KEYS : [...STREAM_KEYS, ...FORMAT_OPTION_KEYS];
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    if ((EXPORT_ONLY_KEYS as readonly string[]).includes(key)) {
      add(key, `${key} is an option of exportData; exportStream returns the bytes and has no file, target or worker`);
      continue;
    }
    // A misspelled callback would otherwise reach the worker and fail as "could not be cloned".
    const callback = typeof options[key] === 'function' ? ' (a function)' : '';
    add(key, `the options have no option "${key}"${callback}${didYouMean(key, EXPORT_OPTION_KEYS)} (known: ${allowed.join(', ')})`);
  }
}

function checkLimits(add: AddProblem, limits: unknown): void {
  if (limits === undefined) return;
  if (!isRecord(limits)) {
    add('limits', `limits must be an object, got ${printValue(limits)}`);
    return;
  }
  checkKnownKeys(add, 'limits', limits, LIMIT_KEYS);
  if (limits['maxRows'] !== undefined && !isIntegerIn(limits['maxRows'], 0, Number.MAX_SAFE_INTEGER)) {
    add('limits.maxRows', `limits.maxRows must be a non-negative integer, got ${printValue(limits['maxRows'])}`);
  }
  if (limits['maxBytes'] !== undefined && !isIntegerIn(limits['maxBytes'], 0, Number.MAX_SAFE_INTEGER)) {
    add('limits.maxBytes', `limits.maxBytes must be a non-negative integer, got ${printValue(limits['maxBytes'])}`);
  }
  const onExceed = limits['onExceed'];
  if (onExceed !== undefined && onExceed !== 'error' && onExceed !== 'truncate') {
    add('limits.onExceed', `limits.onExceed must be "error" or "truncate", got ${printValue(onExceed)}`);
  }
}

/** `columns`: field names or `{ field, header }`, headers unique, fields known when the source's columns are. */
function checkColumns(add: AddProblem, columns: unknown, known: readonly string[] | undefined): void {
  if (columns === undefined) return;
  if (!Array.isArray(columns)) {
    add('columns', `columns must be an array, got ${printValue(columns)}`);
    return;
  }
  if (columns.length === 0) {
    add('columns', 'columns must list at least one column (leave it out to export every column)');
    return;
  }
  const headers = new Set<string>();
  const knownSet = known === undefined ? undefined : new Set(known);
  columns.forEach((spec: unknown, index) => {
    const path = `columns[${index}]`;
    if (isRecord(spec)) checkKnownKeys(add, path, spec, COLUMN_KEYS);
    const field = typeof spec === 'string' ? spec : isRecord(spec) ? spec['field'] : undefined;
    const header = typeof spec === 'string' ? spec : isRecord(spec) ? (spec['header'] ?? spec['field']) : undefined;
    if (typeof field !== 'string') {
      add(path, `${path} must be a field name or { field, header }, got ${printValue(spec)}`);
      return;
    }
    if (typeof header !== 'string') {
      add(`${path}.header`, `${path}.header must be a string, got ${printValue(header)}`);
      return;
    }
    if (headers.has(header)) add(path, `${path}: the header ${printValue(header)} appears twice`);
    headers.add(header);
    if (knownSet !== undefined && !knownSet.has(field)) add(path, unknownColumnMessage(path, field, known!), 'unknown_column');
  });
}

/** `path: unknown column "amout" (did you mean "amount"?); available: id, amount`. */
export function unknownColumnMessage(path: string, field: string, known: readonly string[]): string {
  const shown = known.length > 50 ? `${known.slice(0, 50).join(', ')}, … (${known.length} in all)` : known.join(', ') || '(none)';
  return `${path}: unknown column ${printValue(field)}${didYouMean(field, known)}; available: ${shown}`;
}

/** `schema`: known keys, known types, decimal bounds. Returns the declared field names. */
function checkDeclaredSchema(add: AddProblem, schema: unknown, known: readonly string[] | undefined): string[] {
  if (schema === undefined) return [];
  if (!isRecord(schema) || !isRecord(schema['fields'])) {
    add('schema', `schema must be { fields: { column: type } }, got ${printValue(schema)}`);
    return [];
  }
  checkKnownKeys(add, 'schema', schema, SCHEMA_KEYS);
  const fields = schema['fields'];
  for (const [name, spec] of Object.entries(fields)) {
    const path = `schema.fields.${name}`;
    const bad = (message: string): void => add(path, `schema field "${name}": ${message}`);
    if (isRecord(spec)) checkKnownKeys(add, path, spec, FIELD_SPEC_KEYS);
    const typeName: unknown = typeof spec === 'string' ? spec : isRecord(spec) ? spec['type'] : undefined;
    if (typeName === 'decimal' && isRecord(spec)) {
      const { precision, scale } = spec;
      if (!isIntegerIn(precision, 1, 38)) bad(`decimal precision must be an integer from 1 to 38, got ${printValue(precision)}`);
      else if (!isIntegerIn(scale, 0, precision)) bad(`decimal scale must be an integer from 0 to the precision, got ${printValue(scale)}`);
    } else if (typeof typeName !== 'string' || !(FIELD_TYPE_NAMES as readonly string[]).includes(typeName)) {
      bad(`unknown type ${printValue(typeName ?? spec)}; expected one of ${FIELD_TYPE_NAMES.join(', ')}, decimal`);
    }
    if (isRecord(spec) && spec['nullable'] !== undefined && typeof spec['nullable'] !== 'boolean') bad(`nullable must be true or false, got ${printValue(spec['nullable'])}`);
  }
  for (const key of ['strict', 'only'] as const) {
    if (schema[key] !== undefined && typeof schema[key] !== 'boolean') add(`schema.${key}`, `schema.${key} must be a boolean, got ${printValue(schema[key])}`);
  }
  // A declared field that a source of known columns lacks is a typo.
  if (known !== undefined) {
    const knownSet = new Set(known);
    for (const name of Object.keys(fields)) {
      if (!knownSet.has(name)) add(`schema.fields.${name}`, unknownColumnMessage(`schema.fields.${name}`, name, known), 'unknown_column');
    }
  }
  return Object.keys(fields);
}

/** The filter rules: syntax and structure, and — when the source's columns are known — the columns it names (and, given `checks.compile` and an Arrow schema, its types). */
export function checkFilter(p: Problems, input: unknown, schema: KnownColumns | undefined, known: readonly string[] | undefined, checks: FilterChecks): void {
  if (input === undefined) return;
  let filter: Filter | null;
  try {
    filter = checks.normalize(input);
  } catch (error) {
    p.fromError(error, 'filter', 'invalid_filter');
    return;
  }
  if (filter === null || schema === undefined || known === undefined) return;
  if (Array.isArray(schema) || checks.compile === undefined) {
    for (const field of new Set(checks.fields(filter))) {
      if (!known.includes(field)) p.add('filter', unknownColumnMessage('filter', field, known), 'unknown_column');
    }
    return;
  }
  try {
    // Binding to the schema checks columns, operator/type fit and literal coercion without reading a row.
    checks.compile(filter, schema as Schema);
  } catch (error) {
    p.fromError(error, 'filter', 'invalid_filter');
  }
}

/** Each format's own options: checked by the chosen format's spec, refused when they belong to another format. */
function checkFormatOptions(add: AddProblem, options: Record<string, unknown>, spec: (typeof FORMAT_SPECS)[keyof typeof FORMAT_SPECS] | undefined): void {
  const label = spec?.name ?? printValue(options['format']);
  for (const key of FORMAT_OPTION_KEYS) {
    const value = options[key];
    if (spec?.optionsKey === key) spec.checkOptions?.(value, add);
    else if (value !== undefined && spec !== undefined) add(key, `${key} options apply to ${formatsUsingOptions(key).join(' and ')}, not ${label}`);
  }
}

/** `fileName`, `target`, `worker` and `pickerId`. */
function checkExportOnly(add: AddProblem, o: Partial<ExportOptions>): void {
  if (o.fileName !== undefined) for (const message of fileNameProblems(o.fileName, isExportFormat(o.format) ? (o as FileTypeOptions) : undefined)) add('fileName', message);
  checkTarget(add, o.target);
  if (o.worker !== undefined && typeof o.worker !== 'boolean' && typeof o.worker !== 'function') {
    add('worker', `worker must be true, false or a function that returns a Worker, got ${printValue(o.worker)}`);
  }
  if (o.pickerId !== undefined && (typeof o.pickerId !== 'string' || !PICKER_ID.test(o.pickerId))) {
    add('pickerId', `pickerId must be 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-", got ${printValue(o.pickerId)}`);
  }
}

function checkTarget(add: AddProblem, target: unknown): void {
  if (target === undefined) return;
  const expected = `target must be one of ${TARGET_NAMES.map((t) => `"${t}"`).join(', ')}, a FileSystemFileHandle or a WritableStream`;
  if (typeof target === 'string') {
    if (!(TARGET_NAMES as readonly string[]).includes(target)) add('target', `${expected}, got ${printValue(target)}${didYouMean(target, TARGET_NAMES)}`);
    return;
  }
  if (target !== null && typeof target === 'object') {
    const t = target as { kind?: unknown; createWritable?: unknown; getFile?: unknown; getWriter?: unknown; locked?: unknown };
    // Duck-typed on getFile, which every engine's handle has: Safari's lacked createWritable for years
    // (it writes through a sync access handle in a worker instead).
    if (t.kind === 'file' && (typeof t.createWritable === 'function' || typeof t.getFile === 'function')) return;
    if (t.kind === 'directory') {
      add('target', 'target is a directory handle; pass a FileSystemFileHandle (e.g. from getFileHandle(name, { create: true }))');
      return;
    }
    // Duck-typed: a WritableStream from another realm (an iframe, a polyfill) fails `instanceof`.
    if (typeof t.getWriter === 'function' && typeof t.locked === 'boolean') {
      if (t.locked) add('target', 'target WritableStream is locked: release its writer (or pass the stream before calling getWriter())');
      return;
    }
  }
  add('target', `${expected}, got ${printValue(target)}`);
}

function knownNames(schema: KnownColumns): string[] {
  if (Array.isArray(schema)) return schema.map(String);
  return (schema as Schema).fields.map((field) => field.name);
}

function isAbortSignal(value: unknown): boolean {
  if (typeof AbortSignal !== 'undefined' && value instanceof AbortSignal) return true;
  // Another realm's signal (an iframe) fails `instanceof`.
  return typeof value === 'object' && value !== null && typeof (value as AbortSignal).aborted === 'boolean' && typeof (value as AbortSignal).addEventListener === 'function';
}
