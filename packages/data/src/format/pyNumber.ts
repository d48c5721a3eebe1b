/**
 * Python's float formatting, exactly: `repr(x)` (shortest round-trip digits, Python's choice of
 * fixed or exponent notation), `'%.Nf'` and `'%.Ne'` (correctly rounded, ties to even — JS's
 * toFixed/toExponential round ties away from zero and switch to exponents past 1e21, so they
 * are not used for the digits).
 */

/** Python's repr(float): '1.0', '0.1', '1e-05', '1.5e+16', 'nan', 'inf', '-0.0'. */
export function pyRepr(x: number): string {
  if (Number.isNaN(x)) return 'nan';
  if (!Number.isFinite(x)) return x > 0 ? 'inf' : '-inf';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const [mant, expPart] = Math.abs(x).toExponential().split('e') as [string, string];
  const digits = mant.replace('.', '');
  const e = Number(expPart);
  const sign = x < 0 ? '-' : '';
  if (e >= -4 && e < 16) {
    if (e < 0) return `${sign}0.${'0'.repeat(-e - 1)}${digits}`;
    if (digits.length <= e + 1) return `${sign}${digits}${'0'.repeat(e + 1 - digits.length)}.0`;
    return `${sign}${digits.slice(0, e + 1)}.${digits.slice(e + 1)}`;
  }
  const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
  return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}

const TWO52 = 2 ** 52;

/** |x| as an exact fraction num / 2^shift (shift >= 0). */
function exactParts(x: number): { num: bigint; shift: bigint } {
  const a = Math.abs(x);
  if (a >= TWO52) return { num: BigInt(a), shift: 0n };
  // scale by powers of two (exact) until the value is an integer
  let shift = 0;
  let v = a;
  while (!Number.isInteger(v)) {
    v *= 2;
    shift++;
  }
  return { num: BigInt(v), shift: BigInt(shift) };
}

/** round(|x| · 10^k) to the nearest integer, ties to even, for any integer k. */
function roundScaled(x: number, k: number): bigint {
  const { num, shift } = exactParts(x);
  let n = num;
  let d = 1n << shift;
  if (k >= 0) n *= 10n ** BigInt(k);
  else d *= 10n ** BigInt(-k);
  const q = n / d;
  const r2 = (n % d) * 2n;
  if (r2 > d || (r2 === d && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Python's format(x, '.{digits}f') (with `space`, format(x, ' .{digits}f')). */
export function pyFixed(x: number, digits: number, space = false): string {
  if (Number.isNaN(x)) return space ? ' nan' : 'nan';
  if (!Number.isFinite(x)) return x > 0 ? (space ? ' inf' : 'inf') : '-inf';
  const q = roundScaled(x, digits)
    .toString()
    .padStart(digits + 1, '0');
  const body = digits > 0 ? `${q.slice(0, q.length - digits)}.${q.slice(q.length - digits)}` : q;
  return (x < 0 || Object.is(x, -0) ? '-' : space ? ' ' : '') + body;
}

/** Python's format(x, '.{digits}e'): '1.234568e+05'. */
export function pyExp(x: number, digits: number, space = false): string {
  if (Number.isNaN(x)) return space ? ' nan' : 'nan';
  if (!Number.isFinite(x)) return x > 0 ? (space ? ' inf' : 'inf') : '-inf';
  const sign = x < 0 || Object.is(x, -0) ? '-' : space ? ' ' : '';
  let e = 0;
  let q = 0n;
  if (x !== 0) {
    e = Math.floor(Math.log10(Math.abs(x)));
    const lo = 10n ** BigInt(digits);
    const hi = lo * 10n;
    for (;;) {
      q = roundScaled(x, digits - e);
      if (q >= hi) e++;
      else if (q < lo) e--;
      else break;
    }
  }
  const s = q.toString().padStart(digits + 1, '0');
  const m = digits > 0 ? `${s[0]}.${s.slice(1)}` : s;
  return `${sign}${m}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
}
