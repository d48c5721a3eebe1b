import type { Device, DType } from '../dtype.js';
import type { Tensor } from '../tensor.js';
import type { BINARY_OPS, UNARY_OPS } from './opTable.js';

/**
 * Every op @lumen/tensor records for autograd, with the attributes it records (tfjs's
 * kernel_names.ts is the model). `record(op, inputs, output, attrs)` is typed against this map, and
 * @lumen/autograd's rule table is a `{ [Op in OpName]: RuleDef<Op> }`: a new op without a derivative
 * rule, or a rule reading an attribute the op does not record, is a compile error.
 *
 * The elementwise ops come from the op table (opTable.ts): every unary and binary op whose result is
 * a number (not a bool predicate) is recorded; `identity` is the copy kernel, recorded as `contiguous`
 * or `cast`, and `clamp`/`leakyRelu` carry attributes.
 */

/** An op recorded without attributes. */
export type NoAttrs = { readonly [key: string]: never };

type Numeric<T extends Record<string, { kind: string }>> = {
  [K in keyof T]: T[K]['kind'] extends 'bool' ? never : K;
}[keyof T];

/** Unary ops of the table recorded without attributes. */
export type PlainUnaryOp = Exclude<Numeric<typeof UNARY_OPS>, 'identity' | 'clamp' | 'leakyRelu'>;
/** Binary ops of the table recorded (all without attributes). */
export type PlainBinaryOp = Numeric<typeof BINARY_OPS>;

/** sum, prod: the reduced dims (normalized, ascending) and keepdim. */
export interface ReduceAttrs {
  readonly dims: readonly number[];
  readonly keepdim: boolean;
}

/** max, min: also the chosen indices when one dim is reduced (PyTorch's max(dim) gradient). */
export interface ExtremeAttrs extends ReduceAttrs {
  readonly indices?: Tensor;
}

export interface OpAttrMap extends Record<PlainUnaryOp | PlainBinaryOp, NoAttrs> {
  // elementwise (ops/elementwise.ts)
  leakyRelu: { readonly negativeSlope: number };
  clamp: { readonly min: number; readonly max: number };
  cast: { readonly dtype: DType };
  where: NoAttrs;
  // reductions (ops/reduce.ts, ops/softmax.ts, ops/crossEntropy.ts, ops/layerNorm.ts)
  sum: ReduceAttrs;
  prod: ReduceAttrs;
  max: ExtremeAttrs;
  min: ExtremeAttrs;
  softmax: { readonly dim: number };
  logSoftmax: { readonly dim: number };
  crossEntropyRows: {
    /** int32 class indices, contiguous, one per row */
    readonly target: Tensor;
    readonly ignoreIndex: number;
    /** the forward's [max, log-sum-exp] per row, [rows, 2] */
    readonly stats: Tensor;
  };
  bceWithLogits: NoAttrs;
  layerNorm: {
    readonly normalizedShape: readonly number[];
    readonly eps: number;
    readonly hasWeight: boolean;
    /** the forward's per-row mean and 1/std, [rows] */
    readonly mean: Tensor;
    readonly rstd: Tensor;
  };
  // products (ops/linalg.ts)
  matmul: NoAttrs;
  addmm: { readonly beta: number; readonly alpha: number };
  // views and copies (ops/movement.ts)
  contiguous: NoAttrs;
  reshape: { readonly shape: readonly number[] };
  permute: { readonly dims: readonly number[] };
  expand: { readonly shape: readonly number[] };
  slice: {
    readonly dim: number;
    readonly start: number;
    readonly step: number;
    readonly inputShape: readonly number[];
  };
  flip: { readonly dims: readonly number[] };
  // indexing (ops/indexing.ts)
  gather: { readonly dim: number; readonly index: Tensor };
  indexSelect: { readonly dim: number; readonly index: Tensor };
  scatterAdd: { readonly dim: number; readonly index: Tensor };
  // joins (ops/join.ts)
  cat: { readonly dim: number; readonly sizes: readonly number[] };
  // devices (Tensor.to / toAsync): the device the input was on
  to: { readonly device: Device };
}

/** The name of an op that autograd records. */
export type OpName = keyof OpAttrMap;
/** The attributes op `Op` records. */
export type AttrsOf<Op extends OpName> = OpAttrMap[Op];
