/**
 * XLSX, written as a stream: rows become worksheet XML in a byte buffer, the XML is deflated as it is
 * produced, and each part becomes a zip entry with a data descriptor. Nothing grows with the row
 * count but the list of sheet names.
 *
 * Cells: numbers as numbers; booleans; dates and timestamps as serial numbers (1900 date system)
 * with a date or date-time format; text as inline strings (`t="inlineStr"`), never formulas.
 *
 * Under `limits.maxBytes` with `onExceed: 'truncate'` the sheet is deflated differently, in
 * measured segments, so that the workbook can end at the last row that fits (see encodeWithin).
 */
import { Deflate, deflateSync } from 'fflate';
import { ExportError } from '../../errors.js';
import type { Chunk } from '../../schema/chunk.js';
import { ByteWriter, put, utf8, writeInteger, writeIsoDate, writeNumber } from '../bytes.js';
import { boolAt, CellKind, columnStates, decimalAt, epochMsAt, int64At, int64BigAt, int64NeedsBigInt, isNullAt, type ColumnState } from '../columns.js';
import type { ExportIssue } from '../../types.js';
import type { Emit, Encoder, EncoderContext } from '../types.js';
import { crc32 } from './crc32.js';
import { createCompressor, type DeflateEngine, type EntryCompressor } from './deflate.js';
import { sheetNameProblem, XLSX_MAX_CELL_CHARS, XLSX_MAX_COLUMNS, XLSX_MAX_ROWS, XLSX_MAX_SHEET_NAME, xlsxOptionProblems, type XlsxOptions, type XlsxOverflow } from './options.js';
import { appProperties, columnLetters, contentTypes, coreProperties, rootRels, sheetEnd, sheetStart, Style, styles, workbook, workbookRels, type SheetInfo } from './parts.js';
import { ZipWriter } from './zip.js';

/** Data rows a sheet holds below its header. */
const DATA_ROWS_PER_SHEET = XLSX_MAX_ROWS - 1;
/** XML bytes gathered before they go to the compressor. */
const FLUSH_BYTES = 1 << 18;
/**
 * XML bytes handed to the compressor and not yet consumed, at most. Where the compressor runs on
 * another thread (Node's zlib), a few megabytes keep it busy while this thread turns the next rows
 * into a batch (one chunk of 8,192 benchmark rows is about 4 MB of XML); where it runs on this
 * thread, the queue is drained at each wait anyway.
 */
const IN_FLIGHT_BYTES = 1 << 22;
const MS_PER_DAY = 86_400_000;
/** Serial of 1970-01-01 in the 1900 date system (counting Excel's phantom 1900-02-29). */
const EPOCH_SERIAL = 25_569;
/** 1900-01-01T00:00Z, serial 1: the first instant Excel can show. */
const MIN_SERIAL_MS = Date.UTC(1900, 0, 1);
/** 1900-03-01T00:00Z, serial 61: before it, serials skip the phantom 1900-02-29. */
const PHANTOM_MS = Date.UTC(1900, 2, 1);
/** The last instant Excel can show: 9999-12-31T23:59:59.999Z. */
const MAX_SERIAL_MS = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

/** XLSX options with defaults filled in. */
interface ResolvedXlsxOptions {
  sheetName: string;
  overflow: XlsxOverflow;
  title: string | undefined;
  creator: string | undefined;
  created: Date;
  freezeHeader: boolean;
  autoFilter: boolean;
}

function resolveOptions(value: XlsxOptions | undefined): ResolvedXlsxOptions {
  const problems: Array<{ code: string; path: string; message: string }> = [];
  xlsxOptionProblems(value, (path, message) => problems.push({ code: 'invalid_options', path, message }));
  if (problems.length > 0) {
    throw new ExportError('invalid_options', problems.map((p) => p.message).join('; '), { details: { path: problems[0]!.path, problems } });
  }
  const o = value ?? {};
  return {
    sheetName: o.sheetName ?? 'Sheet1',
    overflow: o.overflow ?? 'newSheet',
    title: o.title,
    creator: o.creator,
    created: o.created ?? new Date(),
    freezeHeader: o.freezeHeader ?? true,
    autoFilter: o.autoFilter ?? true,
  };
}

/** The name of the `index`th sheet (0-based): the option, then `<name> (2)`, cut to fit 31 characters. */
export function sheetNameAt(base: string, index: number): string {
  if (index === 0) return base;
  const suffix = ` (${index + 1})`;
  let stem = base.slice(0, XLSX_MAX_SHEET_NAME - suffix.length);
  // Never leave half a surrogate pair, nor an apostrophe at the end.
  if (/[\ud800-\udbff]$/.test(stem)) stem = stem.slice(0, -1);
  return `${stem}${suffix}`;
}

// Bytes that send a text cell to the careful path: XML's specials, controls (tab and LF pass),
// `_` (a literal `_xHHHH_` must be escaped) and 0xEF (U+FFFE and U+FFFF begin with it).
const SPECIAL = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) if (b !== 9 && b !== 10) SPECIAL[b] = 1;
for (const char of '&<>_') SPECIAL[char.charCodeAt(0)] = 1;
SPECIAL[0xef] = 1;
// Whitespace at either end of a text: kept only under xml:space="preserve".
const EDGE_SPACE = new Uint8Array(256);
for (const b of [9, 10, 13, 32]) EDGE_SPACE[b] = 1;
const HEX = new Uint8Array(256);
for (const char of '0123456789abcdefABCDEF') HEX[char.charCodeAt(0)] = 1;
const HEX_DIGITS = utf8('0123456789ABCDEF');

