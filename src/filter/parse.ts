/**
 * The filter text syntax:
 *
 * ```
 * amount > 100 and (category in ('alpha', 'beta') or not active)
 *   and name contains 'lor' and created_at between '2024-01-01' and '2024-06-30' and score is not null
 * ```
 *
 * - Keywords are case-insensitive; `and` binds tighter than `or`; `not` tighter than both.
 * - Strings are single-quoted (`'it''s'`); column names are bare (`amount`, `order.total`) or
 *   double-quoted (`"unit price"`, `"say ""hi"""`).
 * - Comparisons: `=` `==` `!=` `<>` `<` `<=` `>` `>=`; `in (…)`, `not in (…)`, `between a and b`,
 *   `not between`, `is null`, `is not null`, `contains`, `starts with` / `startswith`, `ends with` /
 *   `endswith`, `icontains` / `istartswith` / `iendswith` (case-insensitive), `matches '/re/flags'` or
 *   `matches 're'`; `x not contains 'a'` is `not (x contains 'a')`.
 * - Literals: numbers (`-1.5e3`; integers beyond ±2^53 and `123n` are exact 64-bit integers),
 *   `nan`, `inf`, `true`, `false`, `null`, `timestamp '2024-01-01T10:00:00Z'` / `date '2024-01-01'`
 *   (a `{$date}`); a plain string compared with a timestamp column is parsed as a date there too.
 * - A bare column (`active`, `not active`) means `active = true`; a bare `true` / `false` is a constant.
 */
import { ExportError } from '../errors.js';
import { FILTER_OP_TABLE, opsOfShape, type Filter, type OpsOf, type Scalar } from './ast.js';
import { checkPattern } from './regex.js';
import { MAX_FILTER_DEPTH, validateFilter } from './validate.js';

type TokenKind = 'ident' | 'qident' | 'string' | 'number' | 'punct' | 'eof';

interface Token {
  kind: TokenKind;
  /** Ident: as written; string/qident: unescaped content; number: the literal text; punct: the symbol. */
  text: string;
  offset: number;
  end: number;
}

/** Words that cannot be bare column names (quote such a column: `"not"`). */
export const FILTER_KEYWORDS: ReadonlySet<string> = new Set([
  'and', 'or', 'not', 'in', 'between', 'is', 'null', 'true', 'false', 'contains', 'startswith', 'endswith',
  'starts', 'ends', 'with', 'matches', 'icontains', 'istartswith', 'iendswith', 'nan', 'inf', 'infinity',
  'timestamp', 'date', 'like',
]);

const IDENT_START = /[A-Za-z_\u00C0-\uFFFF]/;
const IDENT_PART = /[A-Za-z0-9_.$\u00C0-\uFFFF]/;
const NUMBER = /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?n?/y;
const PUNCT = ['<=', '>=', '<>', '!=', '==', '(', ')', ',', '=', '<', '>', '-', '+'];

/** The `invalid_filter` error for a syntax problem at `offset`, with a caret excerpt in the message. */
function syntaxError(text: string, offset: number, message: string): ExportError {
  const lineStart = Math.max(0, offset - 40);
  const lineEnd = Math.min(text.length, offset + 40);
  const excerpt = text.slice(lineStart, lineEnd).replace(/[\r\n\t]/g, ' ');
  const prefix = lineStart > 0 ? '…' : '';
  const suffix = lineEnd < text.length ? '…' : '';
  const caret = ' '.repeat(prefix.length + offset - lineStart) + '^';
  return new ExportError('invalid_filter', `invalid filter text: ${message} at offset ${offset}\n  ${prefix}${excerpt}${suffix}\n  ${caret}`, {
    details: { offset, path: 'filter' },
  });
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    const start = i;
    if (ch === "'" || ch === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = text.indexOf(ch, i);
        if (close < 0) throw syntaxError(text, start, ch === "'" ? 'unterminated string' : 'unterminated quoted column name');
        value += text.slice(i, close);
        if (text[close + 1] === ch) {
          value += ch;
          i = close + 2;
        } else {
          i = close + 1;
          break;
        }
      }
      tokens.push({ kind: ch === "'" ? 'string' : 'qident', text: value, offset: start, end: i });
      continue;
    }
    if (/[0-9]/.test(ch) || (ch === '.' && /[0-9]/.test(text[i + 1] ?? ''))) {
      NUMBER.lastIndex = i;
      const match = NUMBER.exec(text);
      if (match === null) throw syntaxError(text, start, 'bad number');
      i += match[0].length;
      if (i < text.length && IDENT_PART.test(text[i]!)) throw syntaxError(text, start, 'bad number');
      tokens.push({ kind: 'number', text: match[0], offset: start, end: i });
      continue;
    }
    if (IDENT_START.test(ch)) {
      while (i < text.length && IDENT_PART.test(text[i]!)) i++;
      tokens.push({ kind: 'ident', text: text.slice(start, i), offset: start, end: i });
      continue;
    }
    const punct = PUNCT.find((p) => text.startsWith(p, i));
    if (punct === undefined) throw syntaxError(text, start, `unexpected character ${JSON.stringify(ch)}`);
    i += punct.length;
    tokens.push({ kind: 'punct', text: punct, offset: start, end: i });
  }
  tokens.push({ kind: 'eof', text: '', offset: text.length, end: text.length });
  return tokens;
}

