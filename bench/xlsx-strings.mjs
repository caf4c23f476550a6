/**
 * Inline strings against a shared-string table, for the benchmark rows: builds the worksheet XML
 * (and the table) both ways, deflates them with zlib at level 6 (what CompressionStream uses), and
 * prints uncompressed and compressed sizes and the deflate time.
 *
 *   node bench/xlsx-strings.mjs [rows=200000] [tableLimit=65536]
 *
 * The shared table is bounded: distinct strings enter it until it holds `tableLimit` of them; later
 * new strings are written inline (memory stays bounded, as the streaming writer needs).
 */
import { gzipSync } from 'node:zlib';
import { makeRows, COLUMNS } from './dataset.mjs';

const rows = makeRows(Number(process.argv[2] ?? 200_000));
const LIMIT = Number(process.argv[3] ?? 65_536);
const esc = (s) => s.replace(/[&<>]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : '&gt;'));
const letters = COLUMNS.map((_, i) => String.fromCharCode(65 + i));

function build(shared) {
  const table = new Map();
  const parts = [];
  let xml = '';
  let sharedCells = 0;
  rows.forEach((row, r) => {
    const n = r + 2;
    xml += `<row r="${n}">`;
    COLUMNS.forEach((key, c) => {
      const v = row[key];
      const ref = `${letters[c]}${n}`;
      if (v === null || v === undefined) return;
      if (typeof v === 'string') {
        let index = shared ? table.get(v) : undefined;
        if (shared && index === undefined && table.size < LIMIT) {
          index = table.size;
          table.set(v, index);
        }
        if (index !== undefined) {
          sharedCells++;
          xml += `<c r="${ref}" t="s"><v>${index}</v></c>`;
        } else xml += `<c r="${ref}" t="inlineStr"><is><t>${esc(v)}</t></is></c>`;
      } else if (typeof v === 'boolean') xml += `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
      else if (v instanceof Date) xml += `<c r="${ref}" s="2"><v>${v.getTime() / 864e5 + 25569}</v></c>`;
      else xml += `<c r="${ref}"><v>${v}</v></c>`;
    });
    xml += '</row>';
    if (xml.length > 1 << 20) {
      parts.push(Buffer.from(xml));
      xml = '';
    }
  });
  parts.push(Buffer.from(xml));
  const sst = shared ? Buffer.from(`<sst count="${sharedCells}" uniqueCount="${table.size}">${[...table.keys()].map((s) => `<si><t>${esc(s)}</t></si>`).join('')}</sst>`) : Buffer.alloc(0);
  return { sheet: Buffer.concat(parts), sst, tableSize: table.size, sharedCells };
}

for (const shared of [false, true]) {
  const t0 = performance.now();
  const { sheet, sst, tableSize, sharedCells } = build(shared);
  const buildMs = performance.now() - t0;
  const t1 = performance.now();
  const compressed = gzipSync(sheet).length + (sst.length ? gzipSync(sst).length : 0);
  const deflateMs = performance.now() - t1;
  console.log(
    `${shared ? `shared (table ≤ ${LIMIT}: ${tableSize} strings, ${sharedCells} cells)` : 'inline'}: XML ${((sheet.length + sst.length) / 1e6).toFixed(1)} MB, ` +
      `deflated ${(compressed / 1e6).toFixed(2)} MB, build ${Math.round(buildMs)} ms, deflate ${Math.round(deflateMs)} ms`,
  );
}
