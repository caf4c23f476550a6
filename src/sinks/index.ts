/**
 * Builds a {@link ByteSink} from a {@link SinkSpec}, where the export runs.
 */
import { createHandleSink } from './handle.js';
import { createMemorySink } from './memory.js';
import { createOpfsSink, createSpoolSink } from './opfs.js';
import type { ByteSink, SinkSpec } from './types.js';
import { createWritableSink } from './writable.js';

export type { ByteSink, SinkOutcome, SinkSpec, SinkKind } from './types.js';

/** Opens the sink `spec` describes. */
export async function createSink(spec: SinkSpec): Promise<ByteSink> {
  switch (spec.kind) {
    case 'handle':
      return createHandleSink(spec.handle);
    case 'writable':
      return createWritableSink(spec.stream);
    case 'memory':
      return createMemorySink(spec.mimeType);
    case 'opfs':
      return createOpfsSink(spec.fileName, spec.spoolName);
    case 'spool':
      return createSpoolSink(spec.fileName, spec.mimeType, spec.spoolName);
  }
}
