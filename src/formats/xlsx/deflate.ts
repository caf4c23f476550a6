/**
 * Deflate for zip entries, with the CRC-32 the zip needs.
 *
 * In Node, Node's zlib at {@link ZLIB_LEVEL} (on libuv's thread pool, so it overlaps the building of
 * the next rows). Elsewhere the platform's `CompressionStream` (zlib, native, its default level
 * only): measured on 82 MB of worksheet XML it took 2.2 s (12.8 MB out), against 6.1 s for fflate's
 * streaming deflate at level 1 (16.2 MB out) and 8.4 s at level 6 (13.4 MB); in a browser's export
 * worker it runs on a compressing worker of its own (see the encoder's context). fflate is the
 * fallback for engines without either.
 *
 * All are asked for gzip, not raw deflate: a gzip member is the raw deflate stream between a
 * header and a trailer that holds the CRC-32, so stripping them gives the zip entry's data and its
 * CRC computed natively, instead of a second pass over every byte in JavaScript.
 */
import { Gzip } from 'fflate';

/** One zip entry's compressor. */
export interface EntryCompressor {
  /** True when the compressor may still read a buffer after its write settled (the caller then hands it a copy). */
  readonly keepsInput: boolean;
  /**
   * Queues uncompressed bytes without waiting for earlier writes; the promise settles once these
   * bytes are consumed (the buffer may then be reused, unless `keepsInput`). The caller bounds
   * how much it leaves in flight.
   */
  write(bytes: Uint8Array): Promise<void>;
  /** Compressed bytes produced so far (each handed out once). */
  take(): Uint8Array[];
  /** Flushes; after it `take()` returns the rest. Resolves with the CRC-32 of the uncompressed bytes. */
  end(): Promise<number>;
  /** Stops, dropping whatever is pending. */
  abort(reason: unknown): void;
}

/** Which deflate implementation {@link createCompressor} uses. */
export type DeflateEngine = 'zlib' | 'stream' | 'fflate';

/** The part of Node's `zlib` used here (typed locally: the library is built without Node's types). */
interface NodeGzip {
  write(chunk: Uint8Array, callback: (error?: Error | null) => void): boolean;
  end(): void;
  on(event: 'data', listener: (chunk: Uint8Array) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  destroy(): void;
}
interface NodeZlib {
  createGzip(options: { level: number }): NodeGzip;
}

/**
 * Node's zlib, when running in Node: through `process.getBuiltinModule` (Node 20.16+), so there is
 * no import for a bundler to follow and nothing changes in a browser.
 */
function nodeZlib(): NodeZlib | null {
  const getBuiltinModule = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule;
  if (typeof getBuiltinModule !== 'function') return null;
  try {
    return (getBuiltinModule('node:zlib') as NodeZlib | undefined) ?? null;
  } catch {
    return null;
  }
}

/**
 * Deflate level with Node's zlib. `CompressionStream` has only zlib's default (6); in Node the
 * level can be chosen. 1,000,000 benchmark rows to XLSX (quiet 2-core machine): level 6 11.9 s,
 * 90.3 MB; level 3 7.9 s, 98.4 MB; level 1 6.6–7.0 s, 105.2 MB (exceljs's streaming writer: 45.4 s,
 * 104.6 MB). Level 3 keeps the file smaller than exceljs's at two thirds of level 6's time.
 */
export const ZLIB_LEVEL = 3;

/** True when the platform has `CompressionStream('gzip')`. */
export function hasCompressionStream(): boolean {
  if (typeof CompressionStream === 'undefined') return false;
  try {
    new CompressionStream('gzip');
    return true;
  } catch {
    return false;
  }
}

/** Makes the gzip stream a `'stream'` compressor wraps; `CompressionStream` unless given another. */
export type GzipStreamFactory = () => ReadableWritablePair<Uint8Array, Uint8Array>;

const platformGzip: GzipStreamFactory = () => new CompressionStream('gzip') as unknown as ReadableWritablePair<Uint8Array, Uint8Array>;

/**
 * A compressor for one entry: the platform stream where it exists, else fflate. `gzip` makes the
 * stream (in a browser's worker, one that deflates on a thread of its own).
 */
export function createCompressor(engine: DeflateEngine = defaultEngine(), gzip: GzipStreamFactory = platformGzip): EntryCompressor {
  if (engine === 'zlib') {
    const zlib = nodeZlib();
    if (zlib !== null) return zlibCompressor(zlib);
    engine = hasCompressionStream() ? 'stream' : 'fflate';
  }
  return engine === 'stream' ? streamCompressor(gzip) : fflateCompressor();
}

/** Node's zlib in Node, else the platform's `CompressionStream`, else fflate. */
function defaultEngine(): DeflateEngine {
  if (nodeZlib() !== null) return 'zlib';
  return hasCompressionStream() ? 'stream' : 'fflate';
}

/**
 * Turns a gzip member, fed in pieces, into its raw deflate bytes and its CRC. The compressor's
 * chunks are handed on as they are (no copy): only the last ones, which may hold the 8-byte
 * trailer, wait until the next chunk or the end.
 */
export class GzipUnwrapper {
  readonly out: Uint8Array[] = [];
  private header: Uint8Array | null = new Uint8Array(0);
  /** The newest chunks, at least 8 bytes together once the stream ends: the trailer is in them. */
  private held: Uint8Array[] = [];
  private heldBytes = 0;
  private trailer: Uint8Array | null = null;

