/**
 * Joins small chunks into larger writes. Every `FileSystemWritableFileStream.write()` is a round
 * trip to the browser's storage process, so thousands of 16 KiB writes cost far more than a few
 * 1 MiB ones; a sync access handle is cheaper per call but still gains from fewer calls.
 */

/** Default size of a coalesced write: 1 MiB. */
export const DEFAULT_WRITE_SIZE = 1 << 20;

/** Buffers chunks until `size` bytes are held, then hands them on as one array. */
export class Coalescer {
  readonly #size: number;
  #parts: Uint8Array[] = [];
  #held = 0;

  constructor(size: number = DEFAULT_WRITE_SIZE) {
    this.#size = size;
  }

  /** Bytes currently held. */
  get held(): number {
    return this.#held;
  }

  /** Adds `chunk`; returns the bytes to write now, or null while fewer than `size` are held. */
  push(chunk: Uint8Array): Uint8Array | null {
    if (chunk.byteLength === 0) return null;
    // A large chunk with nothing held goes through as is: no copy.
    if (this.#held === 0 && chunk.byteLength >= this.#size) return chunk;
    this.#parts.push(chunk);
    this.#held += chunk.byteLength;
    return this.#held >= this.#size ? this.take() : null;
  }

  /** Everything held, as one array (or null when empty), and forgets it. */
  take(): Uint8Array | null {
    if (this.#held === 0) return null;
    const parts = this.#parts;
    const total = this.#held;
    this.#parts = [];
    this.#held = 0;
    if (parts.length === 1) return parts[0] ?? null;
    const out = new Uint8Array(total);
    let offset = 0;
    for (const part of parts) {
      out.set(part, offset);
      offset += part.byteLength;
    }
    return out;
  }
}
