import { arange, cat, type Tensor } from '@lumen/tensor';
import type { RuleDef } from './types.js';
import { asTensor, sumTo, zerosOf } from './util.js';

export const movementRules: Record<string, RuleDef> = {
  reshape: {
    name: 'ViewBackward0',
    saves: [],
    backward: (g, { attrs }) => [g.reshape([...(attrs.shape as number[])])],
  },
  permute: {
    name: 'PermuteBackward0',
    saves: [],
    backward: (g, { attrs }) => {
      const dims = attrs.dims as number[];
      const inverse = new Array<number>(dims.length);
      dims.forEach((d, i) => {
        inverse[d] = i;
      });
      return [g.permute(inverse)];
    },
  },
  expand: {
    name: 'ExpandBackward0',
    saves: [],
    backward: (g, { attrs }) => [sumTo(g, attrs.shape as number[])],
  },
  flip: { name: 'FlipBackward0', saves: [], backward: (g, { attrs }) => [g.flip(attrs.dims as number[])] },
  // The slice's gradient, placed back into zeros of the input's shape.
  slice: {
    name: 'SliceBackward0',
    saves: [],
    backward: (g, { attrs }) => {
      const { dim, start, step, inputShape } = attrs as {
        dim: number;
        start: number;
        step: number;
        inputShape: number[];
      };
      const len = g.shape[dim]!;
      const n = inputShape[dim]!;
      if (step === 1) {
        const pad = (size: number) => {
          const s = [...inputShape];
          s[dim] = size;
          return zerosOf(s, g);
        };
        const parts: Tensor[] = [];
        if (start > 0) parts.push(pad(start));
        parts.push(g);
        if (n - start - len > 0) parts.push(pad(n - start - len));
        return [parts.length === 1 ? g : cat(parts, dim)];
      }
      const view = g.shape.map((_, k) => (k === dim ? len : 1));
      const index = arange(start, start + len * step, step, { device: g.device })
        .reshape(view)
        .expand([...g.shape]);
      return [zerosOf(inputShape, g).scatterAdd(dim, index, g)];
    },
  },
  cat: {
    name: 'CatBackward0',
    saves: [],
    backward: (g, { attrs }) => g.split(attrs.sizes as number[], attrs.dim as number),
  },
  gather: {
    name: 'GatherBackward0',
    saves: [],
    backward: (g, { inputs, attrs }) => [
      zerosOf(asTensor(inputs[0]).shape, g).scatterAdd(attrs.dim as number, attrs.index as Tensor, g),
    ],
  },
  // Repeated indices accumulate (scatter-add), as an embedding's gradient must.
  indexSelect: {
    name: 'IndexSelectBackward0',
    saves: [],
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      if (x.ndim === 0) return [g.reshape([])];
      const dim = attrs.dim as number;
      const index = attrs.index as Tensor;
      const view = g.shape.map((_, k) => (k === dim ? index.size : 1));
      return [zerosOf(x.shape, g).scatterAdd(dim, index.reshape(view).expand([...g.shape]), g)];
    },
  },
  // inputs: [src]; src positions beyond the index's extent got no gradient.
  scatterAdd: {
    name: 'ScatterAddBackward0',
    saves: [],
    backward: (g, { inputs, attrs }) => {
      const src = asTensor(inputs[0]);
      const dim = attrs.dim as number;
      let gs = g.gather(dim, attrs.index as Tensor);
      for (let k = 0; k < src.ndim; k++) {
        const missing = src.shape[k]! - gs.shape[k]!;
        if (missing > 0) {
          const s = [...gs.shape];
          s[k] = missing;
          gs = cat([gs, zerosOf(s, g)], k);
        }
      }
      return [gs];
    },
  },
};

/** Whether t's matrices are stored column by column (t is a transposed view of row-major data). */
function columnMajor(t: Tensor): boolean {
  const n = t.ndim;
  const rows = t.shape[n - 2]!;
  const cols = t.shape[n - 1]!;
  return rows > 1 && cols > 1 && t.strides[n - 2] === 1 && t.strides[n - 1] === rows;
}

export const linalgRules: Record<string, RuleDef> = {
  // inputs are already expanded to equal batch dims: a [..., M, K], b [..., K, N]
  matmul: {
    name: ({ inputs }) => ((inputs[0] as Tensor).ndim === 2 ? 'MmBackward0' : 'BmmBackward0'),
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