const NUMBER_OPEN = utf8('"><v>');
const VALUE_CLOSE = utf8('</v></c>');
const TEXT_OPEN = utf8('" t="inlineStr"><is><t>');
const TEXT_OPEN_PRESERVE = utf8('" t="inlineStr"><is><t xml:space="preserve">');
const TEXT_CLOSE = utf8('</t></is></c>');
const HEADER_OPEN = utf8(`" s="${Style.header}" t="inlineStr"><is><t>`);
const HEADER_OPEN_PRESERVE = utf8(`" s="${Style.header}" t="inlineStr"><is><t xml:space="preserve">`);
const BOOL_TRUE = utf8('" t="b"><v>1</v></c>');
const BOOL_FALSE = utf8('" t="b"><v>0</v></c>');
const DATE_OPEN = utf8(`" s="${Style.date}"><v>`);
const DATE_TIME_OPEN = utf8(`" s="${Style.dateTime}"><v>`);
const ROW_OPEN = utf8('<row r="');
const ROW_CLOSE = utf8('</row>');
const AMP = utf8('&amp;');
const LT = utf8('&lt;');
const GT = utf8('&gt;');
const CR = utf8('&#13;');
const decoder = new TextDecoder();

/** Room any number, boolean or serial cell needs beyond its opening (`String(-Number.MIN_VALUE)` is 7 bytes). */
const CELL_BOUND = 64;

/** Options of {@link createEncoder} that only tests and benchmarks change. */
export interface XlsxEncoderTuning {
  /** Deflate implementation. Default: Node's zlib in Node, else `CompressionStream` where it exists, else fflate. */
  deflate?: DeflateEngine;
}

