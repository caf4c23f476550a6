/**
 * Rereads an XLSX file and counts its data rows, for `verifyExport`.
 */
import { unzipSync } from 'fflate';

const decoder = new TextDecoder('utf-8', { fatal: true });

/**
 * Data rows over every sheet of an XLSX file (each sheet's header row excluded). Throws when the
 * file is not a zip, lacks its workbook or a sheet it names, or a sheet's XML is cut short.
 */
export async function countXlsxRows(bytes: Uint8Array): Promise<number> {
  let files: Record<string, Uint8Array>;
  try {
    files = unzipSync(bytes);
  } catch (error) {
    throw new Error(`it is not a zip archive: ${error instanceof Error ? error.message : String(error)}`);
  }
  const text = (name: string): string => {
    const file = files[name];
    if (file === undefined) throw new Error(`it has no ${name}`);
    try {
      return decoder.decode(file);
    } catch {
      throw new Error(`${name} is not valid UTF-8`);
    }
  };
  if (files['[Content_Types].xml'] === undefined) throw new Error('it has no [Content_Types].xml');
  const workbook = text('xl/workbook.xml');
  const rels = text('xl/_rels/workbook.xml.rels');
  const targets = new Map<string, string>();
  for (const match of rels.matchAll(/<Relationship\b[^>]*>/g)) {
    const id = /\bId="([^"]*)"/.exec(match[0])?.[1];
    const target = /\bTarget="([^"]*)"/.exec(match[0])?.[1];
    if (id !== undefined && target !== undefined) targets.set(id, target.startsWith('/') ? target.slice(1) : `xl/${target}`);
  }
  const sheets = [...workbook.matchAll(/<sheet\b[^>]*\br:id="([^"]*)"/g)].map((match) => match[1]!);
  if (sheets.length === 0) throw new Error('its workbook names no sheet');
  let rows = 0;
  for (const id of sheets) {
    const path = targets.get(id);
    if (path === undefined) throw new Error(`sheet ${id} has no relationship`);
    const xml = text(path);
    if (!/<\/worksheet>\s*$/.test(xml)) throw new Error(`${path} is cut short`);
    const count = (xml.match(/<row\b/g) ?? []).length;
    // The first row of every sheet is the header.
    rows += Math.max(0, count - 1);
  }
  return rows;
}
