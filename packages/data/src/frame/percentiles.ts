import { fail } from '../errors.js';

/** pandas' refine_percentiles: the median is always reported; the list is sorted, duplicates rejected. */
export function refinePercentiles(percentiles: readonly number[] | undefined): number[] {
  if (percentiles === undefined) return [0.25, 0.5, 0.75];
  if (!Array.isArray(percentiles))
    fail('describe', `percentiles must be an array of numbers in [0, 1], got ${typeof percentiles}`);
  const ps = [...percentiles];
  for (const p of ps) {
    if (typeof p !== 'number' || !(p >= 0 && p <= 1))
      fail('describe', `percentiles must all be in [0, 1], got ${String(p)}`);
  }
  if (!ps.includes(0.5)) ps.push(0.5);
  const unique = [...new Set(ps)].sort((a, b) => a - b);
  if (unique.length < ps.length) fail('describe', 'percentiles cannot contain duplicates');
  return unique;
}

/** pandas' format_percentiles: "25%", and as many decimals as keep neighbours apart ("33.3%"). */
export function formatPercentiles(percentiles: readonly number[]): string[] {
  const pcts = percentiles.map((p) => 100 * p);
  const isInt = pcts.map((p) => isClose(Math.trunc(p), p));
  if (isInt.every(Boolean)) return pcts.map((p) => `${Math.trunc(p)}%`);
  const unique = [...new Set(pcts)].sort((a, b) => a - b);
  const gaps: number[] = [];
  if (unique[0]! > 0) gaps.push(unique[0]!);
  for (let i = 1; i < unique.length; i++) gaps.push(unique[i]! - unique[i - 1]!);
  if (unique[unique.length - 1]! < 100) gaps.push(100 - unique[unique.length - 1]!);
  const prec = Math.max(1, -Math.floor(Math.log10(Math.min(...gaps))));
  return pcts.map((p, i) => (isInt[i] ? `${Math.trunc(p)}%` : `${pyStrFloat(roundHalfEven(p, prec))}%`));
}

function isClose(a: number, b: number): boolean {
  return Math.abs(a - b) <= 1e-8 + 1e-5 * Math.abs(b);
}

/** NumPy's round(x, decimals): x·10^d rounded half to even, divided back. */
function roundHalfEven(x: number, decimals: number): number {
  const f = 10 ** decimals;
  const y = x * f;
  let r = Math.round(y);
  if (Math.abs(y % 1) === 0.5 && r % 2 !== 0) r -= 1;
  return r / f;
}

/** Python's str() of a float for ordinary magnitudes: always with a decimal point. */
function pyStrFloat(x: number): string {
  const s = String(x);
  return /[.eE]/.test(s) ? s : `${s}.0`;
}
