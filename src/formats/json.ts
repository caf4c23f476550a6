/**
 * JSON (an array of objects) and NDJSON (one object per `\n`-terminated line), written byte by byte.
 * Keys follow the column order; never a BOM.
 */
import { selectedRowCount, type Chunk } from '../schema/chunk.js';
import { ByteWriter, isoDateTextBig, put, utf8, writeInteger, writeIsoDate, writeNumber } from './bytes.js';
import { boolAt, CellKind, checkColumnNames, columnStates, decimalAt, epochMsAt, epochMsBigAt, int64At, int64BigAt, int64NeedsBigInt, isNullAt, type ColumnState } from './columns.js';
import { resolveJsonOptions } from './json/spec.js';
import { PackedKind, packedParts, type PackedColumn } from '../schema/packed.js';
import { writeUtf8 } from '../schema/utf8.js';
import type { Emit, Encoder, EncoderContext, RowColumn } from './types.js';

// JSON escapes for bytes below 0x20, `"` and `\`; 0 means the byte is copied as is.
const ESCAPE = new Uint8Array(256);
for (let b = 0; b < 0x20; b++) ESCAPE[b] = 1;
ESCAPE[0x22] = 1;
ESCAPE[0x5c] = 1;
const SHORT_ESCAPES: Record<number, string> = { 0x22: '\\"', 0x5c: '\\\\', 0x08: '\\b', 0x0c: '\\f', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };
// The same for two bytes at once (little-endian pairs), for copying text four bytes at a time.
const ESCAPE_PAIRS = new Uint8Array(1 << 16);
for (let pair = 0; pair < 1 << 16; pair++) ESCAPE_PAIRS[pair] = ESCAPE[pair & 0xff]! | ESCAPE[pair >>> 8]!;
const HEX = '0123456789abcdef';
const NULL = utf8('null');
const TRUE = utf8('true');
const FALSE = utf8('false');

/** Room any number, boolean or date value needs (`String(-Number.MIN_VALUE)` is 7 bytes; ISO years beyond 9999 are 27, quoted). */
const CELL_BOUND = 32;

