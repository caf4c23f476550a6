/**
 * Regular expressions of `matches` filters, run by RE2 (the re2js port): matching time is linear
 * in the text, so no pattern can stall an export, and the syntax and semantics are DuckDB's
 * `regexp_matches` (RE2 too), which the filter must agree with.
 *
 * re2js (≈ 65 kB gzip) loads only when an export has a `matches` filter. The checks that must run
 * before it loads (on the page, while parsing) are here too: flags, and the backtracking-only
 * constructs RE2 lacks, each refused by name.
 */
import type { RE2JS } from 're2js';
import type { Filter } from './ast.js';
import { filterError } from './validate.js';

/** A compiled pattern: `test` is true when the pattern is found anywhere in the UTF-8 text. */
export interface CompiledRegex {
  test(utf8: Uint8Array): boolean;
}

type Re2Module = typeof import('re2js');

let engine: Re2Module | null = null;
let loading: Promise<Re2Module> | null = null;

/** Loads RE2 (once). Exports with a `matches` filter wait for this before reading the source. */
export function loadRegexEngine(): Promise<void> {
  loading ??= import('re2js').then((module) => (engine = module));
  return loading.then(() => undefined);
}

/** True once {@link loadRegexEngine} has finished. */
export function regexEngineLoaded(): boolean {
  return engine !== null;
}

/** Flags a `matches` filter accepts, and what each means to RE2. */
const FLAG_MEANINGS: Record<string, string> = {
  i: 'case-insensitive',
  m: '^ and $ match at line breaks',
  s: '. matches a line break',
  u: 'no effect: text is always read by code point',
  g: 'no effect: a filter tests each value once',
  y: 'no effect: a filter tests each value once',
};

