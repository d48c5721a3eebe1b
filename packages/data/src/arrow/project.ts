import { FileFormatError } from '@lumen/tensor';
import {
  type DataType,
  type Field,
  Message,
  type MessageHeader,
  MessageReader,
  RecordBatchReader,
  type Schema,
  Type,
} from 'apache-arrow';
import { Footer } from 'apache-arrow/ipc/metadata/file';
import { fail } from '../errors.js';
import { type BinarySource, openRandomAccess, type RandomAccessFile } from '../io/files.js';
import { checkFooter, checkMessage, hasMagic } from './ipcFraming.js';

/**
 * Column projection of Arrow IPC bytes (pyarrow's `read_table(columns=)`): a new IPC stream
 * holding the schema of the chosen fields, the dictionary batches they use, and record batches
 * with only their field nodes and buffers, so apache-arrow decodes those columns and no others.
 * The bytes must have passed checkFraming (apache-arrow trusts every header it reads).
 */

/** Field nodes and buffers one field takes in a record batch (depth-first with its children). */
interface Layout {
  nodes: number;
  buffers: number;
}

/**
 * How many field nodes and buffers a field of this type takes (Arrow's columnar format, as
 * apache-arrow's VectorLoader reads them); null for view and union types, whose buffer counts
 * depend on more than the type (the caller then decodes every column and selects after).
 */
function layoutOf(type: DataType): Layout | null {
  const withChildren = (buffers: number): Layout | null => {
    const out = { nodes: 1, buffers };
    for (const c of (type.children ?? []) as Field[]) {
      const l = layoutOf(c.type);
      if (l === null) return null;
      out.nodes += l.nodes;
      out.buffers += l.buffers;
    }
    return out;
  };
  switch (type.typeId) {
    case Type.Null:
      return { nodes: 1, buffers: 0 };
    case Type.Bool:
    case Type.Int:
    case Type.Float:
    case Type.Decimal:
    case Type.Date:
    case Type.Time:
    case Type.Timestamp:
    case Type.Interval:
    case Type.Duration:
    case Type.FixedSizeBinary:
    case Type.Dictionary: // the indices; the values come in dictionary batches
      return { nodes: 1, buffers: 2 };
    case Type.Binary:
    case Type.Utf8:
    case Type.LargeBinary:
    case Type.LargeUtf8:
      return { nodes: 1, buffers: 3 };
    case Type.List:
    case Type.LargeList:
    case Type.Map:
      return withChildren(2);
    case Type.FixedSizeList:
    case Type.Struct:
      return withChildren(1);
    default:
      return null;
  }
}

/** Dictionary ids a field's type uses (itself or nested). */
function dictionaryIds(type: DataType, out: Set<number>): void {
  if (type.typeId === Type.Dictionary) {
    out.add((type as unknown as { id: number }).id);
    dictionaryIds((type as unknown as { dictionary: DataType }).dictionary, out);
  }
  for (const c of (type.children ?? []) as Field[]) dictionaryIds(c.type, out);
}

const pad8 = (n: number) => (n + 7) & ~7;

/** An encapsulated IPC message: continuation marker, metadata length, metadata padded to 8, body. */
function frame<P extends { length: number }>(
  metadata: Uint8Array,
  body: P[],
  bodyLength: number,
): (Uint8Array | P)[] {
  const metaLength = pad8(8 + metadata.length) - 8;
  const prefix = new Uint8Array(8 + metaLength);
  const view = new DataView(prefix.buffer);
  view.setInt32(0, -1, true);
  view.setInt32(4, metaLength, true);
  prefix.set(metadata, 8);
  let total = 0;
  for (const b of body) total += b.length;
  if (total !== bodyLength) throw new Error(`projected body of ${total} bytes for ${bodyLength}`);
  return [prefix, ...body];
}

/** A record batch message's header (apache-arrow's metadata class, not its RecordBatch of data). */
type BatchHeader = ReturnType<Message<MessageHeader.RecordBatch>['header']>;

/** A chosen field, in schema order: its first field node and buffer in a record batch, and how many. */
interface Chosen {
  node: number;
  buffer: number;
  layout: Layout;
}

/**
 * The fields of `schema` named in `names` (checkNames sees the schema's names first) and the
 * dictionary ids they use; null when a field's layout cannot be counted (see layoutOf).
 */
