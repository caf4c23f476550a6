/**
 * UTF-8 for the batch builder: many short texts into one buffer with each text's byte offset.
 *
 * TextEncoder does the encoding; what is written by hand, because it is the hot path of every text
 * column, is finding each text's offset in the bytes, and UTF-8 for the rare texts TextEncoder
 * cannot be given joined.
 */

/**
 * Byte offsets of texts with the given UTF-16 lengths inside `bytes`, their joined text as
 * TextEncoder encoded it: `offsets[at + i + 1]` becomes `shift` plus the end of text `i`. False when
 * a surrogate pair straddles two texts (a lone high surrogate ending one text met a lone low one
 * starting the next, which TextEncoder joined into one character), and the texts must be encoded
 * one by one instead.
 *
 * Text is mostly ASCII even where it is not all ASCII, so rather than decode every byte this looks
 * four bytes at a time for the next byte ≥ 0x80: a text that ends before it is ASCII and ends
 * `length` bytes on, and within a text that holds one only its characters beyond ASCII are decoded.
 */
export function offsetsFromLengths(bytes: Uint8Array, lengths: ArrayLike<number>, offsets: Int32Array, at = 0, shift = 0): boolean {
  const end = bytes.length;
  const origin = bytes.byteOffset;
  const words = new Int32Array(bytes.buffer, 0, bytes.buffer.byteLength >>> 2);
  /** The index of the first byte ≥ 0x80 at or after `from`, or `end`. */
  const nextHigh = (from: number): number => {
    let i = from;
    for (; i < end && ((origin + i) & 3) !== 0; i++) if (bytes[i]! >= 0x80) return i;
    if (i >= end) return end;
    let word = (origin + i) >>> 2;
    const lastWord = (origin + end) >>> 2;
    while (word < lastWord && (words[word]! & 0x80808080) === 0) word++;
    for (i = (word << 2) - origin; i < end; i++) if (bytes[i]! >= 0x80) return i;
    return end;
  };
  let high = nextHigh(0);
  let byte = 0;
  for (let i = 0; i < lengths.length; i++) {
    let units = lengths[i]!;
    // Up to the next byte ≥ 0x80 every byte is one ASCII unit; that byte leads one character.
    while (byte + units > high) {
      units -= high - byte;
      byte = high;
      const lead = bytes[byte]!;
      if (lead < 0xe0) {
        byte += 2;
        units -= 1;
      } else if (lead < 0xf0) {
        byte += 3;
        units -= 1;
      } else {
        if (units < 2) return false;
        byte += 4;
        units -= 2;
      }
      high = nextHigh(byte);
    }
    byte += units;
    offsets[at + i + 1] = shift + byte;
  }
  return byte === end;
}

const encoder = new TextEncoder();

/**
 * A text column's UTF-8, appended a block of texts at a time, with each text's end offset.
 *
 * Blocks keep the texts being encoded in the processor's cache: the texts were just read to check
 * them, and encoding a whole batch at the end would read them all again from memory (measured:
 * blocks of about a thousand texts make a text column about 15% cheaper than whole batches).
 * Each block is joined and encoded natively; the offsets follow from the lengths when the block is
 * ASCII, and from {@link offsetsFromLengths} otherwise (measured: 13% faster than encoding mostly
 * ASCII text by hand, one text at a time).
 */
export class TextColumnWriter {
  private bytes: Uint8Array<ArrayBuffer>;
  private pos = 0;
  private readonly offsets: Int32Array;
  private count = 0;
  private lengths = new Int32Array(0);

  /**
   * @param rows how many texts the column will hold
   * @param expectedBytes a guess at their UTF-8 size (grown when short)
   */
  constructor(rows: number, expectedBytes: number) {
    this.offsets = new Int32Array(rows + 1);
    this.bytes = new Uint8Array(Math.max(64, expectedBytes));
  }

  /** Appends `texts[0..count)`. */
  append(texts: readonly string[], count: number): void {
    if (this.lengths.length < count) this.lengths = new Int32Array(count);
    const lengths = this.lengths;
    for (let i = 0; i < count; i++) lengths[i] = texts[i]!.length;
    this.appendJoined(texts.length === count ? texts.join('') : texts.slice(0, count).join(''), lengths.subarray(0, count));
  }