/** Backtracking-only constructs that RE2 (and so DuckDB) cannot run, found before anything is read. */
const UNSUPPORTED: Array<[RegExp, string]> = [
  [/^\(\?=/, 'lookahead "(?=…)"'],
  [/^\(\?!/, 'negative lookahead "(?!…)"'],
  [/^\(\?<=/, 'lookbehind "(?<=…)"'],
  [/^\(\?<!/, 'negative lookbehind "(?<!…)"'],
  [/^\(\?>/, 'atomic group "(?>…)"'],
  [/^\\[1-9]/, 'backreference'],
  [/^\\k</, 'named backreference "\\k<…>"'],
];

/**
 * Checks a `matches` pattern and its flags without loading RE2: unknown flags, and the constructs
 * RE2 lacks (lookaround, backreferences, atomic groups), each named. Other syntax errors are found
 * when RE2 compiles the pattern, still before the export reads any row.
 */
export function checkPattern(pattern: string, flags: string | undefined, at: string): void {
  checkStructure(pattern, flags, at);
  // Once RE2 is loaded (an export with a `matches` filter loaded it), it checks the whole syntax.
  if (engine !== null) compileRegex(pattern, flags, at);
}

/** Compiled patterns by flags and source: a filter is checked, planned and compiled more than once per export. */
const compiledCache = new Map<string, CompiledRegex>();

function checkStructure(pattern: string, flags: string | undefined, at: string): void {
  const seen = new Set<string>();
  for (const flag of flags ?? '') {
    if (!(flag in FLAG_MEANINGS)) {
      throw filterError(at, `regular expression flag "${flag}" is not supported in /${pattern}/${flags}; supported: i, m, s (u, g and y are accepted and change nothing)`, { value: flags });
    }
    if (seen.has(flag)) throw filterError(at, `regular expression flag "${flag}" is repeated in /${pattern}/${flags}`, { value: flags });
    seen.add(flag);
  }
  // The structure RE2 would refuse too (so a typo fails on the page, before RE2 is loaded):
  // unbalanced parentheses, an unclosed class, a trailing backslash, a quantifier with nothing to repeat.
  let inClass = false;
  let depth = 0;
  let canRepeat = false;
  for (let i = 0; i < pattern.length; i++) {
    const char = pattern[i]!;
    if (char === '\\') {
      if (i === pattern.length - 1) bad(pattern, flags, at, 'trailing backslash at end of expression');
      if (!inClass) {
        const rest = pattern.slice(i, i + 3);
        for (const [construct, name] of UNSUPPORTED) {
          if (construct.test(rest)) unsupported(pattern, flags, at, `${name} (${pattern.slice(i, i + 2)}) at offset ${i}`);
        }
      }
      i++; // the escaped character
      canRepeat = true;
    } else if (inClass) {
      if (char === ']') {
        inClass = false;
        canRepeat = true;
      }
    } else if (char === '[') {
      inClass = true;
      // A `]` (or `^]`) right after the opening bracket is a literal member.
      if (pattern[i + 1] === '^') i++;
      if (pattern[i + 1] === ']') i++;
    } else if (char === '(') {
      const rest = pattern.slice(i, i + 4);
      for (const [construct, name] of UNSUPPORTED) {
        if (construct.test(rest)) unsupported(pattern, flags, at, `${name} at offset ${i}`);
      }
      depth++;
      canRepeat = false;
      // `(?` starts group syntax (flags, a name, a non-capturing group), not a repetition.
      if (pattern[i + 1] === '?') i++;
    } else if (char === ')') {
      if (depth === 0) bad(pattern, flags, at, `unexpected ) at offset ${i}`);
      depth--;
      canRepeat = true;
    } else if (char === '|') {
      canRepeat = false;
    } else if (char === '*' || char === '+' || char === '?') {
      // A second quantifier makes it lazy (`a*?`) or is refused by RE2 (`a**`): RE2 decides.
      if (!canRepeat && !(i > 0 && '*+?}'.includes(pattern[i - 1]!))) bad(pattern, flags, at, `missing argument to repetition operator ${char} at offset ${i}`);
    } else {
      canRepeat = char !== '^';
    }
  }
  if (inClass) bad(pattern, flags, at, 'missing closing ]');
  if (depth > 0) bad(pattern, flags, at, 'missing closing )');
}

function bad(pattern: string, flags: string | undefined, at: string, reason: string): never {
  throw filterError(at, `bad regular expression /${pattern}/${flags ?? ''}: ${reason}`, { value: pattern });
}

function unsupported(pattern: string, flags: string | undefined, at: string, what: string): never {
  throw filterError(
    at,
    `regular expression /${pattern}/${flags ?? ''} uses a ${what}, which the linear-time engine (RE2, as in DuckDB's regexp_matches) does not support; rewrite it without lookaround or backreferences`,
    { value: pattern },
  );
}

/** Compiles a checked pattern with RE2. Needs {@link loadRegexEngine} first. */
export function compileRegex(pattern: string, flags: string | undefined, at: string): CompiledRegex {
  if (engine === null) throw new Error('the regular expression engine is not loaded: await loadRegexEngine() before compiling a matches filter');
  const cached = compiledCache.get(`${flags ?? ''}/${pattern}`);
  if (cached !== undefined) return cached;
  checkStructure(pattern, flags, at);
  const { RE2JS } = engine;
  let bits = 0;
  for (const flag of flags ?? '') {
    if (flag === 'i') bits |= RE2JS.CASE_INSENSITIVE;
    else if (flag === 'm') bits |= RE2JS.MULTILINE;
    else if (flag === 's') bits |= RE2JS.DOTALL;
  }
  let re: RE2JS;
  try {
    re = RE2JS.compile(pattern, bits);
  } catch (error) {
    const reason = (error instanceof Error ? error.message : String(error)).replace(/^error parsing regexp: /, '');
    throw filterError(at, `bad regular expression /${pattern}/${flags ?? ''}: ${reason} (patterns use RE2 syntax, as DuckDB's regexp_matches)`, { value: pattern });
  }
  if (compiledCache.size >= 64) compiledCache.clear();
  compiledCache.set(`${flags ?? ''}/${pattern}`, re);
  return re;
}

/** The `matches` terms of a filter tree. */
export function regexTerms(filter: Filter): Array<Extract<Filter, { op: 'matches' }>> {
  const found: Array<Extract<Filter, { op: 'matches' }>> = [];
  const stack: Filter[] = [filter];
  while (stack.length > 0) {
    const node = stack.pop()!;
    if (node.op === 'and' || node.op === 'or') stack.push(...node.filters);
    else if (node.op === 'not') stack.push(node.filter);
    else if (node.op === 'matches') found.push(node);
  }
  return found;
}
