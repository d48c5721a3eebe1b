import type { Tensor } from '@lumen/tensor';
import { describe, fail } from '../base/errors.js';
import {
  BaseEstimator,
  checkInt,
  checkNumber,
  checkOneOf,
  type RandomState,
  resolveRandomState,
} from '../base/estimator.js';
import { type MatrixLike, matrix, matrixToTensor, toMatrix } from '../base/input.js';
import { PCA } from '../decomposition/pca.js';
import { squaredEuclidean, squaredEuclideanCsrRows } from '../metrics/pairwise.js';
import { type Knn, knnSelf, knnSelfCsr } from '../neighbors/knn.js';
import { CsrMatrix, canonical, rowSquaredNormsCsr } from '../sparse/csr.js';
import { conditionalProbabilities } from './perplexity.js';
import { SpaceTree } from './spaceTree.js';

const MACHINE_EPSILON = 2.220446049250313e-16;
const FLOAT32_TINY = 1.1754943508222875e-38;
const EXPLORATION_ITERS = 250;
const CHECK_EVERY = 50;

/** What onIteration receives after every gradient step. */
export interface TSNEProgress {
  /** 0-based iteration. */
  iteration: number;
  /** 'exaggeration' for the first 250 iterations, then 'main'. */
  phase: 'exaggeration' | 'main';
  /** KL divergence when this iteration computed it (every 50th and the last), else null. */
  klDivergence: number | null;
  gradNorm: number;
  /** The current embedding (a copy, made only when called). */
  embedding(): Tensor;
}

export interface TSNEOptions {
  nComponents: number;
  perplexity: number;
  earlyExaggeration: number;
  /** 'auto' = max(nSamples / earlyExaggeration / 4, 50), as scikit-learn 1.2. */
  learningRate: number | 'auto';
  /** Total iterations (scikit-learn's n_iter), at least 250. */
  maxIter: number;
  nIterWithoutProgress: number;
  minGradNorm: number;
  /** 'pca' (scaled to std 1e-4 on the first axis), 'random' (N(0, 1e-4²)), or initial coordinates. */
  init: 'pca' | 'random' | readonly (readonly number[])[] | Tensor;
  method: 'barnes_hut' | 'exact';
  /** Barnes-Hut accuracy/speed trade-off θ. */
  angle: number;
  randomState: RandomState;
  /** Called after every iteration; return false to stop early. */
  onIteration: ((p: TSNEProgress) => boolean | undefined) | null;
}

interface TSNEState {
  embedding: Float64Array;
  kl: number;
  nIter: number;
  learningRate: number;
  n: number;
  k: number;
}

/** Symmetric joint probabilities, stored sparse (CSR) for Barnes-Hut or dense for exact. */
interface Affinities {
  indptr: Int32Array;
  indices: Int32Array;
  values: Float64Array;
}

/**
 * t-distributed Stochastic Neighbor Embedding with scikit-learn 1.2's defaults and optimizer.
 * X may be a CsrMatrix (its distances come from sparse products; it is never densified) with
 * `init: 'random'` or given coordinates: as in scikit-learn, `init: 'pca'` (the default) is refused.
 */
export class TSNE extends BaseEstimator<TSNEOptions> {
  private state: TSNEState | null = null;

  constructor(opts?: Partial<TSNEOptions>) {
    super(
      {
        nComponents: 2,
        perplexity: 30,
        earlyExaggeration: 12,
        learningRate: 'auto',
        maxIter: 1000,
        nIterWithoutProgress: 300,
        minGradNorm: 1e-7,
        init: 'pca',
        method: 'barnes_hut',
        angle: 0.5,
        randomState: null,
        onIteration: null,
      },
      opts,
    );
  }

