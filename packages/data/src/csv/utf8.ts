/**
 * A UTF-8 validator fed the bytes of a stream piece by piece: a sequence split between two pieces
 * is carried over, and the first invalid sequence is reported as the offset of its first byte and
 * Python's reason ('invalid start byte', 'invalid continuation byte', 'unexpected end of data'),
 * so a whole parse and a chunked one report the same place.
 */
export class Utf8Validator {
  /** Continuation bytes still expected by the sequence that started at `seqStart`. */
  private need = 0;
  /** Bounds of the next continuation byte (tighter after E0, ED, F0, F4: no overlongs, surrogates, > U+10FFFF). */
  private lo = 0x80;
  private hi = 0xbf;
  private seqStart = 0;
  /** Offset of the first invalid sequence (in the caller's coordinates), or -1. */
  badAt = -1;
  /** Length of the maximal subpart reported at `badAt` (the bytes shown in the message). */
  badLength = 0;
  badReason = '';

  /** Checks buf[from, to); offsets are buf positions (the caller shifts them with `shift`). */
  check(buf: Uint8Array, from: number, to: number): void {
    if (this.badAt >= 0) return;
    let need = this.need;
    let i = from;
    for (;;) {
      if (need === 0) {
        while (i < to && buf[i]! < 0x80) i++;
        if (i >= to) break;
        const c = buf[i]!;
        this.seqStart = i;
        if (c >= 0xc2 && c <= 0xdf) {
          need = 1;
          this.lo = 0x80;
          this.hi = 0xbf;
        } else if (c >= 0xe0 && c <= 0xef) {
          need = 2;
          this.lo = c === 0xe0 ? 0xa0 : 0x80;
          this.hi = c === 0xed ? 0x9f : 0xbf;
        } else if (c >= 0xf0 && c <= 0xf4) {
          need = 3;
          this.lo = c === 0xf0 ? 0x90 : 0x80;
          this.hi = c === 0xf4 ? 0x8f : 0xbf;
        } else {
          this.fail(i, 1, 'invalid start byte');
          return;
        }
        i++;
        continue;
      }
      if (i >= to) break;
      const c = buf[i]!;
      if (c < this.lo || c > this.hi) {
        this.fail(this.seqStart, i - this.seqStart, 'invalid continuation byte');
        return;
      }
      this.lo = 0x80;
      this.hi = 0xbf;
      need--;
      i++;
    }
    this.need = need;
  }

  /** The input ended: a sequence still open is truncated. */
  end(to: number): void {
    if (this.badAt < 0 && this.need > 0)
      this.fail(this.seqStart, to - this.seqStart, 'unexpected end of data');
  }

  /** The caller dropped `n` bytes from the front of its buffer. */
  shift(n: number): void {
    this.seqStart -= n;
    if (this.badAt >= 0) this.badAt -= n;
  }

  private fail(at: number, length: number, reason: string): void {
    this.badAt = at;
    this.badLength = length;
    this.badReason = reason;
  }
}