/** The XLSX encoder. */
export function createEncoder(context: EncoderContext, tuning: XlsxEncoderTuning = {}): Encoder {
  // Read through a widened type so this folder does not depend on how the options type lists formats.
  const o = resolveOptions((context.options as { xlsx?: XlsxOptions }).xlsx);
  const offThreadGzip = context.createCompressor;
  const sheetGzip = offThreadGzip === undefined ? undefined : () => offThreadGzip('gzip');
  const columns = context.columns;
  if (columns.length > XLSX_MAX_COLUMNS) {
    throw new ExportError('invalid_options', `xlsx holds at most ${XLSX_MAX_COLUMNS} columns a sheet, the export has ${columns.length}; choose fewer with \`columns\``, {
      details: { path: 'columns', value: String(columns.length) },
    });
  }
  const columnCount = columns.length;
  const zip = new ZipWriter(o.created);
  const writer = new ByteWriter(FLUSH_BYTES + (1 << 16));
  /** Buffers the compressor has finished with, to build XML into again. */
  const spares: Uint8Array[] = [];
  /** Writes handed to the compressor, oldest first, with their buffers (null when a copy was handed). */
  const inFlight: Array<{ buffer: Uint8Array | null; length: number; written: Promise<void> }> = [];
  let inFlightBytes = 0;
  // `<c r="AB` for each column: the row number and the cell's type follow.
  const cellOpen = columns.map((_, i) => utf8(`<c r="${columnLetters(i)}`));
  const lastColumn = columnCount > 0 ? columnLetters(columnCount - 1) : '';
  const sheets: SheetInfo[] = [];
  /** Column widths (characters), from the first chunk. */
  let widths: number[] | null = null;
  let compressor: EntryCompressor | null = null;
  let compressed = 0;
  let uncompressed = 0;
  /** Rows on the open sheet, the header included. */
  let sheetRows = 0;
  let stopped = false;
  let droppedRows = 0;
  const rowDigits = new Uint8Array(16);
  let rowDigitCount = 0;
  /** Under truncation, the issues of rows being measured: they count once those rows are written. */
  let heldIssues: Array<{ at: number; issue: ExportIssue }> | null = null;
  /** Position in its run of the row being built, for {@link heldIssues}. */
  let heldAt = 0;
  const report = (issue: ExportIssue): void => {
    if (heldIssues === null) context.report(issue);
    else heldIssues.push({ at: heldAt, issue });
  };

  /** Emits what the compressor has produced so far as the open entry's data. */
  const emitCompressed = (emit: Emit): void => {
    for (const bytes of compressor!.take()) {
      if (bytes.length === 0) continue;
      compressed += bytes.length;
      zip.data(bytes.length);
      emit(bytes);
    }
  };

  /**
   * Sends the gathered XML to the compressor without waiting for it, unless more than
   * {@link IN_FLIGHT_BYTES} are still queued. Buffers return to a pool once their write settles,
   * so rows never wait for a fresh allocation and the garbage stays flat.
   */
  const flush = async (emit: Emit): Promise<void> => {
    if (writer.pos === 0) return;
    const compressor_ = compressor!;
    let bytes = writer.buf.subarray(0, writer.pos);
    let buffer: Uint8Array | null = null;
    if (compressor_.keepsInput) bytes = bytes.slice();
    else {
      buffer = writer.buf;
      let next = spares.pop();
      // A buffer the writer outgrew is dropped, not reused.
      while (next !== undefined && next.length < buffer.length) next = spares.pop();
      writer.buf = next ?? new Uint8Array(buffer.length);
    }
    writer.pos = 0;
    uncompressed += bytes.length;
    const written = compressor_.write(bytes);
    // A failure is thrown where the write is waited for; until then it is not "unhandled".
    written.catch(() => undefined);
    inFlight.push({ buffer, length: bytes.length, written });
    inFlightBytes += bytes.length;
    while (inFlightBytes > IN_FLIGHT_BYTES) await settleOldest();
    emitCompressed(emit);
  };

  /** Waits for the oldest queued write; its buffer goes back to the pool. */
  const settleOldest = async (): Promise<void> => {
    const oldest = inFlight[0]!;
    await oldest.written;
    inFlight.shift();
    inFlightBytes -= oldest.length;
    if (oldest.buffer !== null) spares.push(oldest.buffer);
  };

  /** Writes a whole small part as one entry. */
  const writePart = async (name: string, xml: string, emit: Emit): Promise<void> => {
    emit(zip.begin(name));
    compressor = createCompressor(tuning.deflate);
    compressed = 0;
    const bytes = utf8(xml);
    uncompressed = bytes.length;
    await compressor.write(bytes);
    await closeEntry(emit);
  };

  const closeEntry = async (emit: Emit): Promise<void> => {
    while (inFlight.length > 0) await settleOldest();
    const crc = await compressor!.end();
    emitCompressed(emit);
    compressor = null;
    emit(zip.end(crc, compressed, uncompressed));
  };

  const openSheet = (emit: Emit): void => {
    const index = sheets.length;
    const name = sheetNameAt(o.sheetName, index);
    const problem = sheetNameProblem(name);
    if (problem !== null) throw new ExportError('invalid_options', problem, { details: { path: 'xlsx.sheetName' } });
    sheets.push({ name, filterRange: null });
    emit(zip.begin(`xl/worksheets/sheet${index + 1}.xml`));
    // A sheet holds nearly all the bytes: its deflate runs where the thread's parts say (a worker of
    // its own, in a browser). The small parts stay on this thread: a worker each would cost more.
    compressor = createCompressor(tuning.deflate, sheetGzip);
    compressed = 0;
    uncompressed = 0;
    writer.text(sheetStart(widths ?? headerWidths(), index === 0, o.freezeHeader && columnCount > 0));
    sheetRows = 0;
    if (columnCount > 0) writeHeader();
  };

  const closeSheet = async (emit: Emit): Promise<void> => {
    const sheet = sheets[sheets.length - 1]!;
    if (o.autoFilter && columnCount > 0) sheet.filterRange = `A1:${lastColumn}${Math.max(sheetRows, 1)}`;
    writer.text(sheetEnd(sheet.filterRange));
    await flush(emit);
    await closeEntry(emit);
  };

  /** The parts written after the sheets, in order: their names and XML. */
  const closingParts = (list: readonly SheetInfo[]): Array<[string, string]> => [
    ['xl/styles.xml', styles()],
    ['xl/workbook.xml', workbook(list)],
    ['xl/_rels/workbook.xml.rels', workbookRels(list.length)],
    ['docProps/core.xml', coreProperties(o.title, o.creator, o.created)],
    ['docProps/app.xml', appProperties(list)],
    ['_rels/.rels', rootRels()],
    ['[Content_Types].xml', contentTypes(list.length)],
  ];

  const headerWidths = (): number[] => columns.map((column) => clampWidth(column.header.length + 3));

  const setRowNumber = (row: number): void => {
    rowDigitCount = writeInteger(rowDigits, 0, row);
  };

  const writeHeader = (): void => {
    sheetRows = 1;
    setRowNumber(1);
    writeRowOpen();
    for (let c = 0; c < columnCount; c++) writeTextCell(c, utf8(columns[c]!.header), 0, -1, true, -1);
    writer.bytes(ROW_CLOSE);
  };

  const writeRowOpen = (): void => {
    writer.reserve(32);
    const buf = writer.buf;
    let pos = writer.pos;
    for (let i = 0; i < ROW_OPEN.length; i++) buf[pos++] = ROW_OPEN[i]!;
    for (let i = 0; i < rowDigitCount; i++) buf[pos++] = rowDigits[i]!;
    buf[pos++] = 34; // "
    buf[pos++] = 62; // >
    writer.pos = pos;
  };

  /** `<c r="B12`: the start of every cell. */
  const writeCellOpen = (c: number): void => {
    const open = cellOpen[c]!;
    writer.reserve(open.length + rowDigitCount);
    const buf = writer.buf;
    let pos = writer.pos;
    for (let i = 0; i < open.length; i++) buf[pos++] = open[i]!;
    for (let i = 0; i < rowDigitCount; i++) buf[pos++] = rowDigits[i]!;
    writer.pos = pos;
  };

  /**
   * A text cell from UTF-8 bytes `[from, to)` (`to < 0`: all of `bytes`), escaped for XML and the
   * OOXML `_xHHHH_` convention, cut at Excel's 32,767 characters with an issue.
   */
  const writeTextCell = (c: number, bytes: Uint8Array, from: number, to: number, header: boolean, sourceRow: number): void => {
    if (to < 0) to = bytes.length;
    if (to - from > XLSX_MAX_CELL_CHARS) {
      // Only a cell this long in bytes can be too long in characters (UTF-16 units, as Excel counts).
      const text = decoder.decode(bytes.subarray(from, to));
      if (text.length > XLSX_MAX_CELL_CHARS) {
        let cut = text.slice(0, XLSX_MAX_CELL_CHARS);
        if (/[\ud800-\udbff]$/.test(cut)) cut = cut.slice(0, -1);
        const where = header ? `the header of column ${c + 1}` : `row ${sourceRow}`;
        report({
          code: 'truncated',
          message: `${where}: text of ${text.length} characters in column "${columns[c]!.header}" cut to ${cut.length} (Excel holds at most ${XLSX_MAX_CELL_CHARS} a cell)`,
          ...(header ? {} : { row: sourceRow }),
          column: columns[c]!.header,
        });
        bytes = utf8(cut);
        from = 0;
        to = bytes.length;
      }
    }
    writeCellOpen(c);
    const preserve = to > from && (EDGE_SPACE[bytes[from]!] === 1 || EDGE_SPACE[bytes[to - 1]!] === 1);
    writer.bytes(header ? (preserve ? HEADER_OPEN_PRESERVE : HEADER_OPEN) : preserve ? TEXT_OPEN_PRESERVE : TEXT_OPEN);
    writeEscaped(bytes, from, to);
    writer.bytes(TEXT_CLOSE);
  };

  /** Text bytes with `& < >`, CR, controls, U+FFFE/U+FFFF and literal `_xHHHH_` escaped. */
  const writeEscaped = (bytes: Uint8Array, from: number, to: number): void => {
    // Seven output bytes at most for one input byte (`_x0001_`).
    writer.reserve((to - from) * 7);
    const buf = writer.buf;
    let pos = writer.pos;
    for (let i = from; i < to; i++) {
      const b = bytes[i]!;
      if (SPECIAL[b] === 0) {
        buf[pos++] = b;
        continue;
      }
      if (b === 38) pos = put(buf, pos, AMP);
      else if (b === 60) pos = put(buf, pos, LT);
      else if (b === 62) pos = put(buf, pos, GT);
      else if (b === 13) pos = put(buf, pos, CR);
      else if (b < 0x20) pos = putHex(buf, pos, b);
      else if (b === 95) {
        // `_x0041_` in the data would read back as "A": escape its underscore as `_x005F_`.
        if (
          i + 6 < to &&
          (bytes[i + 1] === 120 || bytes[i + 1] === 88) &&
          HEX[bytes[i + 2]!] === 1 &&
          HEX[bytes[i + 3]!] === 1 &&
          HEX[bytes[i + 4]!] === 1 &&
          HEX[bytes[i + 5]!] === 1 &&
          bytes[i + 6] === 95
        ) {
          pos = putHex(buf, pos, 95);
        } else buf[pos++] = b;
      } else if (b === 0xef && i + 2 < to && bytes[i + 1] === 0xbf && (bytes[i + 2] === 0xbe || bytes[i + 2] === 0xbf)) {
        // U+FFFE and U+FFFF are not XML characters.
        pos = putHex(buf, pos, bytes[i + 2] === 0xbe ? 0xfffe : 0xffff);
        i += 2;
      } else buf[pos++] = b;
    }
    writer.pos = pos;
  };

  const writeStringCell = (c: number, text: string, sourceRow: number): void => writeTextCell(c, utf8(text), 0, -1, false, sourceRow);

  const writeNumberCell = (c: number, value: number, sourceRow: number): void => {
    if (!Number.isFinite(value)) {
      report({
        code: 'non_finite_number',
        message: `row ${sourceRow}: ${value} in column "${columns[c]!.header}" written as an empty cell (Excel has no NaN or Infinity)`,
        row: sourceRow,
        column: columns[c]!.header,
      });
      return;
    }
    writeCellOpen(c);
    writer.reserve(CELL_BOUND);
    let pos = put(writer.buf, writer.pos, NUMBER_OPEN);
    // Excel has no negative zero: -0 is written as 0.
    pos = writeNumber(writer.buf, pos, value === 0 ? 0 : value);
    writer.pos = put(writer.buf, pos, VALUE_CLOSE);
  };

  /** A date or timestamp cell: a serial number, or ISO text with an issue outside Excel's range. */
  const writeTimeCell = (c: number, ms: number, dateOnly: boolean, sourceRow: number): void => {
    if (!Number.isFinite(ms)) return;
    if (ms < MIN_SERIAL_MS || ms > MAX_SERIAL_MS) {
      const iso = new Uint8Array(40);
      const length = writeIsoDate(iso, 0, ms, dateOnly);
      const text = decoder.decode(iso.subarray(0, length));
      report({
        code: 'invalid_value',
        message: `row ${sourceRow}: ${text} in column "${columns[c]!.header}" is outside Excel's dates (1900-01-01 to 9999-12-31); written as text`,
        row: sourceRow,
        column: columns[c]!.header,
      });
      writeTextCell(c, iso, 0, length, false, sourceRow);
      return;
    }
    writeCellOpen(c);
    writer.reserve(CELL_BOUND);
    let pos = put(writer.buf, writer.pos, dateOnly ? DATE_OPEN : DATE_TIME_OPEN);
    pos = writeSerial(writer.buf, pos, ms);
    writer.pos = put(writer.buf, pos, VALUE_CLOSE);
  };

  const writeBigText = (c: number, text: string, sourceRow: number): void => {
    report({
      code: 'unsafe_integer',
      message: `row ${sourceRow}: ${text} in column "${columns[c]!.header}" has more digits than Excel keeps (15); written as text`,
      row: sourceRow,
      column: columns[c]!.header,
    });
    writeStringCell(c, text, sourceRow);
  };

  /** One cell by the general path: every kind, mismatches and nulls. */
  const writeCell = (state: ColumnState, c: number, row: number, sourceRow: number): void => {
    if (state.mismatches !== null) {
      const text = state.mismatches.get(row);
      if (text !== undefined) {
        writeStringCell(c, text, sourceRow);
        return;
      }
    }
    if (isNullAt(state, row)) return;
    switch (state.kind) {
      case CellKind.number:
        writeNumberCell(c, state.values[row]!, sourceRow);
        return;
      case CellKind.text:
      case CellKind.json: {
        const offsets = state.offsets!;
        writeTextCell(c, state.values as Uint8Array, offsets[row]!, offsets[row + 1]!, false, sourceRow);
        return;
      }
      case CellKind.bool:
        writeCellOpen(c);
        writer.bytes(boolAt(state, row) ? BOOL_TRUE : BOOL_FALSE);
        return;
      case CellKind.int64:
        if (int64NeedsBigInt(state.values, row, state.unsigned)) writeBigText(c, int64BigAt(state.values, row, state.unsigned).toString(), sourceRow);
        else writeNumberCell(c, int64At(state.values, row, state.unsigned), sourceRow);
        return;
      case CellKind.timestamp:
        writeTimeCell(c, epochMsAt(state, row), false, sourceRow);
        return;
      case CellKind.dateDay:
        writeTimeCell(c, epochMsAt(state, row), true, sourceRow);
        return;
      case CellKind.decimal:
        writeDecimal(c, decimalAt(state.values, row, state.scale), sourceRow);
        return;
      case CellKind.null:
        return;
      default:
        writeValue(c, state.vector!.get(row), sourceRow);
    }
  };

  const writeDecimal = (c: number, text: string, sourceRow: number): void => {
    // Exact decimals stay numbers while Excel's 15 significant digits hold them.
    const digits = text.replace(/^-/, '').replace('.', '').replace(/^0+/, '').replace(/0+$/, '');
    if (digits.length <= 15) writeNumberCell(c, Number(text), sourceRow);
    else writeBigText(c, text, sourceRow);
  };

  const writeValue = (c: number, value: unknown, sourceRow: number): void => {
    if (value === null || value === undefined) return;
    if (typeof value === 'number') writeNumberCell(c, value, sourceRow);
    else if (typeof value === 'bigint') {
      if (value <= BigInt(Number.MAX_SAFE_INTEGER) && value >= BigInt(Number.MIN_SAFE_INTEGER)) writeNumberCell(c, Number(value), sourceRow);
      else writeBigText(c, value.toString(), sourceRow);
    } else if (typeof value === 'boolean') {
      writeCellOpen(c);
      writer.bytes(value ? BOOL_TRUE : BOOL_FALSE);
    } else if (value instanceof Date) writeTimeCell(c, value.getTime(), false, sourceRow);
    else if (typeof value === 'string') writeStringCell(c, value, sourceRow);
    else writeStringCell(c, JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? String(value), sourceRow);
  };

  /** Starts the next row, moving to a new sheet when this one is full; false when rows stop here. */
  const nextRow = async (emit: Emit, sourceRow: number): Promise<boolean> => {
    if (sheetRows < XLSX_MAX_ROWS) return true;
    if (o.overflow === 'error') throw overflowError(sourceRow);
    if (o.overflow === 'truncate') {
      stopped = true;
      return false;
    }
    await closeSheet(emit);
    openSheet(emit);
    return true;
  };

  /** One data row's XML, its number set by `setRowNumber`. */
  const writeRow = (states: readonly ColumnState[], paths: Uint8Array, row: number, sourceRow: number): void => {
    writeRowOpen();
    for (let c = 0; c < columnCount; c++) {
      const state = states[c]!;
      const path = paths[c]!;
      if (path !== Path.other && state.validity !== null && isNullAt(state, row)) continue;
      if (path === Path.number) {
        const value = state.values[row]!;
        if (value - value !== 0 || Object.is(value, -0)) {
          writeNumberCell(c, value, sourceRow);
          continue;
        }
        const open = cellOpen[c]!;
        writer.reserve(open.length + rowDigitCount + CELL_BOUND);
        const buf = writer.buf;
        let pos = writer.pos;
        for (let i = 0; i < open.length; i++) buf[pos++] = open[i]!;
        for (let i = 0; i < rowDigitCount; i++) buf[pos++] = rowDigits[i]!;
        for (let i = 0; i < NUMBER_OPEN.length; i++) buf[pos++] = NUMBER_OPEN[i]!;
        pos = writeNumber(buf, pos, value);
        for (let i = 0; i < VALUE_CLOSE.length; i++) buf[pos++] = VALUE_CLOSE[i]!;
        writer.pos = pos;
      } else if (path === Path.text) {
        const offsets = state.offsets!;
        const from = offsets[row]!;
        const to = offsets[row + 1]!;
        const bytes = state.values as Uint8Array;
        const length = to - from;
        // The common cell: no byte needs escaping, no edge spaces, not too long. Its bytes are
        // copied and checked in one pass; at the first byte that needs care, the cell is written
        // again from its start by the careful path (nothing is kept until `writer.pos` moves).
        if (length > 0 && length <= XLSX_MAX_CELL_CHARS && EDGE_SPACE[bytes[from]!] === 0 && EDGE_SPACE[bytes[to - 1]!] === 0) {
          const open = cellOpen[c]!;
          writer.reserve(open.length + rowDigitCount + TEXT_OPEN.length + TEXT_CLOSE.length + length);
          const buf = writer.buf;
          let pos = writer.pos;
          for (let i = 0; i < open.length; i++) buf[pos++] = open[i]!;
          for (let i = 0; i < rowDigitCount; i++) buf[pos++] = rowDigits[i]!;
          pos = put(buf, pos, TEXT_OPEN);
          let i = from;
          for (; i < to; i++) {
            const b = bytes[i]!;
            if (SPECIAL[b] === 1) break;
            buf[pos++] = b;
          }
          if (i === to) {
            writer.pos = put(buf, pos, TEXT_CLOSE);
            continue;
          }
        }
        // Empty text too: an empty text cell, not a blank one, as in the source.
        writeTextCell(c, bytes, from, to, false, sourceRow);
      } else if (path === Path.time) {
        writeTimeCell(c, epochMsAt(state, row), state.kind === CellKind.dateDay, sourceRow);
      } else {
        writeCell(state, c, row, sourceRow);
      }
    }
    writer.bytes(ROW_CLOSE);
  };

  const reportDropped = (): void => {
    if (droppedRows === 0) return;
    report({
      code: 'truncated',
      message: `${droppedRows} rows past the sheet's ${DATA_ROWS_PER_SHEET} were not written (xlsx.overflow is "truncate")`,
    });
  };

  const encode = async (chunk: Chunk, emit: Emit): Promise<void> => {
    const states = columnStates(chunk, columns);
    const selection = chunk.selection;
    const rows = selection === null ? chunk.batch.numRows : selection.length;
    if (stopped) {
      droppedRows += rows;
      return;
    }
    if (widths === null) widths = estimateWidths(states, selection, rows);
    if (compressor === null) openSheet(emit);
    const paths = new Uint8Array(columnCount);
    for (let c = 0; c < columnCount; c++) paths[c] = pathOf(states[c]!);
    for (let k = 0; k < rows; k++) {
      const row = selection === null ? k : selection[k]!;
      if (sheetRows >= XLSX_MAX_ROWS && !(await nextRow(emit, chunk.firstRow + row))) {
        droppedRows += rows - k;
        break;
      }
      sheetRows++;
      setRowNumber(sheetRows);
      writeRow(states, paths, row, chunk.firstRow + row);
      if (writer.pos >= FLUSH_BYTES) await flush(emit);
    }
    await flush(emit);
  };

  // Under `limits.maxBytes` with `onExceed: 'truncate'`, the sheet is a chain of deflate segments,
  // each from a fresh compressor: a run of rows, the sheet's end. A segment's size depends on its
  // own XML only, so the file that would end after any row is measured exactly by writing its
  // ending on a copy of the state (encodeWithin), and finish() writes that same ending. The small
  // parts are deflated here too (not by the platform's compressor), so what is measured is what
  // is written.
  const limits = context.options.limits;
  const cutting = limits?.maxBytes !== undefined && limits.onExceed === 'truncate';
  let cutState: CutState = { zip, sheets, sheet: null, rows: 0 };
  /** The header row's XML, built once, and its issues (reported with each sheet that carries it). */
  let cutHeader: { xml: Uint8Array; issues: ExportIssue[] } | null = null;
  /** Small parts by their XML: deflated once, however often the ending is measured. */
  const cutParts = new Map<string, { data: Uint8Array; crc: number; size: number }>();

  const headerRow = (): { xml: Uint8Array; issues: ExportIssue[] } => {
    if (cutHeader !== null) return cutHeader;
    const held = heldIssues;
    const start = writer.pos;
    heldIssues = [];
    writeHeader();
    cutHeader = { xml: writer.buf.slice(start, writer.pos), issues: heldIssues.map((entry) => entry.issue) };
    writer.pos = start;
    heldIssues = held;
    return cutHeader;
  };

  /** Opens the next sheet on `state`, its local header into `out`; returns the XML its data starts with. */
  const cutOpen = (state: CutState, sheetWidths: readonly number[], out: Uint8Array[]): Uint8Array[] => {
    const index = state.sheets.length;
    const name = sheetNameAt(o.sheetName, index);
    const problem = sheetNameProblem(name);
    if (problem !== null) throw new ExportError('invalid_options', problem, { details: { path: 'xlsx.sheetName' } });
    state.sheets.push({ name, filterRange: null });
    out.push(state.zip.begin(`xl/worksheets/sheet${index + 1}.xml`));
    state.sheet = { crc: 0, compressed: 0, size: 0 };
    const start = utf8(sheetStart(sheetWidths, index === 0, o.freezeHeader && columnCount > 0));
    if (columnCount === 0) {
      state.rows = 0;
      return [start];
    }
    state.rows = 1;
    return [start, headerRow().xml];
  };

  /** Adds XML to the open sheet of `state` as a segment of its own. */
  const cutSegment = (state: CutState, xml: readonly Uint8Array[], final: boolean, out: Uint8Array[]): number => {
    const sheet = state.sheet!;
    const data = deflateSegment(xml, final);
    for (const piece of xml) {
      sheet.crc = crc32(piece, sheet.crc);
      sheet.size += piece.length;
    }
    sheet.compressed += data.length;
    state.zip.data(data.length);
    out.push(data);
    return data.length;
  };

  const cutClose = (state: CutState, out: Uint8Array[]): void => {
    const info = state.sheets[state.sheets.length - 1]!;
    if (o.autoFilter && columnCount > 0) info.filterRange = `A1:${lastColumn}${Math.max(state.rows, 1)}`;
    cutSegment(state, [utf8(sheetEnd(info.filterRange))], true, out);
    const sheet = state.sheet!;
    out.push(state.zip.end(sheet.crc, sheet.compressed, sheet.size));
    state.sheet = null;
  };

  /**
   * What finish() writes under truncation, from `state` (which it advances): the open sheet's end
   * (a sheet of the header alone when none was opened), the small parts, the central directory.
   */
  const cutEnding = (state: CutState, out: Uint8Array[]): void => {
    if (state.sheets.length === 0) cutSegment(state, cutOpen(state, widths ?? headerWidths(), out), false, out);
    if (state.sheet !== null) cutClose(state, out);
    for (const [name, xml] of closingParts(state.sheets)) {
      let part = cutParts.get(xml);
      if (part === undefined) {
        // The workbook part names each row count tried: keep the map small.
        if (cutParts.size >= 64) cutParts.clear();
        const bytes = utf8(xml);
        part = { data: deflateSegment([bytes], true), crc: crc32(bytes), size: bytes.length };
        cutParts.set(xml, part);
      }
      out.push(state.zip.begin(name));
      state.zip.data(part.data.length);
      out.push(part.data);
      out.push(state.zip.end(part.crc, part.data.length, part.size));
    }
    out.push(state.zip.close());
  };

  /**
   * Writes the leading rows of `chunk` that fit in `room` bytes with the ending after them (see
   * Encoder.encodeWithin). Rows go in runs, one per sheet they land on; a run's XML is built once,
   * with where each row ends, and the number of its rows that fit is found by bisection, each try
   * deflating those rows as one segment and writing the ending on a copy of the state. A full
   * sheet stays open until a row needs the next, so a file never ends with an empty sheet.
   */
  const encodeWithin = (chunk: Chunk, emit: Emit, room: number): number => {
    const states = columnStates(chunk, columns);
    const selection = chunk.selection;
    const rows = selection === null ? chunk.batch.numRows : selection.length;
    if (stopped) {
      droppedRows += rows;
      return 0;
    }
    const paths = new Uint8Array(columnCount);
    for (let c = 0; c < columnCount; c++) paths[c] = pathOf(states[c]!);
    let done = 0;
    while (done < rows) {
      const state = cutState;
      const full = state.sheet !== null && state.rows >= XLSX_MAX_ROWS;
      if (full && o.overflow !== 'newSheet') {
        if (o.overflow === 'error') throw overflowError(chunk.firstRow + (selection === null ? done : selection[done]!));
        stopped = true;
        droppedRows += rows - done;
        return done;
      }
      const opens = state.sheet === null || full;
      // Row numbers go on from the sheet's last (its header is row 1).
      const firstNumber = opens ? (columnCount > 0 ? 2 : 1) : state.rows + 1;
      const length = Math.min(rows - done, XLSX_MAX_ROWS - firstNumber + 1);
      const header = headerRow();
      writer.pos = 0;
      const ends = new Uint32Array(length + 1);
      heldIssues = [];
      for (let k = 0; k < length; k++) {
        const row = selection === null ? done + k : selection[done + k]!;
        heldAt = k;
        setRowNumber(firstNumber + k);
        writeRow(states, paths, row, chunk.firstRow + row);
        ends[k + 1] = writer.pos;
      }
      const issues = heldIssues;
      heldIssues = null;
      const xml = writer.buf;
      // The first sheet's column widths come from its rows in this chunk that are written.
      const runSelection = selection === null ? null : selection.subarray(done);
      const trial = (k: number): { state: CutState; out: Uint8Array[]; emitted: number; segment: number; size: number; widths: number[] | null } => {
        const next = copyCutState(state);
        const out: Uint8Array[] = [];
        if (full) cutClose(next, out);
        let pieces: Uint8Array[] = [];
        let sheetWidths: number[] | null = null;
        if (opens) {
          sheetWidths = widths ?? estimateWidths(states, runSelection, k);
          pieces = cutOpen(next, sheetWidths, out);
        }
        pieces.push(xml.subarray(0, ends[k]!));
        next.rows += k;
        const segment = cutSegment(next, pieces, false, out);
        const emitted = totalLength(out);
        const ending: Uint8Array[] = [];
        cutEnding(copyCutState(next), ending);
        return { state: next, out, emitted, segment, size: emitted + totalLength(ending), widths: sheetWidths };
      };
      let best: ReturnType<typeof trial> | null = null;
      let size = 0;
      let segment = 0;
      const fits = (k: number): boolean => {
        const attempt = trial(k);
        size = attempt.size;
        segment = attempt.segment;
        if (attempt.size > room) return false;
        best = attempt;
        return true;
      };
      let count = length;
      if (!fits(length)) {
        // The largest count that fits, `low` (fits) and `high` (does not) closing in on it. Each
        // try deflates its rows, so the next count is guessed from the sizes at both ends (the
        // file grows about as its XML does) rather than halved; when the guesses keep landing on
        // one side, a halving step follows, so the search never takes long.
        let low = 0;
        let high = length;
        let sizeHigh = size;
        // The size of no rows, roughly: what the run's segment did not take.
        let sizeLow = size - segment;
        let side = 0;
        let bisect = false;
        while (high - low > 1) {
          let mid: number;
          if (bisect) mid = (low + high) >>> 1;
          else {
            const target = ends[low]! + ((ends[high]! - ends[low]!) * (room - sizeLow)) / Math.max(1, sizeHigh - sizeLow);
            mid = low + 1;
            let top = high - 1;
            // The last row that ends at or before the target, by bisection on the row ends.
            while (mid < top) {
              const m = (mid + top + 1) >>> 1;
              if (ends[m]! <= target) mid = m;
              else top = m - 1;
            }
          }
          const fit = fits(mid);
          if (fit) {
            low = mid;
            sizeLow = size;
          } else {
            high = mid;
            sizeHigh = size;
          }
          const now = fit ? 1 : -1;
          bisect = !bisect && now === side;
          side = now;
        }
        count = low;
      }
      if (count === 0) return done;
      const chosen = best as ReturnType<typeof trial> | null;
      if (chosen === null) throw new Error('xlsx: no measured cut');
      for (const bytes of chosen.out) emit(bytes);
      cutState = chosen.state;
      if (widths === null && chosen.widths !== null) widths = chosen.widths;
      if (opens) for (const issue of header.issues) context.report(issue);
      for (const held of issues) if (held.at < count) context.report(held.issue);
      room -= chosen.emitted;
      done += count;
      if (count < length) return done;
    }
    return rows;
  };

  return {
    encode: cutting
      ? (chunk: Chunk, emit: Emit): void => {
          // Without a byte budget (a direct call), every row fits.
          encodeWithin(chunk, emit, Number.POSITIVE_INFINITY);
        }
      : encode,
    ...(cutting ? { encodeWithin } : {}),
    async finish(emit) {
      if (cutting) {
        if (cutState.sheets.length === 0) for (const issue of headerRow().issues) report(issue);
        reportDropped();
        const out: Uint8Array[] = [];
        cutEnding(cutState, out);
        for (const bytes of out) emit(bytes);
        return;
      }
      if (compressor === null) openSheet(emit);
      await closeSheet(emit);
      reportDropped();
      for (const [name, xml] of closingParts(sheets)) await writePart(name, xml, emit);
      emit(zip.close());
    },
    abort(reason) {
      compressor?.abort(reason);
      compressor = null;
      // The aborted writes reject; nothing waits for them any more.
      for (const entry of inFlight) entry.written.catch(() => undefined);
      inFlight.length = 0;
      inFlightBytes = 0;
    },
  };
}

