import { Field, Float64, Int32, Schema, Utf8 } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream } from '../../../src/engine.js';
import { isExportError, type ExportError } from '../../../src/errors.js';
import type { ExportOptions, StreamOptions } from '../../../src/types.js';
import { fileNameProblems } from '../../../src/file-name.js';
import { FIELD_TYPE_NAMES } from '../../../src/options/rules.js';
import { readDeclaredSchema } from '../../../src/schema/kinds.js';
import { checkStreamOptions, validateExport, type ValidationProblem } from '../../../src/validate.js';

/** Loosely typed options: the point of these tests is values the types would refuse. */
const opts = (options: Record<string, unknown>): ExportOptions => ({ format: 'csv', ...options }) as unknown as ExportOptions;
const paths = (problems: ValidationProblem[]): string[] => problems.map((problem) => problem.path);

function thrown(fn: () => unknown): ExportError {
  try {
    fn();
  } catch (error) {
    if (isExportError(error)) return error;
    throw error;
  }
  throw new Error('expected an ExportError');
}

describe('validateExport: every problem at once', () => {
  it('returns an empty list for good options', () => {
    expect(validateExport({ format: 'csv' })).toEqual([]);
    expect(
      validateExport({
        format: 'parquet',
        fileName: 'report 2026.parquet',
        target: 'opfs',
        worker: false,
        pickerId: 'exports_1',
        parquet: { compression: 'zstd', rowGroupSize: 10_000 },
        columns: ['a', { field: 'b', header: 'B' }],
        limits: { maxRows: 10, onExceed: 'truncate' },
        chunkSize: 1000,
      }),
    ).toEqual([]);
  });

  it('lists several problems in one call, each with code, path and a message naming the value', () => {
    const problems = validateExport(
      opts({ format: 'csv', fileName: 'a/b.csv', chunkSize: 0, csv: { delimiter: ';;' }, pickerId: 'x'.repeat(33), worker: 'yes' }),
    );
    expect(paths(problems).sort()).toEqual(['chunkSize', 'csv.delimiter', 'fileName', 'pickerId', 'worker']);
    for (const problem of problems) {
      expect(problem.code).toBe('invalid_options');
      expect(problem.message.length).toBeGreaterThan(10);
    }
    expect(problems.find((p) => p.path === 'csv.delimiter')!.message).toContain('";;"');
    expect(problems.find((p) => p.path === 'worker')!.message).toContain('"yes"');
  });

  it.each<[string, unknown, string]>([
    ['not an object', 42, ''],
    ['null', null, ''],
    ['an array', [], ''],
  ])('refuses options that are %s', (_name, options, path) => {
    expect(paths(validateExport(options as ExportOptions))).toEqual([path]);
  });
});

