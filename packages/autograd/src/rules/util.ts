import { type OpInput, type Tensor, zeros } from '@lumen/tensor';

export function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Undoes broadcasting: sums g over the dims that were broadcast to reach its shape from `shape`. */
export function sumTo(g: Tensor, shape: readonly number[]): Tensor {
  if (sameShape(g.shape, shape)) return g;
  const lead = g.ndim - shape.length;
  const dims: number[] = [];
  for (let i = 0; i < lead; i++) dims.push(i);
  shape.forEach((s, i) => {
    if (s === 1 && g.shape[i + lead] !== 1) dims.push(i + lead);
  });
  const r = dims.length > 0 ? g.sum(dims, { keepdim: true }) : g;
  return r.reshape([...shape]);
}

export function asTensor(x: OpInput | undefined): Tensor {
  if (x === undefined || typeof x === 'number') throw new Error('internal: expected a tensor input');
  return x;
}

export function zerosOf(shape: readonly number[], like: Tensor): Tensor {
  return zeros([...shape], { dtype: like.dtype, device: like.device });
}

/** The reduced dims put back as size-1 dims, so g broadcasts against the input. */
export function unsqueezeDims(g: Tensor, dims: readonly number[], keepdim: boolean): Tensor {
  if (keepdim || dims.length === 0) return g;
  const sorted = [...dims].sort((a, b) => a - b);
  let r = g;
  for (const d of sorted) r = r.unsqueeze(d);
  return r;
}
