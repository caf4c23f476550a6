/**
 * A top-level JSON array, read element by element as the text arrives.
 *
 * Written by hand (no streaming-JSON library is among the dependencies, and `JSON.parse` of the
 * whole body would hold it all in memory twice): a small scanner finds where each top-level
 * element starts and ends — tracking strings, escapes and bracket depth — and `JSON.parse` turns
 * each element into a value, so every value is parsed by the platform's own JSON parser.
 */
import type { Row } from '../../types.js';
import { excerptOf, toRow, type MalformedHandler, type TextRowParser } from './types.js';

type Phase = 'start' | 'between' | 'element' | 'after' | 'trailing';

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const NEWLINE = 10;

/**
 * Parses a JSON array incrementally. Elements that are objects are rows; other values become
 * `{ value: x }`. An element `JSON.parse` rejects goes to `onMalformed` with the line it starts
 * on, and the scan goes on with the next element.
 */
export class JsonArrayParser implements TextRowParser {
  private phase: Phase = 'start';
  /** Bracket and brace depth inside the current element. */
  private depth = 0;
  private inString = false;
  /** The previous piece ended inside a string, right after a backslash. */
  private escape = false;
  /** The current element's text from earlier pieces. */
  private carried = '';
  /** 1-based line of the scan position (newlines inside strings are invalid JSON and not counted). */
  private line = 1;
  private elementLine = 1;
  private elementIndex = 0;
  private readonly onMalformed: MalformedHandler;

  constructor(onMalformed: MalformedHandler) {
    this.onMalformed = onMalformed;
  }

  push(text: string, out: Row[]): void {
    const length = text.length;
    let elementStart = this.phase === 'element' ? 0 : -1;
    let i = 0;
    while (i < length) {
      if (this.phase === 'element') {
        if (this.inString) {
          i = this.skipString(text, i);
          continue;
        }
        const code = text.charCodeAt(i);
        if (code === QUOTE) {
          this.inString = true;
        } else if (code === OPEN_BRACE || code === OPEN_BRACKET) {
          this.depth++;
        } else if (code === CLOSE_BRACE || (code === CLOSE_BRACKET && this.depth > 0)) {
          // A stray `}` at depth 0 stays in the element, which JSON.parse then rejects.
          if (this.depth > 0) this.depth--;
        } else if (this.depth === 0 && (code === COMMA || code === CLOSE_BRACKET)) {
          this.emit(this.carried + text.slice(elementStart, i), out);
          this.carried = '';
          elementStart = -1;
          this.phase = code === COMMA ? 'between' : 'after';
        } else if (code === NEWLINE) {
          this.line++;
        }
        i++;
        continue;
      }
      const code = text.charCodeAt(i);
      if (code === NEWLINE) {
        this.line++;
        i++;
        continue;
      }
      if (isSpace(code)) {
        i++;
        continue;
      }
      switch (this.phase) {
        case 'start':
          if (code !== OPEN_BRACKET) {
            this.onMalformed({ line: this.line, reason: 'the body is not a JSON array', excerpt: excerptOf(text.slice(i)), fatal: true });
            this.phase = 'trailing';
            return;
          }
          this.phase = 'between';
          i++;
          break;
        case 'between':
          if (code === CLOSE_BRACKET && this.elementIndex === 0) {
            // `[]` (a `]` right after a comma is a malformed empty element, handled below).
            this.phase = 'after';
            i++;
            break;
          }
          this.phase = 'element';
          this.depth = 0;
          this.inString = false;
          this.escape = false;
          this.elementLine = this.line;
          elementStart = i;
          break;
        case 'after':
          this.onMalformed({ line: this.line, reason: 'unexpected text after the end of the JSON array', excerpt: excerptOf(text.slice(i)) });
          this.phase = 'trailing';
          return;
        case 'trailing':
          return;
        default:
          i++;
      }
    }
    if (this.phase === 'element' && elementStart !== -1) this.carried += text.slice(elementStart);
  }

  end(_out: Row[]): void {
    if (this.phase === 'element') {
      const rest = this.carried;
      this.carried = '';
      this.phase = 'trailing';
      this.onMalformed({ line: this.elementLine, reason: `the body ended inside array element ${this.elementIndex} (the array is not closed)`, excerpt: excerptOf(rest) });
      return;
    }
    if (this.phase === 'start' || this.phase === 'between') {
      const empty = this.phase === 'start';
      this.phase = 'trailing';
      this.onMalformed({ line: this.line, reason: empty ? 'the body is empty, not a JSON array' : 'the body ended before the JSON array was closed', excerpt: '', fatal: empty });
    }
  }

  /** Moves past string content from `i`; returns the new position. */
  private skipString(text: string, i: number): number {
    if (this.escape) {
      this.escape = false;
      i++;
    }
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote === -1) {
        // The piece ends inside the string: remember an unpaired trailing backslash.
        let run = 0;
        for (let j = text.length - 1; j >= i && text.charCodeAt(j) === BACKSLASH; j--) run++;
        this.escape = run % 2 === 1;
        return text.length;
      }
      let run = 0;
      for (let j = quote - 1; j >= i && text.charCodeAt(j) === BACKSLASH; j--) run++;
      if (run % 2 === 0) {
        this.inString = false;
        return quote + 1;
      }
      i = quote + 1;
    }
  }

  private emit(elementText: string, out: Row[]): void {
    const index = this.elementIndex++;
    let value: unknown;
    try {
      value = JSON.parse(elementText);
    } catch (error) {
      const reason = elementText.trim() === '' ? `array element ${index} is empty` : `array element ${index}: ${error instanceof Error ? error.message : String(error)}`;
      this.onMalformed({ line: this.elementLine, reason, excerpt: excerptOf(elementText.trim()) });
      return;
    }
    out.push(toRow(value));
  }
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 13 || code === 0xfeff;
}