  fit(X: MatrixLike | CsrMatrix, _y?: unknown): this {
    const op = 'TSNE.fit';
    const p = this.params;
    const sparse = X instanceof CsrMatrix;
    const A = sparse ? null : toMatrix(op, 'X', X);
    const [n, nFeatures] = sparse ? X.shape : [A!.rows, A!.cols];
    if (sparse && (n === 0 || nFeatures === 0))
      fail(op, `X must have at least one sample and one feature, got shape [${n}, ${nFeatures}]`);
    const k = checkInt(op, 'nComponents', p.nComponents, 1);
    const perplexity = checkNumber(op, 'perplexity', p.perplexity, { min: 0, minExclusive: true });
    if (perplexity >= n) fail(op, `perplexity (${perplexity}) must be less than nSamples (${n})`);
    const exaggeration = checkNumber(op, 'earlyExaggeration', p.earlyExaggeration, { min: 1 });
    const maxIter = checkInt(op, 'maxIter', p.maxIter, EXPLORATION_ITERS);
    const nIterWithoutProgress = checkInt(op, 'nIterWithoutProgress', p.nIterWithoutProgress, 1);
    const minGradNorm = checkNumber(op, 'minGradNorm', p.minGradNorm, { min: 0 });
    const method = checkOneOf(op, 'method', p.method, ['barnes_hut', 'exact'] as const);
    const angle = checkNumber(op, 'angle', p.angle, { min: 0, max: 1 });
    if (method === 'barnes_hut' && k > 3)
      fail(
        op,
        `nComponents should be inferior to 4 for the barnes_hut algorithm as it relies on quad-tree or oct-tree, got ${k}`,
      );
    if (p.onIteration !== null && typeof p.onIteration !== 'function')
      fail(op, `onIteration must be a function or null, got ${describe(p.onIteration)}`);
    let learningRate: number;
    if (p.learningRate === 'auto') learningRate = Math.max(n / exaggeration / 4, 50);
    else learningRate = checkNumber(op, 'learningRate', p.learningRate, { min: 0, minExclusive: true });
    const g = resolveRandomState(op, p.randomState);
    const init = p.init;
    let Y: Float64Array;
    if (init === 'pca' && sparse)
      fail(
        op,
        `init 'pca' is not supported with a sparse CsrMatrix X (PCA initialization is currently not supported with the sparse input matrix); use init: 'random' instead`,
      );
    if (init === 'pca' && A !== null) {
      if (k > A.cols) fail(op, `init 'pca' needs nComponents (${k}) <= nFeatures (${A.cols})`);
      Y = Float64Array.from(
        new PCA({ nComponents: k, svdSolver: 'randomized', randomState: g })
          .fitTransform(matrixToTensor(A))
          .dataSync(),
      );
      // scikit-learn: X_embedded / std(X_embedded[:, 0]) * 1e-4
      let mean = 0;
      for (let i = 0; i < n; i++) mean += Y[i * k]!;
      mean /= n;
      let v = 0;
      for (let i = 0; i < n; i++) v += (Y[i * k]! - mean) ** 2;
      const std = Math.sqrt(v / n);
      for (let i = 0; i < Y.length; i++) Y[i] = (Y[i]! / std) * 1e-4;
    } else if (init === 'random') {
      Y = Float64Array.from({ length: n * k }, () => 1e-4 * g.normal());
    } else if (typeof init === 'string') {
      fail(op, `init must be 'pca', 'random' or an array of shape [${n}, ${k}], got ${describe(init)}`);
    } else {
      const m = toMatrix(op, 'init', init);
      if (m.rows !== n || m.cols !== k)
        fail(op, `init must have shape [${n}, ${k}], got [${m.rows}, ${m.cols}]`);
      Y = m.data;
    }
    let P: Affinities;
    if (method === 'exact') {
      let d2: Float64Array;
      if (sparse) {
        const C = canonical(X.dtype === 'float64' ? X : X.astype('float64'));
        d2 = squaredEuclideanCsrRows(C, C.transpose(), rowSquaredNormsCsr(C), 0, n);
      } else d2 = squaredEuclidean(A!.data, n, A!.data, n, nFeatures, { same: true });
      P = exactAffinities(d2, n, perplexity);
    } else {
      const kn = Math.min(n - 1, Math.floor(3 * perplexity + 1));
      P = neighborAffinities(sparse ? knnSelfCsr(X, kn) : knnSelf(A!.data, n, nFeatures, kn), n, perplexity);
    }
    const dof = Math.max(k - 1, 1);
    const objective =
      method === 'exact' ? exactObjective(P, n, k, dof) : barnesHutObjective(P, n, k, dof, angle);
    const onIteration = p.onIteration;
    const report = (
      it: number,
      phase: 'exaggeration' | 'main',
      kl: number | null,
      gradNorm: number,
    ): boolean =>
      onIteration?.({
        iteration: it,
        phase,
        klDivergence: kl,
        gradNorm,
        embedding: () => matrixToTensor(matrix(n, k, Y.slice())),
      }) !== false;

    // Early exaggeration phase (momentum 0.5), then the main phase (momentum 0.8).
    scale(P.values, exaggeration);
    const update = new Float64Array(n * k);
    const gains = new Float64Array(n * k).fill(1);
    let r = gradientDescent(objective, Y, update, gains, {
      start: 0,
      end: EXPLORATION_ITERS,
      momentum: 0.5,
      learningRate,
      minGradNorm,
      nIterWithoutProgress: EXPLORATION_ITERS,
      report,
      phase: 'exaggeration',
    });
    scale(P.values, 1 / exaggeration);
    if (!r.stopped && (r.it < EXPLORATION_ITERS || maxIter - EXPLORATION_ITERS > 0)) {
      r = gradientDescent(objective, Y, update, gains, {
        start: r.it + 1,
        end: maxIter,
        momentum: 0.8,
        learningRate,
        minGradNorm,
        nIterWithoutProgress,
        report,
        phase: 'main',
      });
    }
    this.state = { embedding: Y, kl: r.error, nIter: r.it, learningRate, n, k };
    return this;
  }

