/**
 * Helpers of the XLSX truncation tests: budgets, and a zip reader of our own that hands out each
 * entry's compressed bytes with what the central directory records for it.
 */

export { budgets } from '../../helpers/budgets.js';

/** One zip entry: its name, CRC-32 and uncompressed size from the central directory, and its deflated bytes. */
export interface ZipEntry {
  name: string;
  crc: number;
  size: number;
  data: Uint8Array;
}

/** The entries of a zip without ZIP64 fields, in the central directory's order. */
export function zipEntries(bytes: Uint8Array): ZipEntry[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - 22;
  if (view.getUint32(end, true) !== 0x06054b50) throw new Error('no end of central directory record (or a comment after it)');
  const count = view.getUint16(end + 10, true);
  let at = view.getUint32(end + 16, true);
  const entries: ZipEntry[] = [];
  for (let i = 0; i < count; i++) {
    if (view.getUint32(at, true) !== 0x02014b50) throw new Error(`no central directory header at ${at}`);
    if (view.getUint16(at + 10, true) !== 8) throw new Error('an entry is not deflated');
    const crc = view.getUint32(at + 16, true);
    const compressed = view.getUint32(at + 20, true);
    const size = view.getUint32(at + 24, true);
    const nameLength = view.getUint16(at + 28, true);
    const extraLength = view.getUint16(at + 30, true);
    const commentLength = view.getUint16(at + 32, true);
    const offset = view.getUint32(at + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(at + 46, at + 46 + nameLength));
    if (view.getUint32(offset, true) !== 0x04034b50) throw new Error(`no local header for ${name}`);
    const dataStart = offset + 30 + view.getUint16(offset + 26, true) + view.getUint16(offset + 28, true);
    entries.push({ name, crc, size, data: bytes.subarray(dataStart, dataStart + compressed) });
    at += 46 + nameLength + extraLength + commentLength;
  }
  return entries;
}
