/**
 * Shared by the verifiers of text formats: undo the outer compression, decode strict UTF-8.
 */
import { ExportError } from '../errors.js';

/** The `verification_failed` error for a file of `format`. */
export function verificationFailed(format: string, message: string, details: Record<string, unknown> = {}): ExportError {
  return new ExportError('verification_failed', `${format} file failed verification: ${message}`, { details });
}

/**
 * The file's text. Gzip is recognized by its magic bytes under `'auto'`; a zlib (`'deflate'`)
 * stream must be named, since its two-byte header can pass for text.
 */
export async function textOfFile(format: string, input: Uint8Array | Blob, compression: 'auto' | 'gzip' | 'deflate' | 'none'): Promise<string> {
  let bytes = input instanceof Uint8Array ? input : new Uint8Array(await input.arrayBuffer());
  const gzip = bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
  const codec = compression === 'auto' ? (gzip ? 'gzip' : 'none') : compression;
  if (codec !== 'none') {
    try {
      const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new DecompressionStream(codec) as unknown as ReadableWritablePair<Uint8Array, Uint8Array>);
      bytes = new Uint8Array(await new Response(stream).arrayBuffer());
    } catch (error) {
      throw verificationFailed(format, `it does not decompress as ${codec}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  try {
    // fatal: a file that is not valid UTF-8 was not written by this library.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw verificationFailed(format, 'it is not valid UTF-8');
  }
}