  fitTransform(X: MatrixLike | CsrMatrix, _y?: unknown): Tensor {
    return this.fit(X).embedding_;
  }

  /** The embedding (nSamples x nComponents). */
  get embedding_(): Tensor {
    const s = this.fitted(this.state, 'embedding_');
    return matrixToTensor(matrix(s.n, s.k, s.embedding.slice()));
  }
  /** KL divergence after optimization. */
  get klDivergence_(): number {
    return this.fitted(this.state, 'klDivergence_').kl;
  }
  /** Index of the last iteration run (scikit-learn's n_iter_). */
  get nIter_(): number {
    return this.fitted(this.state, 'nIter_').nIter;
  }
  get learningRate_(): number {
    return this.fitted(this.state, 'learningRate_').learningRate;
  }
}

function scale(a: Float64Array, f: number): void {
  for (let i = 0; i < a.length; i++) a[i]! *= f;
}

type Objective = (Y: Float64Array, grad: Float64Array, computeError: boolean) => number;

interface DescentOptions {
  start: number;
  end: number;
  momentum: number;
  learningRate: number;
  minGradNorm: number;
  nIterWithoutProgress: number;
  report: (it: number, phase: 'exaggeration' | 'main', kl: number | null, gradNorm: number) => boolean;
  phase: 'exaggeration' | 'main';
}

/** scikit-learn's _gradient_descent: momentum, per-parameter gains (+0.2 / ×0.8, floor 0.01), progress checks every 50 iterations. */
function gradientDescent(
  objective: Objective,
  Y: Float64Array,
  update: Float64Array,
  gains: Float64Array,
  o: DescentOptions,
): { error: number; it: number; stopped: boolean } {
  const grad = new Float64Array(Y.length);
  let error = Number.MAX_VALUE;
  let bestError = Number.MAX_VALUE;
  let bestIter = o.start;
  let i = o.start;
  for (; i < o.end; i++) {
    const check = (i + 1) % CHECK_EVERY === 0;
    const computeError = check || i === o.end - 1;
    const e = objective(Y, grad, computeError);
    if (computeError) error = e;
    let norm = 0;
    for (let j = 0; j < Y.length; j++) {
      const gj = grad[j]!;
      if (update[j]! * gj < 0) gains[j]! += 0.2;
      else gains[j]! *= 0.8;
      if (gains[j]! < 0.01) gains[j] = 0.01;
      const gg = gj * gains[j]!;
      norm += gg * gg;
      update[j] = o.momentum * update[j]! - o.learningRate * gg;
      Y[j]! += update[j]!;
    }
    norm = Math.sqrt(norm);
    if (!o.report(i, o.phase, computeError ? error : null, norm)) return { error, it: i, stopped: true };
    if (check) {
      if (error < bestError) {
        bestError = error;
        bestIter = i;
      } else if (i - bestIter > o.nIterWithoutProgress) break;
      if (norm <= o.minGradNorm) break;
    }
  }
  return { error, it: Math.min(i, o.end - 1), stopped: false };
}

/** Exact method: dense conditional P over all other points (squared distances d2, n x n), symmetrized and normalized (stored as a full CSR). */
function exactAffinities(d2: Float64Array, n: number, perplexity: number): Affinities {
  const cond = new Float64Array(n * n);
  conditionalProbabilities(d2, n, n, perplexity, (i) => i, cond);
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) sum += cond[i * n + j]! + cond[j * n + i]!;
  sum = Math.max(sum, MACHINE_EPSILON);
  const indptr = new Int32Array(n + 1);
  const indices = new Int32Array(n * (n - 1));
  const values = new Float64Array(n * (n - 1));
  let e = 0;
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (j === i) continue;
      indices[e] = j;
      values[e++] = Math.max((cond[i * n + j]! + cond[j * n + i]!) / sum, MACHINE_EPSILON);
    }
    indptr[i + 1] = e;
  }
  return { indptr, indices, values };
}

