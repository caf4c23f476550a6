/**
 * The rules of request validation, every problem at once with its option path (validate.ts adds
 * the filter checks and the public entry points).
 *
 * Kept light on purpose: `exportData` runs these on the main thread before it opens the save
 * dialog, so nothing here may import Apache Arrow values, the format encoders or the filter code
 * (the main-thread bundle budget is 15 kB gzip; the worker checks the filter before it writes). The CSV, Parquet and schema rules are therefore written out here, with
 * the encoders' own messages; test/unit/validate/validate.test.ts checks they agree with
 * `csvOptionProblems`, `validateParquetOptions` and `readDeclaredSchema`. Type-checking a filter
 * against an Arrow schema (which needs the evaluator) happens only in `validateExport`.
 */
import type { Schema } from 'apache-arrow';
import { ExportError, isExportError, printValue } from './errors.js';
import type { Filter } from './filter/ast.js';
import { EXPORT_FORMATS, type ExportOptions, type StreamOptions } from './types.js';

/** The error codes a validation problem can carry. */
export type ValidationProblemCode = 'invalid_options' | 'unsupported_format' | 'unknown_column' | 'invalid_filter';

/** One thing wrong with a request. */
export interface ValidationProblem {
  /** The error code an export would fail with. */
  code: ValidationProblemCode;
  /** Option path, e.g. `csv.delimiter`, `columns[2]` or `filter.filters[0].field`. */
  path: string;
  /** What is wrong, naming the option and the value. */
  message: string;
}

/**
 * The columns a source is known to have, for checking `columns` and `filter` before reading: an
 * Arrow `Schema` (names and types, so filter literals are type-checked too) or a list of names.
 */
export type KnownColumns = Schema | readonly string[];

/** Largest `chunkSize` accepted: bigger batches only cost memory. */
export const MAX_CHUNK_SIZE = 1 << 20;

/** Longest file name most file systems accept, in UTF-8 bytes (ext4, APFS, NTFS's 255 UTF-16 units are more lenient). */
export const MAX_FILE_NAME_BYTES = 255;

/** Longest `timeoutMs` accepted: `setTimeout` fires at once for delays above 2^31 − 1 ms. */
export const MAX_TIMEOUT_MS = 2 ** 31 - 1;

/** The string targets `exportData` accepts. */
export const TARGET_NAMES = ['auto', 'picker', 'download', 'blob', 'opfs'] as const;