/** The error for a row past a full sheet when `xlsx.overflow` is `'error'`. */
function overflowError(sourceRow: number): ExportError {
  return new ExportError('limit_exceeded', `row ${sourceRow}: xlsx sheets hold ${DATA_ROWS_PER_SHEET} rows below the header; set xlsx.overflow to "newSheet" or "truncate" to write more`, {
    details: { path: 'xlsx.overflow', row: sourceRow },
  });
}

/**
 * fflate level of the deflate segments under truncation. On 100,000 benchmark rows (50.5 MB of
 * sheet XML, segments of 4 MB, busy 2-core machine): level 1 10.96 MB in 0.95–1.17 s, level 3
 * 9.68 MB in 1.46 s, level 6 9.33 MB in 2.0 s. A byte limit is there to be filled with rows:
 * level 6 fits 17% more rows than level 1 in the same bytes, and its file stays smaller than the
 * one written without the limit (Node's zlib at level 3), so a limit that holds that file holds
 * this one. The time it costs is bounded by the limit itself.
 */
const CUT_LEVEL = 6;

const NO_BYTES = new Uint8Array(0);

/**
 * Raw deflate of `xml` by a fresh compressor, so its size depends on these bytes alone. `final`:
 * the stream's last segment. Not `final`: the segment ends byte-aligned without a last block, as
 * zlib's sync flush does, so another segment may follow it in the same stream.
 *
 * fflate's own sync flush (`flush(true)`) misplaces the empty stored block's length at some bit
 * offsets (fflate#267), so the flush is built here: the data is flushed as non-final blocks, the
 * stream is ended (fflate then writes an empty final block: a fixed-Huffman header and the
 * end-of-block code, whose `1` bits are the last in the stream), and that block is replaced by an
 * empty stored one. (fflate's streaming compressor can also refer to the zeros before its input
 * (fflate#260), but only for input that holds zero bytes, which XML never does.)
 */
