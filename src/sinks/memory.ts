/**
 * The `'blob'` target (and the download fallback where OPFS is missing): bytes kept as Blob parts.
 * The browser may page large Blobs to disk, but nothing here bounds memory: prefer a file target
 * for exports larger than a few hundred MiB.
 */
import type { ByteSink, SinkOutcome } from './types.js';

/** A sink that builds a Blob of type `mimeType`. */
export function createMemorySink(mimeType: string): ByteSink {
  let parts: Uint8Array[] = [];
  return {
    write(chunk) {
      parts.push(chunk);
    },
    async close(): Promise<SinkOutcome> {
      const blob = new Blob(parts as BlobPart[], { type: mimeType });
      parts = [];
      return { blob };
    },
    async abort() {
      parts = [];
    },
  };
}
