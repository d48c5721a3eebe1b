/**
 * MurmurHash3_x86_32 of a string's UTF-8 bytes, as scikit-learn's `murmurhash3_32(key, seed,
 * positive=False)` hashes a str: a signed 32-bit integer.
 */
let buf = new Uint8Array(256);

function utf8(s: string): number {
  // Worst case 3 bytes per UTF-16 code unit.
  if (buf.length < s.length * 3) buf = new Uint8Array(s.length * 3 + 64);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    let c = s.charCodeAt(i);
    if (c < 0x80) buf[n++] = c;
    else if (c < 0x800) {
      buf[n++] = 0xc0 | (c >> 6);
      buf[n++] = 0x80 | (c & 63);
    } else {
      if (c >= 0xd800 && c < 0xdc00 && i + 1 < s.length) {
        const lo = s.charCodeAt(i + 1);
        if (lo >= 0xdc00 && lo < 0xe000) {
          c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
          i++;
          buf[n++] = 0xf0 | (c >> 18);
          buf[n++] = 0x80 | ((c >> 12) & 63);
          buf[n++] = 0x80 | ((c >> 6) & 63);
          buf[n++] = 0x80 | (c & 63);
          continue;
        }
      }
      // A lone surrogate: Python refuses to encode it; we hash it as U+FFFD.
      if (c >= 0xd800 && c < 0xe000) c = 0xfffd;
      buf[n++] = 0xe0 | (c >> 12);
      buf[n++] = 0x80 | ((c >> 6) & 63);
      buf[n++] = 0x80 | (c & 63);
    }
  }
  return n;
}

export function murmurhash3_32(key: string, seed = 0): number {
  const len = utf8(key);
  const c1 = 0xcc9e2d51;
  const c2 = 0x1b873593;
  let h = seed | 0;
  const nblocks = len >> 2;
  for (let b = 0; b < nblocks; b++) {
    const o = b << 2;
    let k = buf[o]! | (buf[o + 1]! << 8) | (buf[o + 2]! << 16) | (buf[o + 3]! << 24);
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
    h = (h << 13) | (h >>> 19);
    h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  }
  const tail = nblocks << 2;
  let k = 0;
  const rem = len & 3;
  if (rem > 0) {
    if (rem === 3) k ^= buf[tail + 2]! << 16;
    if (rem >= 2) k ^= buf[tail + 1]! << 8;
    k ^= buf[tail]!;
    k = Math.imul(k, c1);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, c2);
    h ^= k;
  }
  h ^= len;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h | 0;
}
