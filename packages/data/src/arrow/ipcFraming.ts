import { FileFormatError } from '@lumen/tensor';
import { fail } from '../errors.js';

/**
 * Arrow IPC bytes are checked before apache-arrow parses them. apache-arrow trusts every length
 * and offset it reads: a truncated file sends it past the end, and one flipped byte in a message
 * header can turn a vector of 3 fields into one of 4 billion, which it then builds one by one (a
 * hang). So the framing (message prefixes, lengths, bodies, the file footer) and every flatbuffer
 * header (each table, vector and string inside its message) are checked here first, and a
 * problem is an error naming its byte offset.
 */

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

export function hasMagic(b: Uint8Array, at: number): boolean {
  return at >= 0 && MAGIC.every((m, k) => b[at + k] === m);
}

/** Checks the framing of an IPC file or stream, and the flatbuffer of every message header and of the footer. */
export function checkFraming(op: string, name: string, b: Uint8Array): void {
  if (b.length === 0)
    fail(op, `${name} is empty (0 bytes), not an Arrow IPC file or stream`, FileFormatError);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  if (hasMagic(b, 0)) {
    if (b.length < 18 || !hasMagic(b, b.length - 6)) {
      fail(
        op,
        `${name} starts as an Arrow IPC file but is truncated: no closing "ARROW1" at byte ${Math.max(0, b.length - 6)} of ${b.length}`,
        FileFormatError,
      );
    }
    const footerLength = view.getInt32(b.length - 10, true);
    const footerStart = b.length - 10 - footerLength;
    if (footerLength <= 0 || footerStart < 8) {
      fail(
        op,
        `${name} has a footer length of ${footerLength} at byte ${b.length - 10}, outside the file's ${b.length} bytes`,
        FileFormatError,
      );
    }
    const messages = walkMessages(op, name, view, 8, footerStart);
    new Flatbuffer(op, name, view, footerStart, footerLength).footer(footerStart, messages, footerStart);
    return;
  }
  walkMessages(op, name, view, 0, b.length);
}

/** Where a message is in an IPC file (a footer Block). */
export interface IpcBlock {
  offset: number;
  metaDataLength: number;
  bodyLength: number;
}

export interface FooterBlocks {
  dictionaries: IpcBlock[];
  batches: IpcBlock[];
}

/**
 * Reading an IPC file in pieces: checks its footer's flatbuffer (`footer`, the bytes between the
 * messages and the footer's length, which start at byte `footerStart` of the file) and that its
 * blocks lie between the leading magic and the footer; the blocks' messages are checked as they
 * are read (checkMessage).
 */
export function checkFooter(op: string, name: string, footer: Uint8Array, footerStart: number): FooterBlocks {
  const view = new DataView(footer.buffer, footer.byteOffset, footer.byteLength);
  if (footer.length < 4)
    fail(op, `${name} has a footer of ${footer.length} bytes at byte ${footerStart}`, FileFormatError);
  return new Flatbuffer(op, name, view, 0, footer.length, footerStart).footer(0, null, footerStart);
}

/**
 * Reading an IPC file in pieces: checks the message a footer block points at (`meta`, its
 * metaDataLength bytes from byte `offset`: the prefix and the flatbuffer header) is a message of
 * the block's kind ('record' or 'dictionary' batch) with the block's body length; returns the
 * flatbuffer header.
 */
export function checkMessage(
  op: string,
  name: string,
  meta: Uint8Array,
  offset: number,
  kind: 'record' | 'dictionary',
  bodyLength: number,
): Uint8Array {
  const view = new DataView(meta.buffer, meta.byteOffset, meta.byteLength);
  let at = 4;
  let len = meta.length >= 4 ? view.getInt32(0, true) : 0;
  if (len === -1) {
    len = meta.length >= 8 ? view.getInt32(4, true) : 0;
    at = 8;
  }
  if (len <= 0 || at + len > meta.length)
    fail(
      op,
      `${name} is corrupt: the ${kind} batch at byte ${offset} has a header of ${len} bytes where its footer block gives it ${meta.length - at}`,
      FileFormatError,
    );
  const m = new Flatbuffer(op, name, view, at, len, offset).message(at);
  const want = kind === 'record' ? HEADER_RECORD_BATCH : HEADER_DICTIONARY_BATCH;
  if (m.kind !== want)
    fail(
      op,
      `${name} is corrupt: its footer points at byte ${offset} for a ${kind} batch, where the message is not one`,
      FileFormatError,
    );
  if (m.bodyLength !== bodyLength)
    fail(
      op,
      `${name} is corrupt: the ${kind} batch at byte ${offset} has a body of ${m.bodyLength} bytes, its footer block says ${bodyLength}`,
      FileFormatError,
    );
  return meta.subarray(at, at + len);
}

