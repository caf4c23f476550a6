// An app as a user would write it: the package is imported by name, and its worker and the
// Parquet wasm must be found by Vite's default build with no configuration.
import { exportData, isExportError } from 'sluice';
// exportStream (the engine on the page) comes from a module loaded when first used, as an app
// that mostly exports through the worker would split it: the start-up code is then what
// exportData alone needs.

/** Bytes as base64, so a test can carry them out of the page as a string. */
function toBase64(bytes) {
  let text = '';
  for (let i = 0; i < bytes.length; i += 0x8000) text += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(text);
}

async function readAll(stream) {
  const reader = stream.getReader();
  const parts = [];
  let length = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    parts.push(value);
    length += value.byteLength;
  }
  const bytes = new Uint8Array(length);
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  return bytes;
}

function failure(error) {
  return { ok: false, code: isExportError(error) ? error.code : 'thrown', message: String(error?.message ?? error) };
}

window.sluiceConsumer = {
  /** `exportData` to a Blob (in the library's worker), read back here. */
  async exportData(rows, format, compression = 'none') {
    try {
      const result = await exportData(rows, { format, compression, target: 'blob', fileName: `rows.${format}${compression === 'gzip' ? '.gz' : ''}` });
      const bytes = new Uint8Array(await result.blob.arrayBuffer());
      return {
        ok: true,
        base64: toBase64(bytes),
        blobType: result.blob.type,
        rowsWritten: result.rowsWritten,
        bytesWritten: result.bytesWritten,
        fileName: result.fileName,
        thread: result.resources?.thread ?? null,
      };
    } catch (error) {
      return failure(error);
    }
  },
  /** `exportStream` on this page's thread. */
  async exportStream(rows, format) {
    try {
      const { exportStream } = await import('./stream.js');
      const bytes = await readAll(exportStream(rows, { format }));
      return { ok: true, base64: toBase64(bytes) };
    } catch (error) {
      return failure(error);
    }
  },
};

document.body.dataset.ready = 'true';
