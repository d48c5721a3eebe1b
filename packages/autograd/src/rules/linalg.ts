import type { Tensor } from '@lumen/tensor';
import type { Rules } from './types.js';
import { asTensor } from './util.js';

/** Whether t's matrices are stored column by column (t is a transposed view of row-major data). */
function columnMajor(t: Tensor): boolean {
  const n = t.ndim;
  const rows = t.shape[n - 2]!;
  const cols = t.shape[n - 1]!;
  return rows > 1 && cols > 1 && t.strides[n - 2] === 1 && t.strides[n - 1] === rows;
}

/** matmul (tensor's ops/linalg.ts). */
export const linalgRules: Rules<'matmul'> = {
  // inputs are already expanded to equal batch dims: a [..., M, K], b [..., K, N]
  matmul: {
    name: ({ inputs }) => (asTensor(inputs[0]).ndim === 2 ? 'MmBackward0' : 'BmmBackward0'),
    // a's gradient reads b and b's reads a (PyTorch saves each only when the other needs grad).
    saves: (needs) => [...(needs(1) ? [0] : []), ...(needs(0) ? [1] : [])],
    // As PyTorch's mm_mat1/mm_mat2_backward, an operand stored transposed (a weight used as w.T)
    // gets its gradient computed transposed, so it comes out in the operand's layout: the leaf's
    // .grad is then contiguous without a copy. The products and their order are the same.
    backward: (g, { inputs, needs }) => {
      const a = asTensor(inputs[0]);
      const b = asTensor(inputs[1]);
      let ga: Tensor | null = null;
      let gb: Tensor | null = null;
      if (needs(0)) ga = columnMajor(a) ? b.matmul(g.mT).mT : g.matmul(b.mT);
      if (needs(1)) gb = columnMajor(b) ? g.mT.matmul(a).mT : a.mT.matmul(g);
      return [ga, gb];
    },
  },
};