/** The JSON (or, with `lines`, NDJSON) encoder of one export. */
export function createJsonEncoder(context: EncoderContext, lines: boolean): Encoder {
  const o = resolveJsonOptions(context.options.json);
  const dateOnly = o.dateFormat === 'date';
  const epoch = o.dateFormat === 'epoch';
  // `{"a":`, `,"b":` … encoded once.
  const keys = context.columns.map((column, index) => utf8(`${index === 0 ? '{' : ','}${JSON.stringify(column.header.toWellFormed())}:`));
  const writer = new ByteWriter(1 << 16);
  let rowsWritten = 0;
  let checked = false;

  /** Writes `bytes[i]` at `pos`, escaped if JSON needs it; returns the new position. */
  const writeByte = (buf: Uint8Array, pos: number, b: number): number => {
    if (ESCAPE[b] === 0) {
      buf[pos++] = b;
      return pos;
    }
    const short = SHORT_ESCAPES[b];
    if (short !== undefined) {
      for (let j = 0; j < short.length; j++) buf[pos++] = short.charCodeAt(j);
    } else {
      buf[pos++] = 0x5c;
      buf[pos++] = 0x75;
      buf[pos++] = 0x30;
      buf[pos++] = 0x30;
      buf[pos++] = HEX.charCodeAt(b >> 4);
      buf[pos++] = HEX.charCodeAt(b & 15);
    }
    return pos;
  };

  // A DataView of the output buffer, made again when the writer has changed buffers.
  let outOf: Uint8Array | null = null;
  let out: DataView | null = null;

  /**
   * Writes UTF-8 bytes as a JSON string. With `words` (a DataView of `bytes`), four bytes are copied
   * at a time while none needs escaping (measured: a third faster than byte by byte for text cells).
   */
  const writeJsonString = (bytes: Uint8Array, start: number, end: number, words: DataView | null = null): void => {
    writer.reserve((end - start) * 6 + 2);
    const buf = writer.buf;
    let pos = writer.pos;
    buf[pos++] = 0x22;
    let i = start;
    if (words !== null) {
      if (buf !== outOf) {
        outOf = buf;
        out = new DataView(buf.buffer, buf.byteOffset);
      }
      for (; i + 4 <= end; i += 4) {
        const word = words.getUint32(i, true);
        if ((ESCAPE_PAIRS[word & 0xffff]! | ESCAPE_PAIRS[word >>> 16]!) === 0) {
          out!.setUint32(pos, word, true);
          pos += 4;
        } else {
          for (let j = i; j < i + 4; j++) pos = writeByte(buf, pos, bytes[j]!);
        }
      }
    }
    for (; i < end; i++) pos = writeByte(buf, pos, bytes[i]!);
    buf[pos++] = 0x22;
    writer.pos = pos;
  };

  const writeString = (text: string): void => {
    const bytes = utf8(text);
    writeJsonString(bytes, 0, bytes.length);
  };

  const writeMs = (ms: number): void => {
    writer.reserve(40);
    if (epoch) {
      writer.pos = writeNumber(writer.buf, writer.pos, ms);
      return;
    }
    writer.buf[writer.pos++] = 0x22;
    writer.pos = writeIsoDate(writer.buf, writer.pos, ms, dateOnly);
    writer.buf[writer.pos++] = 0x22;
  };

  const writeFloat = (value: number, state: ColumnState, row: number, chunk: Chunk): void => {
    if (Number.isFinite(value)) {
      writer.number(value);
      return;
    }
    // JSON has no NaN or Infinity: write null, as JSON.stringify does, and say so.
    writer.bytes(NULL);
    context.report({ code: 'non_finite_number', message: `row ${chunk.firstRow + row}: ${value} in column "${state.header}" written as null`, row: chunk.firstRow + row, column: state.header });
  };

  const writeBigInt = (big: bigint | number): void => {
    const fits = typeof big === 'number' || (big <= 9007199254740991n && big >= -9007199254740991n);
    if (o.bigint === 'string' || (o.bigint === 'auto' && !fits)) {
      writer.byte(0x22);
      writer.ascii(big.toString());
      writer.byte(0x22);
    } else {
      writer.ascii(big.toString());
    }
  };

  const writeGeneric = (value: unknown): void => {
    if (value === null || value === undefined) writer.bytes(NULL);
    else if (typeof value === 'number') {
      if (Number.isFinite(value)) writer.number(value);
      else writer.bytes(NULL);
    }
    else if (typeof value === 'bigint') writeBigInt(value);
    else if (typeof value === 'boolean') writer.bytes(value ? TRUE : FALSE);
    else if (value instanceof Date) writeMs(value.getTime());
    else if (typeof value === 'string') writeString(value);
    else writer.text(JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v)) ?? 'null');
  };

  function writeValue(state: ColumnState, row: number, chunk: Chunk): void {
    if (state.mismatches !== null) {
      const text = state.mismatches.get(row);
      if (text !== undefined) {
        writeString(text);
        return;
      }
    }
    if (isNullAt(state, row)) {
      writer.bytes(NULL);
      return;
    }
    switch (state.kind) {
      case CellKind.number:
        writeFloat(state.values[row]!, state, row, chunk);
        return;
      case CellKind.text: {
        const offsets = state.offsets!;
        writeJsonString(state.values as Uint8Array, offsets[row]!, offsets[row + 1]!, state.words);
        return;
      }
      case CellKind.dictText: {
        const offsets = state.offsets!;
        const key = state.keys![row]!;
        writeJsonString(state.values as Uint8Array, offsets[key]!, offsets[key + 1]!, state.words);
        return;
      }
      case CellKind.json: {
        const offsets = state.offsets!;
        writer.bytes(state.values as Uint8Array, offsets[row]!, offsets[row + 1]!);
        return;
      }
      case CellKind.bool:
        writer.bytes(boolAt(state, row) ? TRUE : FALSE);
        return;
      case CellKind.int64:
        if (int64NeedsBigInt(state.values, row, state.unsigned)) writeBigInt(int64BigAt(state.values, row, state.unsigned));
        else if (o.bigint === 'string') writeBigInt(int64At(state.values, row, state.unsigned));
        else {
          writer.reserve(24);
          writer.pos = writeInteger(writer.buf, writer.pos, int64At(state.values, row, state.unsigned));
        }
        return;
      case CellKind.timestamp:
      case CellKind.dateDay: {
        const ms = epochMsAt(state, row);
        if (ms === ms) writeMs(ms);
        else {
          // Beyond ±2^53 ms (hundreds of millennia): exact through BigInt; epoch milliseconds that
          // large are not safe JSON numbers, so they follow json.bigint like other 64-bit integers.
          const big = epochMsBigAt(state, row);
          if (epoch) writeBigInt(big);
          else writeString(isoDateTextBig(big, dateOnly));
        }
        return;
      }
      case CellKind.decimal:
        // Decimals are exact: written as text digits, never through a double.
        writer.ascii(decimalAt(state.values, row, state.scale));
        return;
      case CellKind.null:
        writer.bytes(NULL);
        return;
      default:
        writeGeneric(state.vector!.get(row));
    }
  }

  /**
   * Rows the page packed by column (see `Encoder.encodePacked`), written from the typed arrays and
   * the joined text with no record batch between: the bytes `encode` writes for the batch built
   * from them. Hand-written, like `encode`, because it is the whole of a JSON export's work.
   */
  const encodePacked = (packed: readonly PackedColumn[], from: number, to: number, columns: readonly RowColumn[], emit: Emit): boolean => {
    const columnCount = columns.length;
    if (!checked || writer.pos !== 0 || columnCount === 0) return false;
    for (const column of packed) {
      if (column.kind !== 'number') continue;
      // JSON has no NaN or ±Infinity: the batch path writes null with an issue for each.
      const { values, nulls } = column;
      for (let r = from; r < to; r++) if (values[r]! - values[r]! !== 0 && (nulls === undefined || nulls[r] === 0)) return false;
    }
    const { kinds, nulls: nullsOf, numbers, flags, texts, starts } = packedParts(packed);
    let keysBound = 8;
    for (const key of keys) keysBound += key.length + CELL_BOUND;
    for (let r = from; r < to; r++) {
      writer.reserve(keysBound);
      let buf = writer.buf;
      let pos = writer.pos;
      if (!lines) {
        buf[pos++] = rowsWritten === 0 ? 0x5b : 0x2c; // [ or ,
        buf[pos++] = 0x0a;
      }
      rowsWritten++;
      for (let c = 0; c < columnCount; c++) {
        pos = put(buf, pos, keys[c]!);
        const nulls = nullsOf[c];
        if (nulls !== undefined && nulls[r] !== 0) {
          pos = put(buf, pos, NULL);
          continue;
        }
        switch (kinds[c]) {
          case PackedKind.number:
            pos = writeNumber(buf, pos, numbers[c]![r]!);
            break;
          case PackedKind.string: {
            const starts_ = starts[c]!;
            writer.pos = pos;
            writeJsonText(texts[c]!, starts_[r]!, starts_[r + 1]!);
            writer.reserve(keysBound);
            buf = writer.buf;
            pos = writer.pos;
            break;
          }
          case PackedKind.boolean:
            pos = put(buf, pos, flags[c]![r] === 1 ? TRUE : FALSE);
            break;
          case PackedKind.date: {
            const ms = numbers[c]![r]!;
            if (epoch) pos = writeNumber(buf, pos, ms);
            else {
              buf[pos++] = 0x22;
              pos = writeIsoDate(buf, pos, ms, dateOnly);
              buf[pos++] = 0x22;
            }
            break;
          }
        }
      }
      buf[pos++] = 0x7d; // }
      if (lines) buf[pos++] = 0x0a;
      writer.pos = pos;
    }
    if (writer.pos > 0) emit(writer.take());
    return true;
  };

  let utf8Scratch = new Uint8Array(256);
  /** Units `[from, to)` of a joined string as a JSON string: ASCII escaped as it is copied, other text through its UTF-8. */
  const writeJsonText = (joined: string, from: number, to: number): void => {
    writer.reserve((to - from) * 6 + 2);
    const buf = writer.buf;
    let pos = writer.pos;
    buf[pos++] = 0x22;
    for (let i = from; i < to; i++) {
      const unit = joined.charCodeAt(i);
      if (unit >= 0x80) {
        // Not ASCII: the rest of the cell through its UTF-8 (lone surrogates as U+FFFD, as the batch
        // path has them), escaped byte by byte. The UTF-8 goes to a buffer kept between cells: a
        // new small typed array per cell cost a JSON export of the benchmark rows about a quarter
        // of its time, most of it in the garbage collector.
        const need = (to - i) * 3;
        if (utf8Scratch.length < need) utf8Scratch = new Uint8Array(Math.max(need, 2 * utf8Scratch.length));
        const scratch = utf8Scratch;
        const length = writeUtf8(scratch, 0, joined, i, to);
        for (let j = 0; j < length; j++) {
          const b = scratch[j]!;
          if (ESCAPE[b] === 0) buf[pos++] = b;
          else pos = writeByte(buf, pos, b);
        }
        break;
      }
      if (ESCAPE[unit] === 0) buf[pos++] = unit;
      else pos = writeByte(buf, pos, unit);
    }
    buf[pos++] = 0x22;
    writer.pos = pos;
  };

  return {
    encodePacked,
    encode(chunk, emit) {
      if (!checked) {
        checkColumnNames(lines ? 'ndjson' : 'json', context.columns, chunk.batch.schema);
        checked = true;
      }
      const states = columnStates(chunk, context.columns);
      const selection = chunk.selection;
      const rows = selectedRowCount(chunk);
      const columnCount = states.length;
      for (let k = 0; k < rows; k++) {
        const row = selection === null ? k : selection[k]!;
        if (!lines) writer.ascii(rowsWritten === 0 ? '[\n' : ',\n');
        rowsWritten++;
        if (columnCount === 0) writer.byte(0x7b);
        for (let c = 0; c < columnCount; c++) {
          writer.bytes(keys[c]!);
          writeValue(states[c]!, row, chunk);
        }
        writer.byte(0x7d);
        if (lines) writer.byte(0x0a);
      }
      if (writer.pos > 0) emit(writer.take());
    },
    finish(emit, schema) {
      if (!checked) checkColumnNames(lines ? 'ndjson' : 'json', context.columns, schema);
      if (!lines) writer.ascii(rowsWritten === 0 ? '[]\n' : '\n]\n');
      if (writer.pos > 0) emit(writer.take());
    },
  };
}
