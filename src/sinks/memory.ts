/**
 * The `'blob'` target (and the download fallback where OPFS is missing): bytes kept as a Blob.
 *
 * Chunks are folded into the Blob every {@link BLOB_FOLD_BYTES}: a Blob made from another Blob
 * refers to its data instead of copying it, so the file is held once (by the browser's blob
 * store, which may page it to disk) plus at most one fold's worth of chunks. Keeping every chunk
 * until the end and making the Blob then would hold the whole file twice at that moment.
 */
import type { ByteSink, SinkOutcome } from './types.js';

/** Bytes held as chunks before they are folded into the Blob: 8 MiB. */
export const BLOB_FOLD_BYTES = 8 << 20;

/** A sink that builds a Blob of type `mimeType`. */
export function createMemorySink(mimeType: string, foldBytes: number = BLOB_FOLD_BYTES): ByteSink {
  let blob: Blob | null = null;
  let parts: Uint8Array[] = [];
  let held = 0;
  const fold = (): void => {
    if (parts.length === 0) return;
    blob = new Blob(blob === null ? (parts as BlobPart[]) : [blob, ...(parts as BlobPart[])], { type: mimeType });
    parts = [];
    held = 0;
  };
  return {
    write(chunk) {
      parts.push(chunk);
      held += chunk.byteLength;
      if (held >= foldBytes) fold();
    },
    async close(): Promise<SinkOutcome> {
      fold();
      const out = blob ?? new Blob([], { type: mimeType });
      blob = null;
      return { blob: out };
    },
    async abort() {
      parts = [];
      held = 0;
      blob = null;
    },
  };
}
