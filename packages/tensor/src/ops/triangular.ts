import { arange } from '../creation.js';
import { fail, fmtShape, ShapeError } from '../errors.js';
import type { Tensor } from '../tensor.js';
import { where } from './elementwise.js';

/** Keeps the elements on and below (tril) or above (triu) the given diagonal of the last two dims. */
function triangle(op: 'tril' | 'triu', x: Tensor, diagonal: number): Tensor {
  if (x.ndim < 2) fail(op, `needs at least 2 dims, got ${fmtShape(x.shape)}`, ShapeError);
  if (!Number.isInteger(diagonal)) fail(op, `diagonal must be an integer, got ${diagonal}`);
  const rows = arange(x.shape[x.ndim - 2]!, undefined, 1, { device: x.device }).unsqueeze(1);
  const cols = arange(x.shape[x.ndim - 1]!, undefined, 1, { device: x.device });
  // tril keeps j - i <= diagonal; triu keeps j - i >= diagonal.
  const keep = op === 'tril' ? cols.sub(rows).le(diagonal) : cols.sub(rows).ge(diagonal);
  return where(keep, x, x.dtype === 'bool' ? false : 0);
}

export function tril(x: Tensor, diagonal = 0): Tensor {
  return triangle('tril', x, diagonal);
}

export function triu(x: Tensor, diagonal = 0): Tensor {
  return triangle('triu', x, diagonal);
}
