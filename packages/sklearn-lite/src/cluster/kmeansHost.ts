/**
 * The host (Float64Array) k-means kernels, following scikit-learn 1.2's _kmeans.py and
 * _k_means_lloyd.pyx / _k_means_elkan.pyx step by step so results match it (up to the random
 * streams): k-means++ with 2 + ln(k) local trials, Lloyd and Elkan iterations, empty-cluster
 * relocation to the farthest points, and the same stopping rule.
 */
import { type Generator, lloydStep } from '@lumen/tensor';
import { matmulABt } from '../linalg/products.js';
import { dot, rowSquaredNorms } from '../linalg/rows.js';

export interface KMeansRun {
  labels: Int32Array;
  inertia: number;
  centers: Float64Array;
  nIter: number;
}

function sqDist(x: Float64Array, xo: number, c: Float64Array, co: number, d: number): number {
  let s = 0;
  for (let j = 0; j < d; j++) {
    const t = x[xo + j]! - c[co + j]!;
    s += t * t;
  }
  return s;
}

/** What k-means++ reads of the samples: dense rows or a CsrMatrix's. */
export interface SampleRows {
  n: number;
  d: number;
  /** Writes row i (d values) into out at offset o. */
  copyRow(i: number, out: Float64Array, o: number): void;
  /** X · Bᵀ (n x m) for m dense rows B (m x d). */
  dotsWith(B: Float64Array, m: number): Float64Array;
}

/** The same view of dense rows (the order of summation k-means++ always used there). */
export function denseRows(X: Float64Array, n: number, d: number): SampleRows {
  return {
    n,
    d,
    copyRow: (i, out, o) => {
      out.set(X.subarray(i * d, i * d + d), o);
    },
    dotsWith: (B, m) => {
      if (m !== 1) return matmulABt(X, B, n, d, m);
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = dot(X, i * d, B, 0, d);
      return out;
    },
  };
}

/** scikit-learn's _kmeans_plusplus: greedy k-means++ with 2 + floor(ln k) candidates per step. */
export function kmeansPlusPlus(X: SampleRows, k: number, xNorms: Float64Array, g: Generator): Float64Array {
  const { n, d } = X;
  const centers = new Float64Array(k * d);
  const nTrials = 2 + Math.floor(Math.log(k));
  const first = g.randint(0, n);
  X.copyRow(first, centers, 0);
  let closest = new Float64Array(n);
  let pot = 0;
  const dots0 = X.dotsWith(centers.subarray(0, d), 1);
  for (let i = 0; i < n; i++) {
    closest[i] = Math.max(0, xNorms[i]! - 2 * dots0[i]! + xNorms[first]!);
    pot += closest[i]!;
  }
  const cum = new Float64Array(n);
  const candPot = new Float64Array(nTrials * n);
  for (let c = 1; c < k; c++) {
    let acc = 0;
    for (let i = 0; i < n; i++) cum[i] = acc += closest[i]!;
    const ids: number[] = [];
    for (let t = 0; t < nTrials; t++) {
      const r = g.random() * pot;
      // searchsorted(cum, r, side='left'), clipped to n - 1
      let lo = 0;
      let hi = n;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (cum[mid]! < r) lo = mid + 1;
        else hi = mid;
      }
      ids.push(Math.min(lo, n - 1));
    }
    // Distances from every sample to all candidates at once: one product X · candᵀ.
    const cand = new Float64Array(nTrials * d);
    ids.forEach((id, t) => {
      X.copyRow(id, cand, t * d);
    });
    const dots = X.dotsWith(cand, nTrials);
    let best = 0;
    let bestPot = Number.POSITIVE_INFINITY;
    for (let t = 0; t < nTrials; t++) {
      const id = ids[t]!;
      let p = 0;
      const o = t * n;
      for (let i = 0; i < n; i++) {
        const dist = Math.max(0, xNorms[i]! - 2 * dots[i * nTrials + t]! + xNorms[id]!);
        const v = Math.min(closest[i]!, dist);
        candPot[o + i] = v;
        p += v;
      }
      if (p < bestPot) {
        bestPot = p;
        best = t;
      }
    }
    pot = bestPot;
    closest = candPot.slice(best * n, best * n + n);
    centers.set(cand.subarray(best * d, best * d + d), c * d);
  }
  return centers;
}

