/**
 * CSV and TSV read as they stream, with papaparse's parser.
 *
 * Papaparse's own streamers want a File, a Node stream or a URL fetched with XMLHttpRequest (and
 * Range requests); none fits a fetch body read in a worker. Its `Parser` is what those streamers
 * drive, though, and it can stop before the last, possibly unfinished, row of a piece of text
 * (`ignoreLastRow`) and say where it stopped. Feeding it "what was left + the next piece" is how
 * papaparse's ChunkStreamer itself handles a quoted field with newlines split across chunks.
 */
import Papa from 'papaparse';
import type { Row } from '../../types.js';
import { excerptOf, type MalformedHandler, type TextRowParser } from './types.js';

/** How to read the text. */
export interface CsvParserOptions {
  /** Field separator. */
  delimiter: string;
  /** Quote character (doubled inside a quoted field). */
  quote: string;
  /** The first row names the columns; otherwise they are `column1`, `column2`, …. */
  header: boolean;
  /** Turn numbers, `true`/`false` and empty fields into numbers, booleans and null. */
  inferTypes: boolean;
}

type Newline = '\r\n' | '\n' | '\r';

interface StepResult {
  /** One row: `[fields]`. */
  data: string[][];
  errors: Array<{ code?: string; message?: string }>;
  meta: { cursor: number };
}

/** Parses delimited text incrementally into row objects. */
export class CsvParser implements TextRowParser {
  private readonly options: CsvParserOptions;
  private readonly onMalformed: MalformedHandler;
  /** Text of the unfinished last row, parsed again with the next piece. */
  private partial = '';
  private newline: Newline | null = null;
  private parser: Papa.Parser | null = null;
  private headers: string[] | null = null;
  /** 1-based line where `partial` starts. */
  private line = 1;
  // State of the parse in progress (read by the step callback).
  private input = '';
  private out: Row[] = [];
  private rowStart = 0;
  private countedTo = 0;
  private countedLine = 1;

  constructor(options: CsvParserOptions, onMalformed: MalformedHandler) {
    this.options = options;
    this.onMalformed = onMalformed;
    if (!options.header) this.headers = [];
  }

  push(text: string, out: Row[]): void {
    const input = this.partial + text;
    this.newline ??= detectNewline(input, this.options.quote, false);
    if (this.newline === null) {
      this.partial = input;
      return;
    }
    this.parse(input, out, true);
  }

  end(out: Row[]): void {
    const input = this.partial;
    this.partial = '';
    if (input === '') return;
    this.newline ??= detectNewline(input, this.options.quote, true) ?? '\n';
    this.parse(input, out, false);
  }

  private parse(input: string, out: Row[], more: boolean): void {
    this.parser ??= new Papa.Parser({
      delimiter: this.options.delimiter,
      newline: this.newline!,
      quoteChar: this.options.quote,
      escapeChar: this.options.quote,
      // Papaparse's `fastMode` splits on newlines when no quote is present; with header and
      // typing done here, everything else is left at its plain default.
      step: (results: StepResult) => this.row(results),
    } as Papa.ParseConfig);
    this.input = input;
    this.out = out;
    this.rowStart = 0;
    this.countedTo = 0;
    this.countedLine = this.line;
    const result = this.parser.parse(input, 0, more) as { meta: { cursor: number } };
    const consumed = more ? result.meta.cursor : input.length;
    this.line = this.lineAt(consumed);
    this.partial = more ? input.slice(consumed) : '';
    this.input = '';
  }

  /** One parsed row from papaparse's step callback. */
  private row(results: StepResult): void {
    const start = this.rowStart;
    this.rowStart = results.meta.cursor;
    const fields = results.data[0] ?? [];
    // A blank line parses as one empty field.
    if (fields.length === 1 && fields[0] === '') return;
    if (results.errors.length > 0) {
      const error = results.errors[0]!;
      this.malformed(start, `${error.message ?? error.code ?? 'malformed row'}`);
      return;
    }
    if (this.headers === null) {
      this.headers = headerNames(fields);
      return;
    }
    if (this.headers.length === 0) this.headers = fields.map((_, index) => `column${index + 1}`);
    const headers = this.headers;
    if (fields.length !== headers.length) {
      this.malformed(start, `expected ${headers.length} fields, found ${fields.length}`);
      return;
    }
    const row: Record<string, unknown> = {};
    const infer = this.options.inferTypes;
    for (let i = 0; i < headers.length; i++) row[headers[i]!] = infer ? typed(fields[i]!) : fields[i];
    this.out.push(row);
  }

  private malformed(start: number, reason: string): void {
    const end = this.rowStart > start ? this.rowStart : this.input.length;
    this.onMalformed({ line: this.lineAt(start), reason, excerpt: excerptOf(this.input.slice(start, Math.min(end, start + 200)).replace(/[\r\n]+$/, '')) });
  }

  /** 1-based line of position `at` in the current input; positions only ever move forward. */
  private lineAt(at: number): number {
    const char = this.newline === '\r' ? '\r' : '\n';
    let line = this.countedLine;
    let from = this.countedTo;
    for (;;) {
      const next = this.input.indexOf(char, from);
      if (next === -1 || next >= at) break;
      line++;
      from = next + 1;
    }
    this.countedTo = Math.max(this.countedTo, at);
    this.countedLine = line;
    return line;
  }
}

/** A JSON number: no leading zeros, no `+`, no bare `.5`, no spaces. */
const NUMBER = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?$/;

/**
 * A field as typed data: text in JSON's number syntax becomes a number, except integers beyond
 * ±2^53 (ids would lose digits); `true` and `false` become booleans; an empty field is null.
 * Text with leading zeros (`007`, zip codes), spaces, `+`, hex or dates stays text. Papaparse's
 * `dynamicTyping` would turn `007` into 7 and ISO dates into Date objects.
 */
export function typed(text: string): unknown {
  if (text === '') return null;
  const code = text.charCodeAt(0);
  if ((code >= 48 && code <= 57) || code === 45) {
    if (!NUMBER.test(text)) return text;
    const value = Number(text);
    if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value) && !/[.eE]/.test(text))) return text;
    return value;
  }
  if (text === 'true') return true;
  if (text === 'false') return false;
  return text;
}

/** Column names from a header row: empty names become `columnN`, repeats get `_2`, `_3`, …. */
function headerNames(fields: readonly string[]): string[] {
  const seen = new Set<string>();
  return fields.map((field, index) => {
    const base = field === '' ? `column${index + 1}` : field;
    let name = base;
    for (let suffix = 2; seen.has(name); suffix++) name = `${base}_${suffix}`;
    seen.add(name);
    return name;
  });
}

/**
 * The row terminator: the first CR, LF or CRLF outside quotes. Null when the text holds none yet
 * (or ends on a CR that may be the start of a CRLF) and more text is coming.
 */
function detectNewline(text: string, quote: string, final: boolean): Newline | null {
  const quoteCode = quote.charCodeAt(0);
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code === quoteCode) quoted = !quoted;
    else if (quoted) continue;
    else if (code === 10) return '\n';
    else if (code === 13) {
      if (i + 1 < text.length) return text.charCodeAt(i + 1) === 10 ? '\r\n' : '\r';
      return final ? '\r' : null;
    }
  }
  return null;
}