const CSV_KEYS = ['delimiter', 'header', 'newline', 'quote', 'quoteAll', 'bom', 'nullValue', 'escapeFormulae', 'dateFormat'] as const;
const JSON_KEYS = ['bigint', 'dateFormat'] as const;
const PICKER_ID = /^[A-Za-z0-9_-]{1,32}$/;
// Windows refuses these in any file name; the save picker and OPFS refuse most of them everywhere.
const WINDOWS_FORBIDDEN = /[<>:"|?*]/g;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;
// Device names Windows reserves whatever the extension (`nul.csv` is the null device). The
// superscript digits count too: Windows treats `COM¹` like `COM1`.
const RESERVED_STEM = /^(?:CON|PRN|AUX|NUL|COM[1-9\u00b9\u00b2\u00b3]|LPT[1-9\u00b9\u00b2\u00b3])$/i;
const utf8 = new TextEncoder();

/** Collects problems; `fromError` keeps the thrown error so a lone problem can be rethrown as it was. */
export class Problems {
  readonly list: ValidationProblem[] = [];
  readonly errors = new Map<ValidationProblem, ExportError>();

  add(path: string, message: string, code: ValidationProblemCode = 'invalid_options'): void {
    this.list.push({ code, path, message });
  }

  /** Records a thrown error as a problem (ExportErrors keep their code and path). */
  fromError(error: unknown, fallbackPath: string, fallbackCode: ValidationProblemCode): void {
    if (isExportError(error)) {
      const code = (['invalid_options', 'unsupported_format', 'unknown_column', 'invalid_filter'] as const).find((c) => c === error.code) ?? fallbackCode;
      const path = typeof error.details.path === 'string' ? error.details.path : fallbackPath;
      const problem: ValidationProblem = { code, path, message: error.message };
      this.list.push(problem);
      if (error instanceof ExportError) this.errors.set(problem, error);
      return;
    }
    this.add(fallbackPath, `${fallbackPath}: ${error instanceof Error ? error.message : String(error)}`, fallbackCode);
  }
}

/** The filter checks {@link collectProblems} runs when given (validate.ts passes them). */
export interface FilterChecks {
  /** Parses text and builders into one AST (throws invalid_filter). */
  normalize(input: unknown): Filter | null;
  /** The columns a filter reads. */
  fields(filter: Filter): string[];
  /** Binds a filter to an Arrow schema, throwing what `compileFilter` throws. */
  compile?(filter: Filter, schema: Schema): unknown;
}

/**
 * Every problem with the options. Filter checks run only when `filters` is given, so the page-side
 * entry (exportData), which leaves the filter to the worker, does not bundle the filter parser.
 */
export function collectProblems(options: ExportOptions | StreamOptions, schema: KnownColumns | undefined, filters?: FilterChecks): Problems {
  return collect(options, schema, filters);
}

function collect(options: ExportOptions | StreamOptions, schema: KnownColumns | undefined, filters?: FilterChecks): Problems {
  const p = new Problems();
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    p.add('', `options must be an object with a format, got ${printValue(options)}`);
    return p;
  }
  const format = options.format;
  checkFormat(p, format);
  const text = format === 'csv' || format === 'tsv' || format === 'json' || format === 'ndjson';
  if (options.compression !== undefined && !['gzip', 'deflate', 'none'].includes(options.compression)) {
    p.add('compression', `compression must be "gzip", "deflate" or "none", got ${printValue(options.compression)}`);
  } else if (options.compression !== undefined && options.compression !== 'none' && !text && typeof format === 'string') {
    p.add('compression', `compression applies to text formats; ${format} compresses inside the file (use parquet.compression)`);
  }
  if (options.chunkSize !== undefined && !isIntegerIn(options.chunkSize, 1, MAX_CHUNK_SIZE)) {
    p.add('chunkSize', `chunkSize must be an integer from 1 to ${MAX_CHUNK_SIZE}, got ${printValue(options.chunkSize)}`);
  }
  checkLimits(p, options.limits);
  const known = schema === undefined ? undefined : knownNames(schema);
  checkColumns(p, options.columns, known);
  if (filters !== undefined) checkFilter(p, options, schema, known, filters);
  checkDeclaredSchema(p, options.schema);
  if (options.signal !== undefined && !isAbortSignal(options.signal)) {
    p.add('signal', `signal must be an AbortSignal, got ${printValue(options.signal)}`);
  }
  for (const key of ['onProgress', 'onComplete'] as const) {
    if (options[key] !== undefined && typeof options[key] !== 'function') p.add(key, `${key} must be a function, got ${printValue(options[key])}`);
  }
  checkFormatOptions(p, options, format);
  checkBudgetAndChecksum(p, options as { checksum?: unknown; timeoutMs?: unknown });
  const exportOptions = options as ExportOptions;
  if (exportOptions.fileName !== undefined) for (const message of fileNameProblems(exportOptions.fileName)) p.add('fileName', message);
  checkTarget(p, exportOptions.target);
  const worker = exportOptions.worker;
  if (worker !== undefined && typeof worker !== 'boolean' && typeof worker !== 'function') {
    p.add('worker', `worker must be true, false or a function that returns a Worker, got ${printValue(worker)}`);
  }
  const pickerId = exportOptions.pickerId;
  if (pickerId !== undefined && (typeof pickerId !== 'string' || !PICKER_ID.test(pickerId))) {
    p.add('pickerId', `pickerId must be 1 to 32 characters of A-Z, a-z, 0-9, "_" or "-", got ${printValue(pickerId)}`);
  }
  return p;
}

