/**
 * The rows every engine spec exports: deterministic, so Node rebuilds any row to check a file.
 * Text that CSV must quote (commas, quotes, line breaks), text outside ASCII, and nulls.
 */

/** One row (a type alias, so it is assignable to `Record<string, unknown>`). */
export type EngineRow = {
  id: number;
  name: string;
  amount: number;
  ok: boolean;
  note: string | null;
};

/** Column names, in order. */
export const ROW_COLUMNS = ['id', 'name', 'amount', 'ok', 'note'] as const;

const NAMES = ['plain', 'comma, inside', 'quote " inside', 'line\nbreak', 'ünïcødé 雪 🙂'] as const;

/** Row `i`. */
export function engineRow(i: number): EngineRow {
  return { id: i, name: `${NAMES[i % NAMES.length]!} ${i}`, amount: i * 0.25, ok: i % 2 === 0, note: i % 7 === 0 ? null : `n${i % 13}` };
}

/** Rows `from` … `from + n - 1`. */
export function engineRows(n: number, from = 0): EngineRow[] {
  const rows = new Array<EngineRow>(n);
  for (let i = 0; i < n; i++) rows[i] = engineRow(from + i);
  return rows;
}
