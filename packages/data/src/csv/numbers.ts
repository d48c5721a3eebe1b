/**
 * Numbers straight from UTF-8 bytes, with the syntax pandas' C parser accepts (xstrtod and
 * str_to_int64): optional spaces, a sign, digits with an optional '.', an optional exponent,
 * optional trailing spaces. Values are correctly rounded: up to 15 significant digits and
 * exponents within ±22 by one exact multiplication or division (Clinger's fast path), everything
 * else through the engine's own correctly-rounded parser.
 */

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

/** Result kinds of parseNumber. */
export const NOT_NUMBER = 0;
export const INTEGER = 1;
export const FLOAT = 2;

/**
 * parsed[0]: the value of the last parseNumber call (valid when it returned INTEGER or FLOAT). A
 * typed array rather than a module `let`, which would box every double it is given into a new
 * heap number: a garbage object per cell, and young-generation growth to hold them.
 */
export const parsed = new Float64Array(1);

const decoder = new TextDecoder('utf-8', { ignoreBOM: true });

function isSpace(c: number): boolean {
  return c === 32 || c === 9;
}

/**
 * Parses buf[s, e). Returns INTEGER for integer syntax (digits only, |v| exact below 2^53 or
 * rounded beyond), FLOAT for other numbers including inf/-inf/infinity, NOT_NUMBER otherwise.
 */
export function parseNumber(buf: Uint8Array, s: number, e: number): number {
  let p = s;
  while (p < e && isSpace(buf[p]!)) p++;
  while (e > p && isSpace(buf[e - 1]!)) e--;
  if (p === e) return NOT_NUMBER;
  let neg = false;
  let c = buf[p]!;
  if (c === 45 || c === 43) {
    neg = c === 45;
    p++;
    if (p === e) return NOT_NUMBER;
  }
  let mant = 0;
  let digits = 0; // significant digits taken into mant
  let dropped = false; // digits beyond what mant holds exactly
  let exp10 = 0;
  let sawDigit = false;
  c = buf[p]!;
  while (c >= 48 && c <= 57) {
    sawDigit = true;
    if (digits < 15) {
      mant = mant * 10 + (c - 48);
      if (mant !== 0) digits++;
    } else {
      exp10++;
      if (c !== 48) dropped = true;
    }
    p++;
    if (p === e) break;
    c = buf[p]!;
  }
  let isInt = true;
  if (p < e && c === 46) {
    isInt = false;
    p++;
    while (p < e) {
      c = buf[p]!;
      if (c < 48 || c > 57) break;
      sawDigit = true;
      if (digits < 15) {
        mant = mant * 10 + (c - 48);
        if (mant !== 0) digits++;
        exp10--;
      } else if (c !== 48) dropped = true;
      p++;
    }
  }
  if (!sawDigit) return special(buf, s, e);
  if (p < e && (buf[p] === 101 || buf[p] === 69)) {
    isInt = false;
    p++;
    let eneg = false;
    if (p < e && (buf[p] === 45 || buf[p] === 43)) {
      eneg = buf[p] === 45;
      p++;
    }
    if (p === e) return NOT_NUMBER;
    let ev = 0;
    while (p < e) {
      c = buf[p]!;
      if (c < 48 || c > 57) return NOT_NUMBER;
      if (ev < 100000) ev = ev * 10 + (c - 48);
      p++;
    }
    exp10 += eneg ? -ev : ev;
  }
  if (p !== e) return NOT_NUMBER;
  let v: number;
  if (dropped || exp10 > 22 || exp10 < -22) {
    v = Number(decoder.decode(buf.subarray(s, e)).trim());
  } else if (exp10 >= 0) {
    v = mant * POW10[exp10]!;
    if (neg) v = -v;
  } else {
    v = mant / POW10[-exp10]!;
    if (neg) v = -v;
  }
  parsed[0] = v;
  return isInt ? INTEGER : FLOAT;
}

/**
 * inf, +inf, -inf, infinity, +infinity, -infinity in any case (pandas' _try_double fallbacks),
 * exactly: pandas 1.5 reads " inf" and "\ufeffinf" as text.
 */
function special(buf: Uint8Array, s: number, e: number): number {
  const len = e - s;
  if (len < 3 || len > 9) return NOT_NUMBER;
  let t = '';
  for (let i = s; i < e; i++) {
    const c = buf[i]!;
    t += String.fromCharCode(c >= 65 && c <= 90 ? c + 32 : c); // ASCII lower case; other bytes never match
  }
  if (t === 'inf' || t === '+inf' || t === 'infinity' || t === '+infinity') {
    parsed[0] = Number.POSITIVE_INFINITY;
    return FLOAT;
  }
  if (t === '-inf' || t === '-infinity') {
    parsed[0] = Number.NEGATIVE_INFINITY;
    return FLOAT;
  }
  return NOT_NUMBER;
}
