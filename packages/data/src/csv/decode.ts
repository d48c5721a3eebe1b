import { QUOTE } from './tokenizer.js';

/** ignoreBOM: a U+FEFF that starts a field is part of the value (only the file's first BOM is dropped, by the tokenizer). */
const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

/** buf[s, e) as a string: short ASCII by hand (no decoder call), the rest by TextDecoder. */
export function decodeRange(buf: Uint8Array, s: number, e: number): string {
  const n = e - s;
  if (n <= 24) {
    let out = '';
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (c >= 0x80) return decoder.decode(buf.subarray(s, e));
      out += String.fromCharCode(c);
    }
    return out;
  }
  return decoder.decode(buf.subarray(s, e));
}

/** A field's text given its tokenizer flag (see FieldFlag). */
export function decodeField(buf: Uint8Array, s: number, e: number, flag: number): string {
  if (flag <= 1) return decodeRange(buf, s, e);
  if (flag === 2) return decodeRange(buf, s, e).replace(/""/g, '"');
  // raw field `"...."rest`: unquote the quoted part, keep the rest as it is
  const raw = decodeRange(buf, s, e);
  let out = '';
  let i = 1;
  for (; i < raw.length; i++) {
    const ch = raw[i]!;
    if (ch === '"') {
      if (raw[i + 1] === '"') {
        out += '"';
        i++;
      } else break;
    } else out += ch;
  }
  return out + raw.slice(i + 1);
}

export { QUOTE };
