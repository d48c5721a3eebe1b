/**
 * An RFC 4180 tokenizer over UTF-8 bytes that is fed chunks and hands out whole records, so a
 * file of any size streams through a buffer the size of one chunk. Fields stay as byte ranges
 * (numbers are parsed from the bytes, never turned into strings). Lenient where pandas' C parser
 * is: a quote inside an unquoted field is a literal, text after a closing quote is appended;
 * line ends may be \n, \r\n or \r.
 */

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

export class Tokenizer {
  private buf = new Uint8Array(1 << 16);
  private len = 0;
  private starts = new Int32Array(64);
  private ends = new Int32Array(64);
  private flags = new Uint8Array(64);
  /** Line number of the next unread byte. */
  private line = 1;
  private stopped = false;
  private bomChecked = false;
  /** Offset (in buf) where the record being handed to the sink starts, for error positions. */
  private recordStart = 0;
  private recordLine = 1;
  /** Start of the record being scanned (where an unfinished record resumes). */
  private pendingStart = 0;
  /** Bytes consumed so far, and records handed out: the reader's capacity estimate uses them. */
  bytesConsumed = 0;
  records = 0;

  constructor(
    private readonly sep: number,
    private readonly sink: RecordSink,
    private readonly skipBlankLines: boolean,
  ) {}

  get done(): boolean {
    return this.stopped;
  }

  /** Appends a chunk and hands out every record it completes. */
  push(chunk: Uint8Array): void {
    if (this.stopped) return;
    let data = chunk;
    if (!this.bomChecked && this.len + data.length >= 3) {
      this.bomChecked = true;
      if (this.len === 0 && data[0] === 0xef && data[1] === 0xbb && data[2] === 0xbf) data = data.subarray(3);
    }
    if (this.len + data.length > this.buf.length) {
      let cap = this.buf.length;
      while (cap < this.len + data.length) cap *= 2;
      const next = new Uint8Array(cap);
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(data, this.len);
    this.len += data.length;
    this.run(false);
  }

  /** Ends the input: the last record may lack its line end; an open quote is an error. */
  finish(): void {
    if (this.stopped) return;
    this.run(true);
    this.stopped = true;
  }

  /** 1-based line and column (in characters) of byte `offset` of the current record. */
  locate(offset: number): { line: number; column: number } {
    let line = this.recordLine;
    let lineStart = this.recordStart;
    const buf = this.buf;
    for (let i = this.recordStart; i < offset; i++) {
      const c = buf[i]!;
      if (c === LF || (c === CR && buf[i + 1] !== LF)) {
        line++;
        lineStart = i + 1;
      }
    }
    const prefix = new TextDecoder().decode(buf.subarray(lineStart, offset));
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

  private run(final: boolean): void {
    const buf = this.buf;
    const end = this.len;
    const sep = this.sep;
    let p = 0;
    let line = this.line;
    let incomplete = false;
    outer: while (p < end) {
      const recStart = p;
      const recLine = line;
      this.pendingStart = recStart;
      let nf = 0;
      let lines = 0;
      // one record
      for (;;) {
        if (nf === this.starts.length) this.grow();
        let fs = p;
        let fe: number;
        let flag: FieldFlag = 0;
        if (p < end && buf[p] === QUOTE) {
          let q = p + 1;
          for (;;) {
            const idx = buf.indexOf(QUOTE, q);
            if (idx < 0 || idx >= end) {
              if (final) {
                this.recordStart = recStart;
                this.recordLine = recLine;
                const at = this.locate(p);
                throw new CsvSyntaxError(
                  at.line,
                  at.column,
                  'unterminated quoted field (a quote opened here is never closed)',
                );
              }
              incomplete = true; // need more data
              break outer;
            }
            if (idx + 1 < end && buf[idx + 1] === QUOTE) {
              flag = 2;
              q = idx + 2;
              continue;
            }
            if (idx + 1 >= end && !final) {
              incomplete = true; // cannot tell "" from a closing quote yet
              break outer;
            }
            for (let k = p + 1; k < idx; k++) {
              const c = buf[k]!;
              if (c === LF || (c === CR && buf[k + 1] !== LF)) lines++;
            }
            if (flag === 0) flag = 1;
            fs = p + 1;
            fe = idx;
            p = idx + 1;
            break;
          }
          if (p < end) {
            const c = buf[p]!;
            if (c !== sep && c !== LF && c !== CR) {
              // pandas keeps text after a closing quote: `"ab"c` is `abc`
              while (p < end) {
                const d = buf[p]!;
                if (d === sep || d === LF || d === CR) break;
                p++;
              }
              flag = 3;
              fs = fs - 1;
              fe = p;
            }
          }
        } else {
          while (p < end) {
            const c = buf[p]!;
            if (c === sep || c === LF || c === CR) break;
            p++;
          }
          fe = p;
        }
        this.starts[nf] = fs;
        this.ends[nf] = fe!;
        this.flags[nf] = flag;
        nf++;
        if (p >= end) {
          if (!final) {
            incomplete = true;
            break outer;
          }
          break;
        }
        const c = buf[p]!;
        if (c === sep) {
          p++;
          continue;
        }
        if (c === CR) {
          if (p + 1 >= end && !final) {
            incomplete = true; // a \n may follow in the next chunk
            break outer;
          }
          p += buf[p + 1] === LF ? 2 : 1;
        } else p++;
        lines++;
        break;
      }
      line += lines;
      const blank = nf === 1 && this.flags[0] === 0 && this.starts[0] === this.ends[0];
      if (blank && this.skipBlankLines) continue;
      this.recordStart = recStart;
      this.recordLine = recLine;
      this.records++;
      if (!this.sink.record(buf, this.starts, this.ends, this.flags, nf, recLine)) {
        this.stopped = true;
        p = end;
        break;
      }
      if (p >= end) break;
    }
    // keep the unfinished record for the next chunk
    if (incomplete) p = this.pendingStart;
    this.bytesConsumed += p;
    this.buf.copyWithin(0, p, end);
    this.len = end - p;
    this.line = line;
  }
}