export function deflateSegment(xml: readonly Uint8Array[], final: boolean): Uint8Array {
  if (final) return deflateSync(xml.length === 1 ? xml[0]! : concatBytes(xml), { level: CUT_LEVEL });
  const out: Uint8Array[] = [];
  const deflate = new Deflate({ level: CUT_LEVEL }, (data) => out.push(data));
  for (const piece of xml) deflate.push(piece);
  deflate.flush();
  deflate.push(NO_BYTES, true);
  const stream = concatBytes(out);
  // The empty final block: BFINAL 1, BTYPE 01 (its 1 bit first), seven 0 bits, then 0 padding.
  let last = stream.length - 1;
  while (last >= 0 && stream[last] === 0) last--;
  const typeBit = last * 8 + (31 - Math.clz32(stream[last] ?? 0));
  const start = typeBit - 1;
  // Ten bits from BFINAL, then the padding: anything else is not the block expected.
  if (last < 0 || start < 0 || ((stream[start >> 3]! >> (start & 7)) & 1) !== 1 || stream.length !== (start + 10 + 7) >> 3) {
    throw new Error('xlsx: unexpected end of a deflate segment');
  }
  // An empty stored block where the final one began: three 0 bits, 0 bits to the byte, LEN 0, NLEN 0xFFFF.
  const aligned = (start + 3 + 7) >> 3;
  const segment = new Uint8Array(aligned + 4);
  segment.set(stream.subarray(0, (start >> 3) + 1));
  segment[start >> 3]! &= (1 << (start & 7)) - 1;
  segment[aligned + 2] = 0xff;
  segment[aligned + 3] = 0xff;
  return segment;
}

