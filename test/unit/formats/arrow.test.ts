import { Dictionary, Field, Int32, RecordBatch, RecordBatchReader, Schema, Struct, Utf8, makeData, tableFromIPC, vectorFromArray } from 'apache-arrow';
import type { Table } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { isExportError } from '../../../src/errors.js';
import { arrowSpec, checkArrowOptions } from '../../../src/formats/arrow/spec.js';
import { getFormat } from '../../../src/formats/registry.js';
import { Problems } from '../../../src/options/problems.js';
import type { Chunk } from '../../../src/schema/chunk.js';
import type { ArrowOptions } from '../../../src/types.js';
import { allColumns, chunksOf, encodeChunks, fakeContext, sampleBatch } from './parquet-helpers.js';

const arrowFormat = getFormat('arrow');
function validateArrowOptions(options: ArrowOptions) {
  const problems = new Problems();
  checkArrowOptions(options, problems.add);
  return problems.list;
}
const context = (batch: RecordBatch, arrow: ArrowOptions = {}) => fakeContext(allColumns(batch), { format: 'arrow', arrow });

/** Rows as plain JSON-comparable values (bigints and decimals as text, nested values unwrapped). */
function plainRows(source: Table | RecordBatch): unknown[] {
  const out: unknown[] = [];
  for (let i = 0; i < source.numRows; i++) out.push(plain(source.get(i)));
  return out;
}

function plain(value: unknown): unknown {
  if (value === null || value === undefined) return null;
  if (typeof value === 'bigint') return `${value}n`;
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number | bigint>, (v) => plain(v));
  if (typeof value === 'object') {
    const withJson = value as { toJSON?: () => unknown; toArray?: () => unknown };
    if (typeof withJson.toJSON === 'function') {
      const json = withJson.toJSON();
      if (json !== value) return plain(json);
    }
    if (Array.isArray(value)) return value.map(plain);
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  }
  return value;
}

const ipcs: Array<[NonNullable<ArrowOptions['ipc']>]> = [['stream'], ['file']];

describe('arrow format definition', () => {
  it('uses .arrows for the stream format and .arrow for the file format', () => {
    expect(arrowFormat.name).toBe('arrow');
    expect(arrowFormat.binary).toBe(true);
    expect(arrowSpec.extension({})).toBe('arrows');
    expect(arrowSpec.extension({ arrow: { ipc: 'stream' } })).toBe('arrows');
    expect(arrowSpec.extension({ arrow: { ipc: 'file' } })).toBe('arrow');
    expect(arrowSpec.mimeType({})).toBe('application/vnd.apache.arrow.stream');
    expect(arrowSpec.mimeType({ arrow: { ipc: 'file' } })).toBe('application/vnd.apache.arrow.file');
  });

  it.each([
    [{ ipc: 'feather' }, 'arrow.ipc', 'arrow.ipc must be "stream" or "file", got "feather"'],
    [{ compression: 'lz4' }, 'arrow.compression', 'arrow has no option "compression"'],
  ])('validates options: %j', (options, path, message) => {
    const problems = validateArrowOptions(options as ArrowOptions);
    expect(problems).toHaveLength(1);
    expect(problems[0]!.path).toBe(path);
    expect(problems[0]!.message).toContain(message);
  });

  it('reports every bad option with its path', () => {
    expect(validateArrowOptions({ ipc: 'feather', compresion: 'lz4' } as unknown as ArrowOptions).map((p) => p.path)).toEqual(['arrow.compresion', 'arrow.ipc']);
    expect(validateArrowOptions({ ipx: 'file' } as unknown as ArrowOptions)[0]!.message).toContain('did you mean "ipc"');
  });
});

