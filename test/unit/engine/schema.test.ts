import { tableFromIPC } from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { exportStream, type ExportResult, type StreamOptions } from '../../../src/index.js';
import { BatchBuilder, type ColumnPlan } from '../../../src/schema/builder.js';
import { inferKind } from '../../../src/schema/infer.js';
import { offsetsFromLengths } from '../../../src/schema/utf8.js';
import type { ExportIssue } from '../../../src/types.js';
import { papaParse, readAll, readText } from '../../helpers/readers.js';

async function run(source: unknown, options: Partial<StreamOptions> = {}): Promise<{ text: string; result: ExportResult }> {
  let result: ExportResult | undefined;
  const text = await readText(exportStream(source as never, { format: 'ndjson', ...options, onComplete: (r) => (result = r) }));
  return { text, result: result! };
}

const lines = (text: string): unknown[] => text.trim().split('\n').map((line) => JSON.parse(line));

describe('inference', () => {
  it.each<[unknown[], string]>([
    [[1, 2, null], 'int32'],
    [[1, 2.5], 'float64'],
    [[2 ** 31], 'float64'],
    [[NaN], 'float64'],
    [['a', null], 'utf8'],
    [[true, false], 'bool'],
    [[new Date(0)], 'timestamp'],
    [[1n, 2], 'int64'],
    [[{ a: 1 }, [1]], 'json'],
    [[null, undefined], 'null'],
    [['a', 'b', 1], 'utf8'],
  ])('%s → %s', (values, kind) => {
    expect(inferKind(values, values.length)).toBe(kind);
  });

  function build(kinds: Array<[string, unknown[]]>, lockSchema = false) {
    const issues: ExportIssue[] = [];
    const plans: ColumnPlan[] = kinds.map(([name]) => ({ name, key: name, declared: false, type: { kind: 'null' }, nullable: true }));
    const builder = new BatchBuilder(plans, { lockSchema, strict: false, report: (issue) => issues.push(issue) });
    return { builder, issues };
  }

  it('builds Arrow types: Int32, Float64, Utf8, Bool, Timestamp(ms, UTC), Int64, JSON text', () => {
    const { builder } = build([['a', []], ['b', []], ['c', []], ['d', []], ['e', []], ['f', []], ['g', []]]);
    const rows = [{ a: 1, b: 1.5, c: 'x', d: true, e: new Date(0), f: 5n, g: { x: 1 } }];
    const { batch } = builder.build(rows, 0, 1, 0);
    expect(batch.schema.fields.map((field) => String(field.type))).toEqual(['Int32', 'Float64', 'Utf8', 'Bool', 'Timestamp<MILLISECOND, UTC>', 'Int64', 'Utf8']);
    expect(batch.get(0)!.toJSON()).toMatchObject({ a: 1, b: 1.5, c: 'x', d: true, e: 0, f: 5n, g: '{"x":1}' });
  });

  it('encodes text as TextEncoder does on either path, ASCII batches and the rest alike', () => {
    // The first batch of a column goes through TextEncoder; a column whose last batch held non-ASCII
    // text is encoded by hand from then on. Both must give TextEncoder's bytes and offsets.
    const texts = ['plain', '', 'café', 'Ünïcödé', '日本語', '😀 astral', 'a\uD800', '\uDC00b', 'x\uD83D', '\uDE00y', '\uD83D\uDE00', 'mixed é 😀 \uDBFF', null];
    const { builder } = build([['t', []]]);
    const batches = [texts, ['ascii only', 'again'], texts, texts.slice().reverse()].map((chunk) => {
      const rows = chunk.map((t) => ({ t }));
      return { chunk, batch: builder.build(rows, 0, rows.length, 0).batch };
    });
    for (const { chunk, batch } of batches) {
      const data = batch.getChildAt(0)!.data[0]!;
      chunk.forEach((text, i) => {
        const bytes = (data.values as Uint8Array).subarray(data.valueOffsets[i], data.valueOffsets[i + 1]);
        expect([...bytes], String(text)).toEqual([...new TextEncoder().encode(text ?? '')]);
        expect(batch.getChildAt(0)!.get(i)).toBe(text === null ? null : text.toWellFormed());
      });
    }
  });

  it('encodes large batches block by block as TextEncoder does, whatever each block holds', () => {
    // Text is encoded a block of 1,024 texts at a time, each block taking the way that suited the
    // one before: blocks that switch between ASCII and not, lone surrogates at block edges, nulls,
    // numbers written as text and long texts that outgrow the buffer sized from the last batch.
    let seed = 7;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    const pieces = ['a', 'plain text', ',', 'é', '日本', '😀', '\uD800', '\uDC00', ''];
    const textOf = (block: number, i: number): unknown => {
      if (i % 1024 === 0 || i % 1024 === 1023) return ['\uDC00edge', 'edge\uD83D', '😀', 'x'][block % 4];
      if (block % 3 === 0) return `ascii ${i}`;
      const r = random();
      if (r < 0.05) return null;
      if (r < 0.08) return i; // a number in a text column: written as text
      if (r < 0.09) return 'long '.repeat(2000);
      return Array.from({ length: 1 + Math.floor(random() * 6) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
    };
    const { builder } = build([['t', []]]);
    builder.build([{ t: 'first' }], 0, 1, 0);
    for (const count of [5000, 1024, 3073]) {
      const values = Array.from({ length: count }, (_, i) => textOf(Math.floor(i / 1024) + count, i));
      const rows = values.map((t) => ({ t }));
      const { batch } = builder.build(rows, 0, rows.length, 0);
      const data = batch.getChildAt(0)!.data[0]!;
      values.forEach((value, i) => {
        const bytes = (data.values as Uint8Array).subarray(data.valueOffsets[i], data.valueOffsets[i + 1]);
        const expected = value === null ? '' : String(value);
        expect([...bytes], `row ${i} of ${count}`).toEqual([...new TextEncoder().encode(expected)]);
      });
      expect(data.valueOffsets[count]).toBe((data.values as Uint8Array).length);
    }
  });

  it('widens int → float and null → any in a later chunk (text formats)', async () => {
    async function* source() {
      yield { n: 1, later: null };
      yield { n: 2.5, later: 'now text' };
    }
    const { text, result } = await run(source(), { chunkSize: 1 });
    expect(lines(text)).toEqual([{ n: 1, later: null }, { n: 2.5, later: 'now text' }]);
    expect(result.issueCount).toBe(0);
  });

  it('looks at the whole array before settling on int32 when the schema is written once (Arrow, Parquet)', async () => {
    const data = [...Array.from({ length: 20 }, (_, i) => ({ n: i, later: null as string | null })), { n: 0.5, later: 'text' }];
    const table = tableFromIPC(await readAll(exportStream(data, { format: 'arrow', chunkSize: 5 })));
    expect(String(table.schema.fields[0]!.type)).toBe('Float64');
    expect(String(table.schema.fields[1]!.type)).toBe('Utf8');
    expect(table.get(20)!.toJSON()).toEqual({ n: 0.5, later: 'text' });
    // Text formats widen as they go, so they need not look ahead: the output is the same.
    const { text, result } = await run(data, { chunkSize: 5 });
    expect(lines(text).at(-1)).toEqual({ n: 0.5, later: 'text' });
    expect(result.issueCount).toBe(0);
  });

  it('writes a value that does not fit as text and records a type_mismatch issue', async () => {
    async function* source() {
      yield { n: 1.5 };
      yield { n: 'oops' };
      yield { n: true };
    }
    const { text, result } = await run(source(), { chunkSize: 1, format: 'csv' });
    expect(papaParse(text)).toEqual([['n'], ['1.5'], ['oops'], ['true']]);
    expect(result.issues.map((issue) => [issue.code, issue.row, issue.column])).toEqual([
      ['type_mismatch', 1, 'n'],
      ['type_mismatch', 2, 'n'],
    ]);
  });

  it('keeps mismatched values as text in JSON too, and numbers stay numbers', async () => {
    const { text } = await run([{ n: 1.5 }, { n: 'x' }, { n: 2 }], { chunkSize: 10 });
    expect(lines(text)).toEqual([{ n: 1.5 }, { n: 'x' }, { n: 2 }]);
  });

  it('turns symbols, functions and invalid Dates into null with an invalid_value issue', async () => {
    const { text, result } = await run([{ a: Symbol('s'), b: () => 1, c: new Date(NaN) }, { a: 'x', b: 'y', c: new Date(0) }], {});
    expect(lines(text)).toEqual([{ a: null, b: null, c: null }, { a: 'x', b: 'y', c: '1970-01-01T00:00:00.000Z' }]);
    expect(result.issues.map((issue) => issue.code)).toEqual(['invalid_value', 'invalid_value', 'invalid_value']);
  });
});

describe('declared schema', () => {
  it('overrides inference and orders declared columns first', async () => {
    const { text } = await run([{ a: 1, b: '2024-01-02T00:00:00Z', c: 3 }], {
      schema: { fields: { c: 'string', b: 'timestamp' } },
    });
    expect(text).toBe('{"c":"3","b":"2024-01-02T00:00:00.000Z","a":1}\n');
  });

  it('exports only declared columns with only: true', async () => {
    const { text } = await run([{ a: 1, b: 2 }], { schema: { fields: { b: 'int32' }, only: true } });
    expect(text).toBe('{"b":2}\n');
  });

  it('writes int64, decimal, date and microsecond timestamps', async () => {
    const { text } = await run([{ i: 2n ** 60n, d: '12.34', day: new Date(Date.UTC(2024, 1, 3, 15)), us: new Date(1500) }], {
      format: 'csv',
      schema: { fields: { i: 'int64', d: { type: 'decimal', precision: 10, scale: 2 }, day: 'date', us: 'timestamp[us]' } },
    });
    expect(papaParse(text)).toEqual([['i', 'd', 'day', 'us'], [String(2n ** 60n), '12.34', '2024-02-03T00:00:00.000Z', '1970-01-01T00:00:01.500Z']]);
  });

  it('fails in strict mode naming the row, column and value', async () => {
    await expect(readText(exportStream([{ n: 1 }, { n: 'two' }], { format: 'csv', schema: { fields: { n: 'int32' }, strict: true } }))).rejects.toMatchObject({
      code: 'schema_mismatch',
      message: 'row 1, column "n": "two" does not fit the declared type int32',
      details: { row: 1, column: 'n', value: '"two"' },
    });
  });

  it('refuses an unknown type name at once', () => {
    expect(() => exportStream([{ n: 1 }], { format: 'csv', schema: { fields: { n: 'varchar' as never } } })).toThrow(/schema field "n": unknown type "varchar"/);
  });
});

describe('hostile rows', () => {
  it('reads __proto__, constructor and prototype as data without touching Object.prototype', async () => {
    const row = JSON.parse('{"__proto__": "p", "constructor": "c", "prototype": "q"}');
    const { text } = await run([row, { constructor: 1 }]);
    expect(text).toBe('{"__proto__":"p","constructor":"c","prototype":"q"}\n{"__proto__":null,"constructor":1,"prototype":null}\n');
    expect(({} as Record<string, unknown>).p).toBeUndefined();
  });

  it('turns a getter that throws into null with an issue', async () => {
    const row = { a: 1, get b(): number { throw new Error('nope'); } };
    const { text, result } = await run([{ a: 0, b: 0 }, row]);
    expect(lines(text)).toEqual([{ a: 0, b: 0 }, { a: 1, b: null }]);
    expect(result.issues[0]).toMatchObject({ code: 'invalid_value', row: 1, column: 'b' });
  });

  it('writes circular nested values as null with an issue', async () => {
    const circular: Record<string, unknown> = { x: 1 };
    circular.self = circular;
    const { text, result } = await run([{ v: circular }, { v: { ok: true } }]);
    expect(lines(text)).toEqual([{ v: null }, { v: { ok: true } }]);
    expect(result.issues[0]).toMatchObject({ code: 'invalid_value', row: 0, column: 'v' });
  });

  it('exports Proxy rows, and fails on a row that is not an object', async () => {
    const proxy = new Proxy({}, { get: (_t, key) => (key === 'a' ? 42 : undefined), ownKeys: () => ['a'], getOwnPropertyDescriptor: () => ({ enumerable: true, configurable: true }) });
    const { text } = await run([proxy, { a: 1 }]);
    expect(lines(text)).toEqual([{ a: 42 }, { a: 1 }]);
    await expect(run([proxy, 7, null, { a: 1 }])).rejects.toMatchObject({ code: 'invalid_value', message: expect.stringMatching(/^row 1 is a number \(7\)/) });
  });
});

describe('offsetsFromLengths', () => {
  const encoder = new TextEncoder();
  const pieces = ['a', 'bcd', 'plain text ', 'é', 'ü', '日本', '😀', '', 'x'.repeat(9)];

  it('finds every text\'s end in the joined UTF-8, at any alignment of the bytes', () => {
    let seed = 11;
    const random = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0;
      return seed / 2 ** 32;
    };
    for (let round = 0; round < 300; round++) {
      const texts = Array.from({ length: 1 + Math.floor(random() * 40) }, () =>
        Array.from({ length: Math.floor(random() * 5) }, () => pieces[Math.floor(random() * pieces.length)]).join(''),
      );
      const joined = encoder.encode(texts.join(''));
      const expected = [0];
      for (const text of texts) expected.push(expected.at(-1)! + encoder.encode(text).length);
      for (const shift of [0, 1, 2, 3]) {
        const buffer = new Uint8Array(joined.length + 8).fill(0xff);
        buffer.set(joined, shift);
        const offsets = new Int32Array(texts.length + 3);
        const found = offsetsFromLengths(buffer.subarray(shift, shift + joined.length), texts.map((text) => text.length), offsets, 2, 100);
        expect(found, JSON.stringify(texts)).toBe(true);
        expect([...offsets.subarray(3)], JSON.stringify({ texts, shift })).toEqual(expected.slice(1).map((end) => end + 100));
      }
    }
  });

  it('says so when a surrogate pair straddles two texts', () => {
    const texts = ['ab\uD83D', '\uDE00cd'];
    expect(offsetsFromLengths(encoder.encode(texts.join('')), [3, 3], new Int32Array(3))).toBe(false);
  });
});
