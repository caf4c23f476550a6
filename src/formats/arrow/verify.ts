/**
 * Rereads an Arrow IPC file (stream or file layout) for `verifyExport`, with apache-arrow.
 */
import { tableFromIPC } from 'apache-arrow';
import { verificationFailed } from '../verify-text.js';

/** Rows in an Arrow IPC file; throws `verification_failed` when it does not decode. */
export async function countArrowRows(bytes: Uint8Array | Blob): Promise<number> {
  const data = bytes instanceof Uint8Array ? bytes : new Uint8Array(await bytes.arrayBuffer());
  try {
    return tableFromIPC(data).numRows;
  } catch (error) {
    throw verificationFailed('arrow', `it is not Arrow IPC: ${error instanceof Error ? error.message : String(error)}`);
  }
}