/**
 * Throws one {@link ExportError} carrying every problem in `details.problems`, or returns when there
 * are none. The code is the problems' common code (`unsupported_format`, `invalid_filter`,
 * `unknown_column`) when they all share one, else `invalid_options`. A lone problem raised by the
 * filter or schema checks is rethrown as that error, with its own details.
 */
export function throwProblems(p: Problems): void {
  const problems = p.list;
  if (problems.length === 0) return;
  const first = problems[0]!;
  const original = problems.length === 1 ? p.errors.get(first) : undefined;
  if (original !== undefined) {
    throw new ExportError(original.code, original.message, { cause: original.cause, details: { ...original.details, path: first.path, problems } });
  }
  const code = problems.every((problem) => problem.code === first.code) ? first.code : 'invalid_options';
  throw new ExportError(code, problems.map((problem) => problem.message).join('; '), { details: { path: first.path, problems } });
}

/** Checks every option but the filter (the page side of exportData; the worker checks the filter). */
export function checkOptionsWithoutFilter(options: ExportOptions | StreamOptions): void {
  throwProblems(collect(options, undefined));
}

/**
 * Why `name` cannot be a file name on every platform (empty when it can): path separators,
 * characters Windows forbids (`<>:"|?*`), control characters, device names Windows reserves
 * (`CON`, `PRN`, `AUX`, `NUL`, `COM1`–`COM9`, `LPT1`–`LPT9`, with or without an extension), a
 * trailing dot or space, unpaired surrogates, or more than 255 UTF-8 bytes.
 */
export function fileNameProblems(name: unknown): string[] {
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
  return problems;
}

function checkFormat(p: Problems, format: unknown): void {
  if ((EXPORT_FORMATS as readonly unknown[]).includes(format)) return;
  const lower = typeof format === 'string' ? format.trim().toLowerCase().replace(/^\./, '') : '';
  const hint = (EXPORT_FORMATS as readonly string[]).includes(lower) ? ` (did you mean "${lower}"?)` : lower === 'jsonl' ? ' (did you mean "ndjson"?)' : '';
  p.add('format', `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${printValue(format)}${hint}`, 'unsupported_format');
}

function checkLimits(p: Problems, limits: StreamOptions['limits'] | null): void {
  if (limits === undefined) return;
  if (limits === null || typeof limits !== 'object') {
    p.add('limits', `limits must be an object, got ${printValue(limits)}`);
    return;
  }
  if (limits.maxRows !== undefined && !isIntegerIn(limits.maxRows, 0, Number.MAX_SAFE_INTEGER)) {
    p.add('limits.maxRows', `limits.maxRows must be a non-negative integer, got ${printValue(limits.maxRows)}`);
  }
  if (limits.maxBytes !== undefined && !isIntegerIn(limits.maxBytes, 0, Number.MAX_SAFE_INTEGER)) {
    p.add('limits.maxBytes', `limits.maxBytes must be a non-negative integer, got ${printValue(limits.maxBytes)}`);
  }
  if (limits.onExceed !== undefined && limits.onExceed !== 'error' && limits.onExceed !== 'truncate') {
    p.add('limits.onExceed', `limits.onExceed must be "error" or "truncate", got ${printValue(limits.onExceed)}`);
  }
}

function checkColumns(p: Problems, columns: StreamOptions['columns'] | null, known: readonly string[] | undefined): void {
  if (columns === undefined) return;
  if (!Array.isArray(columns)) {
    p.add('columns', `columns must be an array, got ${printValue(columns)}`);
    return;
  }
  const headers = new Set<string>();
  const knownSet = known === undefined ? undefined : new Set(known);
  columns.forEach((spec, index) => {
    const path = `columns[${index}]`;
    const field = typeof spec === 'string' ? spec : spec !== null && typeof spec === 'object' ? spec.field : undefined;
    const header = typeof spec === 'string' ? spec : spec !== null && typeof spec === 'object' ? spec.header ?? spec.field : undefined;
    if (typeof field !== 'string') {
      p.add(path, `${path} must be a field name or { field, header }, got ${printValue(spec)}`);
      return;
    }
    if (typeof header !== 'string') {
      p.add(`${path}.header`, `${path}.header must be a string, got ${printValue(header)}`);
      return;
    }
    if (headers.has(header)) p.add(path, `${path}: the header ${printValue(header)} appears twice`);
    headers.add(header);
    if (knownSet !== undefined && !knownSet.has(field)) {
      p.add(path, `${path}: unknown column ${printValue(field)}${suggest(field, known!)}; available: ${known!.join(', ') || '(none)'}`, 'unknown_column');
    }
  });
}

