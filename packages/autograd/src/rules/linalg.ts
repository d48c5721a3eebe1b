import type { Tensor } from '@lumen/tensor';
import type { Rules } from './types.js';
import { asTensor, sumTo } from './util.js';

/** Whether t's matrices are stored column by column (t is a transposed view of row-major data). */
function columnMajor(t: Tensor): boolean {
  const n = t.ndim;
  const rows = t.shape[n - 2]!;
  const cols = t.shape[n - 1]!;
  return rows > 1 && cols > 1 && t.strides[n - 2] === 1 && t.strides[n - 1] === rows;
}

/** The product's operand gradients (PyTorch's mm_mat1/mm_mat2_backward), for matmul and addmm. */
function productGrads(
  g: Tensor,
  a: Tensor,
  b: Tensor,
  needA: boolean,
  needB: boolean,
): [Tensor | null, Tensor | null] {
  // As PyTorch's mm_mat1/mm_mat2_backward, an operand stored transposed (a weight used as w.T)
  // gets its gradient computed transposed, so it comes out in the operand's layout: the leaf's
  // .grad is then contiguous without a copy. The products and their order are the same.
  const ga = needA ? (columnMajor(a) ? b.matmul(g.mT).mT : g.matmul(b.mT)) : null;
  const gb = needB ? (columnMajor(b) ? g.mT.matmul(a).mT : a.mT.matmul(g)) : null;
  return [ga, gb];
}

/** matmul and addmm (tensor's ops/linalg.ts). */
export const linalgRules: Rules<'matmul' | 'addmm'> = {
  // inputs are already expanded to equal batch dims: a [..., M, K], b [..., K, N]
  matmul: {
    name: ({ inputs }) => (asTensor(inputs[0]).ndim === 2 ? 'MmBackward0' : 'BmmBackward0'),
    // a's gradient reads b and b's reads a (PyTorch saves each only when the other needs grad).
    saves: (needs) => [...(needs(1) ? [0] : []), ...(needs(0) ? [1] : [])],
    backward: (g, { inputs, needs }) =>
      productGrads(g, asTensor(inputs[0]), asTensor(inputs[1]), needs(0), needs(1)),
  },
  // inputs: [input (broadcast to [M, N]), mat1 [M, K], mat2 [K, N]]
  addmm: {
    name: 'AddmmBackward0',
    // as matmul's (input's gradient reads only its shape)
    saves: (needs) => [...(needs(2) ? [1] : []), ...(needs(1) ? [2] : [])],
    backward: (g, { inputs, needs, attrs }) => {
      const input = asTensor(inputs[0]);
      const { beta, alpha } = attrs;
      const gi = needs(0) ? sumTo(beta === 1 ? g : g.mul(beta), input.shape) : null;
      const gp = alpha === 1 ? g : g.mul(alpha);
      const [ga, gb] = productGrads(gp, asTensor(inputs[1]), asTensor(inputs[2]), needs(1), needs(2));
      return [gi, ga, gb];
    },
  },
};