/** Barnes-Hut: conditional P over the 3·perplexity + 1 nearest neighbours (knn), then P + Pᵀ normalized (sparse). */
function neighborAffinities(knn: Knn, n: number, perplexity: number): Affinities {
  const kn = knn.k;
  const cond = new Float64Array(n * kn);
  conditionalProbabilities(knn.sqDistances, n, kn, perplexity, null, cond);
  // P + Pᵀ: collect (i, j, v) both ways, then sum duplicates row by row.
  const counts = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < kn; t++) {
      counts[i]!++;
      counts[knn.indices[i * kn + t]!]!++;
    }
  }
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) start[i + 1] = start[i]! + counts[i]!;
  const fill = start.slice(0, n);
  const cols = new Int32Array(start[n]!);
  const vals = new Float64Array(start[n]!);
  for (let i = 0; i < n; i++) {
    for (let t = 0; t < kn; t++) {
      const j = knn.indices[i * kn + t]!;
      const v = cond[i * kn + t]!;
      cols[fill[i]!] = j;
      vals[fill[i]!++] = v;
      cols[fill[j]!] = i;
      vals[fill[j]!++] = v;
    }
  }
  const indptr = new Int32Array(n + 1);
  const outIdx: number[] = [];
  const outVal: number[] = [];
  let total = 0;
  for (let i = 0; i < n; i++) {
    const entries = Array.from({ length: start[i + 1]! - start[i]! }, (_, t) => start[i]! + t).sort(
      (a, b) => cols[a]! - cols[b]!,
    );
    let last = -1;
    for (const e of entries) {
      if (cols[e] === last) outVal[outVal.length - 1]! += vals[e]!;
      else {
        outIdx.push(cols[e]!);
        outVal.push(vals[e]!);
        last = cols[e]!;
      }
    }
    indptr[i + 1] = outIdx.length;
  }
  for (const v of outVal) total += v;
  total = Math.max(total, MACHINE_EPSILON);
  return { indptr, indices: Int32Array.from(outIdx), values: Float64Array.from(outVal, (v) => v / total) };
}

/** Exact KL(P‖Q) and its gradient 2(dof+1)/dof · Σ_j (p_ij - q_ij)(1 + d_ij²/dof)^-(dof+1)/2 (y_i - y_j). */
function exactObjective(P: Affinities, n: number, k: number, dof: number): Objective {
  const w = new Float64Array(n * n);
  const expo = (dof + 1) / -2;
  const c = (2 * (dof + 1)) / dof;
  return (Y, grad, computeError) => {
    let sumW = 0;
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        let d2 = 0;
        for (let a = 0; a < k; a++) d2 += (Y[i * k + a]! - Y[j * k + a]!) ** 2;
        const v = dof === 1 ? 1 / (1 + d2) : (1 + d2 / dof) ** expo;
        w[i * n + j] = v;
        w[j * n + i] = v;
        sumW += 2 * v;
      }
    }
    grad.fill(0);
    let kl = 0;
    for (let i = 0; i < n; i++) {
      for (let e = P.indptr[i]!; e < P.indptr[i + 1]!; e++) {
        const j = P.indices[e]!;
        const wij = w[i * n + j]!;
        const q = Math.max(wij / sumW, MACHINE_EPSILON);
        const p = P.values[e]!;
        if (computeError) kl += p * Math.log(Math.max(p, MACHINE_EPSILON) / q);
        const f = (p - q) * wij;
        for (let a = 0; a < k; a++) grad[i * k + a]! += f * (Y[i * k + a]! - Y[j * k + a]!);
      }
    }
    scale(grad, c);
    return kl;
  };
}

/** Barnes-Hut KL and gradient 4·(attraction - repulsion / Z), repulsion and Z from the space tree. */
function barnesHutObjective(P: Affinities, n: number, k: number, dof: number, angle: number): Objective {
  const neg = new Float64Array(n * k);
  const force = new Float64Array(k);
  const stackSize = 64 * n + 64;
  let stack = new Int32Array(stackSize);
  const thetaSq = angle * angle;
  const expo = (dof + 1) / -2;
  return (Y, grad, computeError) => {
    const tree = new SpaceTree(Y, n, k);
    if (stack.length < tree.cellCount) stack = new Int32Array(tree.cellCount);
    let sumQ = 0;
    for (let i = 0; i < n; i++) {
      sumQ += tree.repulsion(Y, i * k, thetaSq, force, stack, dof);
      for (let a = 0; a < k; a++) neg[i * k + a] = force[a]!;
    }
    let kl = 0;
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < k; a++) grad[i * k + a] = 0;
      for (let e = P.indptr[i]!; e < P.indptr[i + 1]!; e++) {
        const j = P.indices[e]!;
        let d2 = 0;
        for (let a = 0; a < k; a++) d2 += (Y[i * k + a]! - Y[j * k + a]!) ** 2;
        const q = dof === 1 ? 1 / (1 + d2) : (dof / (dof + d2)) ** -expo;
        const p = P.values[e]!;
        if (computeError) kl += p * Math.log(Math.max(p, FLOAT32_TINY) / Math.max(q / sumQ, FLOAT32_TINY));
        const pq = p * q;
        for (let a = 0; a < k; a++) grad[i * k + a]! += pq * (Y[i * k + a]! - Y[j * k + a]!);
      }
      for (let a = 0; a < k; a++) grad[i * k + a] = 4 * (grad[i * k + a]! - neg[i * k + a]! / sumQ);
    }
    return kl;
  };
}
