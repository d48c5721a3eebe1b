import { arange, cat, type Tensor } from '@lumen/tensor';
import type { Rules } from './types.js';
import { sumTo, zerosOf } from './util.js';

/** Views and copies (tensor's ops/movement.ts, and Tensor.clone). */
export const movementRules: Rules<'contiguous' | 'reshape' | 'permute' | 'expand' | 'slice' | 'flip'> = {
  contiguous: { name: 'CloneBackward0', saves: [], backward: (g) => [g] },
  reshape: {
    name: 'ViewBackward0',
    saves: [],
    backward: (g, { attrs }) => [g.reshape([...attrs.shape])],
  },
  permute: {
    name: 'PermuteBackward0',
    saves: [],
    backward: (g, { attrs }) => {
      const dims = attrs.dims;
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
    backward: (g, { attrs }) => [sumTo(g, attrs.shape)],
  },
  flip: { name: 'FlipBackward0', saves: [], backward: (g, { attrs }) => [g.flip(attrs.dims)] },
  // The slice's gradient, placed back into zeros of the input's shape.
  slice: {
    name: 'SliceBackward0',
    saves: [],
    backward: (g, { attrs }) => {
      const { dim, start, step, inputShape } = attrs;
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
};
