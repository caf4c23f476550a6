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

/**
 * UTF-8 of the texts one after another, with each text's end offset written to `offsets[i + 1]`.
 * Sized for one byte per UTF-16 unit and grown when a text would not fit as 3 bytes per unit.
 */
export function encodeTexts(texts: readonly string[], units: number, offsets: Int32Array): Uint8Array<ArrayBuffer> {
  let bytes = new Uint8Array(Math.ceil(units * 1.25) + 64);
  let pos = 0;
  for (let i = 0; i < texts.length; i++) {
    const text = texts[i]!;
    if (pos + text.length * 3 > bytes.length) {
      const next = new Uint8Array(Math.max(bytes.length * 2, pos + text.length * 3));
      next.set(bytes.subarray(0, pos));
      bytes = next;
    }
    pos = writeUtf8(bytes, pos, text);
    offsets[i + 1] = pos;
  }
  // A short view of a large buffer would pin the whole buffer while the batch lives.
  return pos * 1.25 + 64 < bytes.length ? bytes.slice(0, pos) : bytes.subarray(0, pos);
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
