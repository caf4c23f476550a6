/**
 * The rows the smoke page exports and the CSV cells expected back. Shared by the page (which
 * runs in Chromium) and the spec (which checks the output in Node), so they cannot drift apart.
 */

/** Input rows: plain values, a field with a comma and quotes, a field with a line break, non-ASCII text. */
export const SMOKE_ROWS = [
  { id: 1, name: 'Ada', note: 'plain', amount: 1.5, active: true },
  { id: 2, name: 'Smith, "Jr."', note: 'comma and quote', amount: -2, active: false },
  { id: 3, name: 'Zoë ✓ 東京', note: 'line one\nline two', amount: 0.25, active: true },
] as const;

/** The header row expected: the first row's keys, in order. */
export const SMOKE_HEADER = ['id', 'name', 'note', 'amount', 'active'] as const;

/** The data cells expected, as text, after a CSV reader has unquoted them. */
export const SMOKE_CELLS: readonly (readonly string[])[] = [
  ['1', 'Ada', 'plain', '1.5', 'true'],
  ['2', 'Smith, "Jr."', 'comma and quote', '-2', 'false'],
  ['3', 'Zoë ✓ 東京', 'line one\nline two', '0.25', 'true'],
];

/** What the page reports back to the spec. */
export interface SmokeResult {
  /** The whole output decoded as UTF-8, with a byte-order mark kept if there is one. */
  text: string;
  byteLength: number;
  chunkCount: number;
  /** Chunks that were not `Uint8Array`s (the stream's contract says there are none). */
  foreignChunks: string[];
}
