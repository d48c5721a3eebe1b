import { fail } from '../base/errors.js';

/** Python's `\w` for str patterns: letters, digits and other numerics, and the underscore. */
export const PY_WORD = '\\p{L}\\p{N}_';
/** Python's `\s` for str patterns (str.isspace()): ASCII whitespace, \x1c-\x1f and Unicode spaces. */
export const PY_SPACE =
  '\\t\\n\\v\\f\\r\\x1c-\\x20\\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WORD_RE = new RegExp(`[${PY_WORD}]`, 'u');

/** Runs of Python whitespace, as `str.split()` splits and `re.sub(r"\s\s+", " ", …)` squeezes. */
export const PY_SPACES_RE = new RegExp(`[${PY_SPACE}]+`, 'u');
export const PY_SPACE_RUNS_RE = new RegExp(`[${PY_SPACE}][${PY_SPACE}]+`, 'gu');

/** 1 where the BMP code unit is a Python word character (ASCII filled in eagerly, the rest on first use). */
const wordTable = new Uint8Array(65536);
const wordKnown = new Uint8Array(65536);
for (let c = 0; c < 65536; c++) {
  if (c < 128) {
    wordKnown[c] = 1;
    wordTable[c] = (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95 ? 1 : 0;
  }
}
const astral = new Map<number, boolean>();

/** Whether the code point is a Python `\w` character. */
export function isWordCodePoint(cp: number): boolean {
  if (cp < 65536) {
    if (wordKnown[cp] === 0) {
      wordTable[cp] = WORD_RE.test(String.fromCharCode(cp)) ? 1 : 0;
      wordKnown[cp] = 1;
    }
    return wordTable[cp] === 1;
  }
  let w = astral.get(cp);
  if (w === undefined) {
    w = WORD_RE.test(String.fromCodePoint(cp));
    astral.set(cp, w);
  }
  return w;
}

/**
 * scikit-learn's default token pattern `(?u)\b\w\w+\b`, hand-scanned: the runs of word characters
 * that are at least two code points long (at a run's first character `\b` holds and the greedy
 * `\w\w+` takes the whole run; inside a run `\b` never holds).
 */
export function defaultTokens(doc: string, out: string[]): string[] {
  const n = doc.length;
  let start = -1;
  let cps = 0;
  for (let i = 0; i < n; i++) {
    let c = doc.charCodeAt(i);
    let width = 1;
    if (c >= 0xd800 && c < 0xdc00 && i + 1 < n) {
      const lo = doc.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo < 0xe000) {
        c = ((c - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        width = 2;
      }
    }
    const w = c < 128 ? wordTable[c] === 1 : isWordCodePoint(c);
    if (w) {
      if (start < 0) {
        start = i;
        cps = 0;
      }
      cps++;
    } else if (start >= 0) {
      if (cps >= 2) out.push(doc.slice(start, i));
      start = -1;
    }
    i += width - 1;
  }
  if (start >= 0 && cps >= 2) out.push(doc.slice(start));
  return out;
}

const BOUNDARY = `(?:(?<=[${PY_WORD}])(?![${PY_WORD}])|(?<![${PY_WORD}])(?=[${PY_WORD}]))`;
const NOT_BOUNDARY = `(?:(?<=[${PY_WORD}])(?=[${PY_WORD}])|(?<![${PY_WORD}])(?![${PY_WORD}]))`;

/**
 * A Python `re` pattern (as scikit-learn's tokenPattern is written) as a JavaScript RegExp with
 * Python's Unicode meaning of `\w \W \d \D \s \S \b \B`. A leading `(?u)` is dropped (it is the
 * default for str patterns); other inline flags and the `(?P<name>…)` form are translated where
 * JavaScript has them. Returns the RegExp (flags `gu`) and its number of capturing groups.
 */
export function pythonPattern(op: string, pattern: string): { re: RegExp; groups: number } {
  let src = pattern;
  let flags = 'gu';
  const inline = /^\(\?([aiLmsux]+)\)/.exec(src);
  if (inline) {
    for (const f of inline[1]!) {
      if (f === 'i' || f === 'm' || f === 's') flags += f;
      else if (f !== 'u')
        fail(
          op,
          `tokenPattern uses the inline flag (?${f}), which has no JavaScript equivalent; pass a RegExp instead`,
        );
    }
    src = src.slice(inline[0].length);
  }
  let out = '';
  let inClass = false;
  let groups = 0;
  for (let i = 0; i < src.length; i++) {
    const ch = src[i]!;
    if (ch === '\\') {
      const e = src[i + 1];
      i++;
      if (e === undefined) fail(op, `tokenPattern ends with a lone backslash: ${JSON.stringify(pattern)}`);
      if (inClass) {
        if (e === 'w') out += PY_WORD;
        else if (e === 'd') out += '\\p{Nd}';
        else if (e === 's') out += PY_SPACE;
        else if (e === 'W' || e === 'D' || e === 'S')
          fail(
            op,
            `tokenPattern uses \\${e} inside a character class, which is not translated; pass a RegExp instead`,
          );
        else out += `\\${e}`;
      } else if (e === 'w') out += `[${PY_WORD}]`;
      else if (e === 'W') out += `[^${PY_WORD}]`;
      else if (e === 'd') out += '\\p{Nd}';
      else if (e === 'D') out += '\\P{Nd}';
      else if (e === 's') out += `[${PY_SPACE}]`;
      else if (e === 'S') out += `[^${PY_SPACE}]`;
      else if (e === 'b') out += BOUNDARY;
      else if (e === 'B') out += NOT_BOUNDARY;
      else if (e === 'A') out += '^';
      else if (e === 'Z') out += '$';
      else out += `\\${e}`;
      continue;
    }
    if (inClass) {
      if (ch === ']' && !(out.endsWith('[') || out.endsWith('[^'))) inClass = false;
      out += ch;
      continue;
    }
    if (ch === '[') {
      inClass = true;
      out += ch;
      continue;
    }
    if (ch === '(') {
      if (src[i + 1] !== '?') groups++;
      else if (src.startsWith('(?P<', i)) {
        groups++;
        out += '(?<';
        i += 3;
        continue;
      } else if (src.startsWith('(?P=', i)) {
        const close = src.indexOf(')', i);
        out += `\\k<${src.slice(i + 4, close)}>`;
        i = close;
        continue;
      } else if (src.startsWith('(?<', i) && src[i + 3] !== '=' && src[i + 3] !== '!') groups++;
    }
    out += ch;
  }
  try {
    return { re: new RegExp(out, flags), groups };
  } catch (e) {
    return fail(
      op,
      `tokenPattern ${JSON.stringify(pattern)} is not a valid pattern: ${(e as Error).message}`,
    );
  }
}

/** Python's code-point string order (JavaScript's `<` compares UTF-16 code units, which differs above U+FFFF). */
export function compareCodePoints(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) {
      // Surrogates (astral code points) sort after U+E000..U+FFFF in code-point order.
      const fx = x >= 0xd800 ? (x >= 0xe000 ? x - 0x800 : x + 0x2000) : x;
      const fy = y >= 0xd800 ? (y >= 0xe000 ? y - 0x800 : y + 0x2000) : y;
      return fx - fy;
    }
  }
  return a.length - b.length;
}