function checkFilter(p: Problems, options: StreamOptions, schema: KnownColumns | undefined, known: readonly string[] | undefined, checks: FilterChecks): void {
  if (options.filter === undefined) return;
  let filter: Filter | null;
  const compile = checks.compile;
  try {
    filter = checks.normalize(options.filter);
  } catch (error) {
    p.fromError(error, 'filter', 'invalid_filter');
    return;
  }
  if (filter === null || schema === undefined) return;
  if (Array.isArray(schema) || compile === undefined) {
    for (const field of checks.fields(filter)) {
      if (!known!.includes(field)) p.add('filter', `filter: unknown column ${printValue(field)}${suggest(field, known!)}; available: ${known!.join(', ') || '(none)'}`, 'unknown_column');
    }
    return;
  }
  try {
    // Binding to the schema checks columns, operator/type fit and literal coercion without reading a row.
    compile(filter, schema as Schema);
  } catch (error) {
    p.fromError(error, 'filter', 'invalid_filter');
  }
}

/** Column type names `schema.fields` accepts (as `readDeclaredSchema` in schema/kinds.ts does). */
export const FIELD_TYPE_NAMES = ['string', 'float64', 'float32', 'int8', 'int16', 'int32', 'int64', 'uint8', 'uint16', 'uint32', 'boolean', 'timestamp', 'timestamp[ms]', 'timestamp[us]', 'date', 'json'] as const;

function checkDeclaredSchema(p: Problems, schema: StreamOptions['schema']): void {
  if (schema === undefined) return;
  if (schema === null || typeof schema !== 'object' || typeof schema.fields !== 'object' || schema.fields === null) {
    p.add('schema', `schema must be { fields: { column: type } }, got ${printValue(schema)}`);
    return;
  }
  // Every bad field is reported, not only the first; messages match readDeclaredSchema's.
  for (const [name, spec] of Object.entries(schema.fields)) {
    const path = `schema.fields.${name}`;
    const bad = (message: string): void => p.add(path, `schema field "${name}": ${message}`);
    const typeName: unknown = typeof spec === 'string' ? spec : typeof spec === 'object' && spec !== null ? (spec as { type?: unknown }).type : undefined;
    if (typeName === 'decimal' && typeof spec === 'object' && spec !== null) {
      const { precision, scale } = spec as { precision?: unknown; scale?: unknown };
      if (!isIntegerIn(precision, 1, 38)) bad(`decimal precision must be an integer from 1 to 38, got ${printValue(precision)}`);
      else if (!isIntegerIn(scale, 0, precision as number)) bad(`decimal scale must be an integer from 0 to the precision, got ${printValue(scale)}`);
    } else if (typeof typeName !== 'string' || !(FIELD_TYPE_NAMES as readonly string[]).includes(typeName)) {
      bad(`unknown type ${printValue(typeName ?? spec)}; expected one of ${FIELD_TYPE_NAMES.join(', ')}, decimal`);
    }
  }
  for (const key of ['strict', 'only'] as const) {
    if (schema[key] !== undefined && typeof schema[key] !== 'boolean') p.add(`schema.${key}`, `schema.${key} must be a boolean, got ${printValue(schema[key])}`);
  }
}

/** CSV options with their defaults, as the CSV encoder resolves them. */
interface CsvSettings {
  delimiter: unknown;
  header: unknown;
  newline: unknown;
  quote: unknown;
  quoteAll: unknown;
  bom: unknown;
  nullValue: unknown;
  escapeFormulae: unknown;
  dateFormat: unknown;
}