describe.each(ipcs)('arrow IPC %s format', (ipc) => {
  it.each([1, 7, 1_000])('chunks of %i rows read back with equal values and types', async (size) => {
    const batch = sampleBatch(20);
    const { bytes, emits } = await encodeChunks(arrowFormat, context(batch, { ipc }), chunksOf(batch, size));
    const table = tableFromIPC(bytes);
    // A column with no values (Null) is written as nullable text; every other type as it is.
    const expected = batch.schema.fields.map((f) => [f.name, f.name === 'nothing' ? 'Utf8' : String(f.type), f.nullable]);
    expect(table.schema.fields.map((f) => [f.name, String(f.type), f.nullable])).toEqual(expected);
    expect(plainRows(table)).toEqual(plainRows(batch));
    // One piece of output per batch (plus the end), not one piece at the end.
    expect(emits).toBeGreaterThanOrEqual(Math.ceil(batch.numRows / size));
  });

  it('the bytes are the right IPC layout', async () => {
    const batch = sampleBatch();
    const { bytes } = await encodeChunks(arrowFormat, context(batch, { ipc }), chunksOf(batch, 2));
    const reader = RecordBatchReader.from(bytes);
    expect(reader.isFile()).toBe(ipc === 'file');
    const magic = new TextDecoder().decode(bytes.subarray(0, 6));
    expect(magic === 'ARROW1').toBe(ipc === 'file');
  });

  const selections: Array<[string, number[]]> = [
    ['contiguous', [3, 4, 5, 6]],
    ['scattered', [0, 2, 5, 6, 11, 17]],
    ['none', []],
  ];
  it.each(selections)('writes only the selected rows: %s', async (_name, selection) => {
    const batch = sampleBatch(3);
    const chunk: Chunk = { batch, selection: Uint32Array.from(selection), firstRow: 0, mismatches: null };
    const { bytes } = await encodeChunks(arrowFormat, context(batch, { ipc }), [chunk]);
    const all = plainRows(batch);
    const table = tableFromIPC(bytes);
    expect(plainRows(table)).toEqual(selection.map((i) => all[i]));
    expect(table.schema.fields.map((f) => f.name)).toEqual(batch.schema.fields.map((f) => f.name));
  });

  it('writes the chosen columns, in order, renamed', async () => {
    const batch = sampleBatch();
    const columns = [
      { field: 'text', header: 'full name' },
      { field: 'i64', header: 'ünï.cødé 🚀' },
    ];
    const { bytes } = await encodeChunks(arrowFormat, fakeContext(columns, { format: 'arrow', arrow: { ipc } }), chunksOf(batch, 4));
    const table = tableFromIPC(bytes);
    expect(table.schema.fields.map((f) => [f.name, String(f.type)])).toEqual([
      ['full name', 'Utf8'],
      ['ünï.cødé 🚀', 'Int64'],
    ]);
    expect(table.getChild('ünï.cødé 🚀')!.toArray()).toEqual(batch.getChild('i64')!.toArray());
  });

  it('a batch whose schema differs fails with schema_mismatch naming the column and both types', async () => {
    const make = (values: unknown[], type: Int32 | Utf8) => {
      const data = vectorFromArray(values as never[], type).data[0]!;
      const field = new Field('x', type, true);
      return new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: values.length, children: [data] }));
    };
    const chunks: Chunk[] = [make([1, 2], new Int32()), make(['a'], new Utf8())].map((batch) => ({ batch, selection: null, firstRow: 0, mismatches: null }));
    let caught: unknown;
    try {
      await encodeChunks(arrowFormat, fakeContext([{ field: 'x', header: 'x' }], { format: 'arrow', arrow: { ipc } }), chunks);
    } catch (error) {
      caught = error;
    }
    expect(isExportError(caught)).toBe(true);
    expect((caught as { code: string }).code).toBe('schema_mismatch');
    expect((caught as Error).message).toMatch(/"x" changed type from Int32 to Utf8/);
  });

  it('dictionary-encoded columns survive chunking and scattered selection', async () => {
    const values = Array.from({ length: 40 }, (_, i) => (i % 7 === 0 ? null : `label ${i % 3}`));
    const data = vectorFromArray(values, new Dictionary(new Utf8(), new Int32())).data[0]!;
    const field = new Field('label', data.type, true);
    const batch = new RecordBatch(new Schema([field]), makeData({ type: new Struct([field]), length: 40, children: [data] }));
    const selection = Uint32Array.from([0, 1, 5, 7, 8, 20, 39]);
    const chunks: Chunk[] = [
      { batch: batch.slice(0, 20), selection: null, firstRow: 0, mismatches: null },
      { batch, selection, firstRow: 20, mismatches: null },
    ];
    const { bytes } = await encodeChunks(arrowFormat, fakeContext([{ field: 'label', header: 'label' }], { format: 'arrow', arrow: { ipc } }), chunks);
    const table = tableFromIPC(bytes);
    expect(String(table.schema.fields[0]!.type)).toBe('Dictionary<Int32, Utf8>');
    expect(Array.from(table.getChild('label')!)).toEqual([...values.slice(0, 20), ...Array.from(selection, (i) => values[i])]);
  });

  it('no batch: a valid, empty output with the schema from finish', async () => {
    const batch = sampleBatch();
    const encoder = await arrowFormat.createEncoder(context(batch, { ipc }));
    const parts: Uint8Array[] = [];
    await encoder.finish((bytes) => parts.push(bytes), batch.schema);
    const table = tableFromIPC(Buffer.concat(parts));
    expect(table.numRows).toBe(0);
    expect(table.schema.fields.map((f) => f.name)).toEqual(batch.schema.fields.map((f) => f.name));
  });

  it('emitted buffers are fresh copies, not views of the source batch', async () => {
    const batch = sampleBatch();
    const source = new Set(batch.data.children.flatMap((d) => [d.values?.buffer, d.valueOffsets?.buffer]).filter(Boolean));
    const encoder = await arrowFormat.createEncoder(context(batch, { ipc }));
    const parts: Uint8Array[] = [];
    await encoder.encode({ batch, selection: null, firstRow: 0, mismatches: null }, (bytes) => parts.push(bytes));
    expect(parts.length).toBe(1);
    expect(source.has(parts[0]!.buffer)).toBe(false);
  });
});
