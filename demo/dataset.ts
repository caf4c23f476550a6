/**
 * The playground's sample data: deterministic rows in the standard dataset shape
 * `{ id, name, email, amount, quantity, active, created_at, category, note, score }`.
 *
 * The same seed always yields the same rows, however they are cut into chunks, so a test in Node
 * can rebuild exactly what the page generated and count the rows a filter should keep.
 * Free of DOM and library imports for that reason.
 */

/** One sample row. (A type, not an interface, so it is assignable to the library's `Row`.) */
export type SampleRow = {
  id: number;
  name: string;
  email: string;
  /** Two decimals, 0–10,000. */
  amount: number;
  /** 0–499. */
  quantity: number;
  active: boolean;
  /** 2021-01-01 to 2023-12-31, UTC. */
  created_at: Date;
  /** One of {@link CATEGORIES}. */
  category: string;
  /** 20–60 characters; one row in ten holds a quote, a comma and a newline. */
  note: string;
  /** 0–100, null in about one row in five. */
  score: number | null;
};

/** The value kind of a column, for the filter editor's literals. */
export type ColumnKind = 'number' | 'string' | 'boolean' | 'date';

/** The columns, in row order, with their kinds. */
export const SAMPLE_COLUMNS: ReadonlyArray<{ readonly name: keyof SampleRow; readonly kind: ColumnKind }> = [
  { name: 'id', kind: 'number' },
  { name: 'name', kind: 'string' },
  { name: 'email', kind: 'string' },
  { name: 'amount', kind: 'number' },
  { name: 'quantity', kind: 'number' },
  { name: 'active', kind: 'boolean' },
  { name: 'created_at', kind: 'date' },
  { name: 'category', kind: 'string' },
  { name: 'note', kind: 'string' },
  { name: 'score', kind: 'number' },
];

/** The eight category values. */
export const CATEGORIES = ['electronics', 'books', 'clothing', 'home-garden', 'toys', 'groceries', 'sports', 'automotive'] as const;

/** The seed the playground uses. Default for {@link SampleGenerator}. */
export const DEFAULT_SEED = 20240601;

const FIRST = ['Alice', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Frances', 'Grace', 'Hiroshi', 'Isabel', 'Jonas', 'Karin', 'Liam', 'María', 'Nikolai', 'Olivia', 'Pedro'];
const LAST = ['Anderson', 'Brown', 'Castillo', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Hansen', 'Müller', 'Nakamura', 'Okafor', 'Petrović', 'Rossi', 'Van Dijk', 'Yılmaz', 'Zhang'];
// Email local parts in ASCII, as most real addresses are.
const FIRST_ASCII = ['alice', 'bruno', 'chloe', 'dmitri', 'elena', 'frances', 'grace', 'hiroshi', 'isabel', 'jonas', 'karin', 'liam', 'maria', 'nikolai', 'olivia', 'pedro'];
const LAST_ASCII = ['anderson', 'brown', 'castillo', 'dubois', 'eriksson', 'fischer', 'garcia', 'hansen', 'muller', 'nakamura', 'okafor', 'petrovic', 'rossi', 'vandijk', 'yilmaz', 'zhang'];
const DOMAINS = ['example.com', 'mail.test', 'corp.example', 'shop.test'];
const WORDS = ['order', 'shipped', 'late', 'customer', 'asked', 'refund', 'gift', 'wrap', 'priority', 'backorder', 'confirmed', 'address', 'changed', 'discount', 'fragile', 'café', 'delivery', 'pickup', 'warehouse', 'call'];

const DATE_BASE = Date.UTC(2021, 0, 1);
const DATE_SPAN = 3 * 365 * 86_400_000;

/** mulberry32: a tiny, well-distributed 32-bit PRNG; returns floats in [0, 1). */
function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Makes rows one chunk at a time from one PRNG stream, so a page can generate a million rows in
 * small tasks and still get the very rows `sampleRows(n)` returns.
 */
export class SampleGenerator {
  readonly #rand: () => number;
  #next = 0;

  /** @param seed default {@link DEFAULT_SEED} */
  constructor(seed: number = DEFAULT_SEED) {
    this.#rand = mulberry32(seed);
  }

  /** Rows made so far. */
  get produced(): number {
    return this.#next;
  }

  /** The next `count` rows. */
  take(count: number): SampleRow[] {
    const rows = new Array<SampleRow>(count);
    for (let i = 0; i < count; i++) rows[i] = this.#row(this.#next++);
    return rows;
  }

  #pick<T>(values: readonly T[]): T {
    return values[Math.floor(this.#rand() * values.length)] as T;
  }

  #row(index: number): SampleRow {
    const rand = this.#rand;
    const f = Math.floor(rand() * FIRST.length);
    const l = Math.floor(rand() * LAST.length);
    // Strings are built with Array#join, which yields flat strings (as JSON.parse or IndexedDB
    // give); `+` would build rope strings that take more memory and must be flattened later.
    const name = [FIRST[f], ' ', LAST[l]].join('');
    const email = [FIRST_ASCII[f], '.', LAST_ASCII[l], Math.floor(rand() * 1000), '@', this.#pick(DOMAINS)].join('');
    const amount = Math.round(rand() * 1_000_000) / 100;
    const quantity = Math.floor(rand() * 500);
    const active = rand() < 0.7;
    const created_at = new Date(DATE_BASE + Math.floor(rand() * DATE_SPAN));
    const category = this.#pick(CATEGORIES);
    const parts: string[] = [];
    let length = 0;
    // Every tenth row holds the three characters CSV must quote: a quote, a comma, a newline.
    if (index % 10 === 7) {
      const quoted = this.#pick(WORDS);
      parts.push('said "', quoted, '", then\n');
      length += quoted.length + 14;
    }
    const target = 20 + Math.floor(rand() * 41);
    while (length < target) {
      const word = this.#pick(WORDS);
      const gap = length > 0 && parts[parts.length - 1] !== '", then\n' ? 1 : 0;
      const room = 60 - length - gap;
      if (room <= 0) break;
      if (gap === 1) parts.push(' ');
      parts.push(word.length > room ? word.slice(0, room) : word);
      length += gap + Math.min(word.length, room);
    }
    const note = parts.join('');
    const draw = rand();
    const score = draw < 0.2 ? null : Math.round(draw * 10_000) / 100;
    return { id: index + 1, name, email, amount, quantity, active, created_at, category, note, score };
  }
}

/** The first `count` rows for `seed` (default {@link DEFAULT_SEED}), all at once. */
export function sampleRows(count: number, seed: number = DEFAULT_SEED): SampleRow[] {
  return new SampleGenerator(seed).take(count);
}
