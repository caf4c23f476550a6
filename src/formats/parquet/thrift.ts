/**
 * The Thrift compact protocol's building blocks, shared by the footer's row-count reader
 * (`footer.ts`) and the size model for truncation (`layout.ts`): the type ids of a field header
 * and a cursor that reads bytes, varints and zigzag varints, failing with the caller's error.
 */

export const STOP = 0;
export const TRUE = 1;
export const FALSE = 2;
export const BYTE = 3;
export const I16 = 4;
export const I32 = 5;
export const I64 = 6;
export const DOUBLE = 7;
export const BINARY = 8;
export const LIST = 9;
export const SET = 10;
export const MAP = 11;
export const STRUCT = 12;

/** The messages a {@link CompactCursor} fails with, and the error it throws them as. */
export interface CursorErrors {
  readonly endsEarly: string;
  readonly varintTooLong: string;
  readonly make: (message: string) => Error;
}

/** A position in Thrift compact bytes. */
export class CompactCursor {
  protected pos: number;
  protected readonly bytes: Uint8Array;
  private readonly errors: CursorErrors;

  constructor(bytes: Uint8Array, start: number, errors: CursorErrors) {
    this.bytes = bytes;
    this.pos = start;
    this.errors = errors;
  }

  byte(): number {
    if (this.pos >= this.bytes.length) throw this.errors.make(this.errors.endsEarly);
    return this.bytes[this.pos++]!;
  }

  /** An unsigned varint, as a number (exact up to 2^53). */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) return result;
      scale *= 128;
    }
    throw this.errors.make(this.errors.varintTooLong);
  }

  /** A zigzag-encoded signed varint. */
  zigzag(): number {
    const n = this.varint();
    return n % 2 === 0 ? n / 2 : -(n + 1) / 2;
  }
}
