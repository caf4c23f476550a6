/**
 * Arrow IPC: the stream format (`.arrows`, default) or the file format (`.arrow`), the `arrow`
 * option rules, and how the encoder and the verifier load.
 */
import { printValue } from '../../errors.js';
import { checkKnownKeys, isRecord, type AddProblem } from '../../options/problems.js';
import type { ArrowOptions } from '../../types.js';
import type { FormatSpec } from '../spec.js';

/** Reports every problem with `arrow` options (`value` may be undefined). */
export function checkArrowOptions(value: unknown, add: AddProblem): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    add('arrow', `arrow options must be an object, got ${printValue(value)}`);
    return;
  }
  checkKnownKeys(add, 'arrow', value, ['ipc']);
  const ipc = value['ipc'];
  if (ipc !== undefined && ipc !== 'stream' && ipc !== 'file') add('arrow.ipc', `arrow.ipc must be "stream" or "file", got ${printValue(ipc)}`);
}

const isFileLayout = (options: { arrow?: ArrowOptions | undefined }): boolean => options.arrow?.ipc === 'file';

/** Arrow IPC, written batch by batch with apache-arrow's writers. */
export const arrowSpec: FormatSpec = {
  name: 'arrow',
  label: 'Arrow IPC',
  extension: (options) => (isFileLayout(options) ? 'arrow' : 'arrows'),
  mimeType: (options) => (isFileLayout(options) ? 'application/vnd.apache.arrow.file' : 'application/vnd.apache.arrow.stream'),
  binary: true,
  // The encoder measures each record batch and the footer before it writes them (encodeWithin).
  truncatableBySize: true,
  outerCompression: false,
  optionsKey: 'arrow',
  checkOptions: checkArrowOptions,
  loadEncoder: async () => (await import('../arrow.js')).createArrowEncoder,
  countRows: async (bytes) => (await import('./verify.js')).countArrowRows(bytes),
};