/** Comparison symbols (`=`, `==`, `<>`…) → operator, from the table's text forms and aliases. */
const COMPARISONS: ReadonlyMap<string, OpsOf<'comparison'>> = new Map(
  opsOfShape('comparison').flatMap((op) => [FILTER_OP_TABLE[op].text, ...FILTER_OP_TABLE[op].aliases].map((symbol) => [symbol, op] as const)),
);

/**
 * Text operator words → operator, from the table: the text form (`startswith`), an alias run
 * together (`starts with` read as two words), and each with a leading "i" for case-insensitive.
 */
const TEXT_WORDS: ReadonlyMap<string, { op: OpsOf<'text'>; caseSensitive: boolean }> = new Map<string, { op: OpsOf<'text'>; caseSensitive: boolean }>(
  opsOfShape('text').flatMap((op) =>
    [FILTER_OP_TABLE[op].text, ...FILTER_OP_TABLE[op].aliases.map((alias) => alias.replace(' ', ''))].flatMap((word) => [
      [word, { op, caseSensitive: true }] as const,
      [`i${word}`, { op, caseSensitive: false }] as const,
    ]),
  ),
);

/** The first word of a two-word text operator (`starts`, `istarts`…) → its second word (`with`). */
const TWO_WORD_HEADS: ReadonlyMap<string, string> = new Map(
  opsOfShape('text').flatMap((op) =>
    FILTER_OP_TABLE[op].aliases.flatMap((alias) => {
      const [head, tail] = alias.split(' ') as [string, string];
      return [[head, tail] as const, [`i${head}`, tail] as const];
    }),
  ),
);

/** Regular-expression operator words (`matches`). */
const REGEX_WORDS: ReadonlyMap<string, OpsOf<'regex'>> = new Map(opsOfShape('regex').map((op) => [FILTER_OP_TABLE[op].text, op] as const));

class Parser {
  readonly #text: string;
  readonly #tokens: Token[];
  #pos = 0;

  constructor(text: string) {
    this.#text = text;
    this.#tokens = tokenize(text);
  }

  parse(): Filter {
    if (this.#peek().kind === 'eof') throw syntaxError(this.#text, 0, 'empty filter');
    const filter = this.#or(1);
    const next = this.#peek();
    if (next.kind !== 'eof') throw this.#error(next, `unexpected ${this.#describe(next)}; expected "and", "or" or the end`);
    return filter;
  }

  #peek(ahead = 0): Token {
    return this.#tokens[Math.min(this.#pos + ahead, this.#tokens.length - 1)]!;
  }

