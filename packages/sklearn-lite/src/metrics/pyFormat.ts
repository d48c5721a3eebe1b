/**
 * Python's `format(x, '.{d}f')`: correctly rounded from the double's exact value with ties to
 * even. JavaScript's toFixed also starts from the exact value but breaks exact ties upwards
 * (0.125 → "0.13" where Python prints "0.12"), so exact ties are detected and fixed here.
 */
export function formatFixed(x: number, digits: number): string {
  if (!Number.isFinite(x)) return Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  const s = x.toFixed(digits);
  // toFixed's exact expansion shows whether x sits exactly halfway between two outputs.
  const exact = Math.abs(x).toFixed(Math.min(100, digits + 40));
  const cut = exact.indexOf('.') + digits + 1;
  const rest = digits === 0 ? exact.slice(exact.indexOf('.') + 1) : exact.slice(cut);
  const isTie = /^50*$/.test(rest);
  if (!isTie) return s;
  // JavaScript rounded away from zero; Python wants the even neighbour.
  const lastDigit = Number(s[s.length - 1]);
  if (lastDigit % 2 === 0) return s;
  const down = x < 0 ? -(Math.abs(x) - 0.5 * 10 ** -digits) : x - 0.5 * 10 ** -digits;
  return down.toFixed(digits);
}

/** Python's `'{:>{w}}'.format(s)`. */
export function padLeft(s: string, width: number): string {
  return s.length >= width ? s : ' '.repeat(width - s.length) + s;
}