/**
 * Walks the IPC messages in bytes [start, end): each a 0xFFFFFFFF marker (or, before Arrow 0.15,
 * none), a length, a flatbuffer header and a body, and each must end inside the range.
 */
function walkMessages(
  op: string,
  name: string,
  view: DataView,
  start: number,
  end: number,
): Map<number, number> {
  /** Where each message starts → its header type (0 when it has no header). */
  const kinds = new Map<number, number>();
  let at = start;
  while (at < end) {
    const messageAt = at;
    if (at + 4 > end)
      fail(op, `${name} is truncated: a message prefix at byte ${at} runs past byte ${end}`, FileFormatError);
    let len = view.getInt32(at, true);
    if (len === -1) {
      if (at + 8 > end)
        fail(
          op,
          `${name} is truncated: a message prefix at byte ${at} runs past byte ${end}`,
          FileFormatError,
        );
      len = view.getInt32(at + 4, true);
      at += 8;
    } else at += 4;
    if (len === 0) return kinds; // end-of-stream marker
    if (len < 0 || at + len > end) {
      fail(
        op,
        `${name} is not a complete Arrow IPC ${start === 0 ? 'stream' : 'file'}: the message at byte ${messageAt} claims ${len} bytes but ${end - at} remain`,
        FileFormatError,
      );
    }
    const { bodyLength, kind } = new Flatbuffer(op, name, view, at, len).message(at);
    kinds.set(messageAt, kind);
    at += len;
    if (at + bodyLength > end) {
      fail(
        op,
        `${name} is truncated: a message body at byte ${at} needs ${bodyLength} bytes but ${end - at} remain`,
        FileFormatError,
      );
    }
    at += bodyLength;
  }
  return kinds;
}

// Type union members whose tables hold more than scalars (Schema.fbs): Timestamp's timezone
// string, Union's typeIds vector.
const TYPE_TIMESTAMP = 10;
const TYPE_UNION = 14;
// MessageHeader union members (Message.fbs)
const HEADER_SCHEMA = 1;
const HEADER_DICTIONARY_BATCH = 2;
const HEADER_RECORD_BATCH = 3;
/** Tables visited in one header at most: a real schema has a few per column. */
const MAX_TABLES = 1_000_000;

/**
 * A flatbuffer verifier for the parts of Arrow's Message.fbs, Schema.fbs and File.fbs that
 * apache-arrow reads: every table's vtable and fields, every vector and string must lie inside
 * the header's bytes [start, start + length); offsets are absolute in `view` for error messages.
 */
class Flatbuffer {
  private readonly end: number;
  private tables = 0;

  constructor(
    private readonly op: string,
    private readonly name: string,
    private readonly view: DataView,
    private readonly start: number,
    length: number,
    /** Where byte 0 of `view` is in the file (the header was read on its own), for messages. */
    private readonly base = 0,
  ) {
    this.end = start + length;
  }

  private bad(at: number, what: string): never {
    const b = this.base;
    return fail(
      this.op,
      `${this.name} has a corrupt Arrow IPC header: ${what} (byte ${at + b}; the header spans bytes ${this.start + b}–${this.end + b})`,
      FileFormatError,
    );
  }

  /** Is [at, at + size) inside the header? */
  private fits(at: number, size: number): boolean {
    return at >= this.start && at + size <= this.end;
  }

  /** The table at `t`: checks its vtable and returns a reader of its fields' positions (0 = absent). */
  private table(t: number, what: string): (id: number, size: number) => number {
    if (++this.tables > MAX_TABLES) this.bad(t, `more than ${MAX_TABLES} tables in one header`);
    const vt = t - this.view.getInt32(t, true);
    if (!this.fits(vt, 4)) this.bad(t, `${what} puts its vtable at byte ${vt}, outside the header`);
    const vtLen = this.view.getUint16(vt, true);
    const tableLen = this.view.getUint16(vt + 2, true);
    if (vtLen < 4 || vtLen % 2 !== 0 || !this.fits(vt, vtLen))
      this.bad(vt, `the vtable of ${what} claims ${vtLen} bytes`);
    if (tableLen < 4 || !this.fits(t, tableLen))
      this.bad(vt, `the vtable of ${what} claims a ${tableLen}-byte table`);
    return (id, size) => {
      const slot = 4 + 2 * id;
      if (slot >= vtLen) return 0;
      const off = this.view.getUint16(vt + slot, true);
      if (off === 0) return 0;
      if (off + size > tableLen) this.bad(t + off, `field ${id} of ${what} lies outside its table`);
      return t + off;
    };
  }