describe('format, target, worker and pickerId', () => {
  it.each<[unknown, RegExp]>([
    ['xlsx', /format must be one of csv, tsv, json, ndjson, parquet, arrow; got "xlsx"$/],
    ['CSV', /did you mean "csv"/],
    ['.parquet', /did you mean "parquet"/],
    ['jsonl', /did you mean "ndjson"/],
    [undefined, /got undefined/],
    [7, /got 7/],
  ])('format %j is unsupported_format', (format, message) => {
    const [problem, ...rest] = validateExport(opts({ format }));
    expect(rest).toEqual([]);
    expect(problem).toMatchObject({ code: 'unsupported_format', path: 'format' });
    expect(problem!.message).toMatch(message);
  });

  const fileHandle = { kind: 'file', name: 'x.csv', createWritable: async () => ({}), getFile: async () => ({}) };
  const goodTargets: Array<[string, unknown]> = [
    ['auto', 'auto'],
    ['picker', 'picker'],
    ['download', 'download'],
    ['blob', 'blob'],
    ['opfs', 'opfs'],
    ['a FileSystemFileHandle (duck-typed)', fileHandle],
    ['a file handle without createWritable (Safari)', { kind: 'file', name: 'x.csv', getFile: async () => ({}) }],
    ['a WritableStream', new WritableStream<Uint8Array>()],
    ['a WritableStream-like object from another realm', { getWriter: () => ({}), locked: false, abort: async () => undefined }],
  ];
  it.each(goodTargets)('accepts the target %s', (_name, target) => {
    expect(validateExport(opts({ target }))).toEqual([]);
  });

  const locked = new WritableStream<Uint8Array>();
  locked.getWriter();
  it.each<[string, unknown, RegExp]>([
    ['an unknown name', 'file', /target must be one of "auto", "picker", "download", "blob", "opfs".*got "file"/],
    ['a wrong-case name', 'Blob', /got "Blob"/],
    ['a directory handle', { kind: 'directory', name: 'd', getFileHandle: async () => ({}) }, /directory handle/],
    ['an object that only says kind: file', { kind: 'file' }, /target must be/],
    ['a locked WritableStream', locked, /locked/],
    ['a ReadableStream', new ReadableStream(), /target must be/],
    ['null', null, /got null/],
    ['a number', 3, /got 3/],
  ])('refuses the target %s', (_name, target, message) => {
    const problems = validateExport(opts({ target }));
    expect(paths(problems)).toEqual(['target']);
    expect(problems[0]!.message).toMatch(message);
  });

  it.each<[unknown, boolean]>([
    [true, true],
    [false, true],
    [() => ({}), true],
    ['true', false],
    [1, false],
    [null, false],
    [{}, false],
  ])('worker %j valid: %s', (worker, ok) => {
    expect(validateExport(opts({ worker })).length === 0).toBe(ok);
  });

  it.each<[unknown, boolean]>([
    ['a', true],
    ['A-z_09', true],
    ['x'.repeat(32), true],
    ['x'.repeat(33), false],
    ['', false],
    ['has space', false],
    ['dot.ted', false],
    ['é', false],
    [12, false],
  ])('pickerId %j valid: %s', (pickerId, ok) => {
    const problems = validateExport(opts({ pickerId }));
    expect(problems.length === 0).toBe(ok);
    if (!ok) expect(problems[0]!.message).toContain('32 characters');
  });
});

