/**
 * The exact size of a Parquet file made of row groups measured one at a time, for truncating by
 * size (`limits.maxBytes` with `onExceed: 'truncate'`).
 *
 * A row group's data pages, column indexes and statistics are the same bytes wherever the group
 * sits in a file; what changes is every absolute offset (data pages, page locations, indexes),
 * written as Thrift varints whose length depends on the value, and the counts in the footer. So
 * each group is written once on its own (a trial file), its footer and offset indexes are read
 * into a Thrift tree, and the size of the whole file is computed by moving the offsets to where
 * parquet-rs puts them: the groups' data in order, then every column index, then every offset
 * index, then the footer (FileMetaData), its length and "PAR1".
 */
import { BINARY, BYTE, CompactCursor, DOUBLE, FALSE, I16, I32, I64, LIST, MAP, SET, STOP, STRUCT, TRUE } from './thrift.js';

/** A Thrift value, kept only as far as its encoded size needs. */
type ThriftValue = number | boolean | ThriftField[] | ThriftList | ThriftMap | { binary: number };
interface ThriftField {
  readonly id: number;
  readonly type: number;
  value: ThriftValue;
}
interface ThriftList {
  readonly element: number;
  readonly items: ThriftValue[];
}
interface ThriftMap {
  readonly key: number;
  readonly value: number;
  readonly entries: [ThriftValue, ThriftValue][];
}

/** Why a trial file could not be read. */
export class LayoutError extends Error {
  override readonly name = 'LayoutError';
}

class CompactParser extends CompactCursor {
  constructor(bytes: Uint8Array, start = 0) {
    super(bytes, start, { endsEarly: 'a Thrift structure ends early', varintTooLong: 'a varint is too long', make: (message) => new LayoutError(message) });
  }

  struct(): ThriftField[] {
    const fields: ThriftField[] = [];
    let id = 0;
    for (;;) {
      const header = this.byte();
      const type = header & 0x0f;
      if (type === STOP) return fields;
      const delta = header >> 4;
      id = delta === 0 ? this.zigzag() : id + delta;
      const value = type === TRUE || type === FALSE ? type === TRUE : this.value(type);
      fields.push({ id, type, value });
    }
  }

  private value(type: number): ThriftValue {
    switch (type) {
      case BYTE:
        return this.byte();
      case I16:
      case I32:
      case I64:
        return this.zigzag();
      case DOUBLE:
        this.pos += 8;
        return 0;
      case BINARY: {
        const length = this.varint();
        this.pos += length;
        return { binary: length };
      }
      case LIST:
      case SET: {
        const header = this.byte();
        const size = header >> 4 === 15 ? this.varint() : header >> 4;
        const element = header & 0x0f;
        const items: ThriftValue[] = [];
        for (let i = 0; i < size; i++) items.push(element === TRUE || element === FALSE ? this.byte() === 1 : this.value(element));
        return { element, items };
      }
      case MAP: {
        const size = this.varint();
        if (size === 0) return { key: 0, value: 0, entries: [] };
        const kinds = this.byte();
        const entries: [ThriftValue, ThriftValue][] = [];
        for (let i = 0; i < size; i++) entries.push([this.value(kinds >> 4), this.value(kinds & 0x0f)]);
        return { key: kinds >> 4, value: kinds & 0x0f, entries };
      }
      case STRUCT:
        return this.struct();
      default:
        throw new LayoutError(`unknown Thrift type ${type}`);
    }
  }
}

function varintSize(n: number): number {
  let size = 1;
  while (n >= 128) {
    n = Math.floor(n / 128);
    size++;
  }
  return size;
}

function zigzagSize(n: number): number {
  return varintSize(n >= 0 ? n * 2 : -n * 2 - 1);
}

function structSize(fields: readonly ThriftField[]): number {
  let size = 1; // the stop byte
  let last = 0;
  for (const field of fields) {
    const delta = field.id - last;
    size += delta > 0 && delta <= 15 ? 1 : 1 + zigzagSize(field.id);
    last = field.id;
    if (field.type !== TRUE && field.type !== FALSE) size += valueSize(field.type, field.value);
  }
  return size;
}

function valueSize(type: number, value: ThriftValue): number {
  switch (type) {
    case TRUE:
    case FALSE:
    case BYTE:
      return 1;
    case I16:
    case I32:
    case I64:
      return zigzagSize(value as number);
    case DOUBLE:
      return 8;
    case BINARY: {
      const length = (value as { binary: number }).binary;
      return varintSize(length) + length;
    }
    case LIST:
    case SET: {
      const list = value as ThriftList;
      let size = list.items.length < 15 ? 1 : 1 + varintSize(list.items.length);
      for (const item of list.items) size += valueSize(list.element, item);
      return size;
    }
    case MAP: {
      const map = value as ThriftMap;
      if (map.entries.length === 0) return 1;
      let size = varintSize(map.entries.length) + 1;
      for (const [k, v] of map.entries) size += valueSize(map.key, k) + valueSize(map.value, v);
      return size;
    }
    case STRUCT:
      return structSize(value as ThriftField[]);
    default:
      throw new LayoutError(`unknown Thrift type ${type}`);
  }
}

function field(fields: readonly ThriftField[], id: number): ThriftField | undefined {
  return fields.find((f) => f.id === id);
}