  #next(): Token {
    const token = this.#peek();
    if (token.kind !== 'eof') this.#pos++;
    return token;
  }

  #isWord(token: Token, word: string): boolean {
    return token.kind === 'ident' && token.text.toLowerCase() === word;
  }

  #acceptWord(word: string): boolean {
    if (!this.#isWord(this.#peek(), word)) return false;
    this.#pos++;
    return true;
  }

  #expectWord(word: string, context: string): void {
    const token = this.#peek();
    if (!this.#acceptWord(word)) throw this.#error(token, `expected "${word}" ${context}, got ${this.#describe(token)}`);
  }

  #expectPunct(symbol: string, context: string): void {
    const token = this.#next();
    if (token.kind !== 'punct' || token.text !== symbol) throw this.#error(token, `expected "${symbol}" ${context}, got ${this.#describe(token)}`);
  }

  #describe(token: Token): string {
    switch (token.kind) {
      case 'eof': return 'the end of the filter';
      case 'string': return `string '${token.text}'`;
      case 'qident': return `column "${token.text}"`;
      default: return `"${token.text}"`;
    }
  }

  #error(token: Token, message: string): ExportError {
    return syntaxError(this.#text, token.offset, message);
  }

  #checkDepth(depth: number, token: Token): void {
    if (depth > MAX_FILTER_DEPTH) throw this.#error(token, `nesting deeper than ${MAX_FILTER_DEPTH} levels`);
  }

  #or(depth: number): Filter {
    const first = this.#and(depth);
    if (!this.#isWord(this.#peek(), 'or')) return first;
    const filters = [first];
    while (this.#acceptWord('or')) filters.push(this.#and(depth + 1));
    return { op: 'or', filters };
  }

  #and(depth: number): Filter {
    const first = this.#unary(depth);
    if (!this.#isWord(this.#peek(), 'and')) return first;
    const filters = [first];
    while (this.#acceptWord('and')) filters.push(this.#unary(depth + 1));
    return { op: 'and', filters };
  }

  #unary(depth: number): Filter {
    const token = this.#peek();
    this.#checkDepth(depth, token);
    if (this.#acceptWord('not')) return { op: 'not', filter: this.#unary(depth + 1) };
    if (token.kind === 'punct' && token.text === '(') {
      this.#pos++;
      const inner = this.#or(depth + 1);
      this.#expectPunct(')', 'to close the "(" opened at offset ' + token.offset);
      return inner;
    }
    if (this.#isWord(token, 'true')) {
      this.#pos++;
      return { op: 'and', filters: [] };
    }
    if (this.#isWord(token, 'false')) {
      this.#pos++;
      return { op: 'or', filters: [] };
    }
    return this.#predicate();
  }

  #field(): string {
    const token = this.#next();
    if (token.kind === 'qident') {
      if (token.text.length === 0) throw this.#error(token, 'empty column name');
      return token.text;
    }
    if (token.kind === 'ident' && !FILTER_KEYWORDS.has(token.text.toLowerCase())) return token.text;
    const hint = token.kind === 'ident' ? ` (quote a column named like a keyword: "${token.text}")` : '';
    throw this.#error(token, `expected a column name, got ${this.#describe(token)}${hint}`);
  }

  #predicate(): Filter {
    const fieldToken = this.#peek();
    const field = this.#field();
    const token = this.#peek();
    const comparison = token.kind === 'punct' ? COMPARISONS.get(token.text) : undefined;
    if (comparison !== undefined) {
      this.#pos++;
      return { op: comparison, field, value: this.#value(`after "${token.text}"`) };
    }
    if (token.kind === 'ident') {
      const word = token.text.toLowerCase();
      if (word === 'is') {
        this.#pos++;
        const negated = this.#acceptWord('not');
        this.#expectWord('null', `after "is${negated ? ' not' : ''}"`);
        return { op: negated ? 'isNotNull' : 'isNull', field };
      }
      if (word === 'not') {
        const after = this.#peek(1);
        if (this.#isWord(after, 'in') || this.#isWord(after, 'between') || this.#isTextOperator(1)) {
          this.#pos++;
          const inner = this.#operatorTail(field);
          return inner.op === 'in' ? { op: 'notIn', field, values: inner.values } : { op: 'not', filter: inner };
        }
        throw this.#error(after, `expected "in", "between" or a text operator after "${field} not", got ${this.#describe(after)}`);
      }
      if (word === 'in' || word === 'between' || this.#isTextOperator(0)) return this.#operatorTail(field);
      if (word === 'like') throw this.#error(token, '"like" is not supported; use contains, starts with, ends with or matches');
    }
    if (token.kind === 'eof' || (token.kind === 'punct' && token.text === ')') || this.#isWord(token, 'and') || this.#isWord(token, 'or')) {
      return { op: 'eq', field, value: true }; // a bare boolean column
    }
    throw this.#error(token, `expected an operator after column "${field}" (at offset ${fieldToken.offset}), got ${this.#describe(token)}`);
  }

  #isTextOperator(ahead: number): boolean {
    const token = this.#peek(ahead);
    if (token.kind !== 'ident') return false;
    const word = token.text.toLowerCase();
    if (TEXT_WORDS.has(word) || REGEX_WORDS.has(word)) return true;
    const tail = TWO_WORD_HEADS.get(word);
    return tail !== undefined && this.#isWord(this.#peek(ahead + 1), tail);
  }

  /** `in (…)`, `between a and b` or a text operator, after the column (and an optional `not`). */
  #operatorTail(field: string): Filter {
    const token = this.#next();
    let word = token.text.toLowerCase();
    if (word === 'in') {
      this.#expectPunct('(', 'after "in"');
      const values: Scalar[] = [];
      if (!(this.#peek().kind === 'punct' && this.#peek().text === ')')) {
        do values.push(this.#value('in the "in" list'));
        while (this.#peek().kind === 'punct' && this.#peek().text === ',' && this.#next());
      }
      this.#expectPunct(')', 'to close the "in" list');
      return { op: 'in', field, values };
    }
    if (word === 'between') {
      const low = this.#value('after "between"');
      this.#expectWord('and', 'between the bounds of "between"');
      const high = this.#value('after "between … and"');
      return { op: 'between', field, low, high };
    }
    const tail = TWO_WORD_HEADS.get(word);
    if (tail !== undefined) {
      this.#next(); // checked by #isTextOperator
      word += tail;
    }
    const literal = this.#peek();
    if (literal.kind !== 'string') throw this.#error(literal, `expected a quoted string after "${token.text}", got ${this.#describe(literal)}`);
    this.#pos++;
    const regexOp = REGEX_WORDS.get(word);
    if (regexOp !== undefined) {
      const slashed = /^\/([\s\S]*)\/([a-z]*)$/.exec(literal.text);
      const pattern = slashed ? slashed[1]! : literal.text;
      const flags = slashed ? slashed[2]! : '';
      try {
        checkPattern(pattern, flags, 'filter');
      } catch (error) {
        throw this.#error(literal, (error as Error).message.replace(/^invalid filter at filter: /, ''));
      }
      return flags ? { op: regexOp, field, pattern, flags } : { op: regexOp, field, pattern };
    }
    const { op, caseSensitive } = TEXT_WORDS.get(word)!; // #isTextOperator checked the word
    return caseSensitive ? { op, field, value: literal.text } : { op, field, value: literal.text, caseSensitive: false };
  }

  #value(context: string): Scalar {
    const token = this.#next();
    if (token.kind === 'string') return token.text;
    if (token.kind === 'punct' && (token.text === '-' || token.text === '+')) {
      const next = this.#peek();
      const negative = token.text === '-';
      if (next.kind === 'number') {
        this.#pos++;
        return this.#number(next, negative);
      }
      if (this.#isWord(next, 'inf') || this.#isWord(next, 'infinity')) {
        this.#pos++;
        return negative ? -Infinity : Infinity;
      }
      throw this.#error(next, `expected a number after "${token.text}", got ${this.#describe(next)}`);
    }
    if (token.kind === 'number') return this.#number(token, false);
    if (token.kind === 'ident') {
      const word = token.text.toLowerCase();
      if (word === 'true') return true;
      if (word === 'false') return false;
      if (word === 'null') return null;
      if (word === 'nan') return Number.NaN;
      if (word === 'inf' || word === 'infinity') return Infinity;
      if (word === 'timestamp' || word === 'date') {
        const literal = this.#next();
        if (literal.kind !== 'string') throw this.#error(literal, `expected a quoted date after "${token.text}", got ${this.#describe(literal)}`);
        return { $date: literal.text };
      }
    }
    throw this.#error(token, `expected a value ${context}, got ${this.#describe(token)}`);
  }

  #number(token: Token, negative: boolean): Scalar {
    const sign = negative ? '-' : '';
    if (token.text.endsWith('n')) {
      const digits = token.text.slice(0, -1);
      if (!/^\d+$/.test(digits)) throw this.#error(token, `a 64-bit integer literal must be whole: ${token.text}`);
      return { $bigint: BigInt(sign + digits).toString() };
    }
    const value = Number(sign + token.text);
    // Whole literals past 2^53 would silently round as doubles: keep them exact.
    if (/^\d+$/.test(token.text) && !Number.isSafeInteger(value)) return { $bigint: BigInt(sign + token.text).toString() };
    return value;
  }
}

/**
 * Parses the filter text syntax (see the module comment) into an AST.
 *
 * @example parseFilter("amount > 100 and (category in ('a', 'b') or not active)")
 * @throws ExportError `invalid_filter` with `details.offset` and a caret excerpt in the message.
 */
export function parseFilter(text: string): Filter {
  if (typeof text !== 'string') throw new ExportError('invalid_filter', `invalid filter text: expected a string, got ${typeof text}`);
  return validateFilter(new Parser(text).parse());
}
