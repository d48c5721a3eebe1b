import type { Generator } from '@lumen/tensor';
import type { CsrMatrix } from '../sparse/csr.js';

/** Writes X[rows[r], f] to buf[r - start] for r in [start, end): how a tree reads one feature of a node's samples. */
export type GatherColumn = (
  rows: Int32Array,
  start: number,
  end: number,
  f: number,
  buf: Float64Array,
) => void;

/** Dense row-major X (n x d). */
export function denseColumns(X: Float64Array, d: number): GatherColumn {
  return (rows, start, end, f, buf) => {
    for (let r = start; r < end; r++) buf[r - start] = X[rows[r]! * d + f]!;
  };
}

/** X[i, f] of a CsrMatrix with sorted, unique column indices in each row (binary search; 0 when not stored). */
export function csrValue(
  indptr: Int32Array,
  indices: Int32Array,
  data: Float64Array,
  i: number,
  f: number,
): number {
  let lo = indptr[i]!;
  let hi = indptr[i + 1]! - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    const c = indices[mid]!;
    if (c < f) lo = mid + 1;
    else if (c > f) hi = mid - 1;
    else return data[mid]!;
  }
  return 0;
}

/** A canonical float64 CsrMatrix (sorted, unique indices), each value found by binary search in its row. */
export function csrColumns(X: CsrMatrix & { data: Float64Array }): GatherColumn {
  const { indptr, indices, data } = X;
  return (rows, start, end, f, buf) => {
    for (let r = start; r < end; r++) buf[r - start] = csrValue(indptr, indices, data, rows[r]!, f);
  };
}

/** One isolation tree as flat arrays (node i's children are left[i], right[i]; -1 at leaves). */
export interface IsolationTree {
  feature: Int32Array;
  threshold: Float64Array;
  left: Int32Array;
  right: Int32Array;
  /** Training samples that reached the node. */
  size: Int32Array;
  /** Per node: depth + c(size) at leaves (what a sample ending there adds to its path length). */
  leafPath: Float64Array;
}

/** Average path length of an unsuccessful BST search among n points, c(n) in Liu et al. */
export function averagePathLength(n: number): number {
  if (n <= 1) return 0;
  if (n === 2) return 1;
  return 2 * (Math.log(n - 1) + 0.5772156649015329) - (2 * (n - 1)) / n;
}

/**
 * Grows a tree as scikit-learn's ExtraTreeRegressor(max_features=1, splitter='random') does for
 * IsolationForest: at each node a random feature that is not constant there, a threshold uniform
 * in [min, max), x <= threshold goes left; leaves at maxDepth, at one sample, or when every
 * feature is constant.
 */
export function growTree(
  gather: GatherColumn,
  rows: Int32Array,
  features: Int32Array,
  maxDepth: number,
  g: Generator,
): IsolationTree {
  const feature: number[] = [];
  const threshold: number[] = [];
  const left: number[] = [];
  const right: number[] = [];
  const size: number[] = [];
  const leafPath: number[] = [];
  const nf = features.length;
  const order = new Int32Array(nf);
  const buf = new Float64Array(rows.length);
  const build = (start: number, end: number, depth: number): number => {
    const id = feature.length;
    feature.push(-1);
    threshold.push(0);
    left.push(-1);
    right.push(-1);
    size.push(end - start);
    leafPath.push(depth + averagePathLength(end - start));
    if (depth >= maxDepth || end - start < 2) return id;
    // Draw features without replacement until one is not constant in this node.
    for (let i = 0; i < nf; i++) order[i] = i;
    let chosen = -1;
    let lo = 0;
    let hi = 0;
    for (let drawn = 0; drawn < nf; drawn++) {
      const j = drawn + g.randint(0, nf - drawn);
      const t = order[drawn]!;
      order[drawn] = order[j]!;
      order[j] = t;
      const f = features[order[drawn]!]!;
      lo = Number.POSITIVE_INFINITY;
      hi = Number.NEGATIVE_INFINITY;
      gather(rows, start, end, f, buf);
      for (let r = 0; r < end - start; r++) {
        const v = buf[r]!;
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
      if (hi > lo) {
        chosen = f;
        break;
      }
    }
    if (chosen < 0) return id;
    let thr = lo + (hi - lo) * g.random();
    if (thr === hi) thr = lo;
    // Partition rows[start:end) so x <= thr comes first (buf holds the chosen feature's values).
    let i = start;
    let k = end - 1;
    while (i <= k) {
      if (buf[i - start]! <= thr) i++;
      else {
        const t = rows[i]!;
        rows[i] = rows[k]!;
        rows[k] = t;
        const v = buf[i - start]!;
        buf[i - start] = buf[k - start]!;
        buf[k - start] = v;
        k--;
      }
    }
    feature[id] = chosen;
    threshold[id] = thr;
    const l = build(start, i, depth + 1);
    const r = build(i, end, depth + 1);
    left[id] = l;
    right[id] = r;
    return id;
  };
  build(0, rows.length, 0);
  return {
    feature: Int32Array.from(feature),
    threshold: Float64Array.from(threshold),
    left: Int32Array.from(left),
    right: Int32Array.from(right),
    size: Int32Array.from(size),
    leafPath: Float64Array.from(leafPath),
  };
}

/** Adds each sample's path length in `tree` (depth of its leaf + c(leaf size)) to `out`. */
export function addPathLengths(
  tree: IsolationTree,
  X: Float64Array,
  n: number,
  d: number,
  out: Float64Array,
): void {
  const { feature, threshold, left, right, leafPath } = tree;
  for (let i = 0; i < n; i++) {
    let node = 0;
    const o = i * d;
    while (left[node]! >= 0) node = X[o + feature[node]!]! <= threshold[node]! ? left[node]! : right[node]!;
    out[i]! += leafPath[node]!;
  }
}

/** addPathLengths for a canonical float64 CsrMatrix (each split's value by binary search in the row). */
export function addPathLengthsCsr(
  tree: IsolationTree,
  X: CsrMatrix & { data: Float64Array },
  out: Float64Array,
): void {
  const { feature, threshold, left, right, leafPath } = tree;
  const { indptr, indices, data } = X;
  const n = X.shape[0];
  for (let i = 0; i < n; i++) {
    let node = 0;
    while (left[node]! >= 0)
      node =
        csrValue(indptr, indices, data, i, feature[node]!) <= threshold[node]! ? left[node]! : right[node]!;
    out[i]! += leafPath[node]!;
  }
}
