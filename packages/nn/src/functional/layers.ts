import {
  addmm,
  checkOptions,
  type Generator,
  layerNorm as layerNormOp,
  rand,
  type Tensor,
  where,
} from '@lumen/tensor';
import { fail, fmtShape } from '../errors.js';

/** F.linear: x Wᵀ + b. */
export function linear(x: Tensor, weight: Tensor, bias?: Tensor | null): Tensor {
  if (x.dtype !== weight.dtype) {
    // The trap: sklearn-lite's datasets (and toTensor() of a float64 column) give float64, layers are float32.
    const convert: Record<string, string> = { float32: 'x.float()', float64: 'x.double()' };
    const fix = convert[weight.dtype] ?? `x.cast('${weight.dtype}')`;
    fail(
      'Linear',
      `Linear weights are ${weight.dtype} but input is ${x.dtype}; convert with ${fix}` +
        (weight.dtype === 'float32' && x.dtype === 'float64'
          ? ` (or create the layer with { dtype: 'float64' })`
          : ''),
    );
  }
  const inF = weight.shape[weight.ndim - 1];
  if (x.shape[x.ndim - 1] !== inF) {
    fail(
      'linear',
      `input's last dim must equal in_features ${inF}, got input shape ${fmtShape(x.shape)} and weight ${fmtShape(weight.shape)}`,
    );
  }
  // One addmm (PyTorch's Linear runs addmm too) for the usual bias: one op and one output array
  // instead of a product and an add.
  if (
    bias &&
    bias.ndim === 1 &&
    weight.ndim === 2 &&
    x.ndim >= 2 &&
    bias.dtype === x.dtype &&
    bias.device === x.device
  ) {
    if (x.ndim === 2) return addmm(bias, x, weight.T);
    const lead = x.shape.slice(0, -1);
    const rows = lead.reduce((a, b) => a * b, 1);
    return addmm(bias, x.reshape([rows, inF!]), weight.T).reshape([...lead, weight.shape[0]!]);
  }
  const y = x.matmul(weight.T);
  return bias ? y.add(bias) : y;
}

export interface DropoutOptions {
  p?: number;
  training?: boolean;
  generator?: Generator;
}

/** F.dropout: zeroes each element with probability p and scales the rest by 1/(1-p) (identity unless training). */
export function dropout(x: Tensor, options: DropoutOptions = {}): Tensor {
  checkOptions('dropout', options, ['p', 'training', 'generator']);
  const p = options.p ?? 0.5;
  if (typeof p !== 'number' || !(p >= 0 && p <= 1))
    fail('dropout', `p must be a probability in [0, 1], got ${p}`);
  if (!(options.training ?? true) || p === 0) return x;
  if (p === 1) return x.mul(0);
  const keep = rand(x.shape, { device: x.device, generator: options.generator }).ge(p);
  return where(keep, x.mul(1 / (1 - p)), 0);
}

/** F.layer_norm over the trailing dims given by normalizedShape (checked by @lumen/tensor's layerNorm). */
export function layerNorm(
  x: Tensor,
  normalizedShape: readonly number[],
  weight?: Tensor | null,
  bias?: Tensor | null,
  eps = 1e-5,
): Tensor {
  // one fused op where the backend has the kernel (cpu), else the composite of elementwise ops
  return layerNormOp(x, normalizedShape, weight, bias, eps);
}

/** F.embedding: rows of `weight` picked by integer `indices` (any shape); paddingIdx rows get no gradient. */
export function embedding(indices: Tensor, weight: Tensor, paddingIdx?: number | null): Tensor {
  if (indices.dtype !== 'int32') fail('embedding', `indices must be an int32 tensor, got ${indices.dtype}`);
  if (weight.ndim !== 2)
    fail('embedding', `weight must be 2-d [numEmbeddings, embeddingDim], got ${fmtShape(weight.shape)}`);
  const [n, dim] = weight.shape as [number, number];
  const pad =
    paddingIdx === undefined || paddingIdx === null ? null : paddingIdx < 0 ? paddingIdx + n : paddingIdx;
  // On cpu the indices are read here anyway (range check): whether the padding row is picked at all.
  let picksPad = pad !== null;
  if (indices.device === 'cpu' && indices.size > 0) {
    const data = indices.dataSync();
    picksPad = false;
    for (let i = 0; i < data.length; i++) {
      const v = data[i]!;
      if (v < 0 || v >= n)
        fail('embedding', `index ${v} at position ${i} is out of range for an embedding of ${n} rows`);
      if (v === pad) picksPad = true;
    }
  }
  const rows = weight.indexSelect(0, indices.reshape([-1])).reshape([...indices.shape, dim]);
  // No padding position in this batch: nothing to keep from the gradient.
  if (pad === null || !picksPad) return rows;
  // Same values, but the padding positions take their value from a detached copy: no gradient.
  const keep = indices.ne(pad).unsqueeze(-1);
  return where(keep, rows, rows.detach());
}
