/**
 * The error every filter check throws (in a module of its own, so the checks can share it without importing each other).
 */
import { ExportError } from '../errors.js';

/** The `invalid_filter` error for a node at `path`. */
export function filterError(path: string, message: string, extra: Record<string, unknown> = {}): ExportError {
  return new ExportError('invalid_filter', `invalid filter at ${path}: ${message}`, { details: { path, ...extra } });
}
