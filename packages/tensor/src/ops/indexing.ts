import { record } from '../autogradHook.js';
import type { View } from '../backend.js';
import { DtypeError, fail, fmtShape, ShapeError } from '../errors.js';
import { normalizeDim } from '../shape.js';
import type { Tensor } from '../tensor.js';
import { asTensor, backendOf, sameDevice, wrap } from './core.js';
import { binary } from './elementwise.js';

function checkIndex(op: string, index: Tensor): void {
  if (index.dtype !== 'int32') {
    fail(
      op,
      `index must be an int32 tensor, got ${index.dtype} (create it with { dtype: 'int32' } or call .int())`,
      DtypeError,
    );
  }
}

/** torch.gather(input, dim, index): out[i][j] = input[index[i][j]][j] for dim 0. */
export function gather(x: Tensor, dim: number, index: Tensor): Tensor {
  asTensor('gather', 'index', index);
  sameDevice('gather', [x, index]);
  checkIndex('gather', index);
  const d = normalizeDim('gather', dim, x.ndim);
  if (index.ndim !== x.ndim) {
    fail(
      'gather',
      `index must have as many dims as input: input ${fmtShape(x.shape)}, index ${fmtShape(index.shape)}`,
      ShapeError,
    );
  }
  for (let k = 0; k < x.ndim; k++) {
    if (k !== d && index.shape[k]! > x.shape[k]!) {
      fail(
        'gather',
        `index ${fmtShape(index.shape)} is larger than input ${fmtShape(x.shape)} at dim ${k} (only dim ${d} may differ)`,
        ShapeError,
      );
    }
  }
  index.assertAlive('gather');
  const out = wrap(backendOf(x, 'gather').gather(x, d, index), index.shape, x.dtype);
  record('gather', [x], out, { dim: d, index });
  return out;
}

/** torch.index_select(input, dim, index) with a 1-D int32 index. */
export function indexSelect(x: Tensor, dim: number, index: Tensor): Tensor {
  asTensor('indexSelect', 'index', index);
  sameDevice('indexSelect', [x, index]);
  checkIndex('indexSelect', index);
  if (index.ndim > 1)
    fail('indexSelect', `index must be 0-d or 1-d, got shape ${fmtShape(index.shape)}`, ShapeError);
  index.assertAlive('indexSelect');
  const d = normalizeDim('indexSelect', dim, x.ndim);
  const L = index.size;
  const shape = x.shape.slice();
  if (x.ndim > 0) shape[d] = L;
  const strides = shape.map((_, k) => (k === d ? (index.strides[0] ?? 0) : 0));
  const iv: View = { storage: index.storage, shape, strides, offset: index.offset, dtype: 'int32' };
  const out = wrap(backendOf(x, 'indexSelect').gather(x, x.ndim === 0 ? 0 : d, iv), shape, x.dtype);
  record('indexSelect', [x], out, { dim: d, index });
  return out;
}

/** torch.scatter_add(input, dim, index, src), out of place: input + scatter of src at index. */
export function scatterAdd(x: Tensor, dim: number, index: Tensor, src: Tensor): Tensor {
  asTensor('scatterAdd', 'index', index);
  asTensor('scatterAdd', 'src', src);
  sameDevice('scatterAdd', [x, index, src]);
  checkIndex('scatterAdd', index);
  const d = normalizeDim('scatterAdd', dim, x.ndim);
  if (index.ndim !== x.ndim || src.ndim !== x.ndim) {
    fail(
      'scatterAdd',
      `input, index and src must have the same number of dims, got ${fmtShape(x.shape)}, ${fmtShape(index.shape)}, ${fmtShape(src.shape)}`,
      ShapeError,
    );
  }
  for (let k = 0; k < x.ndim; k++) {
    if (index.shape[k]! > src.shape[k]! || (k !== d && index.shape[k]! > x.shape[k]!)) {
      fail(
        'scatterAdd',
        `index ${fmtShape(index.shape)} must be no larger than src ${fmtShape(src.shape)} in every dim and than input ${fmtShape(x.shape)} outside dim ${d}`,
        ShapeError,
      );
    }
  }
  if (src.dtype !== x.dtype)
    fail('scatterAdd', `src dtype ${src.dtype} must equal input dtype ${x.dtype}`, DtypeError);
  index.assertAlive('scatterAdd');
  src.assertAlive('scatterAdd');
  const scattered = wrap(backendOf(x, 'scatterAdd').scatterAdd(x.shape, d, index, src), x.shape, x.dtype);
  record('scatterAdd', [src], scattered, { dim: d, index });
  // Onto fresh zeros (autograd's gather and embedding gradients: zeros(table).scatterAdd(…)), adding
  // x would be a pass over the whole table for nothing.
  if (!x.requiresGrad && x.storage.zeroAtVersion === x.storage.version) return scattered;
  return binary('add', x, scattered);
}
