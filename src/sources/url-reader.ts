/**
 * Reads a `fromURL` source: fetches the body with the export's abort signal and parses it as it
 * arrives (CSV/TSV with papaparse's parser, NDJSON and JSON arrays with the parsers beside it,
 * Arrow IPC with apache-arrow's reader).
 */
import { RecordBatchReader, type RecordBatch } from 'apache-arrow';
import { abortError, ExportError, printValue } from '../errors.js';
import type { Row } from '../types.js';
import { CsvParser } from './parse/csv.js';
import { JsonArrayParser } from './parse/json-array.js';
import { NdjsonParser } from './parse/ndjson.js';
import type { MalformedInput, TextRowParser } from './parse/types.js';
import type { BatchReader, RowReader, SourceContext } from './rows.js';
import { checkUrlOptions, invalid, type UrlSourceDescriptor } from './url.js';

/** Where a URL shows in messages: without user name and password. */
function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    return parsed.href;
  } catch {
    return url;
  }
}

/** Fetches the body and opens a reader over it. */
export async function openUrlSource(descriptor: UrlSourceDescriptor, context: SourceContext): Promise<RowReader | BatchReader> {
  if (typeof descriptor.url !== 'string') throw invalid('url', `url must be a string, got ${printValue(descriptor.url)}`, descriptor.url);
  checkUrlOptions(descriptor);
  const url = descriptor.url;
  const shown = displayUrl(url);
  const signal = context.signal;
  if (signal?.aborted) throw abortError(signal.reason);
  const init: RequestInit = { method: 'GET' };
  if (descriptor.headers !== undefined) init.headers = descriptor.headers;
  if (descriptor.credentials !== undefined) init.credentials = descriptor.credentials;
  if (signal !== undefined) init.signal = signal;
  let response: Response;
  try {
    response = await fetch(url, init);
  } catch (error) {
    if (signal?.aborted) throw abortError(signal.reason);
    throw new ExportError('source_failed', `GET ${shown} failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details: { url: shown } });
  }
  if (!response.ok) {
    // Nothing of an error page is read; the connection is released.
    await response.body?.cancel().catch(() => undefined);
    throw new ExportError('source_failed', `GET ${shown} failed: ${response.status} ${response.statusText}`.trimEnd(), {
      details: { url: shown, status: response.status },
    });
  }
  const body = response.body;
  const bytes = body === null ? emptyBytes() : byteReader(body, shown, signal);
  if (descriptor.format === 'arrow') return arrowReader(bytes, shown);
  return textReader(bytes, descriptor, shown, context);
}

/** The body's bytes, one network chunk at a time. */
interface ByteSource {
  read(): Promise<Uint8Array | null>;
  cancel(): Promise<void>;
}

function emptyBytes(): ByteSource {
  return { read: async () => null, cancel: async () => undefined };
}

function byteReader(body: ReadableStream<Uint8Array>, shown: string, signal: AbortSignal | undefined): ByteSource {
  const reader = body.getReader();
  let finished = false;
  return {
    async read() {
      if (finished) return null;
      try {
        const { done, value } = await reader.read();
        if (done) {
          finished = true;
          return null;
        }
        return value;
      } catch (error) {
        finished = true;
        if (signal?.aborted) throw abortError(signal.reason);
        throw new ExportError('source_failed', `GET ${shown} failed while reading the body: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details: { url: shown } });
      }
    },
    async cancel() {
      if (finished) return;
      finished = true;
      await reader.cancel().catch(() => undefined);
    },
  };
}

function makeParser(descriptor: UrlSourceDescriptor, onMalformed: (problem: MalformedInput) => void): TextRowParser {
  switch (descriptor.format) {
    case 'ndjson':
      return new NdjsonParser(onMalformed);
    case 'json':
      return new JsonArrayParser(onMalformed);
    default: {
      const csv = descriptor.csv ?? {};
      return new CsvParser(
        {
          delimiter: csv.delimiter ?? (descriptor.format === 'tsv' ? '\t' : ','),
          quote: csv.quote ?? '"',
          header: csv.header ?? true,
          inferTypes: csv.inferTypes ?? true,
        },
        onMalformed,
      );
    }
  }
}

function textReader(bytes: ByteSource, descriptor: UrlSourceDescriptor, shown: string, context: SourceContext): RowReader {
  // Non-fatal decoding (U+FFFD for bad bytes); `stream: true` keeps a character split between
  // network chunks whole; the default `ignoreBOM: false` drops a leading byte-order mark.
  const decoder = new TextDecoder('utf-8');
  const failOnInvalid = descriptor.onInvalid === 'fail';
  const format = descriptor.format;
  let queue: Row[] = [];
  let rowsHandedOut = 0;
  let ended = false;
  const onMalformed = (problem: MalformedInput): void => {
    const where = `${format} line ${problem.line}`;
    const excerpt = problem.excerpt === '' ? '' : ` (${JSON.stringify(problem.excerpt)})`;
    if (failOnInvalid || problem.fatal === true) {
      throw new ExportError('source_failed', `${shown}: ${where}: ${problem.reason}${excerpt}`, {
        details: { url: shown, line: problem.line, excerpt: problem.excerpt },
      });
    }
    context.report({ code: 'malformed_input', message: `${where} skipped: ${problem.reason}${excerpt}`, row: rowsHandedOut + queue.length });
  };
  const parser = makeParser(descriptor, onMalformed);
  return {
    kind: 'rows',
    totalRows: undefined,
    async next(max) {
      while (queue.length < max && !ended) {
        const chunk = await bytes.read();
        if (chunk === null) {
          ended = true;
          parser.push(decoder.decode(), queue);
          parser.end(queue);
          break;
        }
        parser.push(decoder.decode(chunk, { stream: true }), queue);
      }
      if (queue.length === 0) return null;
      const rows = queue;
      const end = Math.min(max, rows.length);
      // The engine reads `rows[0..end)` before asking again, so the rest can move to a new array.
      queue = end < rows.length ? rows.slice(end) : [];
      rowsHandedOut += end;
      return { rows, start: 0, end };
    },
    async close() {
      ended = true;
      queue = [];
      await bytes.cancel();
    },
  };
}

async function arrowReader(bytes: ByteSource, shown: string): Promise<BatchReader> {
  const chunks: AsyncIterable<Uint8Array> = {
    [Symbol.asyncIterator]: () => ({
      async next() {
        const value = await bytes.read();
        return value === null ? { done: true, value: undefined } : { done: false, value };
      },
      async return() {
        await bytes.cancel();
        return { done: true, value: undefined };
      },
    }),
  };
  const failure = (error: unknown): ExportError =>
    error instanceof ExportError ? error : new ExportError('source_failed', `${shown}: the body is not valid Arrow IPC: ${error instanceof Error ? error.message : String(error)}`, { cause: error, details: { url: shown } });
  let iterator: AsyncIterator<RecordBatch>;
  try {
    const reader = await RecordBatchReader.from(chunks);
    iterator = reader[Symbol.asyncIterator]();
  } catch (error) {
    await bytes.cancel();
    throw failure(error);
  }
  return {
    kind: 'batches',
    totalRows: undefined,
    async next() {
      for (;;) {
        let result: IteratorResult<RecordBatch>;
        try {
          result = await iterator.next();
        } catch (error) {
          await bytes.cancel();
          throw failure(error);
        }
        if (result.done === true) return null;
        if (result.value.numRows > 0) return result.value;
      }
    },
    async close() {
      await iterator.return?.().catch(() => undefined);
      await bytes.cancel();
    },
  };
}