/** The CSV rules of formats/csv.ts `csvOptionProblems`, with the same paths and messages. */
function csvProblems(p: Problems, csv: Record<string, unknown>, tab: boolean): void {
  const o: CsvSettings = {
    delimiter: csv['delimiter'] ?? (tab ? '\t' : ','),
    header: csv['header'] ?? true,
    newline: csv['newline'] ?? '\r\n',
    quote: csv['quote'] ?? '"',
    quoteAll: csv['quoteAll'] ?? false,
    bom: csv['bom'] ?? false,
    nullValue: csv['nullValue'] ?? '',
    escapeFormulae: csv['escapeFormulae'] ?? true,
    dateFormat: csv['dateFormat'] ?? 'iso',
  };
  let badSeparator = false;
  const oneChar = (value: unknown, path: string, label: string): void => {
    if (typeof value !== 'string' || [...value].length !== 1 || value.length !== 1) {
      p.add(path, `csv ${label} must be one character, got ${printValue(value)}`);
      badSeparator = true;
    } else if (value === '\r' || value === '\n') {
      p.add(path, `csv ${label} must not be CR or LF, got ${printValue(value)}`);
      badSeparator = true;
    }
  };
  oneChar(o.delimiter, 'csv.delimiter', 'delimiter');
  oneChar(o.quote, 'csv.quote', 'quote');
  if (o.delimiter === o.quote) p.add('csv.quote', `csv quote and delimiter must differ, both are ${printValue(o.quote)}`);
  if (!['\r\n', '\n', '\r'].includes(o.newline as string)) p.add('csv.newline', `csv newline must be "\\r\\n", "\\n" or "\\r", got ${printValue(o.newline)}`);
  if (typeof o.nullValue !== 'string') p.add('csv.nullValue', `csv nullValue must be a string, got ${printValue(o.nullValue)}`);
  // With a bad delimiter or quote, "nullValue holds it" would only echo that problem.
  else if (!badSeparator && (/[\r\n]/.test(o.nullValue) || o.nullValue.includes(o.delimiter as string) || o.nullValue.includes(o.quote as string))) {
    p.add('csv.nullValue', `csv nullValue must not hold the delimiter, the quote, CR or LF, got ${printValue(o.nullValue)}`);
  }
  if (!['iso', 'date', 'epoch'].includes(o.dateFormat as string)) p.add('csv.dateFormat', `csv dateFormat must be "iso", "date" or "epoch", got ${printValue(o.dateFormat)}`);
  for (const key of ['header', 'quoteAll', 'bom', 'escapeFormulae'] as const) {
    if (typeof o[key] !== 'boolean') p.add(`csv.${key}`, `csv ${key} must be a boolean, got ${printValue(o[key])}`);
  }
}

/** Codecs `parquet.compression` accepts. */
export const PARQUET_COMPRESSIONS = ['snappy', 'zstd', 'gzip', 'brotli', 'lz4', 'none'] as const;
/** Largest `parquet.rowGroupSize` (parquet-wasm takes a 32-bit count). */
export const MAX_ROW_GROUP_SIZE = 2 ** 31 - 1;
const PARQUET_KEYS = ['compression', 'rowGroupSize', 'dictionary', 'statistics', 'metadata'] as const;