/** An offset in a trial file and the field that holds it. */
interface Moved {
  readonly field: ThriftField;
  readonly trial: number;
}

/** One column chunk of a measured row group: where its indexes go. */
interface ColumnPlacement {
  readonly chunk: ThriftField[];
  readonly columnIndexLength: number | null;
  readonly offsetIndex: ThriftField[] | null;
}

/** A row group written on its own, as its trial file showed it. */
export interface MeasuredGroup {
  /** Bytes of its pages (what the group adds before the indexes). */
  readonly dataBytes: number;
  readonly rows: number;
  /** The trial footer: its schema and key-value metadata are every file's. */
  readonly footer: ThriftField[];
  readonly rowGroup: ThriftField[];
  readonly columns: readonly ColumnPlacement[];
  /** Offsets into the group's data (trial values, from 4 on), moved with the group. */
  readonly dataOffsets: readonly Moved[];
}

/** Reads a trial file holding exactly one row group. */
export function measureGroup(file: Uint8Array): MeasuredGroup {
  const view = new DataView(file.buffer, file.byteOffset, file.byteLength);
  const footerLength = view.getUint32(file.length - 8, true);
  const footerStart = file.length - 8 - footerLength;
  const footer = new CompactParser(file.subarray(footerStart, file.length - 8)).struct();
  const groups = field(footer, 4)?.value as ThriftList | undefined;
  if (groups === undefined || groups.items.length !== 1) throw new LayoutError(`a trial file holds ${groups?.items.length ?? 0} row groups, not 1`);
  const rowGroup = groups.items[0] as ThriftField[];
  const rows = (field(rowGroup, 3)?.value as number | undefined) ?? 0;
  const dataOffsets: Moved[] = [];
  const moved = (f: ThriftField | undefined): void => {
    // A zero offset (ColumnChunk.file_offset, deprecated) is written as zero wherever the group is.
    if (f !== undefined && typeof f.value === 'number' && f.value !== 0) dataOffsets.push({ field: f, trial: f.value });
  };
  moved(field(rowGroup, 5));
  let tailStart = footerStart;
  const columns: ColumnPlacement[] = [];
  for (const item of (field(rowGroup, 1)?.value as ThriftList | undefined)?.items ?? []) {
    const chunk = item as ThriftField[];
    moved(field(chunk, 2));
    const meta = field(chunk, 3)?.value as ThriftField[] | undefined;
    if (meta !== undefined) {
      for (const id of [9, 10, 11]) moved(field(meta, id));
      if (field(meta, 14) !== undefined) throw new LayoutError('bloom filters are not measured');
    }
    const ciOffset = field(chunk, 6)?.value as number | undefined;
    const ciLength = field(chunk, 7)?.value as number | undefined;
    const oiOffset = field(chunk, 4)?.value as number | undefined;
    let offsetIndex: ThriftField[] | null = null;
    if (ciOffset !== undefined) tailStart = Math.min(tailStart, ciOffset);
    if (oiOffset !== undefined) {
      tailStart = Math.min(tailStart, oiOffset);
      offsetIndex = new CompactParser(file, oiOffset).struct();
      for (const location of (field(offsetIndex, 1)?.value as ThriftList | undefined)?.items ?? []) moved(field(location as ThriftField[], 1));
    }
    columns.push({ chunk, columnIndexLength: ciOffset === undefined ? null : ciLength ?? 0, offsetIndex });
  }
  return { dataBytes: tailStart - 4, rows, footer, rowGroup, columns, dataOffsets };
}

/**
 * The size of the file made of `groups` in order, as parquet-rs writes it: "PAR1", each group's
 * pages, the column indexes, the offset indexes, the footer from the last group's trial with every
 * group listed, its length and "PAR1".
 */
export function fileSize(groups: readonly MeasuredGroup[]): number {
  let position = 4;
  for (const group of groups) {
    for (const offset of group.dataOffsets) offset.field.value = offset.trial - 4 + position;
    position += group.dataBytes;
  }
  for (const group of groups) {
    for (const column of group.columns) {
      if (column.columnIndexLength === null) continue;
      setField(column.chunk, 6, position);
      position += column.columnIndexLength;
    }
  }
  for (const group of groups) {
    for (const column of group.columns) {
      if (column.offsetIndex === null) continue;
      const length = structSize(column.offsetIndex);
      setField(column.chunk, 4, position);
      setField(column.chunk, 5, length);
      position += length;
    }
  }
  const last = groups[groups.length - 1];
  if (last === undefined) throw new LayoutError('a file of no row groups is not measured here');
  let rows = 0;
  groups.forEach((group, index) => {
    rows += group.rows;
    setField(group.rowGroup, 7, index);
  });
  const footer = last.footer.map((f) => {
    if (f.id === 3) return { ...f, value: rows };
    if (f.id === 4) return { ...f, value: { element: STRUCT, items: groups.map((group) => group.rowGroup) } };
    return f;
  });
  return position + structSize(footer) + 8;
}

/** Sets a numeric field that the trial wrote (an absent one stays absent, as parquet-rs leaves it). */
function setField(fields: readonly ThriftField[], id: number, value: number): void {
  const target = field(fields, id);
  if (target !== undefined) target.value = value;
}
