/**
 * The errors the engine raises itself (as opposed to those a source, an encoder or a sink raises),
 * made in one place so every stage words them alike.
 */
import { ExportError, toExportError } from '../errors.js';

/** The `timeout` error for `timeoutMs`. */
export function timeoutError(timeoutMs: number): ExportError {
  return new ExportError('timeout', `the export took longer than timeoutMs (${timeoutMs} ms)`, { details: { path: 'timeoutMs', value: String(timeoutMs) } });
}

/** Turns a source's failure after `row` rows into `source_failed` (an ExportError passes unchanged). */
export function sourceError(row: number) {
  return (error: unknown): never => {
    if (error instanceof ExportError) throw error;
    throw toExportError(error, 'source_failed', `reading the source after row ${row}`);
  };
}

/** A file with no columns at all: no format can write it so that a reader sees what it holds. */
export function noColumnsError(why: string): ExportError {
  return new ExportError('invalid_options', `nothing to export: ${why} and no columns are known; name them with \`columns\` or \`schema\` (an empty export then writes its header or schema)`, {
    details: { path: 'columns' },
  });
}