describe('fileName', () => {
  it.each<[string, string]>([
    ['report.csv', 'a plain name'],
    ['Résumé – 2026 📈.csv', 'non-ASCII text'],
    ['.hidden.csv', 'a leading dot'],
    ['CONSOLE.csv', 'a name that starts like a device name'],
    ['con-report.csv', 'a device name followed by more letters'],
    ['COM0.csv', 'COM0 (not reserved)'],
    ['a'.repeat(251) + '.csv', 'exactly 255 bytes'],
    ['é'.repeat(127) + 'x', '255 bytes of two-byte characters'],
  ])('accepts %j (%s)', (name) => {
    expect(fileNameProblems(name)).toEqual([]);
  });

  it.each<[unknown, RegExp]>([
    ['', /non-empty/],
    ['   ', /non-empty/],
    ['.', /not "."/],
    ['..', /not "\.\."/],
    ['dir/file.csv', /not a path/],
    ['dir\\file.csv', /not a path/],
    ['a<b.csv', /"<"/],
    ['a>b.csv', /">"/],
    ['c:data.csv', /":"/],
    ['say "hi".csv', /"""/],
    ['a|b.csv', /"\|"/],
    ['why?.csv', /"\?"/],
    ['all*.csv', /"\*"/],
    ['tab\there.csv', /control characters/],
    ['nul\u0000byte.csv', /control characters/],
    ['new\nline.csv', /control characters/],
    ['CON', /reserved device name "CON"/],
    ['con.csv', /reserved device name "con"/],
    ['PRN.txt', /reserved device name/],
    ['AUX', /reserved device name/],
    ['nul.tar.gz', /reserved device name/],
    ['COM1.csv', /reserved device name/],
    ['com9', /reserved device name/],
    ['LPT1.csv', /reserved device name/],
    ['lpt9.parquet', /reserved device name/],
    ['COM\u00b9.csv', /reserved device name/],
    ['NUL .csv', /reserved device name/],
    ['report.', /dot or a space/],
    ['report.csv ', /dot or a space/],
    ['bad\ud800.csv', /unpaired surrogate/],
    ['a'.repeat(252) + '.csv', /at most 255 bytes in UTF-8, got 256/],
    ['é'.repeat(128), /got 256/],
    [42, /must be a string/],
  ])('refuses %j', (name, message) => {
    const problems = fileNameProblems(name);
    expect(problems.length).toBeGreaterThan(0);
    expect(problems.join('\n')).toMatch(message);
    expect(validateExport(opts({ fileName: name })).every((p) => p.path === 'fileName' && p.code === 'invalid_options')).toBe(true);
  });

  it('reports each rule a name breaks', () => {
    expect(fileNameProblems('a/b<c\u0001.')).toHaveLength(4);
  });
});

describe('csv, json, parquet and arrow options', () => {
  it.each<[Record<string, unknown>, string[]]>([
    [{ csv: { delimiter: ';' } }, []],
    [{ csv: { delimiter: ';;' } }, ['csv.delimiter']],
    [{ csv: { delimiter: '\n' } }, ['csv.delimiter']],
    [{ csv: { quote: '' } }, ['csv.quote']],
    [{ csv: { delimiter: "'", quote: "'" } }, ['csv.quote']],
    [{ csv: { newline: '\n\n' } }, ['csv.newline']],
    [{ csv: { bom: 'yes' } }, ['csv.bom']],
    [{ csv: { delimeter: ';' } }, ['csv.delimeter']],
    [{ csv: 'semicolon' }, ['csv']],
    [{ csv: { nullValue: 'a,b' } }, ['csv.nullValue']],
  ])('csv %j → %j', (options, expected) => {
    expect(paths(validateExport(opts(options)))).toEqual(expected);
  });

  it('suggests the intended csv option for a typo', () => {
    expect(validateExport(opts({ csv: { delimeter: ';' } }))[0]!.message).toContain('did you mean "delimiter"?');
  });

  it.each<[Record<string, unknown>, string[]]>([
    [{ format: 'json', json: { bigint: 'string', dateFormat: 'epoch' } }, []],
    [{ format: 'ndjson', json: { bigint: 'text' } }, ['json.bigint']],
    [{ format: 'json', json: { dateFormat: 'rfc' } }, ['json.dateFormat']],
    [{ format: 'json', json: { pretty: true } }, ['json.pretty']],
    [{ format: 'json', csv: { delimiter: ';' } }, ['csv']],
    [{ format: 'parquet', csv: { bom: true } }, ['csv']],
    [{ format: 'csv', json: { bigint: 'auto' } }, ['json']],
    [{ format: 'csv', parquet: {} }, ['parquet']],
    [{ format: 'json', arrow: { ipc: 'file' } }, ['arrow']],
    [{ format: 'parquet', compression: 'gzip' }, ['compression']],
    [{ format: 'arrow', compression: 'deflate' }, ['compression']],
    [{ format: 'csv', compression: 'brotli' }, ['compression']],
    [{ format: 'parquet', compression: 'none' }, []],
  ])('%j → %j', (options, expected) => {
    expect(paths(validateExport(opts(options)))).toEqual(expected);
  });

  it('refuses csv options (a BOM among them) for a format that is not CSV', () => {
    expect(validateExport(opts({ format: 'parquet', csv: { bom: true } }))[0]!.message).toBe('csv options apply to csv and tsv, not parquet');
  });

  it.each<[unknown, boolean]>([
    ['snappy', true],
    ['zstd', true],
    ['gzip', true],
    ['brotli', true],
    ['lz4', true],
    ['none', true],
    ['lzo', false],
    ['SNAPPY', false],
    [null, false],
  ])('parquet.compression %j valid: %s', (compression, ok) => {
    const problems = validateExport(opts({ format: 'parquet', parquet: { compression } }));
    expect(problems.length === 0).toBe(ok);
    if (!ok) expect(paths(problems)).toEqual(['parquet.compression']);
  });

  it.each<[unknown, boolean]>([
    [1, true],
    [65_536, true],
    [2 ** 31 - 1, true],
    [0, false],
    [-5, false],
    [1.5, false],
    [2 ** 31, false],
    [Number.NaN, false],
    ['1000', false],
  ])('parquet.rowGroupSize %j valid: %s', (rowGroupSize, ok) => {
    const problems = validateExport(opts({ format: 'parquet', parquet: { rowGroupSize } }));
    expect(problems.length === 0).toBe(ok);
    if (!ok) expect(paths(problems)).toEqual(['parquet.rowGroupSize']);
  });

  it.each<[unknown, boolean]>([
    ['stream', true],
    ['file', true],
    ['ipc', false],
    [true, false],
  ])('arrow.ipc %j valid: %s', (ipc, ok) => {
    const problems = validateExport(opts({ format: 'arrow', arrow: { ipc } }));
    expect(problems.length === 0).toBe(ok);
    if (!ok) expect(paths(problems)).toEqual(['arrow.ipc']);
  });
});

describe('limits, chunk size and callbacks', () => {
  it.each<[Record<string, unknown>, string[]]>([
    [{ chunkSize: 1 }, []],
    [{ chunkSize: 1 << 20 }, []],
    [{ chunkSize: (1 << 20) + 1 }, ['chunkSize']],
    [{ chunkSize: 0 }, ['chunkSize']],
    [{ chunkSize: 2.5 }, ['chunkSize']],
    [{ chunkSize: Number.POSITIVE_INFINITY }, ['chunkSize']],
    [{ limits: { maxRows: 0 } }, []],
    [{ limits: { maxRows: -1, maxBytes: 1.5, onExceed: 'stop' } }, ['limits.maxRows', 'limits.maxBytes', 'limits.onExceed']],
    [{ limits: 'none' }, ['limits']],
    [{ onProgress: 'log' }, ['onProgress']],
    [{ onComplete: 1 }, ['onComplete']],
    [{ signal: { aborted: 'no' } }, ['signal']],
    [{ signal: new AbortController().signal }, []],
    [{ checksum: true }, []],
    [{ checksum: 'md5' }, ['checksum']],
    [{ timeoutMs: 5000 }, []],
    [{ timeoutMs: 0 }, ['timeoutMs']],
    [{ timeoutMs: 2 ** 31 }, ['timeoutMs']],
  ])('%j → %j', (options, expected) => {
    expect(paths(validateExport(opts(options)))).toEqual(expected);
  });
});

describe('declared schema', () => {
  it('reports every bad field, not only the first', () => {
    const problems = validateExport(opts({ schema: { fields: { a: 'int32', b: 'integer', c: { type: 'decimal', precision: 50, scale: 2 } }, strict: 'yes' } }));
    expect(paths(problems)).toEqual(['schema.fields.b', 'schema.fields.c', 'schema.strict']);
  });

  it('refuses a schema without fields', () => {
    expect(paths(validateExport(opts({ schema: ['a'] })))).toEqual(['schema']);
  });
});

describe('columns and filter against a known schema', () => {
  const schema = new Schema([new Field('id', new Int32()), new Field('name', new Utf8()), new Field('amount', new Float64())]);

  it.each<[string, KnownColumnsCase]>([
    ['an Arrow schema', schema],
    ['a list of names', ['id', 'name', 'amount']],
  ])('finds unknown columns with %s, suggesting close names', (_name, known) => {
    const problems = validateExport({ format: 'csv', columns: ['id', { field: 'Name', header: 'N' }, 'amout', 'zzz'] }, known);
    expect(problems.map((p) => [p.code, p.path])).toEqual([
      ['unknown_column', 'columns[1]'],
      ['unknown_column', 'columns[2]'],
      ['unknown_column', 'columns[3]'],
    ]);
    expect(problems[0]!.message).toContain('did you mean "name"?');
    expect(problems[1]!.message).toContain('did you mean "amount"?');
    expect(problems[2]!.message).not.toContain('did you mean');
    expect(problems[2]!.message).toContain('available: id, name, amount');
  });

  it('checks columns only when the schema is known', () => {
    expect(validateExport({ format: 'csv', columns: ['nope'] })).toEqual([]);
  });

  it('finds duplicate headers and malformed column specs', () => {
    const problems = validateExport(opts({ columns: ['a', { field: 'b', header: 'a' }, 3, { field: 'c', header: 7 }] }));
    expect(paths(problems)).toEqual(['columns[1]', 'columns[2]', 'columns[3].header']);
  });

  it('reports an unknown filter column with a list of names', () => {
    const problems = validateExport({ format: 'csv', filter: 'amout > 5' }, ['id', 'amount']);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'unknown_column', path: 'filter' });
    expect(problems[0]!.message).toContain('did you mean "amount"?');
  });

  it('type-checks the filter against an Arrow schema', () => {
    expect(validateExport({ format: 'csv', filter: "amount > 5 and name = 'x'" }, schema)).toEqual([]);
    const unknown = validateExport({ format: 'csv', filter: { op: 'eq', field: 'nme', value: 'x' } }, schema);
    expect(unknown.map((p) => p.code)).toEqual(['unknown_column']);
    const badLiteral = validateExport({ format: 'csv', filter: { op: 'gt', field: 'amount', value: 'lots' } }, schema);
    expect(badLiteral.map((p) => p.code)).toEqual(['invalid_filter']);
  });

  it('reports a malformed filter without a schema, with the path of the bad node', () => {
    const problems = validateExport(opts({ filter: { op: 'and', filters: [{ op: 'eq', field: 'a', value: 1 }, { op: 'gt', field: 'b' }] } }));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ code: 'invalid_filter', path: 'filter.filters[1].value' });
  });

  it('reports bad filter text', () => {
    expect(validateExport(opts({ filter: 'amount >' })).map((p) => p.code)).toEqual(['invalid_filter']);
  });
});

type KnownColumnsCase = Schema | string[];

describe('checkStreamOptions and exportStream', () => {
  it('throws one invalid_options error carrying every problem', () => {
    const error = thrown(() => checkStreamOptions(opts({ chunkSize: -1, csv: { quote: 'ab' } }) as StreamOptions));
    expect(error.code).toBe('invalid_options');
    expect(error.details.problems?.map((p) => p.path)).toEqual(['chunkSize', 'csv.quote']);
    expect(error.message).toContain('chunkSize');
    expect(error.message).toContain('csv quote');
  });

  it('keeps the common code when every problem shares it', () => {
    expect(thrown(() => checkStreamOptions(opts({ format: 'xls' }) as StreamOptions)).code).toBe('unsupported_format');
    expect(thrown(() => checkStreamOptions(opts({ filter: 'a >' }) as StreamOptions)).code).toBe('invalid_filter');
  });

  it('rethrows a lone filter error with its own details', () => {
    let deep: Record<string, unknown> = { op: 'eq', field: 'a', value: 1 };
    for (let i = 0; i < 100; i++) deep = { op: 'not', filter: deep };
    const error = thrown(() => checkStreamOptions(opts({ filter: deep }) as StreamOptions));
    expect(error.code).toBe('invalid_filter');
    expect(error.details.maxDepth).toBe(64);
    expect(error.details.problems).toHaveLength(1);
  });

  it('makes exportStream throw before reading the source', () => {
    let read = false;
    const source = {
      *[Symbol.iterator]() {
        read = true;
        yield { a: 1 };
      },
    };
    const error = thrown(() => exportStream(source, opts({ fileName: 'CON', csv: { delimiter: '' } })));
    expect(error.code).toBe('invalid_options');
    // fileName is exportData's: exportStream writes no file, so it is refused rather than ignored.
    expect(error.details.problems?.map((p) => p.path)).toEqual(['fileName', 'csv.delimiter']);
    expect(error.details.problems?.[0]?.message).toMatch(/fileName is an option of exportData/);
    expect(read).toBe(false);
  });
});

/*
 * validate.ts writes the CSV, Parquet and schema rules out itself (the encoders' modules would pull
 * Apache Arrow into the main-thread bundle). These tests keep the two copies in step.
 */
describe('the schema rules agree with the schema reader', () => {
  const fieldCases: unknown[] = [...FIELD_TYPE_NAMES, 'decimal', 'varchar', 7, null, { type: 'int32', nullable: false }, { type: 'decimal', precision: 10, scale: 2 }, { type: 'decimal', precision: 0, scale: 0 }, { type: 'decimal', precision: 5, scale: 6 }, { type: 'nope' }];
  it.each(fieldCases)('schema field %j', (spec) => {
    const ours = validateExport(opts({ schema: { fields: { x: spec } } }));
    let theirs: string[] = [];
    try {
      readDeclaredSchema({ fields: { x: spec } } as never);
    } catch (error) {
      theirs = [(error as Error).message];
    }
    expect(ours.map((p) => p.message)).toEqual(theirs);
  });
});
