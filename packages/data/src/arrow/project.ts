import {
  type DataType,
  type Field,
  Message,
  MessageReader,
  RecordBatchReader,
  type Schema,
  Type,
} from 'apache-arrow';

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
function frame(metadata: Uint8Array, body: Uint8Array[], bodyLength: number): Uint8Array[] {
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
  /** Per chosen field, in schema order: its first node and buffer, and how many. */
  let chosen: { node: number; buffer: number; layout: Layout }[] | null = null;
  const dictionaries = new Set<number>();
  const useSchema = (schema: Schema): boolean => {
    checkNames(schema.fields.map((f) => f.name));
    chosen = [];
    let node = 0;
    let buffer = 0;
    for (const f of schema.fields) {
      const layout = layoutOf(f.type);
      if (layout === null) return false;
      if (names.has(f.name)) {
        chosen.push({ node, buffer, layout });
        dictionaryIds(f.type, dictionaries);
      }
      node += layout.nodes;
      buffer += layout.buffers;
    }
    parts.push(...frame(Message.encode(Message.from(schema.select([...names]))), [], 0));
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
      parts.push(...frame(Message.encode(Message.from(header, msg.bodyLength)), [body], msg.bodyLength));
    } else if (msg.isRecordBatch()) {
      if (chosen === null) throw new Error('a record batch before the schema');
      const header = msg.header();
      const fields: { node: number; buffer: number; layout: Layout }[] = chosen;
      const nodes = [];
      const buffers = [];
      const pieces: Uint8Array[] = [];
      let at = 0;
      for (const c of fields) {
        for (let k = 0; k < c.layout.nodes; k++) nodes.push(header.nodes[c.node + k]!);
        for (let k = 0; k < c.layout.buffers; k++) {
          const region = header.buffers[c.buffer + k]!;
          const bytesOf = body.subarray(region.offset, region.offset + region.length);
          if (bytesOf.length !== region.length) throw new Error('a buffer runs past its message body');
          region.offset = at;
          buffers.push(region);
          pieces.push(bytesOf);
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
      ) => typeof header;
      const kept = new Batch(header.length, nodes, buffers, header.compression);
      parts.push(...frame(Message.encode(Message.from(kept, at)), pieces, at));
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
