/**
 * The zip framing: archives read by fflate and by LibreOffice-independent parsing here, and the
 * ZIP64 records placed where offsets and sizes pass 4 GiB (faked, not written).
 */
import { describe, expect, it } from 'vitest';
import { crc32 as nodeCrc32, deflateRawSync, gzipSync } from 'node:zlib';
import { unzipSync } from 'fflate';
import { createCompressor, GzipUnwrapper, ZLIB_LEVEL } from '../../../../src/formats/xlsx/deflate.js';
import { crc32 } from '../../../../src/formats/xlsx/crc32.js';
import { ZipWriter } from '../../../../src/formats/xlsx/zip.js';

const GiB4 = 2 ** 32;

/** A zip with the given entries, deflated with node:zlib, framed by ZipWriter. */
function archive(entries: Array<[string, Uint8Array]>): Uint8Array {
  const zip = new ZipWriter(new Date('2024-05-06T07:08:10Z'));
  const parts: Uint8Array[] = [];
  for (const [name, data] of entries) {
    parts.push(zip.begin(name));
    const compressed = deflateRawSync(data);
    parts.push(compressed);
    zip.data(compressed.length);
    parts.push(zip.end(crc(data), compressed.length, data.length));
  }
  parts.push(zip.close());
  return Buffer.concat(parts);
}

function crc(data: Uint8Array): number {
  // node:zlib.crc32 exists from Node 20.15; a plain table otherwise.
  if (typeof nodeCrc32 === 'function') return nodeCrc32(data);
  let c = ~0;
  for (const b of data) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = (c >>> 1) ^ (0xedb88320 & -(c & 1));
  }
  return ~c >>> 0;
}

/** Central directory records parsed by hand (signature 0x02014b50), with their ZIP64 extras. */
function centralDirectory(bytes: Uint8Array, at: number, count: number): Array<{ name: string; version: number; compressed: number; size: number; offset: number; extra: bigint[] }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let i = 0; i < count; i++) {
    expect(view.getUint32(at, true)).toBe(0x02014b50);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const extra: bigint[] = [];
    if (extraLength > 0) {
      expect(view.getUint16(at + 46 + nameLength, true)).toBe(1);
      const size = view.getUint16(at + 48 + nameLength, true);
      for (let k = 0; k < size; k += 8) extra.push(view.getBigUint64(at + 50 + nameLength + k, true));
    }
    out.push({
      name: new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength)),
      version: view.getUint16(at + 6, true),
      compressed: view.getUint32(at + 20, true),
      size: view.getUint32(at + 24, true),
      offset: view.getUint32(at + 42, true),
      extra,
    });
    at += 46 + nameLength + extraLength;
  }
  return out;
}