function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  if (parts.length === 1) return parts[0]!;
  const joined = new Uint8Array(totalLength(parts));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

/** The sheet being written under truncation: what its data descriptor needs. */
interface CutSheet {
  crc: number;
  compressed: number;
  size: number;
}

/** The workbook written so far under truncation; copied to measure what a cut would write. */
interface CutState {
  zip: ZipWriter;
  sheets: SheetInfo[];
  /** The open sheet (the last of `sheets`), or null before the first. */
  sheet: CutSheet | null;
  /** Rows on the open sheet, the header included. */
  rows: number;
}

function copyCutState(state: CutState): CutState {
  return { zip: state.zip.clone(), sheets: state.sheets.map((sheet) => ({ ...sheet })), sheet: state.sheet === null ? null : { ...state.sheet }, rows: state.rows };
}

function totalLength(parts: readonly Uint8Array[]): number {
  let length = 0;
  for (const part of parts) length += part.length;
  return length;
}

/** Excel's serial number of an instant (1900 date system, UTC wall time). */
export function serialOf(ms: number): number {
  const serial = ms / MS_PER_DAY + EPOCH_SERIAL;
  // Excel counts a 1900-02-29 that never was: serials before 1900-03-01 are one less.
  return ms < PHANTOM_MS ? serial - 1 : serial;
}

