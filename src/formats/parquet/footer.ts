/**
 * Reads the row count from a Parquet file's footer, to check the writer wrote every row sent.
 *
 * Hand-written (a few dozen lines of Thrift compact protocol) because the runtime must not pull in a
 * Parquet reader for one number, and the bytes have already streamed away: only the tail is kept.
 * Layout: … FileMetaData (Thrift compact) | 4-byte little-endian length | "PAR1".
 */

import { verificationFailed } from '../verify-text.js';
import { BINARY, BYTE, CompactCursor, DOUBLE, FALSE, I16, I32, I64, LIST, MAP, SET, STOP, STRUCT, TRUE } from './thrift.js';

const MAGIC = [0x50, 0x41, 0x52, 0x31]; // "PAR1"

/** Why a footer could not be read. */
export class FooterError extends Error {
  override readonly name = 'FooterError';
}

/**
 * Bytes needed from the end of the file to read its footer, or null when `tail` is too short to say
 * (fewer than 8 bytes). Throws {@link FooterError} when the tail does not end in "PAR1".
 */
export function footerLength(tail: Uint8Array): number | null {
  if (tail.length < 8) return null;
  const end = tail.length;
  for (let i = 0; i < 4; i++) {
    if (tail[end - 4 + i] !== MAGIC[i]) throw new FooterError('the file does not end with the Parquet magic "PAR1"');
  }
  const view = new DataView(tail.buffer, tail.byteOffset, tail.byteLength);
  return view.getUint32(end - 8, true) + 8;
}

/** `num_rows` of the FileMetaData in the last bytes of a Parquet file. */
export function readFooterRowCount(tail: Uint8Array): number {
  const needed = footerLength(tail);
  if (needed === null || needed > tail.length) throw new FooterError(`the footer needs ${needed ?? 8} bytes, only ${tail.length} were kept`);
  const reader = new CompactReader(tail.subarray(tail.length - needed, tail.length - 8));
  // FileMetaData: 1 version i32, 2 schema list, 3 num_rows i64, …
  let fieldId = 0;
  for (;;) {
    const header = reader.byte();
    const type = header & 0x0f;
    if (type === STOP) break;
    const delta = header >> 4;
    fieldId = delta === 0 ? reader.zigzag() : fieldId + delta;
    if (fieldId === 3 && type === I64) return reader.zigzag();
    reader.skip(type);
  }
  throw new FooterError('the footer has no num_rows field');
}

class CompactReader extends CompactCursor {
  constructor(bytes: Uint8Array) {
    super(bytes, 0, { endsEarly: 'the footer ends early', varintTooLong: 'a varint in the footer is too long', make: (message) => new FooterError(message) });
  }

  skip(type: number): void {
    switch (type) {
      case TRUE:
      case FALSE:
        return; // the value lives in the field header
      case BYTE:
        this.pos += 1;
        return;
      case I16:
      case I32:
      case I64:
        this.varint();
        return;
      case DOUBLE:
        this.pos += 8;
        return;
      case BINARY: {
        const length = this.varint();
        this.pos += length;
        return;
      }
      case LIST:
      case SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const element = header & 0x0f;
        for (let i = 0; i < size; i++) this.skipElement(element);
        return;
      }
      case MAP: {
        const size = this.varint();
        if (size === 0) return;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skipElement(kinds >> 4);
          this.skipElement(kinds & 0x0f);
        }
        return;
      }
      case STRUCT:
        for (;;) {
          const header = this.byte();
          const fieldType = header & 0x0f;
          if (fieldType === STOP) return;
          if (header >> 4 === 0) this.zigzag();
          this.skip(fieldType);
        }
      default:
        throw new FooterError(`unknown Thrift type ${type} in the footer`);
    }
  }

  /** Elements of lists and maps: booleans take a byte there, unlike in field headers. */
  private skipElement(type: number): void {
    if (type === TRUE || type === FALSE) this.pos += 1;
    else this.skip(type);
  }
}

/**
 * Rows of a whole Parquet file, for `verifyExport`: `num_rows` from the footer (no data page is
 * read); throws `verification_failed` when the file is not Parquet.
 */
export async function countParquetRows(input: Uint8Array | Blob): Promise<number> {
  const size = input instanceof Uint8Array ? input.byteLength : input.size;
  const read = async (start: number, end = size): Promise<Uint8Array> =>
    input instanceof Uint8Array ? input.subarray(start, end) : new Uint8Array(await input.slice(start, end).arrayBuffer());
  try {
    if (size < 12) throw new Error(`${size} bytes is too short for a Parquet file`);
    const head = await read(0, 4);
    if (String.fromCharCode(...head) !== 'PAR1') throw new Error('the file does not start with the Parquet magic "PAR1"');
    // Most footers fit in 64 KiB; a larger one is read again at its full length.
    let tail = await read(Math.max(0, size - 65_536));
    const needed = footerLength(tail)!;
    if (needed > size) throw new Error(`the footer claims ${needed} bytes, the file has ${size}`);
    if (needed > tail.length) tail = await read(size - needed);
    return readFooterRowCount(tail);
  } catch (error) {
    throw verificationFailed('parquet', error instanceof Error ? error.message : String(error));
  }
}