function choose(
  schema: Schema,
  names: ReadonlySet<string>,
  checkNames: (all: readonly string[]) => void,
): { chosen: Chosen[]; dictionaries: Set<number> } | null {
  checkNames(schema.fields.map((f) => f.name));
  const chosen: Chosen[] = [];
  const dictionaries = new Set<number>();
  let node = 0;
  let buffer = 0;
  for (const f of schema.fields) {
    const layout = layoutOf(f.type);
    if (layout === null) return null;
    if (names.has(f.name)) {
      chosen.push({ node, buffer, layout });
      dictionaryIds(f.type, dictionaries);
    }
    node += layout.nodes;
    buffer += layout.buffers;
  }
  return { chosen, dictionaries };
}

/**
 * A record batch message holding only the chosen fields' nodes and buffers: its framed header
 * and, for each buffer, what `bytesOf(offset, length)` gives for its region of the original body
 * (bytes, or where to read them), padded to 8 bytes.
 */
function projectBatch<P extends { length: number }>(
  header: BatchHeader,
  chosen: readonly Chosen[],
  bytesOf: (offset: number, length: number) => P,
): (Uint8Array | P)[] {
  const nodes = [];
  const buffers = [];
  const pieces: (Uint8Array | P)[] = [];
  let at = 0;
  for (const c of chosen) {
    for (let k = 0; k < c.layout.nodes; k++) nodes.push(header.nodes[c.node + k]!);
    for (let k = 0; k < c.layout.buffers; k++) {
      const region = header.buffers[c.buffer + k]!;
      pieces.push(bytesOf(region.offset, region.length));
      region.offset = at;
      buffers.push(region);
      const padded = pad8(region.length);
      if (padded > region.length) pieces.push(new Uint8Array(padded - region.length));
      at += padded;
    }
  }
  const Batch = header.constructor as new (
    length: number,
    nodes: unknown[],
    buffers: unknown[],
    compression: unknown,
  ) => BatchHeader;
  const kept = new Batch(header.length, nodes, buffers, header.compression);
  return frame(Message.encode(Message.from(kept, at)), pieces, at);
}

/** A part of a projected stream: bytes in hand, or a range of the file to read into place. */
interface Range {
  from: number;
  length: number;
}

const EOS = Uint8Array.of(0xff, 0xff, 0xff, 0xff, 0, 0, 0, 0);

/**
 * projectIpc for an IPC file read in pieces: its footer (with the schema and where each batch is),
 * each record and dictionary batch's header, and of their bodies only the chosen fields' buffers
 * and the dictionaries they use, so a read of a few columns reads about their bytes. Each piece is
 * checked before apache-arrow reads it (checkFooter, checkMessage: an error naming the byte).
 * Null when the source is not an IPC file (a stream has no footer to find its batches by) or a
 * field's layout cannot be counted: the caller then reads it whole.
 */
export async function projectIpcFile(
  op: string,
  name: string,
  source: BinarySource,
  names: ReadonlySet<string>,
  checkNames: (all: readonly string[]) => void,
): Promise<Uint8Array | null> {
  const file = await openRandomAccess(op, source);
  try {
    return await projectFile(op, name, file, names, checkNames);
  } finally {
    await file.close();
  }
}

