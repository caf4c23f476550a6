/**
 * Arrow IPC bytes → a Table. Its own module, loaded only for IPC sources: apache-arrow's IPC
 * reader shares a module with its writer, and neither belongs in a CSV-only bundle.
 */
import { tableFromIPC, type Table } from 'apache-arrow';
import { ExportError } from '../errors.js';

/** Decodes IPC stream or file bytes (zero-copy for the column buffers). */
export function tableFromIpcBytes(bytes: Uint8Array): Table {
  try {
    return tableFromIPC(bytes);
  } catch (error) {
    throw new ExportError('source_failed', `the source bytes are not Arrow IPC: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
