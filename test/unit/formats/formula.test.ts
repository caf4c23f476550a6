/**
 * The CSV/TSV formula guard covers header cells (keys and `columns[].header`) as well as data cells,
 * and cells whose formula starts after NULs; plain numbers stay as they are. Read back by papaparse
 * and DuckDB.
 */
import { describe, expect, it } from 'vitest';
import { isFormulaLike } from '../../../src/formats/csv.js';
import type { StreamOptions } from '../../../src/types.js';
import { duckdbReadCsv, papaParse } from '../../helpers/readers.js';
import { exportAll } from '../hostile/helpers.js';

const EVIL = '=HYPERLINK("http://evil","x")';

async function text(rows: unknown, options: Partial<StreamOptions> & Pick<StreamOptions, 'format'>): Promise<{ text: string; escaped: number }> {
  const { bytes, result } = await exportAll(rows, options);
  return { text: new TextDecoder().decode(bytes), escaped: result.formulaCellsEscaped ?? 0 };
}

describe('formula guard', () => {
  it('guards a key used as a header, in CSV and TSV', async () => {
    for (const format of ['csv', 'tsv'] as const) {
      const { text: out, escaped } = await text([{ [EVIL]: 1, plain: 2 }], { format });
      const rows = papaParse(out, format === 'tsv' ? '\t' : ',');
      expect(rows[0]).toEqual([`'${EVIL}`, 'plain']);
      expect(escaped).toBe(1);
    }
  });

  it('guards a columns[].header, and DuckDB reads the guarded name', async () => {
    const { text: out } = await text([{ a: 1 }], { format: 'csv', columns: [{ field: 'a', header: '@SUM(A1:A9)' }] });
    const read = await duckdbReadCsv(out);
    expect(read.columns).toEqual(["'@SUM(A1:A9)"]);
    expect(read.rows).toEqual([['1']]);
  });

  it('guards headers with quoteAll too, and leaves them alone with escapeFormulae: false', async () => {
    const quoted = await text([{ [EVIL]: 'x' }], { format: 'csv', csv: { quoteAll: true } });
    expect(papaParse(quoted.text)[0]).toEqual([`'${EVIL}`]);
    const raw = await text([{ [EVIL]: '=1' }], { format: 'csv', csv: { escapeFormulae: false } });
    expect(papaParse(raw.text)).toEqual([[EVIL], ['=1']]);
    expect(raw.escaped).toBe(0);
  });

  it('guards a cell or header that starts with NUL followed by a formula start', async () => {
    const { text: out, escaped } = await text([{ '\0=1+2': '\0=HYPERLINK("x")', b: '\0\0@x', c: '\0plain', d: '\0-5' }], { format: 'tsv' });
    const rows = papaParse(out, '\t');
    expect(rows).toEqual([
      ["'\0=1+2", 'b', 'c', 'd'],
      ["'\0=HYPERLINK(\"x\")", "'\0\0@x", '\0plain', '\0-5'],
    ]);
    expect(escaped).toBe(3);
  });

  it('keeps plain numbers and phone numbers unguarded, in headers and cells', async () => {
    const { text: out, escaped } = await text([{ '-5': '-5', '+1': '+1 555 0100', '1e3': '+1.5e3', x: '+44 (0)20 7946-0958', y: '+1 555 CALL' }], {
      format: 'csv',
      columns: ['-5', '+1', '1e3', 'x', 'y'],
    });
    expect(papaParse(out)).toEqual([
      ['-5', '+1', '1e3', 'x', 'y'],
      ['-5', '+1 555 0100', '+1.5e3', '+44 (0)20 7946-0958', "'+1 555 CALL"],
    ]);
    expect(escaped).toBe(1);
  });

  it('isFormulaLike', () => {
    for (const yes of ['=1', '+a', '-a', '@a', '\tx', '\rx', '\nx', '\0=1', '\0\0+x', '=', '-', '+ ', '-1+A1', "+1|'x'!A0"]) expect(isFormulaLike(yes), JSON.stringify(yes)).toBe(true);
    for (const no of ['', 'a', '-5', '+1', '+1.5e3', '.5', '\0', '\0a', '\0-5', ' =1', '+1 555 0100', '-(5)']) expect(isFormulaLike(no), JSON.stringify(no)).toBe(false);
  });
});