  /** Appends texts given joined, with each one's length in UTF-16 units. */
  appendJoined(joined: string, lengths: ArrayLike<number>): void {
    const blockStart = this.pos;
    const first = this.count;
    const offsets = this.offsets;
    const count = lengths.length;
    this.count += count;
    this.reserve(joined.length);
    let { read, written } = encoder.encodeInto(joined, this.bytes.subarray(this.pos));
    while (read < joined.length) {
      // Not all ASCII and out of room: grow to the worst case of what is left.
      this.pos += written;
      this.reserve((joined.length - read) * 3);
      const rest = encoder.encodeInto(joined.slice(read), this.bytes.subarray(this.pos));
      read += rest.read;
      written = rest.written;
    }
    this.pos += written;
    if (this.pos - blockStart === joined.length) {
      let offset = blockStart;
      for (let i = 0; i < count; i++) offsets[first + i + 1] = offset += lengths[i]!;
      return;
    }
    if (offsetsFromLengths(this.bytes.subarray(blockStart, this.pos), lengths, offsets, first, blockStart)) return;
    // A surrogate pair straddled two texts once joined: encode the block again, text by text.
    this.pos = blockStart;
    this.reserve(joined.length * 3);
    const bytes = this.bytes;
    let pos = this.pos;
    let from = 0;
    for (let i = 0; i < count; i++) {
      pos = writeUtf8(bytes, pos, joined, from, (from += lengths[i]!));
      offsets[first + i + 1] = pos;
    }
    this.pos = pos;
  }

  /** The column's bytes and offsets. */
  finish(): { bytes: Uint8Array<ArrayBuffer>; offsets: Int32Array } {
    const pos = this.pos;
    // A short view of a large buffer would pin the whole buffer while the batch lives.
    const bytes = pos * 1.25 + 64 < this.bytes.length ? this.bytes.slice(0, pos) : this.bytes.subarray(0, pos);
    return { bytes, offsets: this.offsets };
  }

  private reserve(extra: number): void {
    const needed = this.pos + extra;
    if (needed <= this.bytes.length) return;
    const next = new Uint8Array(Math.max(this.bytes.length * 2, needed));
    next.set(this.bytes.subarray(0, this.pos));
    this.bytes = next;
  }
}

/**
 * Writes `text` (or its units `[from, to)`) as UTF-8 at `pos` (room for 3 bytes per UTF-16 unit is
 * the caller's); returns the new position. Lone surrogates become U+FFFD, as TextEncoder does.
 *
 * For texts that cannot be encoded joined (a surrogate pair would straddle two of them), each text
 * is written on its own; a TextEncoder call per text would cost more than the text.
 */
export function writeUtf8(out: Uint8Array, pos: number, text: string, from = 0, to = text.length): number {
  const length = to;
  for (let k = from; k < length; k++) {
    let code = text.charCodeAt(k);
    if (code < 0x80) {
      out[pos++] = code;
    } else if (code < 0x800) {
      out[pos++] = 0xc0 | (code >> 6);
      out[pos++] = 0x80 | (code & 0x3f);
    } else {
      if ((code & 0xf800) === 0xd800) {
        const next = k + 1 < length ? text.charCodeAt(k + 1) : 0;
        if (code < 0xdc00 && (next & 0xfc00) === 0xdc00) {
          const point = 0x10000 + ((code - 0xd800) << 10) + (next - 0xdc00);
          out[pos++] = 0xf0 | (point >> 18);
          out[pos++] = 0x80 | ((point >> 12) & 0x3f);
          out[pos++] = 0x80 | ((point >> 6) & 0x3f);
          out[pos++] = 0x80 | (point & 0x3f);
          k++;
          continue;
        }
        code = 0xfffd;
      }
      out[pos++] = 0xe0 | (code >> 12);
      out[pos++] = 0x80 | ((code >> 6) & 0x3f);
      out[pos++] = 0x80 | (code & 0x3f);
    }
  }
  return pos;
}