/** Moves empty clusters onto the points farthest from their centers (scikit-learn's relocation). */
function relocateEmpty(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  oldCenters: Float64Array,
  sums: Float64Array,
  counts: Float64Array,
  labels: Int32Array,
): void {
  const empty: number[] = [];
  for (let j = 0; j < k; j++) if (counts[j] === 0) empty.push(j);
  if (empty.length === 0) return;
  const dist = new Float64Array(n);
  for (let i = 0; i < n; i++) dist[i] = sqDist(X, i * d, oldCenters, labels[i]! * d, d);
  const far = Array.from({ length: n }, (_, i) => i)
    .sort((a, b) => dist[b]! - dist[a]! || a - b)
    .slice(0, empty.length);
  empty.forEach((newId, idx) => {
    const f = far[idx]!;
    const oldId = labels[f]!;
    for (let j = 0; j < d; j++) {
      sums[oldId * d + j]! -= X[f * d + j]!;
      sums[newId * d + j] = X[f * d + j]!;
    }
    counts[newId] = 1;
    counts[oldId]!--;
  });
}

/** sums / counts into `centers`; returns sum over clusters of the squared center shift. */
export function averageAndShift(
  sums: Float64Array,
  counts: Float64Array,
  old: Float64Array,
  d: number,
  k: number,
): number {
  let total = 0;
  for (let c = 0; c < k; c++) {
    const w = counts[c]!;
    let s = 0;
    for (let j = 0; j < d; j++) {
      if (w > 0) sums[c * d + j]! /= w;
      const t = sums[c * d + j]! - old[c * d + j]!;
      s += t * t;
    }
    total += s;
  }
  return total;
}

/**
 * Rows per distance GEMM, as scikit-learn's Lloyd: the chunk is still in cache when its rows are
 * added into the cluster sums right after (larger chunks measured no faster here).
 */
const CHUNK = 256;

/**
 * Labels by argmin_c |c|² - 2 x·c (scikit-learn's Lloyd assignment), chunk by chunk: the dot
 * products of a chunk of rows with all centers are one GEMM (X_chunk · Cᵀ). With `sums` and
 * `counts`, each chunk's rows are also added into their cluster's sum right away, while they are
 * in cache (scikit-learn's lloyd_iter_chunked_dense does the same).
 */
export function assignLabels(
  X: Float64Array,
  n: number,
  d: number,
  centers: Float64Array,
  k: number,
  labels: Int32Array,
  acc?: { sums: Float64Array; counts: Float64Array },
): void {
  const cNorms = rowSquaredNorms(centers, k, d);
  const dots = new Float64Array(Math.min(CHUNK, n) * k);
  if (acc) {
    acc.sums.fill(0);
    acc.counts.fill(0);
  }
  for (let r0 = 0; r0 < n; r0 += CHUNK) {
    const rows = Math.min(CHUNK, n - r0);
    matmulABt(X, centers, rows, d, k, dots, r0);
    for (let i = 0; i < rows; i++) {
      let best = 0;
      let bestV = Number.POSITIVE_INFINITY;
      for (let c = 0; c < k; c++) {
        const v = cNorms[c]! - 2 * dots[i * k + c]!;
        if (v < bestV) {
          bestV = v;
          best = c;
        }
      }
      labels[r0 + i] = best;
    }
    if (acc) accumulate(X, r0, r0 + rows, d, labels, acc.sums, acc.counts);
  }
}

export function inertiaOf(
  X: Float64Array,
  n: number,
  d: number,
  centers: Float64Array,
  labels: Int32Array,
): number {
  let s = 0;
  for (let i = 0; i < n; i++) s += sqDist(X, i * d, centers, labels[i]! * d, d);
  return s;
}

