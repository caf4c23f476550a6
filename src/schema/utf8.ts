/**
 * UTF-8 for the batch builder: many short texts into one buffer with each text's byte offset.
 *
 * Written by hand because it is the hot path of every text column; TextEncoder does the bulk
 * work where it can (ASCII, and text whose offsets can be recovered by walking its bytes).
 */

/**
 * Byte offsets of texts with the given UTF-16 lengths inside `bytes`, their joined text as
 * TextEncoder encoded it; false when a surrogate pair straddles two texts (a lone high surrogate
 * ending one text met a lone low one starting the next, which TextEncoder joined into one
 * character), and the texts must be encoded one by one instead.
 */
export function offsetsFromLengths(bytes: Uint8Array, lengths: ArrayLike<number>, offsets: Int32Array): boolean {
  let byte = 0;
  for (let i = 0; i < lengths.length; i++) {
    let units = lengths[i]!;
    while (units > 0) {
      const lead = bytes[byte]!;
      if (lead < 0x80) {
        byte += 1;
        units -= 1;
      } else if (lead < 0xe0) {
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
    }
    offsets[i + 1] = byte;
  }
  return byte === bytes.length;
}

const encoder = new TextEncoder();

/**
 * A text column's UTF-8, appended a block of texts at a time, with each text's end offset.
 *
 * Blocks keep the texts being encoded in the processor's cache: the texts were just read to check
 * them, and encoding a whole batch at the end would read them all again from memory (measured:
 * blocks of about a thousand texts make a text column about 15% cheaper than whole batches).
 *
 * Two ways to UTF-8, each the faster on its own kind of text (measured): ASCII text is joined and
 * encoded natively, every offset following from the lengths; other text is encoded by hand in one
 * pass that also gives the offsets. Each block takes the way that suited the block before it.
 */
export class TextColumnWriter {
  /** Whether the last block was pure ASCII. */
  ascii: boolean;
  private bytes: Uint8Array<ArrayBuffer>;
  private pos = 0;
  private readonly offsets: Int32Array;
  private count = 0;

  /**
   * @param rows how many texts the column will hold
   * @param expectedBytes a guess at their UTF-8 size (grown when short)
   * @param ascii whether to try the ASCII way first
   */
  constructor(rows: number, expectedBytes: number, ascii: boolean) {
    this.offsets = new Int32Array(rows + 1);
    this.bytes = new Uint8Array(Math.max(64, expectedBytes));
    this.ascii = ascii;
  }

  /** Appends `texts[0..count)`, whose UTF-16 lengths add up to `units`. */
  append(texts: readonly string[], count: number, units: number): void {
    const blockStart = this.pos;
    const first = this.count;
    const offsets = this.offsets;
    if (this.ascii) {
      const joined = texts.length === count ? texts.join('') : texts.slice(0, count).join('');
      this.reserve(units);
      let { read, written } = encoder.encodeInto(joined, this.bytes.subarray(this.pos));
      while (read < joined.length) {
        // Not ASCII after all and out of room: grow to the worst case of what is left.
        this.pos += written;
        this.reserve((joined.length - read) * 3);
        const rest = encoder.encodeInto(joined.slice(read), this.bytes.subarray(this.pos));
        read += rest.read;
        written = rest.written;
      }
      this.pos += written;
      if (this.pos - blockStart === units) {
        let offset = blockStart;
        for (let i = 0; i < count; i++) {
          offset += texts[i]!.length;
          offsets[first + i + 1] = offset;
        }
        this.count += count;
        return;
      }
      this.ascii = false;
      const blockBytes = this.bytes.subarray(blockStart, this.pos);
      const blockOffsets = new Int32Array(count + 1);
      if (offsetsFromLengths(blockBytes, texts.slice(0, count).map((text) => text.length), blockOffsets)) {
        for (let i = 1; i <= count; i++) offsets[first + i] = blockStart + blockOffsets[i]!;
        this.count += count;
        return;
      }
      // A surrogate pair straddled two texts once joined: encode the block again, text by text.
      this.pos = blockStart;
    }
    this.reserve(units * 3);
    const bytes = this.bytes;
    let pos = this.pos;
    for (let i = 0; i < count; i++) {
      pos = writeUtf8(bytes, pos, texts[i]!);
      offsets[first + i + 1] = pos;
    }
    this.ascii = pos - blockStart === units;
    this.pos = pos;
    this.count += count;
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
 * Written by hand because, for text that is not ASCII, one pass straight into the batch's buffer
 * beats joining the texts for TextEncoder and then walking the bytes for each text's offset.
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
