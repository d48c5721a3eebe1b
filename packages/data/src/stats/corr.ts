import { rankAverage } from './rank.js';
import { pairwiseSum } from './sum.js';

/** Rows per block in the all-finite fast path: 31 columns of it stay in cache. */
const BLOCK = 256;

/**
 * pandas' `corr(method='pearson')`: for each pair of columns, over the rows where both are
 * finite, cov / sqrt(varx · vary); NaN when fewer than `minPeriods` rows or a column is
 * constant there. pandas (`nancorr` in algos.pyx) uses Welford's running sums, which lose
 * digits when a column sits far from zero (1e8 + noise: 7e-9 relative); here the columns are
 * centred on their pairwise-summed means first (two passes), which keeps the result within an
 * ulp or two of the exact value, and pairs without missing values are done in cache-sized
 * blocks of rows all at once.
 */
export function pearsonMatrix(cols: readonly Float64Array[], minPeriods = 1): Float64Array {
  const K = cols.length;
  const out = new Float64Array(K * K);
  const finite = cols.map((c) => {
    const m = new Uint8Array(c.length);
    for (let i = 0; i < c.length; i++) m[i] = Number.isFinite(c[i]!) ? 1 : 0;
    return m;
  });
  const complete = finite.map((m) => m.every((v) => v === 1));
  const fast = complete.map((c, j) => c && cols[j]!.length >= minPeriods && cols[j]!.length > 0);
  if (fast.some(Boolean)) centeredProducts(cols, fast, out);
  const n = K === 0 ? 0 : cols[0]!.length;
  const bx = new Float64Array(n);
  const by = new Float64Array(n);
  for (let xi = 0; xi < K; xi++) {
    for (let yi = 0; yi <= xi; yi++) {
      if (fast[xi] && fast[yi]) continue;
      const x = cols[xi]!;
      const y = cols[yi]!;
      const mx = finite[xi]!;
      const my = finite[yi]!;
      let nobs = 0;
      for (let i = 0; i < n; i++) {
        if (mx[i] === 1 && my[i] === 1) {
          bx[nobs] = x[i]!;
          by[nobs] = y[i]!;
          nobs++;
        }
      }
      let r = Number.NaN;
      if (nobs >= minPeriods && nobs > 0) {
        const meanx = pairwiseSum(bx, 0, nobs) / nobs;
        const meany = pairwiseSum(by, 0, nobs) / nobs;
        let sxy = 0;
        let sxx = 0;
        let syy = 0;
        for (let start = 0; start < nobs; start += BLOCK) {
          const end = Math.min(nobs, start + BLOCK);
          let pxy = 0;
          let pxx = 0;
          let pyy = 0;
          for (let i = start; i < end; i++) {
            const dx = bx[i]! - meanx;
            const dy = by[i]! - meany;
            pxy += dx * dy;
            pxx += dx * dx;
            pyy += dy * dy;
          }
          sxy += pxy;
          sxx += pxx;
          syy += pyy;
        }
        const divisor = Math.sqrt(sxx * syy);
        if (divisor !== 0) r = sxy / divisor;
      }
      out[xi * K + yi] = r;
      out[yi * K + xi] = r;
    }
  }
  return out;
}

/**
 * The pairs of columns without missing or infinite values, all at once: the columns are centred
 * on their (pairwise-summed) means, then every product sum is accumulated over blocks of rows
 * that stay in cache, the block sums added up separately.
 */
function centeredProducts(cols: readonly Float64Array[], use: readonly boolean[], out: Float64Array): void {
  const K = cols.length;
  const idx = use.flatMap((u, j) => (u ? [j] : []));
  const m = idx.length;
  const n = cols[idx[0]!]!.length;
  const means = idx.map((j) => pairwiseSum(cols[j]!) / n);
  const block = new Float64Array(m * BLOCK);
  const total = new Float64Array(m * m);
  for (let start = 0; start < n; start += BLOCK) {
    const len = Math.min(BLOCK, n - start);
    for (let a = 0; a < m; a++) {
      const c = cols[idx[a]!]!;
      const mu = means[a]!;
      const off = a * BLOCK;
      for (let i = 0; i < len; i++) block[off + i] = c[start + i]! - mu;
    }
    for (let a = 0; a < m; a++) {
      const oa = a * BLOCK;
      for (let b = 0; b <= a; b++) {
        const ob = b * BLOCK;
        let s = 0;
        for (let i = 0; i < len; i++) s += block[oa + i]! * block[ob + i]!;
        total[a * m + b]! += s;
      }
    }
  }
  for (let a = 0; a < m; a++) {
    for (let b = 0; b <= a; b++) {
      const divisor = Math.sqrt(total[a * m + a]! * total[b * m + b]!);
      const r = divisor !== 0 ? total[a * m + b]! / divisor : Number.NaN;
      out[idx[a]! * K + idx[b]!] = r;
      out[idx[b]! * K + idx[a]!] = r;
    }
  }
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
