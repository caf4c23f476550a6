/**
 * The `'download'` target's last step, on the main thread: an `<a download>` click on an object
 * URL of the spooled (disk-backed) `File` or the in-memory Blob.
 */
import { ExportError } from '../errors.js';
import { removeSpoolFile } from './spool.js';

/**
 * How long the object URL and the spool file are kept after the click, in ms: 60 s. The page cannot
 * tell when the browser has finished reading the file, and removing it sooner breaks the download;
 * files left when the tab closes first are removed by the next start's spool cleanup.
 */
export const DOWNLOAD_CLEANUP_DELAY_MS = 60_000;

/**
 * Starts a download of `file` as `fileName`, then (after the cleanup delay) revokes the URL and
 * removes the spool file when there is one.
 */
export function triggerDownload(file: Blob, fileName: string, spoolName?: string): void {
  const doc = (globalThis as { document?: Document }).document;
  if (doc === undefined || typeof URL.createObjectURL !== 'function') {
    if (spoolName !== undefined) void removeSpoolFile(spoolName);
    throw new ExportError('unsupported_environment', 'target "download" needs a document (it runs on the page, not in a worker or Node); use target "blob" there');
  }
  const url = URL.createObjectURL(file);
  const anchor = doc.createElement('a');
  anchor.href = url;
  anchor.download = fileName;
  anchor.rel = 'noopener';
  anchor.style.display = 'none';
  (doc.body ?? doc.documentElement).append(anchor);
  try {
    anchor.click();
  } finally {
    anchor.remove();
  }
  setTimeout(() => {
    URL.revokeObjectURL(url);
    if (spoolName !== undefined) void removeSpoolFile(spoolName);
  }, DOWNLOAD_CLEANUP_DELAY_MS);
}
