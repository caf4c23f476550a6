/**
 * Download-fallback page: loads the built package (`/dist/index.js`) and exports rows with the
 * default target, `'auto'`, which must become a download in a browser without
 * `showSaveFilePicker`. The test calls `window.sluiceDownload.run(...)` and looks for the file.
 */
import type * as Sluice from '../../../src/index.js';

/** The built package. A variable, not a literal, so neither tsc nor Vite resolves it ahead of time. */
const LIBRARY_URL = '/dist/index.js';

/** What {@link run} reports back to the test. */
export interface DownloadOutcome {
  ok: boolean;
  /** Whether the page had a save picker (it must not, for the fallback to be what is tested). */
  hasSavePicker: boolean;
  rowsWritten?: number;
  bytesWritten?: number;
  fileName?: string;
  thread?: string;
  /** True when the result carried a Blob (it must not: the bytes went to a download). */
  hasBlob?: boolean;
  code?: string;
  message?: string;
}

declare global {
  interface Window {
    /** Set once the page has loaded. */
    sluiceDownload?: { run(rows: Array<Record<string, unknown>>, format: 'csv' | 'parquet', fileName: string): Promise<DownloadOutcome> };
  }
}

async function run(rows: Array<Record<string, unknown>>, format: 'csv' | 'parquet', fileName: string): Promise<DownloadOutcome> {
  const hasSavePicker = typeof (window as { showSaveFilePicker?: unknown }).showSaveFilePicker === 'function';
  const { exportData, isExportError } = (await import(/* @vite-ignore */ LIBRARY_URL)) as typeof Sluice;
  try {
    const result = await exportData(rows, { format, fileName });
    return {
      ok: true,
      hasSavePicker,
      rowsWritten: result.rowsWritten,
      bytesWritten: result.bytesWritten,
      fileName: result.fileName,
      thread: result.resources.thread,
      hasBlob: result.blob !== undefined,
    };
  } catch (error) {
    return { ok: false, hasSavePicker, code: isExportError(error) ? error.code : 'thrown', message: String(error instanceof Error ? error.message : error) };
  }
}

window.sluiceDownload = { run };
document.body.dataset.ready = 'true';
