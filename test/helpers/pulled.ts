/**
 * The worker's view of rows held by the page, without a browser: the rows cut into pulls of the
 * given sizes (cycling), each packed by column where it can be and moved by a real structured
 * clone, then read by the worker's source as the export worker reads them.
 */
import { FULL_PARTS } from '../../src/engine-parts.js';
import type { ExportSource } from '../../src/types.js';
import { packedTransferables, packRows } from '../../src/worker/pack.js';
import type { PullResult } from '../../src/worker/protocol.js';
import { workerSource } from '../../src/worker/worker-source.js';

export function pulled(rows: unknown[], sizes: readonly number[]): ExportSource {
  const chunks: PullResult[] = [];
  let at = 0;
  for (let i = 0; at < rows.length; i++) {
    const chunk = rows.slice(at, at + sizes[i % sizes.length]!);
    at += chunk.length;
    const packed = packRows(chunk);
    chunks.push(packed === null ? { kind: 'rows', rows: chunk as object[] } : { kind: 'packed', packed: structuredClone(packed, { transfer: packedTransferables(packed) }) });
  }
  let index = 0;
  return workerSource({ kind: 'pull', totalRows: rows.length }, async () => chunks[index++] ?? { kind: 'end' }, FULL_PARTS);
}
