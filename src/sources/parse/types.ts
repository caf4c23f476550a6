/**
 * What the streaming text parsers share: they take decoded text piece by piece and append the
 * complete rows they find to an output array, reporting malformed input through a callback.
 */
import type { Row } from '../../types.js';

/** A piece of input that could not be parsed. */
export interface MalformedInput {
  /** 1-based line where the bad record starts. */
  line: number;
  /** Why it could not be parsed. */
  reason: string;
  /** The start of the bad record, shortened for messages. */
  excerpt: string;
  /** The body as a whole is unusable (not a JSON array, say): fails even when bad records are skipped. */
  fatal?: boolean;
}

/** Called for each malformed record; may throw to stop parsing. */
export type MalformedHandler = (problem: MalformedInput) => void;

/** An incremental parser: text in, complete rows out. */
export interface TextRowParser {
  /** Parses `text`, the next piece of the body, appending every row it completes to `out`. */
  push(text: string, out: Row[]): void;
  /** The body ended: parses what is left and appends its rows to `out`. */
  end(out: Row[]): void;
}

/** Longest excerpt of a bad record quoted in a message. */
const EXCERPT_LENGTH = 80;

/** The start of `text` on one line, for messages. */
export function excerptOf(text: string): string {
  const flat = text.replace(/\r\n|[\r\n]/g, '\\n');
  return flat.length > EXCERPT_LENGTH ? `${flat.slice(0, EXCERPT_LENGTH)}…` : flat;
}

/**
 * A parsed value as a row. Objects are rows; anything else (a number, a string, `null`, an array)
 * becomes `{ value: x }`, so a list of scalars still exports as one column named `value`.
 */
export function toRow(value: unknown): Row {
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return value as Record<string, unknown>;
  return { value };
}
