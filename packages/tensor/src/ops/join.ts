import { record } from '../autogradHook.js';
import type { DType } from '../dtype.js';
import { promoteTypes } from '../dtype.js';
import { fail, fmtShape, ShapeError } from '../errors.js';
import { normalizeDim } from '../shape.js';
import { Tensor } from '../tensor.js';
import { backendOf, sameDevice, wrap } from './core.js';
import { cast } from './elementwise.js';
import { slice, unsqueeze } from './movement.js';

/** torch.cat: joins tensors along an existing dim (dtypes promote; 1-d empty tensors are skipped). */
export function cat(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) fail('cat', 'expected a non-empty array of tensors');
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) fail('cat', `tensors[${i}] must be a Tensor, got ${typeof t}`);
  });
  sameDevice('cat', tensors);
  const parts = tensors.filter((t) => !(t.ndim === 1 && t.shape[0] === 0));
  if (parts.length === 0) return tensors[0]!;
  const ref = parts[0]!;
  if (ref.ndim === 0) fail('cat', 'zero-dimensional tensors cannot be concatenated; use stack()', ShapeError);
  const d = normalizeDim('cat', dim, ref.ndim);
  let dtype: DType = ref.dtype;
  parts.forEach((t: Tensor, i: number) => {
    if (t.ndim !== ref.ndim || t.shape.some((s: number, k: number) => k !== d && s !== ref.shape[k])) {
      fail(
        'cat',
        `sizes must match except in dim ${d}: tensors[0] is ${fmtShape(ref.shape)}, tensors[${i}] is ${fmtShape(t.shape)}`,
        ShapeError,
      );
    }
    t.assertAlive('cat');
    dtype = promoteTypes(dtype, t.dtype);
  });
  const inputs = parts.map((t) => (t.dtype === dtype ? t : cast(t, dtype)));
  const shape = ref.shape.slice();
  shape[d] = inputs.reduce((n, t) => n + t.shape[d]!, 0);
  const out = wrap(backendOf(ref, 'cat').cat(inputs, d, shape, dtype), shape, dtype);
  record('cat', inputs, out, { dim: d, sizes: inputs.map((t) => t.shape[d]!) });
  return out;
}

/** torch.stack: joins same-shaped tensors along a new dim. */
export function stack(tensors: readonly Tensor[], dim = 0): Tensor {
  if (!Array.isArray(tensors) || tensors.length === 0) fail('stack', 'expected a non-empty array of tensors');
  const ref = tensors[0]!;
  tensors.forEach((t, i) => {
    if (!(t instanceof Tensor)) fail('stack', `tensors[${i}] must be a Tensor, got ${typeof t}`);
    if (t.ndim !== ref.ndim || t.shape.some((s, k) => s !== ref.shape[k])) {
      fail(
        'stack',
        `all tensors must have the same shape: tensors[0] is ${fmtShape(ref.shape)}, tensors[${i}] is ${fmtShape(t.shape)}`,
        ShapeError,
      );
    }
  });
  const d = normalizeDim('stack', dim, ref.ndim + 1);
  return cat(
    tensors.map((t) => unsqueeze(t, d)),
    d,
  );
}

/** torch.split: pieces of `size` (the last may be smaller) or of the given sizes, as views. */
export function split(x: Tensor, sizeOrSizes: number | readonly number[], dim = 0): Tensor[] {
  const d = normalizeDim('split', dim, x.ndim);
  const n = x.shape[d]!;
  let sizes: number[];
  if (typeof sizeOrSizes === 'number') {
    if (!Number.isInteger(sizeOrSizes) || sizeOrSizes <= 0)
      fail('split', `size must be a positive integer, got ${sizeOrSizes}`);
    sizes = [];
    for (let s = 0; s < n; s += sizeOrSizes) sizes.push(Math.min(sizeOrSizes, n - s));
    if (n === 0) sizes.push(0);
  } else {
    sizes = sizeOrSizes.slice();
    const total = sizes.reduce((a, b) => a + b, 0);
    if (total !== n)
      fail('split', `sizes ${JSON.stringify(sizes)} sum to ${total}, but dim ${d} has size ${n}`, ShapeError);
  }
  const out: Tensor[] = [];
  let start = 0;
  for (const s of sizes) {
    out.push(slice(x, d, start, start + s));
    start += s;
  }
  return out;
}

/** torch.chunk: up to `chunks` pieces of equal size (the last may be smaller). */
export function chunk(x: Tensor, chunks: number, dim = 0): Tensor[] {
  if (!Number.isInteger(chunks) || chunks <= 0)
    fail('chunk', `chunks must be a positive integer, got ${chunks}`);
  const d = normalizeDim('chunk', dim, x.ndim);
  const size = Math.max(Math.ceil(x.shape[d]! / chunks), 1);
  return split(x, size, d);
}
