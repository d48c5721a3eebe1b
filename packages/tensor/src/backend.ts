import type { Device, DType, TypedArray } from './dtype.js';
import type { BinaryOp, UnaryOp } from './ops/opTable.js';

/**
 * The reference count of a storage, shared by a tensor and its views. The FinalizationRegistry
 * holds it until the callback runs, so it must not reference the storage's data: a cpu lease that
 * held its TypedArray would keep every dead tensor's memory alive until the end of a synchronous
 * loop. A webgpu lease references the GPU buffer wrapper (small) so it can return it to the pool.
 */
export interface Lease {
  readonly device: Device;
  readonly byteSize: number;
  /** Tensors (views included) that still reference the storage. */
  refs: number;
  /** Called when the last referencing tensor was garbage-collected (not disposed). */
  onCollected(): void;
  /**
   * Whether memory() counts this storage and the FinalizationRegistry watches its tensors. Set
   * when the storage gets its first tensor; false for cpu storages made while the event loop has
   * not turned for a long time (memory.ts explains).
   */
  tracked?: boolean;
}

/** A block of device memory holding `size` elements of one dtype. Shared by a tensor and its views. */
export interface Storage {
  /** Bumped by every in-place write, so autograd can tell a saved tensor was modified. */
  version: number;
  /**
   * Set by `zeros`/`full(…, 0)` to the version at creation: while `version` still equals it, every
   * element is zero (scatterAdd then skips adding them).
   */
  zeroAtVersion?: number;
  readonly device: Device;
  readonly dtype: DType;
  readonly size: number;
  /** Bytes this storage holds on its device. */
  readonly byteSize: number;
  readonly lease: Lease;
  released: boolean;
}

/** A strided window onto a storage: what every backend primitive reads. */
export interface View<S extends Storage = Storage> {
  readonly storage: S;
  readonly shape: readonly number[];
  readonly strides: readonly number[];
  readonly offset: number;
  readonly dtype: DType;
}

export type ReduceOp = 'sum' | 'prod' | 'max' | 'min' | 'argmax' | 'argmin';

/**
 * In-place optimizer updates, one kernel per parameter.
 *   adam: views [param, grad, expAvg, expAvgSq, maxExpAvgSq?], scalars ADAM_SCALARS
 *   sgd:  views [param, grad, momentumBuffer?], scalars SGD_SCALARS
 * All views are contiguous, of one shape and one float dtype.
 */
export type FusedUpdate = 'adam' | 'sgd';
export const ADAM_SCALARS = [
  'beta1',
  'beta2',
  'eps',
  'l2',
  'decay',
  'stepSize',
  'bc2Sqrt',
  'maximize',
  'amsgrad',
] as const;
export const SGD_SCALARS = [
  'lr',
  'momentum',
  'dampening',
  'weightDecay',
  'nesterov',
  'maximize',
  'first',
  'hasBuffer',
] as const;
export type RandomKind = 'uniform' | 'normal' | 'randint';

export interface RandomParams {
  readonly k0: number;
  readonly k1: number;
  /** Counter of element 0; element i uses counter + i. */
  readonly counter: number;
  /** uniform: [a, b); normal: mean a, std b; randint: [a, b). */
  readonly a: number;
  readonly b: number;
}

/**
 * The primitive set every backend implements (DESIGN.md, decision 2). Inputs are strided views;
 * every result is a fresh contiguous storage. Composite ops live above this, written once.
 * `S` is the backend's own storage: the frontend hands each backend only storages it made, so a
 * backend declared over its storage class reads its fields without casts.
 */
export interface Backend<S extends Storage = Storage> {
  readonly device: Device;

  /** Copies host data into a new storage of `dtype` (the array's element type must match). */
  fromArray(data: TypedArray, dtype: DType): S;
  /** A one-element storage holding `value` (webgpu may pass it to kernels as a uniform). */
  scalar(value: number, dtype: DType): S;
  release(s: S): void;
  /** A contiguous host copy of the view's elements. */
  read(v: View<S>): Promise<TypedArray>;
  /** Same, synchronously; only backends whose memory is host memory can. */
  readSync(v: View<S>): TypedArray;

