import { record } from '../autogradHook.js';
import { fail, fmtShape, ShapeError } from '../errors.js';
import {
  checkShape,
  contiguousStrides,
  inferShape,
  isContiguous,
  normalizeDim,
  normalizeDims,
  viewStrides,
} from '../shape.js';
import type { Tensor } from '../tensor.js';
import { backendOf, viewAs, wrap } from './core.js';

/** Views never copy; each reports itself to autograd with what its backward needs. */

export function contiguous(x: Tensor): Tensor {
  if (isContiguous(x.shape, x.strides)) return x;
  const b = backendOf(x, 'contiguous');
  const out = wrap(b.unary('identity', x, x.dtype === 'bool' ? 'int32' : x.dtype, x.dtype), x.shape, x.dtype);
  record('contiguous', [x], out, {});
  return out;
}

function shapeArgs(op: string, args: readonly (number | readonly number[])[]): number[] {
  const list =
    args.length === 1 && Array.isArray(args[0])
      ? (args[0] as readonly number[])
      : (args as readonly number[]);
  for (const d of list) {
    if (typeof d !== 'number' || !Number.isInteger(d))
      fail(op, `shape must hold integers, got ${JSON.stringify(list)}`);
  }
  return list.slice();
}

export function view(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  x.assertAlive('view');
  const shape = inferShape('view', shapeArgs('view', args), x.size, x.shape);
  const strides = viewStrides(x.shape, x.strides, shape);
  if (!strides) {
    fail(
      'view',
      `shape ${fmtShape(shape)} is not compatible with the input's size and strides (at least one dimension spans two contiguous subspaces); use reshape() instead`,
      ShapeError,
    );
  }
  const out = viewAs(x, shape, strides, x.offset);
  record('reshape', [x], out, { shape: x.shape });
  return out;
}

export function reshape(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  x.assertAlive('reshape');
  const shape = inferShape('reshape', shapeArgs('reshape', args), x.size, x.shape);
  const strides = viewStrides(x.shape, x.strides, shape);
  const src = strides ? x : contiguous(x);
  const out = viewAs(src, shape, strides ?? contiguousStrides(shape), src.offset);
  record('reshape', [src], out, { shape: src.shape });
  return out;
}

export function permute(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  x.assertAlive('permute');
  const dims = shapeArgs('permute', args).map((d) => normalizeDim('permute', d, x.ndim));
  if (dims.length !== x.ndim || new Set(dims).size !== dims.length) {
    fail('permute', `dims must be a permutation of 0..${x.ndim - 1}, got ${JSON.stringify(dims)}`);
  }
  const out = viewAs(
    x,
    dims.map((d) => x.shape[d]!),
    dims.map((d) => x.strides[d]!),
    x.offset,
  );
  record('permute', [x], out, { dims });
  return out;
}

export function transpose(x: Tensor, dim0: number, dim1: number): Tensor {
  const a = normalizeDim('transpose', dim0, x.ndim, 'dim0');
  const b = normalizeDim('transpose', dim1, x.ndim, 'dim1');
  if (x.ndim < 2) return x;
  const dims = Array.from({ length: x.ndim }, (_, i) => i);
  dims[a] = b;
  dims[b] = a;
  return permute(x, dims);
}

export function squeeze(x: Tensor, dim?: number | readonly number[]): Tensor {
  const dims =
    dim === undefined
      ? x.shape.flatMap((s, i) => (s === 1 ? [i] : []))
      : normalizeDims('squeeze', dim, x.ndim);
  const keep = x.shape.map((s, i) => !(dims.includes(i) && s === 1));
  return reshapeView(
    x,
    x.shape.filter((_, i) => keep[i]),
    x.strides.filter((_, i) => keep[i]),
  );
}

export function unsqueeze(x: Tensor, dim: number): Tensor {
  const d = normalizeDim('unsqueeze', dim, x.ndim + 1);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape.splice(d, 0, 1);
  strides.splice(d, 0, d < x.ndim ? x.strides[d]! * x.shape[d]! : 1);
  return reshapeView(x, shape, strides);
}

function reshapeView(x: Tensor, shape: number[], strides: number[]): Tensor {
  x.assertAlive('reshape');
  const out = viewAs(x, shape, strides, x.offset);
  record('reshape', [x], out, { shape: x.shape });
  return out;
}