/**
 * Writes the serial of a whole-millisecond instant as digits: the day, then at most ten decimals of
 * the time of day. Ten decimals of a day are 8.64 µs, so every reader gets the millisecond back,
 * and the digits cost less than `String(double)` (and are shorter than its 17 significant digits).
 */
export function writeSerial(buf: Uint8Array, pos: number, ms: number): number {
  const days = Math.floor(ms / MS_PER_DAY);
  const msOfDay = ms - days * MS_PER_DAY;
  pos = writeInteger(buf, pos, days + (ms < PHANTOM_MS ? EPOCH_SERIAL - 1 : EPOCH_SERIAL));
  if (msOfDay === 0) return pos;
  // Below 1e10 (msOfDay < 86,400,000), and exact in a double.
  let fraction = Math.round((msOfDay * 1e10) / MS_PER_DAY);
  let digits = 10;
  while (fraction % 10 === 0) {
    fraction /= 10;
    digits--;
  }
  buf[pos++] = 46; // '.'
  for (let i = digits - 1; i >= 0; i--) {
    buf[pos + i] = 48 + (fraction % 10);
    fraction = Math.floor(fraction / 10);
  }
  return pos + digits;
}

/** How the row loop writes a column's cells. */
const Path = { other: 0, number: 1, text: 2, time: 3 } as const;

