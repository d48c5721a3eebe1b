import { record } from '../autogradHook.js';
import type { ReduceOp, View } from '../backend.js';
import type { DType } from '../dtype.js';
import { isFloat } from '../dtype.js';
import { fail } from '../errors.js';
import { checkOptions } from '../options.js';
import { normalizeDims, numel } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { backendOf, wrap } from './core.js';
import { binary, cast, unary, where } from './elementwise.js';

export interface ReduceOptions {
  keepdim?: boolean;
}

export type Dims = number | readonly number[];

/** `keepdim` from a reduction's options, which may hold nothing else (checked, never ignored). */
function keepdimOf(op: string, opts: ReduceOptions, valid: readonly string[] = ['keepdim']): boolean {
  checkOptions(op, opts, valid);
  return opts.keepdim ?? false;
}

interface Plan {
  view: View;
  outerRank: number;
  dims: number[];
  outShape: number[];
  keptShape: number[];
}

function plan(op: string, x: Tensor, dim: Dims | undefined): Plan {
  const dims = normalizeDims(op, dim, x.ndim);
  const outer: number[] = [];
  for (let d = 0; d < x.ndim; d++) if (!dims.includes(d)) outer.push(d);
  const order = [...outer, ...dims];
  const view: View = {
    storage: x.storage,
    shape: order.map((d) => x.shape[d]!),
    strides: order.map((d) => x.strides[d]!),
    offset: x.offset,
    dtype: x.dtype,
  };
  return {
    view,
    outerRank: outer.length,
    dims,
    outShape: outer.map((d) => x.shape[d]!),
    keptShape: x.shape.map((s, d) => (dims.includes(d) ? 1 : s)),
  };
}

function raw(op: ReduceOp, x: Tensor, p: Plan, outDtype: DType, keepdim: boolean): Tensor {
  const b = backendOf(x, op);
  if (
    op !== 'sum' &&
    op !== 'prod' &&
    numel(p.view.shape.slice(p.outerRank)) === 0 &&
    numel(p.outShape) > 0
  ) {
    fail(
      op,
      `cannot reduce over a zero-size dimension (input shape [${x.shape.join(', ')}]): the operation has no identity`,
    );
  }
  return wrap(b.reduce(op, p.view, p.outerRank, outDtype), keepdim ? p.keptShape : p.outShape, outDtype);
}

export function sum(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  const keepdim = keepdimOf('sum', opts);
  const p = plan('sum', x, dim);
  const outDtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const out = raw('sum', x, p, outDtype, keepdim);
  if (isFloat(outDtype)) record('sum', [x], out, { dims: p.dims, keepdim });
  return out;
}

export function prod(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  const keepdim = keepdimOf('prod', opts);
  const p = plan('prod', x, dim);
  const outDtype = x.dtype === 'bool' ? 'int32' : x.dtype;
  const out = raw('prod', x, p, outDtype, keepdim);
  if (isFloat(outDtype)) record('prod', [x], out, { dims: p.dims, keepdim });
  return out;
}

function extreme(op: 'max' | 'min', x: Tensor, dim: Dims | undefined, opts: ReduceOptions): Tensor {
  const keepdim = keepdimOf(op, opts);
  const p = plan(op, x, dim);
  const out = raw(op, x, p, x.dtype, keepdim);
  if (isFloat(x.dtype) && x.requiresGrad) {
    // Gradient flows to the chosen element when reducing one dim (as PyTorch's max(dim)), and is
    // shared among ties for a full reduction (as PyTorch's max()).
    const indices =
      dim !== undefined && p.dims.length === 1
        ? raw(op === 'max' ? 'argmax' : 'argmin', x, p, 'int32', true)
        : undefined;
    record(op, [x], out, indices ? { dims: p.dims, keepdim, indices } : { dims: p.dims, keepdim });
  }
  return out;
}

export function max(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  return extreme('max', x, dim, opts);
}

export function min(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  return extreme('min', x, dim, opts);
}

function argExtreme(
  op: 'argmax' | 'argmin',
  x: Tensor,
  dim: number | undefined,
  opts: ReduceOptions,
): Tensor {
  if (dim !== undefined && typeof dim !== 'number')
    fail(op, `dim must be a single integer or undefined, got ${JSON.stringify(dim)}`);
  const keepdim = keepdimOf(op, opts);
  const p = plan(op, x, dim);
  // Without dim, PyTorch returns the flat index, with keepdim giving all-ones dims.
  return raw(op, x, p, 'int32', keepdim);
}

export function argmax(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor {
  return argExtreme('argmax', x, dim, opts);
}

export function argmin(x: Tensor, dim?: number, opts: ReduceOptions = {}): Tensor {
  return argExtreme('argmin', x, dim, opts);
}

function reducedCount(x: Tensor, dim: Dims | undefined, op: string): number {
  return normalizeDims(op, dim, x.ndim).reduce((n, d) => n * x.shape[d]!, 1);
}

/** Mean; int and bool inputs give float32 (PyTorch raises instead). */
export function mean(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  keepdimOf('mean', opts);
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  const n = reducedCount(x, dim, 'mean');
  return binary('div', sum(xf, dim, opts), n);
}

export interface VarOptions extends ReduceOptions {
  /** Bessel's correction: 1 (default, unbiased, as PyTorch and pandas) or 0 (population). */
  correction?: number;
}

export function variance(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  const keepdim = keepdimOf('var', opts, ['keepdim', 'correction']);
  const correction = opts.correction ?? 1;
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  const n = reducedCount(x, dim, 'var');
  const mu = mean(xf, dim, { keepdim: true });
  const d = binary('sub', xf, mu);
  const ss = sum(unary('square', d), dim, { keepdim });
  // n - correction <= 0 gives inf/nan, as PyTorch does.
  return binary('div', ss, Math.max(n - correction, 0));
}

export function std(x: Tensor, dim?: Dims, opts: VarOptions = {}): Tensor {
  return unary('sqrt', variance(x, dim, opts));
}

/** log(sum(exp(x))) along dim, computed stably. */
export function logsumexp(x: Tensor, dim: Dims, opts: ReduceOptions = {}): Tensor {
  const keepdim = keepdimOf('logsumexp', opts);
  const xf = isFloat(x.dtype) ? x : cast(x, 'float32');
  const m = max(xf.detach(), dim, { keepdim: true });
  const finite = where(unary('isinf', m), 0, m);
  const s = sum(unary('exp', binary('sub', xf, finite)), dim, { keepdim: true });
  const r = binary('add', unary('log', s), finite);
  if (keepdim) return r;
  return r.squeeze(normalizeDims('logsumexp', dim, x.ndim));
}

export function all(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  const b = x.dtype === 'bool' ? x : unary('toBool', x);
  const keepdim = keepdimOf('all', opts);
  const p = plan('all', b, dim);
  if (numel(p.view.shape.slice(p.outerRank)) === 0)
    return raw('prod', cast(b, 'int32'), p, 'int32', keepdim).bool();
  return raw('min', b, p, 'bool', keepdim);
}

export function any(x: Tensor, dim?: Dims, opts: ReduceOptions = {}): Tensor {
  const b = x.dtype === 'bool' ? x : unary('toBool', x);
  const keepdim = keepdimOf('any', opts);
  const p = plan('any', b, dim);
  if (numel(p.view.shape.slice(p.outerRank)) === 0)
    return raw('sum', cast(b, 'int32'), p, 'int32', keepdim).bool();
  return raw('max', b, p, 'bool', keepdim);
}