/** The Parquet rules of formats/parquet/options.ts `validateParquetOptions`, with the same paths and messages. */
function parquetProblems(p: Problems, options: unknown): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    p.add('parquet', `parquet options must be an object, got ${printValue(options)}`);
    return;
  }
  const o = options as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!(PARQUET_KEYS as readonly string[]).includes(key)) p.add(`parquet.${key}`, `parquet has no option "${key}" (known: ${PARQUET_KEYS.join(', ')})`);
  }
  const { compression, rowGroupSize, dictionary, statistics, metadata } = o;
  if (compression !== undefined && !(PARQUET_COMPRESSIONS as readonly unknown[]).includes(compression)) {
    p.add('parquet.compression', `parquet.compression must be one of ${PARQUET_COMPRESSIONS.map((c) => `"${c}"`).join(', ')}, got ${printValue(compression)}`);
  }
  if (rowGroupSize !== undefined && !isIntegerIn(rowGroupSize, 1, MAX_ROW_GROUP_SIZE)) {
    p.add('parquet.rowGroupSize', `parquet.rowGroupSize must be a whole number of rows from 1 to ${MAX_ROW_GROUP_SIZE}, got ${printValue(rowGroupSize)}`);
  }
  if (dictionary !== undefined && dictionary !== 'auto' && typeof dictionary !== 'boolean') {
    p.add('parquet.dictionary', `parquet.dictionary must be "auto", true or false, got ${printValue(dictionary)}`);
  }
  if (statistics !== undefined && typeof statistics !== 'boolean') {
    p.add('parquet.statistics', `parquet.statistics must be true or false, got ${printValue(statistics)}`);
  }
  if (metadata !== undefined) {
    if (typeof metadata !== 'object' || metadata === null || Array.isArray(metadata)) {
      p.add('parquet.metadata', `parquet.metadata must be an object of string keys and string values, got ${printValue(metadata)}`);
    } else {
      for (const [key, value] of Object.entries(metadata)) {
        if (typeof value !== 'string') p.add(`parquet.metadata.${key}`, `parquet.metadata values must be strings, got ${printValue(value)} for "${key}"`);
        // The writer stores the Arrow schema under this key; a user value would corrupt it.
        if (key === 'ARROW:schema') p.add(`parquet.metadata.${key}`, 'parquet.metadata cannot set "ARROW:schema": the writer stores the Arrow schema there');
      }
    }
  }
}

function checkFormatOptions(p: Problems, options: StreamOptions, format: unknown): void {
  const label = typeof format === 'string' ? format : printValue(format);
  if (format === 'csv' || format === 'tsv') {
    const csv: unknown = options.csv ?? {};
    if (csv === null || typeof csv !== 'object' || Array.isArray(csv)) {
      p.add('csv', `csv options must be an object, got ${printValue(csv)}`);
    } else {
      unknownKeys(p, 'csv', csv, CSV_KEYS);
      csvProblems(p, csv as Record<string, unknown>, format === 'tsv');
    }
  } else if (options.csv !== undefined) {
    const bom = typeof options.csv === 'object' && options.csv !== null && options.csv.bom === true;
    p.add('csv', bom ? `csv.bom applies to csv and tsv, not ${label}: a byte-order mark would corrupt a ${label} file` : `csv options apply to csv and tsv, not ${label}`);
  }
  if (format === 'json' || format === 'ndjson') {
    const json: unknown = options.json;
    if (json !== undefined) {
      if (json === null || typeof json !== 'object' || Array.isArray(json)) p.add('json', `json options must be an object, got ${printValue(json)}`);
      else {
        unknownKeys(p, 'json', json, JSON_KEYS);
        const { bigint, dateFormat } = json as Record<string, unknown>;
        if (bigint !== undefined && !['auto', 'string', 'number'].includes(bigint as string)) {
          p.add('json.bigint', `json bigint must be "auto", "string" or "number", got ${printValue(bigint)}`);
        }
        if (dateFormat !== undefined && !['iso', 'date', 'epoch'].includes(dateFormat as string)) {
          p.add('json.dateFormat', `json dateFormat must be "iso", "date" or "epoch", got ${printValue(dateFormat)}`);
        }
      }
    }
  } else if (options.json !== undefined) {
    p.add('json', `json options apply to json and ndjson, not ${label}`);
  }
  if (format === 'parquet') {
    parquetProblems(p, options.parquet);
  } else if (options.parquet !== undefined) {
    p.add('parquet', `parquet options apply to parquet, not ${label}`);
  }
  if (format === 'arrow') {
    const arrow: unknown = options.arrow;
    if (arrow !== undefined) {
      if (arrow === null || typeof arrow !== 'object' || Array.isArray(arrow)) p.add('arrow', `arrow options must be an object, got ${printValue(arrow)}`);
      else {
        unknownKeys(p, 'arrow', arrow, ['ipc']);
        const ipc = (arrow as { ipc?: unknown }).ipc;
        if (ipc !== undefined && ipc !== 'stream' && ipc !== 'file') p.add('arrow.ipc', `arrow.ipc must be "stream" or "file", got ${printValue(ipc)}`);
      }
    }
  } else if (options.arrow !== undefined) {
    p.add('arrow', `arrow options apply to arrow, not ${label}`);
  }
}

