/**
 * A comlink transfer handler that keeps ExportError's `code`, `details` and `cause` across the
 * worker boundary. Comlink's own `'throw'` handler sends only name, message and stack.
 */
import { transferHandlers, type TransferHandler } from 'comlink';
import { deserializeError, isExportError, serializeError, type SerializedExportError } from '../errors.js';

/** Comlink marks thrown values with this symbol; its `'throw'` handler serializes them. */
interface ThrownValue {
  value: unknown;
}

type SerializedThrow = { isExportError: true; value: SerializedExportError } | { isExportError: false; value: unknown };

let installed = false;

/**
 * Wraps comlink's `'throw'` handler (once per realm) so an ExportError thrown on one side is
 * rethrown as an ExportError with the same code and details on the other.
 */
export function installErrorTransfer(): void {
  if (installed) return;
  installed = true;
  const original = transferHandlers.get('throw') as TransferHandler<ThrownValue, unknown> | undefined;
  if (original === undefined) return;
  const handler: TransferHandler<ThrownValue, SerializedThrow> = {
    canHandle: (value): value is ThrownValue => original.canHandle(value),
    serialize(thrown) {
      if (isExportError(thrown.value)) return [{ isExportError: true, value: serializeError(thrown.value) }, []];
      const [value, transferables] = original.serialize(thrown);
      return [{ isExportError: false, value }, transferables];
    },
    deserialize(serialized) {
      if (serialized.isExportError) throw deserializeError(serialized.value);
      return original.deserialize(serialized.value);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
}