async function projectFile(
  op: string,
  name: string,
  file: RandomAccessFile,
  names: ReadonlySet<string>,
  checkNames: (all: readonly string[]) => void,
): Promise<Uint8Array | null> {
  const size = file.byteLength;
  if (size < 18) return null;
  const read = async (start: number, end: number) => new Uint8Array(await file.slice(start, end));
  const [head, tail] = await Promise.all([read(0, 8), read(size - 10, size)]);
  if (!hasMagic(head, 0) || !hasMagic(tail, 4)) return null;
  const footerLength = new DataView(tail.buffer, tail.byteOffset, 4).getInt32(0, true);
  const footerStart = size - 10 - footerLength;
  if (footerLength <= 0 || footerStart < 8)
    fail(
      op,
      `${name} has a footer length of ${footerLength} at byte ${size - 10}, outside the file's ${size} bytes`,
      FileFormatError,
    );
  const footerBytes = await read(footerStart, size - 10);
  const blocks = checkFooter(op, name, footerBytes, footerStart);
  const schema = Footer.decode(footerBytes).schema;
  const c = choose(schema, names, checkNames);
  if (c === null) return null;
  const parts: (Uint8Array | Range)[] = frame(Message.encode(Message.from(schema.select([...names]))), [], 0);
  // every batch's header (the footer says where), read together
  const headers = await Promise.all(
    [...blocks.dictionaries, ...blocks.batches].map((b) => read(b.offset, b.offset + b.metaDataLength)),
  );
  blocks.dictionaries.forEach((b, i) => {
    const fb = checkMessage(op, name, headers[i]!, b.offset, 'dictionary', b.bodyLength);
    const header = Message.decode(fb).header() as ReturnType<
      Message<MessageHeader.DictionaryBatch>['header']
    >;
    if (!c.dictionaries.has(header.id)) return;
    const body = { from: b.offset + b.metaDataLength, length: b.bodyLength };
    parts.push(...frame(Message.encode(Message.from(header, b.bodyLength)), [body], b.bodyLength));
  });
  const nd = blocks.dictionaries.length;
  blocks.batches.forEach((b, i) => {
    const fb = checkMessage(op, name, headers[nd + i]!, b.offset, 'record', b.bodyLength);
    const header = Message.decode(fb).header() as BatchHeader;
    const body = b.offset + b.metaDataLength;
    parts.push(...projectBatch(header, c.chosen, (offset, length) => ({ from: body + offset, length })));
  });
  parts.push(EOS);
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  const reads: Promise<void>[] = [];
  let at = 0;
  for (const p of parts) {
    if (p instanceof Uint8Array) out.set(p, at);
    else if (p.length > 0) {
      const into = out.subarray(at, at + p.length);
      reads.push(
        file.readInto
          ? file.readInto(p.from, into)
          : file.slice(p.from, p.from + p.length).then((b) => into.set(new Uint8Array(b))),
      );
    }
    at += p.length;
  }
  await Promise.all(reads);
  return out;
}

/**
 * The IPC stream of `bytes` (a file's messages are read between its magic and its footer) with
 * only the fields named in `names` (checkNames sees the schema's names first and throws for a
 * name it lacks); null when a field's layout cannot be counted (see layoutOf).
 */
export function projectIpc(
  bytes: Uint8Array,
  names: ReadonlySet<string>,
  checkNames: (all: readonly string[]) => void,
): Uint8Array | null {
  const isFile = bytes.length >= 8 && new TextDecoder().decode(bytes.subarray(0, 6)) === 'ARROW1';
  let messages = bytes;
  if (isFile) {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const footerLength = view.getInt32(bytes.length - 10, true);
    messages = bytes.subarray(8, bytes.length - 10 - footerLength);
  }
  const reader = new MessageReader(messages);
  const parts: Uint8Array[] = [];
  let chosen: Chosen[] | null = null;
  let dictionaries = new Set<number>();
  const useSchema = (schema: Schema): boolean => {
    const c = choose(schema, names, checkNames);
    if (c === null) return false;
    chosen = c.chosen;
    dictionaries = c.dictionaries;
    parts.push(...(frame(Message.encode(Message.from(schema.select([...names]))), [], 0) as Uint8Array[]));
    return true;
  };
  // a file's schema is in its footer (apache-arrow writes no schema message into a file's body)
  if (isFile && !useSchema(RecordBatchReader.from(bytes).open().schema)) return null;
  for (;;) {
    const next = reader.next();
    if (next.done) break;
    const msg = next.value as Message;
    const body = reader.readMessageBody(msg.bodyLength);
    if (msg.isSchema()) {
      if (!isFile && !useSchema(msg.header() as Schema)) return null;
    } else if (msg.isDictionaryBatch()) {
      const header = msg.header();
      if (!dictionaries.has(header.id)) continue;
      parts.push(
        ...(frame(
          Message.encode(Message.from(header, msg.bodyLength)),
          [body],
          msg.bodyLength,
        ) as Uint8Array[]),
      );
    } else if (msg.isRecordBatch()) {
      if (chosen === null) throw new Error('a record batch before the schema');
      parts.push(
        ...projectBatch(msg.header(), chosen, (offset, length) => {
          const bytesOf = body.subarray(offset, offset + length);
          if (bytesOf.length !== length) throw new Error('a buffer runs past its message body');
          return bytesOf;
        }),
      );
    }
  }
  const eos = new Uint8Array(8);
  new DataView(eos.buffer).setInt32(0, -1, true);
  parts.push(eos);
  let total = 0;
  for (const p of parts) total += p.length;
  const out = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
