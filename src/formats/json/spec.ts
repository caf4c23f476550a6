/**
 * JSON (one array of objects) and NDJSON (one object per line): file facts, the `json` option
 * rules with their defaults, and how the encoder and the verifier load.
 */
import { printValue } from '../../errors.js';
import { checkKnownKeys, isRecord, Problems, type AddProblem } from '../../options/problems.js';
import type { JsonOptions } from '../../types.js';
import type { FormatSpec } from '../spec.js';

/** The keys `json` accepts. */
export const JSON_OPTION_KEYS = ['bigint', 'dateFormat'] as const;

/** Reports every problem with `json` options (`value` may be undefined). */
export function checkJsonOptions(value: unknown, add: AddProblem): void {
  if (value === undefined) return;
  if (!isRecord(value)) {
    add('json', `json options must be an object, got ${printValue(value)}`);
    return;
  }
  checkKnownKeys(add, 'json', value, JSON_OPTION_KEYS);
  const { bigint, dateFormat } = value;
  if (bigint !== undefined && !['auto', 'string', 'number'].includes(bigint as string)) {
    add('json.bigint', `json bigint must be "auto", "string" or "number", got ${printValue(bigint)}`);
  }
  if (dateFormat !== undefined && !['iso', 'date', 'epoch'].includes(dateFormat as string)) {
    add('json.dateFormat', `json dateFormat must be "iso", "date" or "epoch", got ${printValue(dateFormat)}`);
  }
}

/** Fills JSON defaults; throws `invalid_options` listing every problem. */
export function resolveJsonOptions(options: JsonOptions | undefined): Required<JsonOptions> {
  const problems = new Problems();
  checkJsonOptions(options, problems.add);
  problems.throwIfAny();
  return { bigint: options?.bigint ?? 'auto', dateFormat: options?.dateFormat ?? 'iso' };
}

function jsonLike(name: 'json' | 'ndjson'): FormatSpec {
  const lines = name === 'ndjson';
  return {
    name,
    label: name.toUpperCase(),
    extension: () => name,
    mimeType: () => (lines ? 'application/x-ndjson' : 'application/json'),
    binary: false,
    outerCompression: true,
    optionsKey: 'json',
    checkOptions: checkJsonOptions,
    loadEncoder: async () => {
      const { createJsonEncoder } = await import('../json.js');
      return (context) => createJsonEncoder(context, lines);
    },
    countRows: async (bytes, expected) => {
      const { countJsonRows, countNdjsonRows } = await import('./verify.js');
      return lines ? countNdjsonRows(bytes, expected) : countJsonRows(bytes, expected);
    },
  };
}

/** JSON: one array of row objects. */
export const jsonSpec: FormatSpec = jsonLike('json');
/** NDJSON (JSON Lines): one row object per `\n`-terminated line. */
export const ndjsonSpec: FormatSpec = jsonLike('ndjson');
