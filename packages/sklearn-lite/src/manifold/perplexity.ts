/**
 * scikit-learn's _binary_search_perplexity: for each row, the Gaussian precision beta whose
 * conditional distribution over the given squared distances has entropy log(perplexity), to
 * 1e-5, in at most 100 bisection steps. Writes the conditional probabilities in place of `p`.
 */
export function conditionalProbabilities(
  sqDist: Float64Array,
  n: number,
  m: number,
  perplexity: number,
  /** Column of each row that is the row itself (exact method), or null when rows hold neighbours only. */
  selfColumn: ((i: number) => number) | null,
  p: Float64Array,
): void {
  const desired = Math.log(perplexity);
  for (let i = 0; i < n; i++) {
    const o = i * m;
    const self = selfColumn ? selfColumn(i) : -1;
    let betaMin = Number.NEGATIVE_INFINITY;
    let betaMax = Number.POSITIVE_INFINITY;
    let beta = 1;
    for (let step = 0; step < 100; step++) {
      let sumP = 0;
      for (let j = 0; j < m; j++) {
        const v = j === self ? 0 : Math.exp(-sqDist[o + j]! * beta);
        p[o + j] = v;
        sumP += v;
      }
      if (sumP === 0) sumP = 1e-8;
      let sumDP = 0;
      for (let j = 0; j < m; j++) {
        p[o + j]! /= sumP;
        sumDP += sqDist[o + j]! * p[o + j]!;
      }
      const diff = Math.log(sumP) + beta * sumDP - desired;
      if (Math.abs(diff) <= 1e-5) break;
      if (diff > 0) {
        betaMin = beta;
        beta = betaMax === Number.POSITIVE_INFINITY ? beta * 2 : (beta + betaMax) / 2;
      } else {
        betaMax = beta;
        beta = betaMin === Number.NEGATIVE_INFINITY ? beta / 2 : (beta + betaMin) / 2;
      }
    }
  }
}
