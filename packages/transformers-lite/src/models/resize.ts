import { noGrad } from '@lumen/autograd';
import { type Embedding, Linear, type Module, Parameter } from '@lumen/nn';
import { cat, checkOptions, normal, type Tensor, tensor, zeros } from '@lumen/tensor';
import { describe, fail } from './errors.js';

/** resizeTokenEmbeddings' options (transformers' resize_token_embeddings keywords). */
export interface ResizeTokenEmbeddingsOptions {
  /** Round the new size up to a multiple of this (transformers' pad_to_multiple_of; e.g. 64 for tensor cores). */
  padToMultipleOf?: number;
  /**
   * How new rows start. false (default): as the model's own init (N(0, initializerRange), the
   * transformers < 4.46 behaviour). true: transformers ≥ 4.46's mean_resizing — the old rows' mean
   * plus noise from N(0, 1e-9 · their covariance), or the mean alone when that is not positive definite.
   */
  meanResizing?: boolean;
}

/**
 * transformers' resize_token_embeddings on `model`: the token embedding `emb` gets `n` rows (the
 * first min(old, n) kept; new ones drawn as described above), every slot holding the old weight
 * (a tied LM head) gets the new one, a tied head's bias is padded with zeros (or cut), and
 * `outFeatures` / `numEmbeddings` / `config.vocabSize` follow. Returns the resized size.
 */
export function resizeEmbeddings(
  op: string,
  model: Module,
  emb: Embedding,
  requested: number,
  options: ResizeTokenEmbeddingsOptions,
  initializerRange: number,
): number {
  checkOptions(op, options, ['padToMultipleOf', 'meanResizing']);
  if (!Number.isSafeInteger(requested) || requested <= 0)
    fail(op, `newNumTokens must be a positive integer, got ${describe(requested)}`);
  const multiple = options.padToMultipleOf;
  if (multiple !== undefined && (!Number.isSafeInteger(multiple) || multiple <= 0))
    fail(op, `padToMultipleOf must be a positive integer, got ${describe(multiple)}`);
  const meanResizing = options.meanResizing ?? false;
  if (typeof meanResizing !== 'boolean')
    fail(op, `meanResizing must be true or false, got ${describe(meanResizing)}`);
  const n = multiple === undefined ? requested : Math.ceil(requested / multiple) * multiple;
  const old = emb.weight;
  const [oldN, dim] = old.shape as [number, number];
  if (n === oldN) return n;

  const fresh = noGrad(() => {
    if (n < oldN) return old.slice(0, 0, n).contiguous();
    const added = n - oldN;
    const rows = meanResizing
      ? meanRows(old, added)
      : normal([added, dim], 0, initializerRange, { dtype: old.dtype, device: old.device });
    return cat([old.detach(), rows], 0);
  });
  const weight = Parameter(fresh, old.requiresGrad);
  const replaced = new Map<Tensor, Tensor>([[old, weight]]);
  for (const m of model.modules()) {
    if (!(m instanceof Linear) || m.weight !== old) continue;
    const b = m.bias;
    if (b && !replaced.has(b)) {
      const nb = noGrad(() =>
        n < oldN
          ? b.slice(0, 0, n).contiguous()
          : cat([b.detach(), zeros([n - oldN], { dtype: b.dtype, device: b.device })], 0),
      );
      replaced.set(b, Parameter(nb, b.requiresGrad));
    }
    (m as { outFeatures: number }).outFeatures = n;
  }
  for (const m of model.modules()) {
    const slots = m as unknown as Record<string, unknown>;
    for (const [name, value] of Object.entries(slots)) {
      const next = replaced.get(value as Tensor);
      if (next) slots[name] = next;
    }
  }
  const e = emb as { numEmbeddings: number; paddingIdx: number | null };
  e.numEmbeddings = n;
  if (e.paddingIdx !== null && e.paddingIdx >= n) e.paddingIdx = null;
  return n;
}

/** transformers' _init_added_embeddings_weights_with_mean, in float64 on the host. */
function meanRows(old: Tensor, added: number): Tensor {
  const [n, d] = old.shape as [number, number];
  if (old.device !== 'cpu')
    fail('resizeTokenEmbeddings', 'meanResizing needs the embeddings on cpu (move the model with toAsync)');
  const w = old.double().dataSync() as Float64Array;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += w[i * d + j]!;
  for (let j = 0; j < d; j++) mean[j]! /= n;
  // covariance of the centred rows / n, scaled by 1e-9, then its Cholesky factor (lower)
  const cov = new Float64Array(d * d);
  const c = new Float64Array(d);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < d; j++) c[j] = w[i * d + j]! - mean[j]!;
    for (let a = 0; a < d; a++) {
      const ca = c[a]!;
      for (let b = 0; b <= a; b++) cov[a * d + b]! += ca * c[b]!;
    }
  }
  const L = new Float64Array(d * d);
  let positive = true;
  for (let a = 0; a < d && positive; a++) {
    for (let b = 0; b <= a; b++) {
      let s = (cov[a * d + b]! / n) * 1e-9;
      for (let k = 0; k < b; k++) s -= L[a * d + k]! * L[b * d + k]!;
      if (a === b) {
        if (!(s > 0)) {
          positive = false;
          break;
        }
        L[a * d + a] = Math.sqrt(s);
      } else L[a * d + b] = s / L[b * d + b]!;
    }
  }
  const out = new Float64Array(added * d);
  const z = positive ? (normal([added, d], 0, 1, { dtype: 'float64' }).dataSync() as Float64Array) : null;
  for (let r = 0; r < added; r++) {
    for (let a = 0; a < d; a++) {
      let v = mean[a]!;
      if (z) for (let k = 0; k <= a; k++) v += L[a * d + k]! * z[r * d + k]!;
      out[r * d + a] = v;
    }
  }
  return tensor(out, { shape: [added, d] }).cast(old.dtype);
}