  push(bytes: Uint8Array): void {
    if (this.header !== null) {
      const joined = concat(this.header, bytes);
      const length = gzipHeaderLength(joined);
      if (length < 0) {
        this.header = joined;
        return;
      }
      this.header = null;
      bytes = joined.subarray(length);
    }
    if (bytes.length === 0) return;
    this.held.push(bytes);
    this.heldBytes += bytes.length;
    // Release the oldest chunks while the rest still cover the last eight bytes.
    while (this.held.length > 1 && this.heldBytes - this.held[0]!.length >= 8) {
      const first = this.held.shift()!;
      this.heldBytes -= first.length;
      this.out.push(first);
    }
  }

  /** Ends the member: the held bytes but the trailer become data. */
  close(): void {
    if (this.header !== null || this.heldBytes < 8) throw new Error('the gzip stream ended early');
    const rest = this.held.length === 1 ? this.held[0]! : concatAll(this.held, this.heldBytes);
    this.held = [];
    this.heldBytes = 0;
    if (rest.length > 8) this.out.push(rest.subarray(0, rest.length - 8));
    this.trailer = rest.subarray(rest.length - 8);
  }

  /** The CRC-32 from the trailer (after `close`). */
  crc(): number {
    if (this.trailer === null) throw new Error('the gzip stream ended early');
    return new DataView(this.trailer.buffer, this.trailer.byteOffset, 8).getUint32(0, true);
  }

  take(): Uint8Array[] {
    return this.out.splice(0, this.out.length);
  }
}

/** Length of the gzip header at the start of `bytes`, or -1 when more bytes are needed. */
function gzipHeaderLength(bytes: Uint8Array): number {
  if (bytes.length < 10) return -1;
  if (bytes[0] !== 0x1f || bytes[1] !== 0x8b || bytes[2] !== 8) throw new Error('the compressor did not write a gzip header');
  const flags = bytes[3]!;
  let at = 10;
  if ((flags & 4) !== 0) {
    if (bytes.length < at + 2) return -1;
    at += 2 + (bytes[at]! | (bytes[at + 1]! << 8));
  }
  for (const flag of [8, 16]) {
    if ((flags & flag) === 0) continue;
    while (at < bytes.length && bytes[at] !== 0) at++;
    if (at >= bytes.length) return -1;
    at++;
  }
  if ((flags & 2) !== 0) at += 2;
  return at <= bytes.length ? at : -1;
}

function concatAll(parts: readonly Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

function streamCompressor(gzip: GzipStreamFactory): EntryCompressor {
  const stream = gzip();
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  const unwrapper = new GzipUnwrapper();
  let failure: unknown = null;
  // Reads eagerly, so the compressor never waits on us; what it reads is at most about one chunk.
  const reading = (async () => {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      unwrapper.push(value as Uint8Array);
    }
  })();
  reading.catch((error: unknown) => {
    failure ??= error;
  });
  let last: Promise<void> = Promise.resolve();
  return {
    // A stream's transform has consumed a chunk by the time its write promise settles.
    keepsInput: false,
    write(bytes) {
      if (failure !== null) return Promise.reject(failure);
      // Not awaited here: the chunk is compressed while the caller builds the next rows.
      const written = writer.write(bytes as Uint8Array<ArrayBuffer>);
      written.catch((error: unknown) => {
        failure ??= error;
      });
      last = written;
      return written;
    },
    take: () => unwrapper.take(),
    async end() {
      await last;
      await writer.close();
      await reading;
      if (failure !== null) throw failure;
      unwrapper.close();
      return unwrapper.crc();
    },
    abort(reason) {
      failure ??= reason;
      writer.abort(reason).catch(() => {});
      reader.cancel(reason).catch(() => {});
    },
  };
}

function fflateCompressor(): EntryCompressor {
  const unwrapper = new GzipUnwrapper();
  // Level 1: fflate's higher levels cost 40% more time for 8% less size on worksheet XML.
  const gzip = new Gzip({ level: 1 }, (chunk) => unwrapper.push(chunk));
  return {
    // fflate may keep a reference to the last chunk for its back-references.
    keepsInput: true,
    write(bytes) {
      gzip.push(bytes);
      return Promise.resolve();
    },
    take: () => unwrapper.take(),
    end() {
      gzip.push(new Uint8Array(0), true);
      unwrapper.close();
      return Promise.resolve(unwrapper.crc());
    },
    abort() {},
  };
}

/** Node's zlib on its thread pool, at {@link ZLIB_LEVEL}. */
function zlibCompressor(zlib: NodeZlib): EntryCompressor {
  const unwrapper = new GzipUnwrapper();
  const gzip = zlib.createGzip({ level: ZLIB_LEVEL });
  let failure: unknown = null;
  gzip.on('data', (chunk) => unwrapper.push(chunk));
  let stop: (reason: unknown) => void = () => {};
  const ended = new Promise<void>((resolve, reject) => {
    stop = reject;
    gzip.on('end', resolve);
    gzip.on('error', (error) => {
      failure ??= error;
      reject(error);
    });
  });
  ended.catch(() => {});
  let last: Promise<void> = Promise.resolve();
  return {
    // zlib calls a write back once it has compressed the chunk.
    keepsInput: false,
    write(bytes) {
      if (failure !== null) return Promise.reject(failure);
      const written = new Promise<void>((resolve, reject) => {
        gzip.write(bytes, (error) => (error ? reject(error) : resolve()));
      });
      written.catch((error: unknown) => {
        failure ??= error;
      });
      last = written;
      return written;
    },
    take: () => unwrapper.take(),
    async end() {
      if (failure !== null) throw failure;
      await last;
      gzip.end();
      await ended;
      if (failure !== null) throw failure;
      unwrapper.close();
      return unwrapper.crc();
    },
    abort(reason) {
      failure ??= reason;
      // A destroyed stream ends with neither 'end' nor 'error': settle the wait here.
      stop(reason);
      gzip.destroy();
    },
  };
}