  /** Follows the offset stored at `at` (a uoffset_t, inside the header): the position it points to. */
  private deref(at: number, what: string): number {
    if (!this.fits(at, 4)) this.bad(at, `the offset to ${what} lies outside the header`);
    const target = at + this.view.getUint32(at, true);
    if (!this.fits(target, 4))
      this.bad(at, `the offset to ${what} points at byte ${target}, outside the header`);
    return target;
  }

  /** A vector whose elements are `elem` bytes each: its first element's position and its length. */
  private vector(field: number, elem: number, what: string): { at: number; n: number } {
    if (field === 0) return { at: 0, n: 0 };
    const v = this.deref(field, what);
    const n = this.view.getUint32(v, true);
    if (n * elem > this.end - v - 4) this.bad(v, `${what} claims ${n} entries of ${elem} bytes`);
    return { at: v + 4, n };
  }

  private string(field: number, what: string): void {
    this.vector(field, 1, what);
  }

  private tables_(field: number, what: string, each: (t: number, what: string) => void): void {
    const v = this.vector(field, 4, what);
    for (let i = 0; i < v.n; i++) each(this.deref(v.at + 4 * i, `${what}[${i}]`), `${what}[${i}]`);
  }

  private keyValues(field: number, what: string): void {
    this.tables_(field, what, (t, w) => {
      const f = this.table(t, w);
      this.string(f(0, 4), `the key of ${w}`);
      this.string(f(1, 4), `the value of ${w}`);
    });
  }

  private field(t: number, what: string): void {
    const f = this.table(t, what);
    this.string(f(0, 4), `the name of ${what}`);
    const typeType = f(2, 1) === 0 ? 0 : this.view.getUint8(f(2, 1));
    const typeAt = f(3, 4);
    if (typeAt !== 0) {
      const ty = this.table(this.deref(typeAt, `the type of ${what}`), `the type of ${what}`);
      if (typeType === TYPE_TIMESTAMP) this.string(ty(1, 4), `the time zone of ${what}`);
      if (typeType === TYPE_UNION) this.vector(ty(1, 4), 4, `the type ids of ${what}`);
    }
    const dictAt = f(4, 4);
    if (dictAt !== 0) {
      const d = this.table(
        this.deref(dictAt, `the dictionary encoding of ${what}`),
        `the dictionary encoding of ${what}`,
      );
      const index = d(1, 4);
      if (index !== 0)
        this.table(this.deref(index, `the index type of ${what}`), `the index type of ${what}`);
    }
    this.tables_(f(5, 4), `the children of ${what}`, (c, w) => this.field(c, w));
    this.keyValues(f(6, 4), `the metadata of ${what}`);
  }

  private schema(t: number): void {
    const s = this.table(t, 'the schema');
    this.tables_(s(1, 4), 'the schema fields', (f, w) => this.field(f, w));
    this.keyValues(s(2, 4), 'the schema metadata');
    this.vector(s(3, 4), 8, 'the schema features');
  }

  /** A RecordBatch table; its row counts must be ones the body could hold. */
  private recordBatch(t: number, bodyLength: number): void {
    const r = this.table(t, 'the record batch');
    // a batch of n rows needs at least n bits of body in any column but a Null one (a validity
    // bitmap, bools, values, offsets or indices), so more rows than 8 bits a body byte is corruption
    // (apache-arrow would walk them: seconds for a flipped byte). Only columns of Arrow's Null type
    // need no body: up to 2^20 rows are let through for them.
    const maxRows = Math.max(8 * bodyLength, 2 ** 20);
    const lengthAt = r(0, 8);
    const length = lengthAt === 0 ? 0 : Number(this.view.getBigInt64(lengthAt, true));
    if (length < 0 || length > maxRows)
      this.bad(lengthAt, `the record batch claims ${length} rows in a ${bodyLength}-byte body`);
    const nodes = this.vector(r(1, 4), 16, 'the record batch field nodes');
    for (let i = 0; i < nodes.n; i++) {
      const at = nodes.at + 16 * i;
      const n = Number(this.view.getBigInt64(at, true));
      const nulls = Number(this.view.getBigInt64(at + 8, true));
      if (n < 0 || n > maxRows || nulls < 0 || nulls > n)
        this.bad(at, `field node ${i} claims ${n} values and ${nulls} nulls in a ${bodyLength}-byte body`);
    }
    const buffers = this.vector(r(2, 4), 16, 'the record batch buffers');
    for (let i = 0; i < buffers.n; i++) {
      const at = buffers.at + 16 * i;
      const offset = Number(this.view.getBigInt64(at, true));
      const len = Number(this.view.getBigInt64(at + 8, true));
      if (offset < 0 || len < 0 || offset + len > bodyLength)
        this.bad(at, `buffer ${i} claims bytes ${offset}–${offset + len} of a ${bodyLength}-byte body`);
    }
    const compression = r(3, 4);
    if (compression !== 0) this.table(this.deref(compression, 'the compression'), 'the compression');
    this.vector(r(4, 4), 8, 'the variadic buffer counts');
  }

