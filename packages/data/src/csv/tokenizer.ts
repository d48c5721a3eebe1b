/**
 * An RFC 4180 tokenizer over UTF-8 bytes that is fed chunks and hands out whole records, so a
 * file of any size streams through a buffer the size of one chunk. Fields stay as byte ranges
 * (numbers are parsed from the bytes, never turned into strings). Lenient where pandas' C parser
 * is: a quote inside an unquoted field is a literal, text after a closing quote is appended;
 * line ends may be \n, \r\n or \r.
 *
 * A record that a chunk ends inside is not scanned again: where the scan stopped (the stage of
 * the field, the fields found so far) is kept and the next chunk continues from there, so a long
 * record costs time linear in its length however the stream is cut.
 */
import { Utf8Validator } from './utf8.js';

export const QUOTE = 34;
const LF = 10;
const CR = 13;

/** Field flags: 0 plain, 1 quoted (range is the inside), 2 quoted with "" escapes (inside), 3 quoted with text after the closing quote (range is the raw field). */
export type FieldFlag = 0 | 1 | 2 | 3;

export interface RecordSink {
  /**
   * One record: fields i < n are buf[starts[i], ends[i]) with flags[i]. Return false to stop.
   * `line` is the 1-based line the record starts on.
   */
  record(
    buf: Uint8Array,
    starts: Int32Array,
    ends: Int32Array,
    flags: Uint8Array,
    n: number,
    line: number,
  ): boolean;
}

export class CsvSyntaxError extends Error {
  constructor(
    readonly line: number,
    readonly column: number,
    readonly reason: string,
  ) {
    super(reason);
  }
}

/** Where the scan of a record stands (kept between chunks for a record a chunk ends inside). */
const FIELD = 0; // at the start of a field
const UNQUOTED = 1; // inside an unquoted field
const QUOTED = 2; // inside a quoted field, looking for the closing quote from `q`
const CLOSED = 3; // just after a closing quote
const TRAILING = 4; // text after a closing quote (`"ab"c`)
const BREAK = 5; // a field is stored; at `p` is a separator, a line end or the end of the input

const UTF8_BOM = [0xef, 0xbb, 0xbf];

export class Tokenizer {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private flags = new Uint8Array(64);
  /** Line number of the first byte in buf. */
  private line = 1;
  private stopped = false;
  /** Stopped after a record at the sink's request (a chunk is full); `resume()` goes on. */
  paused = false;
  private pauseRequested = false;
  private ending = false;
  /** Where the next record starts after a pause (the buffer is not compacted for a pause). */
  private resumeAt = 0;
  private bomChecked = false;
  /** File offset of buf[0] (bytes handed out and dropped, a stripped BOM included). */
  private base = 0;
  /** Offset (in buf) where the record being handed to the sink starts, for error positions. */
  private recordStart = 0;
  private recordLine = 1;
  // the scan of the unfinished record at buf[0] (see the stages above)
  private stage = FIELD;
  private scanAt = 0;
  private nf = 0;
  private lines = 0;
  private fieldStart = 0;
  private fieldEnd = 0;
  private flag: FieldFlag = 0;
  private readonly utf8: Utf8Validator | null;
  /** Bytes consumed so far, and records handed out: the reader's capacity estimate uses them. */
  bytesConsumed = 0;
  records = 0;

  constructor(
    private readonly sep: number,
    private readonly sink: RecordSink,
    private readonly skipBlankLines: boolean,
    strictUtf8 = false,
  ) {
    this.utf8 = strictUtf8 ? new Utf8Validator() : null;
  }

  get done(): boolean {
    return this.stopped;
  }

  /** Asks the tokenizer to stop after the record being handed out, keeping the rest for `resume()`. */
  requestPause(): void {
    this.pauseRequested = true;
  }

  /** Goes on after a pause with the input already pushed (the end of the input if finish() paused). */
  resume(): void {
    if (!this.paused) return;
    this.paused = false;
    this.run(this.ending);
    if (this.ending && !this.paused) this.stopped = true;
  }