function pathOf(state: ColumnState): number {
  if (state.mismatches !== null) return Path.other;
  switch (state.kind) {
    case CellKind.number:
      return Path.number;
    case CellKind.text:
      return Path.text;
    case CellKind.timestamp:
    case CellKind.dateDay:
      return Path.time;
    default:
      return Path.other;
  }
}

/** `_xHHHH_` for a code unit. */
function putHex(buf: Uint8Array, pos: number, unit: number): number {
  buf[pos++] = 95;
  buf[pos++] = 120;
  buf[pos++] = HEX_DIGITS[(unit >> 12) & 15]!;
  buf[pos++] = HEX_DIGITS[(unit >> 8) & 15]!;
  buf[pos++] = HEX_DIGITS[(unit >> 4) & 15]!;
  buf[pos++] = HEX_DIGITS[unit & 15]!;
  buf[pos++] = 95;
  return pos;
}

/** Excel column widths are in characters; very wide columns are capped so a long note does not hide the rest. */
function clampWidth(characters: number): number {
  return Math.min(60, Math.max(8, Math.round(characters + 1)));
}

/** Column widths from the header and up to 1,000 rows of the first chunk. */
function estimateWidths(states: readonly ColumnState[], selection: Uint32Array | null, rows: number): number[] {
  const sample = Math.min(rows, 1000);
  const buf = new Uint8Array(64);
  return states.map((state) => {
    // Room for the header's filter button.
    let widest = state.header.length + 3;
    for (let k = 0; k < sample; k++) {
      const row = selection === null ? k : selection[k]!;
      if (isNullAt(state, row)) continue;
      let width = 10;
      switch (state.kind) {
        case CellKind.number:
          width = Number.isFinite(state.values[row]) ? writeNumber(buf, 0, state.values[row]!) : 0;
          break;
        case CellKind.text:
        case CellKind.json: {
          // Bytes over-count non-ASCII text a little; the cap keeps that harmless.
          width = state.offsets![row + 1]! - state.offsets![row]!;
          break;
        }
        case CellKind.bool:
          width = 5;
          break;
        case CellKind.timestamp:
          width = 19;
          break;
        case CellKind.dateDay:
          width = 10;
          break;
        case CellKind.int64:
          width = int64NeedsBigInt(state.values, row, state.unsigned) ? 20 : writeInteger(buf, 0, int64At(state.values, row, state.unsigned));
          break;
        default:
          width = 12;
      }
      if (width > widest) widest = width;
    }
    return clampWidth(widest);
  });
}
