/**
 * The standard test rows: ten columns of mixed types, with text that needs CSV quoting
 * (commas, quotes, newlines) in some rows. Deterministic, so Node can rebuild any row to check it.
 */

/** One standard row (a type alias, so it is assignable to `Record<string, unknown>`). */
export type StandardRow = {
  id: number;
  name: string;
  email: string;
  amount: number;
  quantity: number;
  active: boolean;
  created: string;
  category: string;
  score: number;
  note: string;
};

/** Column names, in order. */
export const STANDARD_COLUMNS = ['id', 'name', 'email', 'amount', 'quantity', 'active', 'created', 'category', 'score', 'note'] as const;

const CATEGORIES = ['alpha', 'beta', 'gamma', 'delta'] as const;

/** Row `i` of the standard data set. */
export function standardRow(i: number): StandardRow {
  return {
    id: i,
    name: `Name ${i}`,
    email: `user${i}@example.com`,
    amount: Math.round(i * 1.37 * 100) / 100,
    quantity: i % 97,
    active: i % 3 === 0,
    created: new Date(Date.UTC(2024, 0, 1) + (i % 1000) * 86_400_000).toISOString().slice(0, 10),
    category: CATEGORIES[i % 4]!,
    score: (i % 1000) / 8,
    note: i % 10 === 0 ? `says "hi", then\nleaves` : `note ${i}`,
  };
}

/** `n` standard rows. */
export function standardRows(n: number, from = 0): StandardRow[] {
  const rows = new Array<StandardRow>(n);
  for (let i = 0; i < n; i++) rows[i] = standardRow(from + i);
  return rows;
}

/** A row as the CSV cells a reader gives back (numbers and booleans as JS prints them). */
export function standardCells(row: StandardRow): string[] {
  return STANDARD_COLUMNS.map((column) => String(row[column]));
}