  /** out = op(x) elementwise; x is read as `computeDtype`, out written as `outDtype`. */
  unary(op: UnaryOp, x: View<S>, computeDtype: DType, outDtype: DType, p0?: number, p1?: number): S;
  /** out = op(a, b); a and b already have the output shape (broadcast dims have stride 0). */
  binary(op: BinaryOp, a: View<S>, b: View<S>, computeDtype: DType, outDtype: DType): S;
  /** out = cond ? a : b; all three already have the output shape. */
  where(cond: View<S>, a: View<S>, b: View<S>, dtype: DType): S;
  /**
   * Reduces the trailing `x.shape.length - outerRank` dims of x (the frontend permutes the reduced
   * dims last). arg* ops give the flat index within the reduced dims, as int32.
   */
  reduce(op: ReduceOp, x: View<S>, outerRank: number, outDtype: DType): S;
  /**
   * Batched matmul: a is [...batch, M, K], b is [...batch, K, N] (batch dims equal; broadcast ones
   * have stride 0). Transposed operands arrive as strides, never copies.
   */
  matmul(a: View<S>, b: View<S>, outDtype: DType): S;
  /** out[i][j][k] = x[index[i][j][k]][j][k] (for dim 0); out has index's shape. */
  gather(x: View<S>, dim: number, index: View<S>): S;
  /** out = zeros(outShape); out[index[i][j]][j] += src[i][j] (for dim 0). */
  scatterAdd(outShape: readonly number[], dim: number, index: View<S>, src: View<S>): S;
  /** Concatenation along `dim` of views that agree on every other dim. */
  cat(inputs: readonly View<S>[], dim: number, outShape: readonly number[], dtype: DType): S;
  fill(size: number, dtype: DType, value: number): S;
  arange(size: number, start: number, step: number, dtype: DType): S;
  random(kind: RandomKind, size: number, dtype: DType, params: RandomParams): S;
  /** Row-wise (log-)softmax of a contiguous [rows, cols] view. */
  softmax(x: View<S>, rows: number, cols: number, log: boolean): S;

  /**
   * Optional fused attention (see ops/attention.ts): q [...B, L, E], k [...B, S, E], v [...B, S, Ev],
   * mask [...B, L, S] or null, all with the same batch dims (broadcast ones have stride 0). Backends
   * without it get the composite, and so does a call the backend declines by returning null (on
   * webgpu: operands larger than one storage binding may be).
   */
  attention?(
    q: View<S>,
    k: View<S>,
    v: View<S>,
    mask: View<S> | null,
    opts: { scale: number; causal: boolean },
  ): S | null;

  /**
   * Optional fused layer normalization (see ops/layerNorm.ts) of a contiguous [rows, cols] view over
   * its rows, with contiguous weight and bias of cols elements (or null): y, and each row's mean and
   * 1/sqrt(var + eps) for the backward pass. Backends without it get the composite.
   */
  layerNorm?(
    x: View<S>,
    rows: number,
    cols: number,
    weight: View<S> | null,
    bias: View<S> | null,
    eps: number,
  ): { y: S; mean: S; rstd: S };
  /**
   * Its backward: dx (when `wantDx`), and dweight, dbias summed over the rows (when wanted), from the
   * output's gradient g ([rows, cols], contiguous) and the forward's x, mean and rstd.
   */
  layerNormBackward?(
    g: View<S>,
    x: View<S>,
    mean: View<S>,
    rstd: View<S>,
    weight: View<S> | null,
    rows: number,
    cols: number,
    want: { dx: boolean; dweight: boolean; dbias: boolean },
  ): { dx: S | null; dweight: S | null; dbias: S | null };

  /**
   * Optional fused binary cross-entropy of logits (see ops/bceWithLogits.ts), elementwise over n
   * contiguous elements of x and target: (1 − y)·x + max(−x, 0) + log1p(e^−|x|). Its backward
   * gives dx = g·(sigmoid(x) − y) and, when wanted, dtarget = −g·x.
   */
  bceWithLogits?(x: View<S>, target: View<S>, n: number): S;
  bceWithLogitsBackward?(
    g: View<S>,
    x: View<S>,
    target: View<S>,
    n: number,
    wantTarget: boolean,
  ): { dx: S; dtarget: S | null };

  /**
   * Optional fused cross-entropy (see ops/crossEntropy.ts) of contiguous [rows, cols] logits against
   * contiguous int32 class indices [rows] (each in [0, cols) or `ignoreIndex`): the per-row losses
   * −log softmax(x)[t] (0 where ignored), and each row's max and log-sum-exp (2 per row) for
   * crossEntropyBackward, which gives d logits = g·(softmax(x) − onehot(t)) (0 rows where ignored).
   */
  crossEntropy?(
    x: View<S>,
    target: View<S>,
    rows: number,
    cols: number,
    ignoreIndex: number,
  ): { loss: S; stats: S };
  crossEntropyBackward?(
    x: View<S>,
    target: View<S>,
    stats: View<S>,
    g: View<S>,
    rows: number,
    cols: number,
    ignoreIndex: number,
  ): S;

  // ---- the only primitives that write into existing memory ----
  /** dst[...] = src[...] through dst's strides; src already has dst's shape and dtype. */
  assign(dst: View<S>, src: View<S>): void;
  /** Updates the storages of `views` in place (see FusedUpdate). */
  fusedUpdate(kind: FusedUpdate, views: readonly View<S>[], scalars: readonly number[]): void;
}