/** Adds rows [r0, r1) of X into the sum of their cluster, and counts them. */
function accumulate(
  X: Float64Array,
  r0: number,
  r1: number,
  d: number,
  labels: Int32Array,
  sums: Float64Array,
  counts: Float64Array,
): void {
  for (let i = r0; i < r1; i++) {
    const c = labels[i]!;
    counts[c]!++;
    const co = c * d;
    const xo = i * d;
    // Unrolled by four: this loop is the host's share of a Lloyd iteration next to the GEMM.
    let j = 0;
    for (; j + 4 <= d; j += 4) {
      sums[co + j]! += X[xo + j]!;
      sums[co + j + 1]! += X[xo + j + 1]!;
      sums[co + j + 2]! += X[xo + j + 2]!;
      sums[co + j + 3]! += X[xo + j + 3]!;
    }
    for (; j < d; j++) sums[co + j]! += X[xo + j]!;
  }
}

export function sameLabels(a: Int32Array, b: Int32Array): boolean {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** One k-means run with Lloyd's algorithm from `init`; stops on unchanged labels or squared center shift <= tol. */
export function lloyd(
  X: Float64Array,
  n: number,
  d: number,
  init: Float64Array,
  k: number,
  maxIter: number,
  tol: number,
): KMeansRun {
  let centers = init.slice();
  let next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const old = new Int32Array(n).fill(-1);
  let strict = false;
  let it = 0;
  for (; it < maxIter; it++) {
    // X in the kernels' memory: the whole iteration in WebAssembly, on the worker threads.
    if (!lloydStep(n, d, k, X, centers, rowSquaredNorms(centers, k, d), labels, next, counts))
      assignLabels(X, n, d, centers, k, labels, { sums: next, counts });
    relocateEmpty(X, n, d, k, centers, next, counts, labels);
    const shift = averageAndShift(next, counts, centers, d, k);
    [centers, next] = [next, centers];
    if (sameLabels(labels, old)) {
      strict = true;
      break;
    }
    if (shift <= tol) break;
    old.set(labels);
  }
  // Labels must match the final centers.
  if (!strict) assignLabels(X, n, d, centers, k, labels);
  return { labels, inertia: inertiaOf(X, n, d, centers, labels), centers, nIter: Math.min(it + 1, maxIter) };
}

/** Pairwise center distances / 2 and, per center, the distance to its nearest other center / 2. */
function centerGeometry(
  centers: Float64Array,
  k: number,
  d: number,
): { half: Float64Array; next: Float64Array } {
  const half = new Float64Array(k * k);
  const next = new Float64Array(k);
  for (let a = 0; a < k; a++) {
    for (let b = a + 1; b < k; b++) {
      const v = Math.sqrt(sqDist(centers, a * d, centers, b * d, d)) / 2;
      half[a * k + b] = v;
      half[b * k + a] = v;
    }
  }
  for (let a = 0; a < k; a++) {
    let m = Number.POSITIVE_INFINITY;
    for (let b = 0; b < k; b++) if (b !== a && half[a * k + b]! < m) m = half[a * k + b]!;
    next[a] = k > 1 ? m : 0;
  }
  return { half, next };
}

/** What Elkan's iterations read of the samples: dense rows or a CsrMatrix's. */
export interface ElkanSamples {
  n: number;
  d: number;
  /** Euclidean distance from sample i to center c (cNorms: the centers' squared norms). */
  dist(i: number, centers: Float64Array, cNorms: Float64Array, c: number): number;
  /** Each cluster's sum and count of samples (both overwritten). */
  accumulate(labels: Int32Array, sums: Float64Array, counts: Float64Array): void;
  /** Empty clusters take the samples farthest from their centers. */
  relocate(
    k: number,
    oldCenters: Float64Array,
    sums: Float64Array,
    counts: Float64Array,
    labels: Int32Array,
  ): void;
  inertia(centers: Float64Array, k: number, labels: Int32Array): number;
}

export function denseElkanSamples(X: Float64Array, n: number, d: number): ElkanSamples {
  return {
    n,
    d,
    dist: (i, centers, _cNorms, c) => Math.sqrt(sqDist(X, i * d, centers, c * d, d)),
    accumulate: (labels, sums, counts) => {
      sums.fill(0);
      counts.fill(0);
      accumulate(X, 0, n, d, labels, sums, counts);
    },
    relocate: (k, old, sums, counts, labels) => {
      relocateEmpty(X, n, d, k, old, sums, counts, labels);
    },
    inertia: (centers, _k, labels) => inertiaOf(X, n, d, centers, labels),
  };
}

/**
 * One k-means run with Elkan's algorithm: the same iterates as Lloyd's, but triangle-inequality
 * bounds (an upper bound per sample, a lower bound per sample and center) skip most distances.
 */
export function elkan(
  X: ElkanSamples,
  init: Float64Array,
  k: number,
  maxIter: number,
  tol: number,
): KMeansRun {
  const { n, d } = X;
  let centers = init.slice();
  let cNorms = rowSquaredNorms(centers, k, d);
  let next = new Float64Array(k * d);
  const counts = new Float64Array(k);
  const labels = new Int32Array(n);
  const old = new Int32Array(n).fill(-1);
  const upper = new Float64Array(n);
  const lower = new Float64Array(n * k);
  let geo = centerGeometry(centers, k, d);
  // init_bounds_dense
  for (let i = 0; i < n; i++) {
    let best = 0;
    let minDist = X.dist(i, centers, cNorms, 0);
    lower[i * k] = minDist;
    for (let j = 1; j < k; j++) {
      if (minDist > geo.half[best * k + j]!) {
        const dist = X.dist(i, centers, cNorms, j);
        lower[i * k + j] = dist;
        if (dist < minDist) {
          minDist = dist;
          best = j;
        }
      }
    }
    labels[i] = best;
    upper[i] = minDist;
  }
  const shiftPer = new Float64Array(k);
  let strict = false;
  let it = 0;
  const step = (updateCenters: boolean): number => {
    for (let i = 0; i < n; i++) {
      let ub = upper[i]!;
      let label = labels[i]!;
      let tight = false;
      if (geo.next[label]! < ub) {
        for (let j = 0; j < k; j++) {
          if (j !== label && ub > lower[i * k + j]! && ub > geo.half[label * k + j]!) {
            if (!tight) {
              ub = X.dist(i, centers, cNorms, label);
              lower[i * k + label] = ub;
              tight = true;
            }
            if (ub > lower[i * k + j]! || ub > geo.half[label * k + j]!) {
              const dist = X.dist(i, centers, cNorms, j);
              lower[i * k + j] = dist;
              if (dist < ub) {
                label = j;
                ub = dist;
              }
            }
          }
        }
        labels[i] = label;
        upper[i] = ub;
      }
    }
    if (!updateCenters) return 0;
    X.accumulate(labels, next, counts);
    X.relocate(k, centers, next, counts, labels);
    const total = averageAndShift(next, counts, centers, d, k);
    for (let c = 0; c < k; c++) shiftPer[c] = Math.sqrt(sqDist(next, c * d, centers, c * d, d));
    for (let i = 0; i < n; i++) {
      upper[i]! += shiftPer[labels[i]!]!;
      for (let j = 0; j < k; j++) {
        const v = lower[i * k + j]! - shiftPer[j]!;
        lower[i * k + j] = Math.max(v, 0);
      }
    }
    return total;
  };
  for (; it < maxIter; it++) {
    const shift = step(true);
    [centers, next] = [next, centers];
    geo = centerGeometry(centers, k, d);
    cNorms = rowSquaredNorms(centers, k, d);
    if (sameLabels(labels, old)) {
      strict = true;
      break;
    }
    if (shift <= tol) break;
    old.set(labels);
  }
  if (!strict) step(false);
  return { labels, inertia: X.inertia(centers, k, labels), centers, nIter: Math.min(it + 1, maxIter) };
}

/** True when two labelings are the same partition (scikit-learn's _is_same_clustering). */
export function sameClustering(a: Int32Array, b: Int32Array, k: number): boolean {
  const map = new Int32Array(k).fill(-1);
  for (let i = 0; i < a.length; i++) {
    const x = a[i]!;
    if (map[x] === -1) map[x] = b[i]!;
    else if (map[x] !== b[i]) return false;
  }
  return true;
}
