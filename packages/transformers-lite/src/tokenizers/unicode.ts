/**
 * Character classes as Hugging Face's Rust tokenizers define them (they decide where BERT splits),
 * and GPT-2's byte <-> printable-character table.
 */

/** Rust `char::is_whitespace`: the Unicode White_Space property (not JS `\s`, which adds U+FEFF). */
export const WHITESPACE = '\\p{White_Space}';
/** BERT's punctuation: ASCII punctuation (which includes symbols like `$` and `^`) or any Unicode P*. */
export const PUNCTUATION = '\\p{P}!-\\/:-@\\[-`{-~';
/** CJK ideographs that BERT surrounds with spaces (the blocks Google's BERT lists). */
export const CJK =
  '\\u4E00-\\u9FFF\\u3400-\\u4DBF\\u{20000}-\\u{2A6DF}\\u{2A700}-\\u{2B73F}\\u{2B740}-\\u{2B81F}' +
  '\\u{2B820}-\\u{2CEAF}\\uF900-\\uFAFF\\u{2F800}-\\u{2FA1F}';

const PUNCTUATION_CHAR = new RegExp(`^[${PUNCTUATION}]$`, 'u');
export function isPunctuation(char: string): boolean {
  return PUNCTUATION_CHAR.test(char);
}

/**
 * Lowercases char by char, as Rust's `NormalizedString::lowercase` does: JS's string-wide
 * `toLowerCase` turns a word-final 'Σ' into 'ς', the char-wise mapping gives 'σ'.
 */
export function lowercase(text: string): string {
  if (!text.includes('Σ')) return text.toLowerCase();
  return text.replace(/[^Σ]+/g, (s) => s.toLowerCase()).replaceAll('Σ', 'σ');
}

/**
 * GPT-2's reversible map from the 256 byte values to printable characters: printable Latin-1
 * bytes map to themselves, the rest to U+0100 onwards in byte order.
 */
function buildByteTables(): { byteToChar: string[]; charToByte: Map<string, number> } {
  const keep: number[] = [];
  for (let b = 0x21; b <= 0x7e; b++) keep.push(b);
  for (let b = 0xa1; b <= 0xac; b++) keep.push(b);
  for (let b = 0xae; b <= 0xff; b++) keep.push(b);
  const byteToChar: string[] = new Array(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) {
    byteToChar[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  }
  const charToByte = new Map(byteToChar.map((c, b) => [c, b] as const));
  return { byteToChar, charToByte };
}
export const { byteToChar: BYTE_TO_CHAR, charToByte: CHAR_TO_BYTE } = buildByteTables();

/** UTF-8 bytes of `text` written through the GPT-2 byte table (lone surrogates become U+FFFD, as TextEncoder does). */
export function toByteLevel(text: string): string {
  let out = '';
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c < 0x80) {
      out += BYTE_TO_CHAR[c];
      continue;
    }
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (lo - 0xdc00);
        i++;
      } else c = 0xfffd;
    } else if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd;
    if (c < 0x800) out += BYTE_TO_CHAR[0xc0 | (c >> 6)]! + BYTE_TO_CHAR[0x80 | (c & 63)]!;
    else if (c < 0x10000) {
      out +=
        BYTE_TO_CHAR[0xe0 | (c >> 12)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 6) & 63)]! +
        BYTE_TO_CHAR[0x80 | (c & 63)]!;
    } else {
      out +=
        BYTE_TO_CHAR[0xf0 | (c >> 18)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 12) & 63)]! +
        BYTE_TO_CHAR[0x80 | ((c >> 6) & 63)]! +
        BYTE_TO_CHAR[0x80 | (c & 63)]!;
    }
  }
  return out;
}

// ignoreBOM: a leading U+FEFF is text to keep, not a byte order mark to drop.
const utf8 = new TextDecoder('utf-8', { ignoreBOM: true });
/** Decodes bytes as UTF-8, replacing invalid sequences with U+FFFD (Rust's `from_utf8_lossy`). */
export function decodeUtf8(bytes: Uint8Array): string {
  return utf8.decode(bytes);
}

export function utf8Bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}