describe('ZipWriter', () => {
  it('writes archives other unzippers read, with UTF-8 names and data descriptors', () => {
    const text = new TextEncoder().encode('<x>'.repeat(10_000));
    const bytes = archive([
      ['a.xml', text],
      ['dir/é.xml', new Uint8Array(0)],
    ]);
    const files = unzipSync(bytes);
    expect(Object.keys(files)).toEqual(['a.xml', 'dir/é.xml']);
    expect(Buffer.from(files['a.xml']!).equals(Buffer.from(text))).toBe(true);
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    expect(view.getUint16(6, true)).toBe(0x0808);
    // No ZIP64 record in a small archive.
    expect(Buffer.from(bytes).indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(-1);
  });

  it('adds ZIP64 extras and end records once offsets and sizes pass 4 GiB', () => {
    // The archive "starts" 5 GiB in: the bytes before are never written, only counted.
    const start = 5 * 2 ** 30;
    const zip = new ZipWriter(new Date('2024-05-06T07:08:10Z'), start);
    const header = zip.begin('xl/worksheets/sheet1.xml');
    expect(header.length).toBe(30 + 24);
    // A huge entry: 6 GiB of XML deflated to 4.5 GiB.
    zip.data(4.5 * 2 ** 30);
    const descriptor = zip.end(0x12345678, 4.5 * 2 ** 30, 6 * 2 ** 30);
    expect(descriptor.length).toBe(24);
    const dv = new DataView(descriptor.buffer);
    expect(dv.getUint32(0, true)).toBe(0x08074b50);
    expect(dv.getBigUint64(8, true)).toBe(BigInt(4.5 * 2 ** 30));
    expect(dv.getBigUint64(16, true)).toBe(BigInt(6 * 2 ** 30));
    // A small entry after it: only its offset needs ZIP64.
    zip.begin('[Content_Types].xml');
    zip.data(100);
    const small = zip.end(1, 100, 300);
    expect(small.length).toBe(16);
    const directoryAt = zip.offset;
    const tail = zip.close();
    const entries = centralDirectory(tail, 0, 2);
    expect(entries[0]).toMatchObject({ name: 'xl/worksheets/sheet1.xml', version: 45, compressed: 0xffffffff, size: 0xffffffff, offset: 0xffffffff });
    expect(entries[0]!.extra).toEqual([BigInt(6 * 2 ** 30), BigInt(4.5 * 2 ** 30), BigInt(start)]);
    const secondOffset = start + 54 + 4.5 * 2 ** 30 + 24;
    expect(entries[1]).toMatchObject({ name: '[Content_Types].xml', version: 45, compressed: 100, size: 300, offset: 0xffffffff });
    expect(entries[1]!.extra).toEqual([BigInt(secondOffset)]);
    // ZIP64 end record, locator, then the classic end record with its fields saturated.
    const view = new DataView(tail.buffer);
    const cdSize = 46 + 24 + 28 + 46 + 19 + 12;
    let at = cdSize;
    expect(view.getUint32(at, true)).toBe(0x06064b50);
    expect(view.getBigUint64(at + 4, true)).toBe(44n);
    expect(view.getBigUint64(at + 24, true)).toBe(2n);
    expect(view.getBigUint64(at + 32, true)).toBe(2n);
    expect(view.getBigUint64(at + 40, true)).toBe(BigInt(cdSize));
    expect(view.getBigUint64(at + 48, true)).toBe(BigInt(directoryAt));
    at += 56;
    expect(view.getUint32(at, true)).toBe(0x07064b50);
    expect(view.getBigUint64(at + 8, true)).toBe(BigInt(directoryAt + cdSize));
    expect(view.getUint32(at + 16, true)).toBe(1);
    at += 20;
    expect(view.getUint32(at, true)).toBe(0x06054b50);
    expect(view.getUint16(at + 10, true)).toBe(2);
    expect(view.getUint32(at + 12, true)).toBe(cdSize);
    expect(view.getUint32(at + 16, true)).toBe(0xffffffff);
    expect(tail.length).toBe(at + 22);
    expect(directoryAt).toBeGreaterThan(GiB4);
  });

  it('keeps classic records below 4 GiB, right up to the edge', () => {
    const zip = new ZipWriter(new Date(0), GiB4 - 1000);
    zip.begin('a');
    zip.data(10);
    expect(zip.end(0, 10, 20).length).toBe(16);
    // The directory starts just below 4 GiB: no ZIP64 anywhere.
    const directoryAt = zip.offset;
    expect(directoryAt).toBeLessThan(GiB4);
    const tail = zip.close();
    const [entry] = centralDirectory(tail, 0, 1);
    expect(entry!.extra).toEqual([]);
    expect(entry!.version).toBe(20);
    expect(entry!.offset).toBe(GiB4 - 1000);
    expect(Buffer.from(tail).indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(-1);
    // One more entry pushes the directory past 4 GiB: ZIP64 end records, the entries' fields still classic.
    const next = new ZipWriter(new Date(0), GiB4 - 40);
    next.begin('a');
    next.data(10);
    next.end(0, 10, 20);
    const tail2 = next.close();
    expect(centralDirectory(tail2, 0, 1)[0]!.extra).toEqual([]);
    expect(Buffer.from(tail2).indexOf(Buffer.from([0x50, 0x4b, 0x06, 0x06]))).toBe(46 + 1);
  });
});

describe('ZipWriter.clone', () => {
  it('a copy writes what the original would, and writing on it leaves the original as it was', () => {
    const zip = new ZipWriter(new Date('2024-05-06T07:08:10Z'));
    zip.begin('a.xml');
    zip.data(100);
    zip.end(1, 100, 300);
    zip.begin('b.xml');
    zip.data(7);
    const copy = zip.clone();
    const fromCopy = [copy.end(2, 7, 9), copy.begin('c.xml'), copy.end(3, 0, 0), copy.close()];
    expect(copy.offset).toBeGreaterThan(zip.offset);
    const fromOriginal = [zip.end(2, 7, 9), zip.begin('c.xml'), zip.end(3, 0, 0), zip.close()];
    expect(fromOriginal.map((bytes) => Buffer.from(bytes).toString('hex'))).toEqual(fromCopy.map((bytes) => Buffer.from(bytes).toString('hex')));
    expect(zip.offset).toBe(copy.offset);
  });
});

describe('crc32', () => {
  it("matches Node's zlib, whole and continued, at every length around its four-byte steps", () => {
    const bytes = Uint8Array.from({ length: 5_000 }, (_, i) => (i * 2_654_435_761) >>> 24);
    for (const length of [0, 1, 2, 3, 4, 5, 7, 8, 9, 1_000, 4_999, 5_000]) {
      expect(crc32(bytes.subarray(0, length)), `length ${length}`).toBe(nodeCrc32(bytes.subarray(0, length)));
    }
    expect(crc32(bytes.subarray(1_001), crc32(bytes.subarray(0, 1_001)))).toBe(nodeCrc32(bytes));
  });
});

describe('entry compressors', () => {
  it.each(['zlib', 'stream', 'fflate'] as const)('%s: raw deflate and the CRC-32 of the input', async (engine) => {
    const input = new TextEncoder().encode(Array.from({ length: 50_000 }, (_, i) => `<row r="${i}">${i * 7}</row>`).join(''));
    const compressor = createCompressor(engine);
    const out: Uint8Array[] = [];
    for (let i = 0; i < input.length; i += 65_536) {
      await compressor.write(input.slice(i, i + 65_536));
      out.push(...compressor.take());
    }
    const crcValue = await compressor.end();
    out.push(...compressor.take());
    expect(crcValue).toBe(crc(input));
    const { inflateRawSync } = await import('node:zlib');
    // Buffer#equals: vitest's deep equality walks a megabyte typed array for seconds.
    expect(inflateRawSync(Buffer.concat(out)).equals(Buffer.from(input))).toBe(true);
  });

  it('in Node the default is zlib at ZLIB_LEVEL: the same bytes as zlib gives at that level', async () => {
    const input = new TextEncoder().encode(Array.from({ length: 20_000 }, (_, i) => `<c r="B${i}"><v>${i % 97}</v></c>`).join(''));
    const compressor = createCompressor();
    await compressor.write(input.slice());
    const crcValue = await compressor.end();
    const out = Buffer.concat(compressor.take());
    expect(crcValue).toBe(crc(input));
    expect(out.equals(deflateRawSync(input, { level: ZLIB_LEVEL }))).toBe(true);
  });

  it('zlib aborted mid-entry: end() rejects, and nothing throws later', async () => {
    const compressor = createCompressor('zlib');
    await compressor.write(new TextEncoder().encode('<row/>'.repeat(10_000)));
    compressor.abort(new Error('cancelled'));
    await expect(compressor.end()).rejects.toBeTruthy();
  });
});

describe('GzipUnwrapper', () => {
  // The compressor's chunks are handed on uncopied and only the newest are held back, so the
  // trailer may arrive in pieces of any size, and the header with or without the first data.
  it.each([1, 2, 3, 7, 8, 9, 11, 4096])('finds the data and the trailer in chunks of at most %i bytes', (most) => {
    const input = new TextEncoder().encode(Array.from({ length: 3000 }, (_, i) => `<c r="A${i}"><v>${i * 3}</v></c>`).join(''));
    // A gzip member with a file name, so the header is longer than its fixed ten bytes.
    const member = gzipSync(input);
    const named = new Uint8Array(member.length + 6);
    named.set(member.subarray(0, 10));
    named[3] = named[3]! | 8;
    named.set(new TextEncoder().encode('a.xml\0'), 10);
    named.set(member.subarray(10), 16);
    const unwrapper = new GzipUnwrapper();
    const out: Uint8Array[] = [];
    let seed = most;
    for (let at = 0; at < named.length; ) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      const size = Math.min(1 + (seed % most), named.length - at);
      unwrapper.push(named.subarray(at, at + size));
      at += size;
      out.push(...unwrapper.take());
    }
    unwrapper.close();
    out.push(...unwrapper.take());
    expect(unwrapper.crc()).toBe(crc(input));
    expect(Buffer.concat(out).equals(Buffer.from(deflateRawSync(input)))).toBe(true);
  });

  it('refuses a member cut before its trailer', () => {
    const member = gzipSync(new TextEncoder().encode('short'));
    const unwrapper = new GzipUnwrapper();
    unwrapper.push(member.subarray(0, 14));
    expect(() => unwrapper.close()).toThrow('the gzip stream ended early');
  });
});
