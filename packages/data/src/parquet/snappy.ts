/**
 * Snappy block decompression (the raw format Parquet pages use; no framing), written from the
 * format description (google/snappy format_description.txt). Long literals and copies that do not
 * overlap their source are block copies (`set`, `copyWithin`): a page of doubles is mostly
 * literals, which a byte loop copied at a fraction of memory speed. Every read and write is checked
 * against the buffers' ends, so damaged input is an Error, never a hang or a write out of bounds.
 */
export function snappyDecompress(input: Uint8Array, output: Uint8Array): void {
  const n = input.length;
  const size = output.length;
  let pos = 0;
  // the preamble: the uncompressed length as a little-endian varint
  let length = 0;
  let scale = 1;
  for (;;) {
    if (pos >= n || scale > 2 ** 28) throw new Error('snappy: no length preamble');
    const c = input[pos++]!;
    length += (c & 0x7f) * scale;
    if (c < 0x80) break;
    scale *= 128;
  }
  if (length !== size) throw new Error(`snappy: the block holds ${length} bytes, the page says ${size}`);
  let out = 0;
  while (pos < n) {
    const tag = input[pos++]!;
    const kind = tag & 3;
    if (kind === 0) {
      let len = tag >>> 2;
      if (len >= 60) {
        const bytes = len - 59;
        if (pos + bytes > n) throw new Error(`snappy: a literal length runs past the input at byte ${pos}`);
        len = 0;
        for (let k = 0; k < bytes; k++) len += input[pos + k]! * 2 ** (8 * k);
        pos += bytes;
      }
      len += 1;
      if (pos + len > n || out + len > size)
        throw new Error(`snappy: a literal of ${len} bytes at byte ${pos} runs past the input or output`);
      if (len < 16) {
        for (let k = 0; k < len; k++) output[out + k] = input[pos + k]!;
      } else {
        output.set(input.subarray(pos, pos + len), out);
      }
      pos += len;
      out += len;
      continue;
    }
    let len: number;
    let offset: number;
    if (kind === 1) {
      if (pos >= n) throw new Error('snappy: a copy runs past the input');
      len = ((tag >>> 2) & 7) + 4;
      offset = ((tag >>> 5) << 8) | input[pos++]!;
    } else if (kind === 2) {
      if (pos + 2 > n) throw new Error('snappy: a copy runs past the input');
      len = (tag >>> 2) + 1;
      offset = input[pos]! | (input[pos + 1]! << 8);
      pos += 2;
    } else {
      if (pos + 4 > n) throw new Error('snappy: a copy runs past the input');
      len = (tag >>> 2) + 1;
      offset =
        (input[pos]! | (input[pos + 1]! << 8) | (input[pos + 2]! << 16) | (input[pos + 3]! << 24)) >>> 0;
      pos += 4;
    }
    if (offset === 0 || offset > out)
      throw new Error(`snappy: a copy from offset ${offset} at output byte ${out}`);
    if (out + len > size) throw new Error(`snappy: a copy of ${len} bytes runs past the output (${size})`);
    const from = out - offset;
    if (offset >= len && len >= 16) {
      output.copyWithin(out, from, from + len);
    } else {
      // overlapping (a run repeating its last `offset` bytes) or short: byte by byte, forwards
      for (let k = 0; k < len; k++) output[out + k] = output[from + k]!;
    }
    out += len;
  }
  if (out !== size) throw new Error(`snappy: the block ended after ${out} of ${size} bytes`);
}
