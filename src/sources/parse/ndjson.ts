/**
 * NDJSON (JSON Lines): one JSON value per line, lines split anywhere across network chunks.
 */
import type { Row } from '../../types.js';
import { excerptOf, toRow, type MalformedHandler, type TextRowParser } from './types.js';

/**
 * Parses NDJSON incrementally. `\n` and `\r\n` both end a line; blank lines are skipped; a line
 * that is not JSON goes to `onMalformed` with its 1-based line number. Values that are not
 * objects become `{ value: x }`.
 */
export class NdjsonParser implements TextRowParser {
  /** Text after the last newline seen: the start of an unfinished line. */
  private partial = '';
  /** Lines completed so far. */
  private line = 0;
  private readonly onMalformed: MalformedHandler;

  constructor(onMalformed: MalformedHandler) {
    this.onMalformed = onMalformed;
  }

  push(text: string, out: Row[]): void {
    // A long line arriving in many pieces is only joined once its newline arrives.
    if (text.indexOf('\n') === -1) {
      this.partial += text;
      return;
    }
    const input = this.partial + text;
    let start = 0;
    for (;;) {
      const newline = input.indexOf('\n', start);
      if (newline === -1) break;
      this.line++;
      this.parseLine(input.slice(start, newline > start && input.charCodeAt(newline - 1) === 13 ? newline - 1 : newline), out);
      start = newline + 1;
    }
    this.partial = input.slice(start);
  }

  end(out: Row[]): void {
    const rest = this.partial;
    this.partial = '';
    if (rest === '') return;
    this.line++;
    this.parseLine(rest.endsWith('\r') ? rest.slice(0, -1) : rest, out);
  }

  private parseLine(text: string, out: Row[]): void {
    if (text === '' || (isSpace(text.charCodeAt(0)) && text.trim() === '')) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (error) {
      this.onMalformed({ line: this.line, reason: error instanceof Error ? error.message : String(error), excerpt: excerptOf(text) });
      return;
    }
    out.push(toRow(value));
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 10 || code === 0xfeff;
}