export function flatten(x: Tensor, startDim = 0, endDim = -1): Tensor {
  if (x.ndim === 0) return reshape(x, [1]);
  const s = normalizeDim('flatten', startDim, x.ndim, 'startDim');
  const e = normalizeDim('flatten', endDim, x.ndim, 'endDim');
  if (s > e) fail('flatten', `startDim (${startDim}) must not come after endDim (${endDim})`);
  const shape = [
    ...x.shape.slice(0, s),
    x.shape.slice(s, e + 1).reduce((a, b) => a * b, 1),
    ...x.shape.slice(e + 1),
  ];
  return reshape(x, shape);
}

export function expand(x: Tensor, ...args: (number | readonly number[])[]): Tensor {
  x.assertAlive('expand');
  const target = shapeArgs('expand', args);
  if (target.length < x.ndim) {
    fail(
      'expand',
      `the target shape ${fmtShape(target)} must have at least as many dims as the input ${fmtShape(x.shape)}`,
      ShapeError,
    );
  }
  const off = target.length - x.ndim;
  const shape: number[] = [];
  const strides: number[] = [];
  for (let i = 0; i < target.length; i++) {
    const t = target[i]!;
    if (i < off) {
      if (t < 0) fail('expand', `-1 is not allowed in a new leading dim, got ${fmtShape(target)}`);
      shape.push(t);
      strides.push(0);
      continue;
    }
    const s = x.shape[i - off]!;
    if (t === -1 || t === s) {
      shape.push(s);
      strides.push(x.strides[i - off]!);
    } else if (s === 1) {
      shape.push(t);
      strides.push(0);
    } else {
      fail(
        'expand',
        `cannot expand size ${s} to ${t} at dim ${i} (input ${fmtShape(x.shape)}, target ${fmtShape(target)}); only size-1 dims expand`,
        ShapeError,
      );
    }
  }
  const out = viewAs(x, shape, strides, x.offset);
  record('expand', [x], out, { shape: x.shape });
  return out;
}

/** x[start:end:step] along dim, Python's slice semantics (negative and out-of-range bounds clamp). */
export function slice(x: Tensor, dim: number, start?: number | null, end?: number | null, step = 1): Tensor {
  x.assertAlive('slice');
  const d = normalizeDim('slice', dim, x.ndim);
  if (!Number.isInteger(step) || step <= 0) fail('slice', `step must be a positive integer, got ${step}`);
  const n = x.shape[d]!;
  const norm = (v: number | null | undefined, dflt: number, arg: string) => {
    if (v === undefined || v === null) return dflt;
    if (!Number.isInteger(v)) fail('slice', `${arg} must be an integer, got ${v}`);
    return Math.min(Math.max(v < 0 ? v + n : v, 0), n);
  };
  const s = norm(start, 0, 'start');
  const e = Math.max(norm(end, n, 'end'), s);
  const len = Math.ceil((e - s) / step);
  const shape = x.shape.slice();
  const strides = x.strides.slice();
  shape[d] = len;
  strides[d] = x.strides[d]! * step;
  const out = viewAs(x, shape, strides, x.offset + (len > 0 ? s * x.strides[d]! : 0));
  record('slice', [x], out, { dim: d, start: s, step, inputShape: x.shape });
  return out;
}

/** x[..., index, ...]: removes dim. */
export function select(x: Tensor, dim: number, index: number): Tensor {
  const d = normalizeDim('select', dim, x.ndim);
  const n = x.shape[d]!;
  if (!Number.isInteger(index) || index < -n || index >= n) {
    fail('select', `index ${index} is out of range for dim ${d} of size ${n}`);
  }
  const i = index < 0 ? index + n : index;
  return squeeze(slice(x, d, i, i + 1), d);
}

/** Reverses the order along the given dims (a view with negative strides). */
export function flip(x: Tensor, dims: number | readonly number[]): Tensor {
  x.assertAlive('flip');
  const ds = normalizeDims('flip', dims, x.ndim);
  const strides = x.strides.slice();
  let offset = x.offset;
  for (const d of ds) {
    if (x.shape[d]! > 0) offset += (x.shape[d]! - 1) * x.strides[d]!;
    strides[d] = -x.strides[d]!;
  }
  const out = viewAs(x, x.shape, strides, offset);
  record('flip', [x], out, { dims: ds });
  return out;
}

export function broadcastTo(x: Tensor, shape: readonly number[]): Tensor {
  return expand(x, checkShape('broadcastTo', 'shape', shape));
}