  /** A Message header at `at`; returns its body length and header type (0 when it has no header). */
  message(at: number): { bodyLength: number; kind: number } {
    const m = this.table(this.deref(at, 'the message'), 'the message');
    const bodyAt = m(3, 8);
    const bodyLength = bodyAt === 0 ? 0 : Number(this.view.getBigInt64(bodyAt, true));
    if (bodyLength < 0 || !Number.isSafeInteger(bodyLength))
      this.bad(bodyAt, `the message claims a body of ${bodyLength} bytes`);
    const kind = m(1, 1) === 0 ? 0 : this.view.getUint8(m(1, 1));
    const header = m(2, 4);
    if (header !== 0) {
      const h = this.deref(header, 'the message header');
      if (kind === HEADER_SCHEMA) this.schema(h);
      else if (kind === HEADER_RECORD_BATCH) this.recordBatch(h, bodyLength);
      else if (kind === HEADER_DICTIONARY_BATCH) {
        const d = this.table(h, 'the dictionary batch');
        const data = d(1, 4);
        if (data !== 0) this.recordBatch(this.deref(data, 'the dictionary data'), bodyLength);
      } else this.table(h, 'the message header');
    }
    this.keyValues(m(4, 4), 'the message metadata');
    return { bodyLength, kind: header === 0 ? 0 : kind };
  }

  /**
   * An IPC file's Footer at `at`: its schema, and blocks that point at the start of a message of
   * their kind (apache-arrow reads a block's message again and again until it is one).
   */
  footer(at: number, messages: Map<number, number> | null, messagesEnd: number): FooterBlocks {
    const out: FooterBlocks = { dictionaries: [], batches: [] };
    const f = this.table(this.deref(at, 'the footer'), 'the footer');
    const schema = f(1, 4);
    if (schema !== 0) this.schema(this.deref(schema, 'the footer schema'));
    // Block structs (offset, metaDataLength, bodyLength: 24 bytes) must point inside the file
    for (const [id, what, kind] of [
      [2, 'the footer dictionary blocks', HEADER_DICTIONARY_BATCH],
      [3, 'the footer record batch blocks', HEADER_RECORD_BATCH],
    ] as const) {
      const blocks = this.vector(f(id, 4), 24, what);
      for (let i = 0; i < blocks.n; i++) {
        const b = blocks.at + 24 * i;
        const offset = Number(this.view.getBigInt64(b, true));
        const meta = this.view.getInt32(b + 8, true);
        const body = Number(this.view.getBigInt64(b + 16, true));
        if (offset < 8 || meta < 0 || body < 0 || offset + meta + body > messagesEnd)
          this.bad(
            b,
            `${what}[${i}] claims bytes ${offset}–${offset + meta + body}, outside the messages (bytes 8–${messagesEnd})`,
          );
        (kind === HEADER_RECORD_BATCH ? out.batches : out.dictionaries).push({
          offset,
          metaDataLength: meta,
          bodyLength: body,
        });
        if (messages === null) continue; // checked when each block's message is read (checkMessage)
        const found = messages.get(offset);
        if (found !== kind)
          this.bad(
            b,
            `${what}[${i}] points at byte ${offset}, where ${found === undefined ? 'no message starts' : `the message is not a ${kind === HEADER_RECORD_BATCH ? 'record' : 'dictionary'} batch`}`,
          );
      }
    }
    this.keyValues(f(4, 4), 'the footer metadata');
    return out;
  }
}
