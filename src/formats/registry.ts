/**
 * The registry of formats: one line per format. Everything that needs a format fact — option
 * checks, file names, the save dialog, preload, verification, estimates, the playground — reads
 * it here. Page-safe: specs load their encoders lazily.
 */
import { ExportError, printValue } from '../errors.js';
import { didYouMean } from '../options/problems.js';
import { EXPORT_FORMATS, type ExportFormat } from '../types.js';
import { arrowSpec } from './arrow/spec.js';
import { csvSpec, tsvSpec } from './csv/spec.js';
import { jsonSpec, ndjsonSpec } from './json/spec.js';
import { parquetSpec } from './parquet/spec.js';
import type { FormatOptionsKey, FormatSpec } from './spec.js';
import type { FormatDefinition } from './types.js';

/** Every format's spec, by name. */
export const FORMAT_SPECS: { readonly [F in ExportFormat]: FormatSpec & { readonly name: F } } = {
  csv: csvSpec as FormatSpec & { name: 'csv' },
  tsv: tsvSpec as FormatSpec & { name: 'tsv' },
  json: jsonSpec as FormatSpec & { name: 'json' },
  ndjson: ndjsonSpec as FormatSpec & { name: 'ndjson' },
  parquet: parquetSpec as FormatSpec & { name: 'parquet' },
  arrow: arrowSpec as FormatSpec & { name: 'arrow' },
};

/** Other names people type for a format. */
const ALIASES: Readonly<Record<string, ExportFormat>> = { jsonl: 'ndjson', 'json-lines': 'ndjson', arrows: 'arrow', feather: 'arrow', ipc: 'arrow', txt: 'csv' };

/** True when `name` is a format name. */
export function isExportFormat(name: unknown): name is ExportFormat {
  return typeof name === 'string' && Object.hasOwn(FORMAT_SPECS, name);
}

/** Why `name` is not a format, with a did-you-mean; `null` when it is one. */
export function unknownFormatMessage(name: unknown): string | null {
  if (isExportFormat(name)) return null;
  const typed = typeof name === 'string' ? name.trim().toLowerCase().replace(/^\./, '') : '';
  const alias = isExportFormat(typed) ? typed : ALIASES[typed];
  const hint = alias !== undefined ? ` (did you mean "${alias}"?)` : typeof name === 'string' ? didYouMean(name, EXPORT_FORMATS) : '';
  return `format must be one of ${EXPORT_FORMATS.join(', ')}; got ${printValue(name)}${hint}`;
}

/** The spec of a format, or `'unsupported_format'` naming the bad name. */
export function formatSpec(name: unknown): FormatSpec {
  const problem = unknownFormatMessage(name);
  if (problem !== null) throw new ExportError('unsupported_format', problem, { details: { path: 'format', value: printValue(name) } });
  return FORMAT_SPECS[name as ExportFormat];
}

/** The formats whose own options live under `key` (`csv` → csv, tsv). */
export function formatsUsingOptions(key: FormatOptionsKey): ExportFormat[] {
  return EXPORT_FORMATS.filter((name) => FORMAT_SPECS[name].optionsKey === key);
}

/** Every key that holds some format's own options. */
export const FORMAT_OPTION_KEYS: readonly FormatOptionsKey[] = [...new Set(EXPORT_FORMATS.flatMap((name) => FORMAT_SPECS[name].optionsKey ?? []))];

/** The engine's view of a format: its spec, with the encoder loaded on first use. */
export function getFormat(name: unknown): FormatDefinition {
  const spec = formatSpec(name);
  let factory: ReturnType<FormatSpec['loadEncoder']> | null = null;
  return {
    name: spec.name as ExportFormat,
    binary: spec.binary,
    createEncoder: async (context) => {
      factory ??= spec.loadEncoder();
      return (await factory)(context);
    },
  };
}
