/**
 * Shared by the hostile-input tests: run an export to the end, and read its output back with an
 * independent reader (papaparse, JSON.parse, hyparquet, apache-arrow).
 */
import { tableFromIPC } from 'apache-arrow';
import { parquetReadObjects } from 'hyparquet';
import Papa from 'papaparse';
import * as XLSX from 'xlsx';
import { exportStream } from '../../../src/engine.js';
import type { ExportFormat, ExportResult, ExportSource, StreamOptions } from '../../../src/types.js';
import { readAll } from '../../helpers/readers.js';

/** The formats every hostile case runs through. */
export const FORMATS = ['csv', 'ndjson', 'json', 'parquet'] as const satisfies readonly ExportFormat[];
export type HostileFormat = (typeof FORMATS)[number];

/** Exports to the end; returns the bytes and the result passed to `onComplete`. */
export async function exportAll(source: unknown, options: StreamOptions): Promise<{ bytes: Uint8Array; result: ExportResult }> {
  let result: ExportResult | undefined;
  const bytes = await readAll(exportStream(source as ExportSource, { ...options, onComplete: (r) => (result = r) }));
  if (result === undefined) throw new Error('onComplete was not called');
  return { bytes, result };
}

/** Rows read back by an independent reader: CSV cells as strings (papaparse), JSON values, Parquet values (hyparquet). */
export async function readBack(format: ExportFormat, bytes: Uint8Array): Promise<Array<Record<string, unknown>>> {
  switch (format) {
    case 'csv':
    case 'tsv': {
      // Without the final row terminator, which would leave one empty record behind.
      const text = new TextDecoder().decode(bytes).replace(/\r\n$/, '');
      const parsed = Papa.parse<string[]>(text, { skipEmptyLines: false, delimiter: format === 'tsv' ? '\t' : ',', newline: '\r\n' });
      if (parsed.errors.length > 0) throw new Error(`papaparse: ${parsed.errors.map((e) => e.message).join('; ')}`);
      const [header = [], ...records] = parsed.data;
      // Object.fromEntries defines own properties, so a "__proto__" header stays data (papaparse's
      // header mode assigns, which sets the row object's prototype instead).
      return records.map((record) => Object.fromEntries(header.map((name, i) => [name, record[i]])));
    }
    case 'ndjson':
      return new TextDecoder().decode(bytes).split('\n').filter((line) => line !== '').map((line) => JSON.parse(line) as Record<string, unknown>);
    case 'json':
      return JSON.parse(new TextDecoder().decode(bytes)) as Array<Record<string, unknown>>;
    case 'parquet': {
      const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
      return (await parquetReadObjects({ file })) as Array<Record<string, unknown>>;
    }
    case 'arrow':
      return tableFromIPC(bytes).toArray().map((row) => ({ ...(row as object) }) as Record<string, unknown>);
    case 'xlsx': {
      // SheetJS; every sheet's rows below its header, in order.
      const book = XLSX.read(bytes, { type: 'array', cellDates: true });
      return book.SheetNames.flatMap((name) => XLSX.utils.sheet_to_json<Record<string, unknown>>(book.Sheets[name]!));
    }
  }
}

/** Every own property of Object.prototype with its descriptor, to prove nothing was added or changed. */
export function prototypeSnapshot(): Array<[string | symbol, PropertyDescriptor]> {
  return Reflect.ownKeys(Object.prototype).map((key) => [key, Object.getOwnPropertyDescriptor(Object.prototype, key)!]);
}
