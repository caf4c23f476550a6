/**
 * The standard benchmark dataset: deterministic (seeded) rows shaped like what a web app exports.
 *
 * Columns: id (int), name (10–20 chars, some non-ASCII), email (~25 chars), amount (2-decimal
 * float), quantity (int), active (bool), created_at (Date), category (one of 8), note (20–60
 * chars; 10% hold a quote, a comma and a newline), score (float, 20% null).
 *
 * The same (n, seed) always yields the same rows, from `makeRows` and from `rowsAsync`, so the
 * in-process benches and the memory benches measure the same data.
 */

/** Default seed for every benchmark. */
export const DEFAULT_SEED = 20240601;

/** The eight category values. */
export const CATEGORIES = [
  'electronics',
  'books',
  'clothing',
  'home-garden',
  'toys',
  'groceries',
  'sports',
  'automotive',
];

/** Column names, in the order rows are built. */
export const COLUMNS = [
  'id',
  'name',
  'email',
  'amount',
  'quantity',
  'active',
  'created_at',
  'category',
  'note',
  'score',
];

// About one name in five carries non-ASCII letters, so UTF-8 encoding paths are exercised.
const FIRST = [
  'Alice', 'Bruno', 'Chloé', 'Dmitri', 'Elena', 'Frances', 'Grace', 'Hiroshi', 'Isabel', 'Jonas',
  'Karin', 'Liam', 'María', 'Nikolai', 'Olivia', 'Pedro', 'Quentin', 'Rosa', 'Samuel', 'Tomasz',
  'Uma', 'Victor', 'Wen', 'Xavier', 'Yasmin', 'Zoe', 'Ahmed', 'Beatriz', 'Carlos', 'Daniela',
];
const LAST = [
  'Anderson', 'Brown', 'Castillo', 'Dubois', 'Eriksson', 'Fischer', 'Garcia', 'Hansen', 'Ivanova',
  'Jensen', 'Kowalski', 'Lopez', 'Müller', 'Nakamura', 'Okafor', 'Petrović', 'Quinn', 'Rossi',
  'Schmidt', 'Takahashi', 'Ueda', 'Van Dijk', 'Weber', 'Xu', 'Yılmaz', 'Zhang', 'Novak', 'Olsen',
];
const DOMAINS = ['example.com', 'mail.test', 'corp.example', 'shop.test'];
const WORDS = [
  'order', 'shipped', 'late', 'customer', 'asked', 'refund', 'gift', 'wrap', 'priority', 'backorder',
  'confirmed', 'address', 'changed', 'discount', 'applied', 'fragile', 'résumé', 'naïve', 'café',
  'delivery', 'window', 'pickup', 'store', 'warehouse', 'note', 'call', 'before', 'noon',
];
// Email local parts are ASCII (as most real addresses are).
const ASCII = { 'é': 'e', 'è': 'e', 'ç': 'c', 'í': 'i', 'ë': 'e', 'ø': 'o', 'ó': 'o', 'ü': 'u', 'ć': 'c', 'ı': 'i', 'á': 'a' };

/** Base of `created_at`: 2021-01-01T00:00:00Z; values span three years. */
const DATE_BASE = Date.UTC(2021, 0, 1);
const DATE_SPAN = 3 * 365 * 86_400_000;

/**
 * mulberry32: a tiny, fast, well-distributed 32-bit PRNG; returns floats in [0, 1).
 * @param {number} seed
 */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return function next() {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function toAscii(s) {
  let out = '';
  for (const ch of s.toLowerCase()) out += ASCII[ch] ?? (ch === ' ' ? '' : ch);
  return out;
}
const FIRST_ASCII = FIRST.map(toAscii);
const LAST_ASCII = LAST.map(toAscii);

/**
 * Makes a row factory bound to one PRNG stream.
 * @param {number} seed
 */
function rowFactory(seed) {
  const rand = mulberry32(seed);
  const pick = (arr) => arr[Math.floor(rand() * arr.length)];
  // Strings are built with Array#join, which yields flat strings like JSON.parse, fetch or
  // IndexedDB do; `+` would build rope strings that every reader has to flatten first.
  return function makeRow(i) {
    const f = Math.floor(rand() * FIRST.length);
    const l = Math.floor(rand() * LAST.length);
    const first = FIRST[f];
    const last = LAST[l];
    const nameParts = [first, ' '];
    let nameLength = first.length + 1;
    // Middle initials keep names within 10–20 characters ("Wen X. Y. Xu").
    while (nameLength + last.length < 10) {
      nameParts.push(String.fromCharCode(65 + Math.floor(rand() * 26)), '. ');
      nameLength += 3;
    }
    nameParts.push(last);
    const name = nameParts.join('');
    const email = [FIRST_ASCII[f], '.', LAST_ASCII[l], String(Math.floor(rand() * 1000)), '@', pick(DOMAINS)].join('');
    const amount = Math.round(rand() * 1_000_000) / 100;
    const quantity = Math.floor(rand() * 500);
    const active = rand() < 0.7;
    const created_at = new Date(DATE_BASE + Math.floor(rand() * DATE_SPAN));
    const category = pick(CATEGORIES);
    const targetLength = 20 + Math.floor(rand() * 41);
    const noteParts = [];
    let noteLength = 0;
    // Exactly every tenth row holds the three CSV-special characters: a quote, a comma, a newline.
    if (i % 10 === 7) {
      const quoted = pick(WORDS);
      noteParts.push('said "', quoted, '", then\n');
      noteLength += quoted.length + 14;
    }
    while (noteLength < targetLength) {
      const word = pick(WORDS);
      const separator = noteParts.length > 0 && noteParts[noteParts.length - 1] !== '", then\n' ? 1 : 0;
      // Notes stop at 60 characters; the last word is cut to fit.
      const room = 60 - noteLength - separator;
      if (room <= 0) break;
      if (separator) noteParts.push(' ');
      noteParts.push(word.length > room ? word.slice(0, room) : word);
      noteLength += separator + Math.min(word.length, room);
    }
    const note = noteParts.join('');
    const scoreDraw = rand();
    const score = scoreDraw < 0.2 ? null : scoreDraw * 100;
    return { id: i + 1, name, email, amount, quantity, active, created_at, category, note, score };
  };
}

/**
 * The first `n` rows of the dataset as an array.
 * @param {number} n
 * @param {number} [seed] default {@link DEFAULT_SEED}
 * @returns {Array<Record<string, unknown>>}
 */
export function makeRows(n, seed = DEFAULT_SEED) {
  const makeRow = rowFactory(seed);
  const rows = new Array(n);
  for (let i = 0; i < n; i++) rows[i] = makeRow(i);
  return rows;
}

/**
 * The same rows as {@link makeRows}, produced lazily so memory stays flat.
 * @param {number} n
 * @param {number} [seed] default {@link DEFAULT_SEED}
 * @param {(rowsProduced: number) => void} [onRow] called after each row is produced (memory probes)
 */
export async function* rowsAsync(n, seed = DEFAULT_SEED, onRow) {
  const makeRow = rowFactory(seed);
  for (let i = 0; i < n; i++) {
    yield makeRow(i);
    if (onRow) onRow(i + 1);
  }
}

/**
 * The same rows as a synchronous generator (for peers that take iterables).
 * @param {number} n
 * @param {number} [seed] default {@link DEFAULT_SEED}
 */
export function* rowsSync(n, seed = DEFAULT_SEED) {
  const makeRow = rowFactory(seed);
  for (let i = 0; i < n; i++) yield makeRow(i);
}