/** `timeoutMs` and `checksum`. */
function checkBudgetAndChecksum(p: Problems, options: { checksum?: unknown; timeoutMs?: unknown }): void {
  const { checksum, timeoutMs } = options;
  if (checksum !== undefined && typeof checksum !== 'boolean' && checksum !== 'sha256') {
    p.add('checksum', `checksum must be true, false or "sha256", got ${printValue(checksum)}`);
  }
  if (timeoutMs !== undefined && !isIntegerIn(timeoutMs, 1, MAX_TIMEOUT_MS)) {
    p.add('timeoutMs', `timeoutMs must be a whole number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${printValue(timeoutMs)}`);
  }
}

function checkTarget(p: Problems, target: unknown): void {
  if (target === undefined) return;
  if (typeof target === 'string') {
    if (!(TARGET_NAMES as readonly string[]).includes(target)) {
      p.add('target', `target must be one of ${TARGET_NAMES.map((t) => `"${t}"`).join(', ')}, a FileSystemFileHandle or a WritableStream, got ${printValue(target)}`);
    }
    return;
  }
  if (target !== null && typeof target === 'object') {
    const t = target as { kind?: unknown; createWritable?: unknown; getFile?: unknown; getWriter?: unknown; locked?: unknown };
    // Duck-typed on getFile, which every engine's handle has: Safari's lacked createWritable for years
    // (it writes through a sync access handle in a worker instead).
    if (t.kind === 'file' && (typeof t.createWritable === 'function' || typeof t.getFile === 'function')) return;
    if (t.kind === 'directory') {
      p.add('target', 'target is a directory handle; pass a FileSystemFileHandle (e.g. from getFileHandle(name, { create: true }))');
      return;
    }
    // Duck-typed: a WritableStream from another realm (an iframe, a polyfill) fails `instanceof`.
    if (typeof t.getWriter === 'function' && typeof t.locked === 'boolean') {
      if (t.locked) p.add('target', 'target WritableStream is locked: release its writer (or pass the stream before calling getWriter())');
      return;
    }
  }
  p.add('target', `target must be one of ${TARGET_NAMES.map((t) => `"${t}"`).join(', ')}, a FileSystemFileHandle or a WritableStream, got ${printValue(target)}`);
}

function unknownKeys(p: Problems, prefix: string, value: object, allowed: readonly string[]): void {
  for (const key of Object.keys(value)) {
    if (!allowed.includes(key)) p.add(`${prefix}.${key}`, `${prefix} has no option "${key}"${suggest(key, allowed)} (known: ${allowed.join(', ')})`);
  }
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

/** ` (did you mean "amount"?)` when one name is close: same text ignoring case, or at most two edits away. */
function suggest(name: string, names: readonly string[]): string {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = 3;
  for (const candidate of names) {
    if (candidate.toLowerCase() === lower) return ` (did you mean "${candidate}"?)`;
    if (Math.abs(candidate.length - name.length) >= bestDistance) continue;
    const distance = editDistance(lower, candidate.toLowerCase(), bestDistance);
    if (distance < bestDistance) {
      bestDistance = distance;
      best = candidate;
    }
  }
  return best === undefined ? '' : ` (did you mean "${best}"?)`;
}

/** Levenshtein distance, giving up (returning `limit`) once every path exceeds it. */
function editDistance(a: string, b: string, limit: number): number {
  if (a.length > 64 || b.length > 64) return limit;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      const value = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      current.push(value);
      if (value < rowMin) rowMin = value;
    }
    if (rowMin >= limit) return limit;
    previous = current;
  }
  return previous[b.length]!;
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

function isIntegerIn(value: unknown, min: number, max: number): boolean {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}
