/**
 * Zip framing for a streamed archive: each entry is a local header, its deflated bytes as they are
 * produced, then a data descriptor (sizes and CRC are known only at the end); the central directory
 * closes the archive. ZIP64 fields appear only where a size or offset passes 0xFFFFFFFF (or the
 * entry count passes 0xFFFF), so ordinary files stay readable by every unzipper.
 *
 * Offsets are JavaScript numbers: exact up to 2^53 bytes, far beyond any file a browser writes.
 */

const U32 = 0xffffffff;
const U16 = 0xffff;
const FLAGS = 0x0808; // bit 3: sizes in a data descriptor; bit 11: UTF-8 names
const DEFLATE = 8;
const encoder = new TextEncoder();

interface Entry {
  name: Uint8Array;
  offset: number;
  crc: number;
  compressedSize: number;
  size: number;
}

/** Writes the framing of a zip archive; the caller emits the bytes it returns, and the entries' data between them. */
export class ZipWriter {
  /** Bytes of the archive so far (headers, data and descriptors). */
  offset: number;
  private readonly entries: Entry[] = [];
  private current: Entry | null = null;
  private readonly dosTime: number;
  private readonly dosDate: number;

  /** `startOffset` lets tests place the archive past 4 GiB without writing it. */
  constructor(modified: Date, startOffset = 0) {
    this.offset = startOffset;
    // DOS times are local wall-clock fields without a zone; UTC keeps files identical across machines.
    const year = Math.min(2107, Math.max(1980, modified.getUTCFullYear()));
    this.dosDate = ((year - 1980) << 9) | ((modified.getUTCMonth() + 1) << 5) | modified.getUTCDate();
    this.dosTime = (modified.getUTCHours() << 11) | (modified.getUTCMinutes() << 5) | (modified.getUTCSeconds() >> 1);
  }

  /**
   * An independent copy of the archive's state: what it returns for the same calls is what this
   * writer would return, so a size can be measured by writing the rest on the copy.
   */
  clone(): ZipWriter {
    const copy = Object.create(ZipWriter.prototype) as ZipWriter;
    Object.assign(copy, this, { entries: [...this.entries], current: this.current === null ? null : { ...this.current } });
    return copy;
  }

  /** The local header of a new deflated entry. */
  begin(name: string): Uint8Array {
    if (this.current !== null) throw new Error(`zip entry ${new TextDecoder().decode(this.current.name)} is still open`);
    const nameBytes = encoder.encode(name);
    this.current = { name: nameBytes, offset: this.offset, crc: 0, compressedSize: 0, size: 0 };
    const out = new Uint8Array(30 + nameBytes.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, 0x04034b50, true);
    view.setUint16(4, 20, true); // version needed: 2.0 (deflate); ZIP64 readers find the extra in the central directory
    view.setUint16(6, FLAGS, true);
    view.setUint16(8, DEFLATE, true);
    view.setUint16(10, this.dosTime, true);
    view.setUint16(12, this.dosDate, true);
    // CRC and sizes stay 0: they follow the data in the descriptor.
    view.setUint16(26, nameBytes.length, true);
    out.set(nameBytes, 30);
    this.offset += out.length;
    return out;
  }

  /** Counts `length` bytes of the open entry's compressed data as emitted. */
  data(length: number): void {
    this.offset += length;
  }

  /** The data descriptor that closes the open entry (ZIP64-sized when either size passes 4 GiB). */
  end(crc: number, compressedSize: number, size: number): Uint8Array {
    const entry = this.current;
    if (entry === null) throw new Error('no zip entry is open');
    this.current = null;
    entry.crc = crc >>> 0;
    entry.compressedSize = compressedSize;
    entry.size = size;
    this.entries.push(entry);
    const zip64 = compressedSize >= U32 || size >= U32;
    const out = new Uint8Array(zip64 ? 24 : 16);
    const view = new DataView(out.buffer);
    view.setUint32(0, 0x08074b50, true);
    view.setUint32(4, entry.crc, true);
    if (zip64) {
      setUint64(view, 8, compressedSize);
      setUint64(view, 16, size);
    } else {
      view.setUint32(8, compressedSize, true);
      view.setUint32(12, size, true);
    }
    this.offset += out.length;
    return out;
  }