  /** Appends a chunk and hands out every record it completes. */
  push(chunk: Uint8Array): void {
    if (this.paused) throw new Error('Tokenizer.push while paused: resume() first');
    if (this.stopped || chunk.length === 0) return;
    const from = this.len;
    const needed = from + chunk.length;
    if (needed > this.buf.length) {
      // at least double (a long record grows in amortized linear time), and leave an eighth more
      // than needed, so the next read of the same size plus a record's tail fits without growing
      // again: a file's 1 MiB reads go through one buffer of 1.1 MiB (doubling dropped the 1 MiB
      // one for 2 MiB at the second read)
      const cap = Math.max(this.buf.length * 2, needed + (needed >> 3));
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, from));
      this.buf = next;
    }
    this.buf.set(chunk, from);
    this.len += chunk.length;
    let checkFrom = from;
    if (!this.bomChecked) {
      // a BOM only at the very start of the input, however the first bytes are cut into chunks
      if (this.len < 3 && this.buf.subarray(0, this.len).every((b, i) => b === UTF8_BOM[i])) return;
      this.stripBom();
      checkFrom = 0;
    }
    this.utf8?.check(this.buf, checkFrom, this.len);
    this.run(false);
  }

  /**
   * Ends the input: the last record may lack its line end; an open quote is an error. If the
   * sink asks for a pause on the way, `paused` is set and `resume()` finishes.
   */
  finish(): void {
    if (this.stopped || this.ending) return;
    if (this.paused) throw new Error('Tokenizer.finish while paused: resume() first');
    this.ending = true;
    if (!this.bomChecked) {
      this.stripBom();
      this.utf8?.check(this.buf, 0, this.len);
    }
    this.utf8?.end(this.len);
    this.run(true);
    if (!this.paused) this.stopped = true;
  }

  /** Drops a leading UTF-8 BOM (the first 3 bytes of the input are all here, or the input is shorter). */
  private stripBom(): void {
    this.bomChecked = true;
    const b = this.buf;
    if (this.len >= 3 && b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) {
      b.copyWithin(0, 3, this.len);
      this.len -= 3;
      this.base = 3;
    }
  }

  /** 1-based line and column (in characters) of byte `offset` of the current record. */
  locate(offset: number): { line: number; column: number } {
    let line = this.recordLine;
    let lineStart = this.recordStart;
    const buf = this.buf;
    for (let i = this.recordStart; i < offset; i++) {
      const c = buf[i]!;
      if (c === LF || (c === CR && !(i + 1 < this.len && buf[i + 1] === LF))) {
        line++;
        lineStart = i + 1;
      }
    }
    const prefix = locateDecoder.decode(buf.subarray(lineStart, offset));
    return { line, column: [...prefix].length + 1 };
  }

  private grow(): void {
    const n = this.starts.length * 2;
    const s = new Int32Array(n);
    s.set(this.starts);
    this.starts = s;
    const e = new Int32Array(n);
    e.set(this.ends);
    this.ends = e;
    const f = new Uint8Array(n);
    f.set(this.flags);
    this.flags = f;
  }

  /** The strict-encoding error for an invalid sequence at buf[at] inside the record at recStart. */
  private encodingError(at: number, recStart: number, recLine: number): CsvSyntaxError {
    const v = this.utf8!;
    this.recordStart = recStart;
    this.recordLine = recLine;
    const where = this.locate(at);
    const bytes = Array.from(
      this.buf.subarray(at, at + Math.max(1, v.badLength)),
      (b) => `0x${b.toString(16).padStart(2, '0')}`,
    ).join(' ');
    return new CsvSyntaxError(
      where.line,
      where.column,
      `invalid UTF-8 at byte ${this.base + at} (${bytes}: ${v.badReason}); pass encodingErrors: 'replace' to read invalid bytes as U+FFFD`,
    );
  }

  private run(final: boolean): void {
    const buf = this.buf;
    const end = this.len;
    const view = buf.subarray(0, end);
    const sep = this.sep;
    const utf8 = this.utf8;
    // resume the record at buf[0] where the last chunk left it
    let stage = this.stage;
    let p = this.scanAt;
    let nf = this.nf;
    let lines = this.lines;
    let fs = this.fieldStart;
    let fe = this.fieldEnd;
    let flag: FieldFlag = this.flag;
    let line = this.line;
    let recStart = this.resumeAt;
    this.resumeAt = 0;
    let recLine = line;
    let incomplete = false;
    outer: while (p < end || stage !== FIELD || nf > 0) {
      // one record: fields until a line end (or the end of the input)
      for (;;) {
        if (stage === FIELD) {
          if (p >= end && !final) {
            incomplete = true;
            break outer;
          }
          if (nf === this.starts.length) this.grow();
          fs = p;
          flag = 0;
          if (p < end && buf[p] === QUOTE) {
            stage = QUOTED;
            p++; // p is where the search for the closing quote goes on
          } else stage = UNQUOTED;
        }
        if (stage === UNQUOTED) {
          while (p < end) {
            const c = buf[p]!;
            if (c === sep || c === LF || c === CR) break;
            p++;
          }
          if (p >= end && !final) {
            incomplete = true;
            break outer;
          }
          fe = p;
          stage = BREAK;
        } else if (stage === QUOTED) {
          for (;;) {
            const idx = view.indexOf(QUOTE, p);
            if (idx < 0) {
              if (final) {
                if (utf8 !== null && utf8.badAt >= 0 && utf8.badAt < end)
                  throw this.encodingError(utf8.badAt, recStart, recLine);
                this.recordStart = recStart;
                this.recordLine = recLine;
                const at = this.locate(fs);
                throw new CsvSyntaxError(
                  at.line,
                  at.column,
                  'unterminated quoted field (a quote opened here is never closed)',
                );
              }
              p = end;
              incomplete = true; // need more data
              break outer;
            }
            if (idx + 1 >= end && !final) {
              p = idx; // cannot tell "" from a closing quote yet
              incomplete = true;
              break outer;
            }
            if (idx + 1 < end && buf[idx + 1] === QUOTE) {
              flag = 2;
              p = idx + 2;
              continue;
            }
            for (let k = fs + 1; k < idx; k++) {
              const c = buf[k]!;
              if (c === LF || (c === CR && buf[k + 1] !== LF)) lines++;
            }
            if (flag === 0) flag = 1;
            fe = idx;
            p = idx + 1;
            stage = CLOSED;
            break;
          }
        }
        if (stage === CLOSED) {
          if (p >= end && !final) {
            incomplete = true;
            break outer;
          }
          const c = p < end ? buf[p]! : LF;
          if (c !== sep && c !== LF && c !== CR) stage = TRAILING;
          else {
            fs++; // the inside of the quotes
            stage = BREAK;
          }
        }
        if (stage === TRAILING) {
          // pandas keeps text after a closing quote: `"ab"c` is `abc`
          while (p < end) {
            const d = buf[p]!;
            if (d === sep || d === LF || d === CR) break;
            p++;
          }
          if (p >= end && !final) {
            incomplete = true;
            break outer;
          }
          flag = 3; // the raw field, quotes and all
          fe = p;
          stage = BREAK;
        }
        if (stage === BREAK && fs >= 0) {
          this.starts[nf] = fs;
          this.ends[nf] = fe;
          this.flags[nf] = flag;
          nf++;
          fs = -1; // stored
        }
        // stage BREAK: at p is what ends the field
        if (p >= end) break; // the end of the input ends the record
        const c = buf[p]!;
        if (c === sep) {
          p++;
          stage = FIELD;
          continue;
        }
        if (c === CR) {
          if (p + 1 >= end && !final) {
            incomplete = true; // a \n may follow in the next chunk
            break outer;
          }
          p += p + 1 < end && buf[p + 1] === LF ? 2 : 1;
        } else p++;
        lines++;
        break;
      }
      // the record buf[recStart, p) is complete
      if (utf8 !== null && utf8.badAt >= 0 && utf8.badAt < p)
        throw this.encodingError(utf8.badAt, recStart, recLine);
      line += lines;
      stage = FIELD;
      const n = nf;
      nf = 0;
      lines = 0;
      const blank = n === 1 && this.flags[0] === 0 && this.starts[0] === this.ends[0];
      if (!(blank && this.skipBlankLines)) {
        this.recordStart = recStart;
        this.recordLine = recLine;
        this.records++;
        if (!this.sink.record(buf, this.starts, this.ends, this.flags, n, recLine)) {
          this.stopped = true;
          recStart = p;
          break;
        }
      }
      recStart = p;
      recLine = line;
      if (this.pauseRequested) {
        this.pauseRequested = false;
        this.paused = true;
        break;
      }
      if (p >= end) break;
    }
    if (this.stopped) return;
    if (this.paused) {
      // records go on at recStart with the next run; moving the rest of the buffer to the front
      // on every pause would cost a copy of it per chunk
      this.resumeAt = recStart;
      this.line = recLine;
      this.stage = FIELD;
      this.scanAt = p;
      this.nf = 0;
      this.lines = 0;
      return;
    }
    // keep the unfinished record (from recStart) at the front of the buffer, where it was scanned to
    if (recStart > 0) {
      buf.copyWithin(0, recStart, end);
      for (let i = 0; i < nf; i++) {
        this.starts[i] = this.starts[i]! - recStart;
        this.ends[i] = this.ends[i]! - recStart;
      }
      p -= recStart;
      if (fs >= 0) fs -= recStart;
      fe -= recStart;
      this.utf8?.shift(recStart);
      this.base += recStart;
      this.bytesConsumed += recStart;
    }
    this.len = end - recStart;
    this.line = recLine;
    this.stage = incomplete ? stage : FIELD;
    this.scanAt = p;
    this.nf = nf;
    this.lines = lines;
    this.fieldStart = fs;
    this.fieldEnd = fe;
    this.flag = flag;
  }
}

/** Keeps a U+FEFF at the start of the text (TextDecoder drops one by default). */
const locateDecoder = new TextDecoder('utf-8', { ignoreBOM: true });
