import { rankAverage } from './rank.js';

/**
 * pandas' `nancorr` (pandas/_libs/algos.pyx, 1.5): for each pair of columns, over the rows where
 * both are finite, Welford's running means and sums of squared deviations, then
 * cov / sqrt(ssx·ssy). Written as pandas writes it so the digits agree; NaN when fewer than
 * `minPeriods` rows or a column is constant.
 */
export function pearsonMatrix(cols: readonly Float64Array[], minPeriods = 1): Float64Array {
  const K = cols.length;
  const out = new Float64Array(K * K);
  const finite = cols.map((c) => {
    const m = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) m[i] = Number.isFinite(c[i]!) ? 1 : 0;
    return m;
  });
  for (let xi = 0; xi < K; xi++) {
    for (let yi = 0; yi <= xi; yi++) {
      const x = cols[xi]!;
      const y = cols[yi]!;
      const mx = finite[xi]!;
      const my = finite[yi]!;
      let nobs = 0;
      let ssqdmx = 0;
      let ssqdmy = 0;
      let covxy = 0;
      let meanx = 0;
      let meany = 0;
      for (let i = 0; i < x.length; i++) {
        if (mx[i] === 1 && my[i] === 1) {
          const vx = x[i]!;
          const vy = y[i]!;
          nobs += 1;
          const dx = vx - meanx;
          const dy = vy - meany;
          meanx += (1 / nobs) * dx;
          meany += (1 / nobs) * dy;
          ssqdmx += (vx - meanx) * dx;
          ssqdmy += (vy - meany) * dy;
          covxy += (vx - meanx) * dy;
        }
      }
      let r = Number.NaN;
      if (nobs >= minPeriods) {
        const divisor = Math.sqrt(ssqdmx * ssqdmy);
        if (divisor !== 0) r = covxy / divisor;
      }
      out[xi * K + yi] = r;
      out[yi * K + xi] = r;
    }
  }
  return out;
}

/**
 * pandas' `nancorr_spearman`: each column ranked once (average ties); a pair whose missing rows
 * differ is re-ranked over the rows both have; then the Pearson formula around the mean rank
 * (n+1)/2, as pandas computes it.
 */
export function spearmanMatrix(cols: readonly Float64Array[], minPeriods = 1): Float64Array {
  const K = cols.length;
  const N = K === 0 ? 0 : cols[0]!.length;
  const out = new Float64Array(K * K);
  const finite = cols.map((c) => {
    const m = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) m[i] = Number.isFinite(c[i]!) ? 1 : 0;
    return m;
  });
  const noNans = finite.every((m) => m.every((v) => v === 1));
  // pandas ranks the raw column (infinities included) and masks afterwards
  const ranked = cols.map((c) => rankAverage(c));
  const maskedx = new Float64Array(N);
  const maskedy = new Float64Array(N);
  for (let xi = 0; xi < K; xi++) {
    for (let yi = 0; yi <= xi; yi++) {
      let sumx = 0;
      let sumxx = 0;
      let sumyy = 0;
      let r = Number.NaN;
      const rx = ranked[xi]!;
      const ry = ranked[yi]!;
      if (noNans) {
        const mean = (N + 1) / 2;
        for (let i = 0; i < N; i++) {
          const vx = rx[i]! - mean;
          const vy = ry[i]! - mean;
          sumx += vx * vy;
          sumxx += vx * vx;
          sumyy += vy * vy;
        }
      } else {
        const mx = finite[xi]!;
        const my = finite[yi]!;
        let nobs = 0;
        let allRanks = true;
        for (let i = 0; i < N; i++) {
          if (mx[i] !== my[i]) allRanks = false;
          if (mx[i] === 1 && my[i] === 1) {
            maskedx[nobs] = rx[i]!;
            maskedy[nobs] = ry[i]!;
            nobs++;
          }
        }
        if (nobs < minPeriods) {
          out[xi * K + yi] = out[yi * K + xi] = Number.NaN;
          continue;
        }
        let ax: Float64Array = maskedx;
        let ay: Float64Array = maskedy;
        if (!allRanks) {
          ax = rankAverage(maskedx.subarray(0, nobs));
          ay = rankAverage(maskedy.subarray(0, nobs));
        }
        const mean = (nobs + 1) / 2;
        for (let i = 0; i < nobs; i++) {
          const vx = ax[i]! - mean;
          const vy = ay[i]! - mean;
          sumx += vx * vy;
          sumxx += vx * vx;
          sumyy += vy * vy;
        }
      }
      const divisor = Math.sqrt(sumxx * sumyy);
      if (divisor !== 0) r = sumx / divisor;
      out[xi * K + yi] = r;
      out[yi * K + xi] = r;
    }
  }
  return out;
}