  /** The central directory and end records; the archive is complete after them. */
  close(): Uint8Array {
    if (this.current !== null) throw new Error('a zip entry is still open');
    const parts: Uint8Array[] = [];
    const start = this.offset;
    let size = 0;
    for (const entry of this.entries) {
      const extra: number[] = [];
      if (entry.size >= U32) extra.push(entry.size);
      if (entry.compressedSize >= U32) extra.push(entry.compressedSize);
      if (entry.offset >= U32) extra.push(entry.offset);
      const extraLength = extra.length === 0 ? 0 : 4 + 8 * extra.length;
      const out = new Uint8Array(46 + entry.name.length + extraLength);
      const view = new DataView(out.buffer);
      view.setUint32(0, 0x02014b50, true);
      view.setUint16(4, extraLength > 0 ? 45 : 20, true); // made by: 4.5 / 2.0, MS-DOS attributes
      view.setUint16(6, extraLength > 0 ? 45 : 20, true); // needed: 4.5 for ZIP64
      view.setUint16(8, FLAGS, true);
      view.setUint16(10, DEFLATE, true);
      view.setUint16(12, this.dosTime, true);
      view.setUint16(14, this.dosDate, true);
      view.setUint32(16, entry.crc, true);
      view.setUint32(20, Math.min(entry.compressedSize, U32), true);
      view.setUint32(24, Math.min(entry.size, U32), true);
      view.setUint16(28, entry.name.length, true);
      view.setUint16(30, extraLength, true);
      // comment length, disk number, internal and external attributes: 0
      view.setUint32(42, Math.min(entry.offset, U32), true);
      out.set(entry.name, 46);
      if (extraLength > 0) {
        const at = 46 + entry.name.length;
        view.setUint16(at, 0x0001, true);
        view.setUint16(at + 2, 8 * extra.length, true);
        extra.forEach((value, i) => setUint64(view, at + 4 + 8 * i, value));
      }
      parts.push(out);
      size += out.length;
    }
    const count = this.entries.length;
    const zip64 = count >= U16 || size >= U32 || start >= U32;
    if (zip64) {
      const record = new Uint8Array(56 + 20);
      const view = new DataView(record.buffer);
      view.setUint32(0, 0x06064b50, true); // ZIP64 end of central directory record
      setUint64(view, 4, 44); // size of the rest of the record
      view.setUint16(12, 45, true);
      view.setUint16(14, 45, true);
      // this disk, disk with the directory: 0
      setUint64(view, 24, count);
      setUint64(view, 32, count);
      setUint64(view, 40, size);
      setUint64(view, 48, start);
      view.setUint32(56, 0x07064b50, true); // ZIP64 end of central directory locator
      view.setUint32(60, 0, true);
      setUint64(view, 64, start + size);
      view.setUint32(72, 1, true); // total disks
      parts.push(record);
    }
    const end = new Uint8Array(22);
    const view = new DataView(end.buffer);
    view.setUint32(0, 0x06054b50, true);
    view.setUint16(8, Math.min(count, U16), true);
    view.setUint16(10, Math.min(count, U16), true);
    view.setUint32(12, Math.min(size, U32), true);
    view.setUint32(16, Math.min(start, U32), true);
    parts.push(end);
    let total = 0;
    for (const part of parts) total += part.length;
    const out = new Uint8Array(total);
    let at = 0;
    for (const part of parts) {
      out.set(part, at);
      at += part.length;
    }
    this.offset += total;
    return out;
  }
}

function setUint64(view: DataView, at: number, value: number): void {
  view.setUint32(at, value % 0x100000000, true);
  view.setUint32(at + 4, Math.floor(value / 0x100000000), true);
}
