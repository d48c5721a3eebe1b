/**
 * Ranks 1..n with ties given their average rank (pandas' rank(method='average')); NaN stays NaN.
 * Ties are decided by exact equality, as pandas does.
 */
export function rankAverage(a: Float64Array): Float64Array {
  const n = a.length;
  const order: number[] = [];
  for (let i = 0; i < n; i++) if (a[i] === a[i]) order.push(i);
  order.sort((x, y) => a[x]! - a[y]! || x - y);
  const out = new Float64Array(n).fill(Number.NaN);
  let i = 0;
  while (i < order.length) {
    let j = i;
    const v = a[order[i]!]!;
    while (j + 1 < order.length && a[order[j + 1]!] === v) j++;
    // ranks i+1..j+1 averaged, computed as pandas does: sum of ranks / count
    let sumRanks = 0;
    for (let k = i; k <= j; k++) sumRanks += k + 1;
    const r = sumRanks / (j - i + 1);
    for (let k = i; k <= j; k++) out[order[k]!] = r;
    i = j + 1;
  }
  return out;
}
