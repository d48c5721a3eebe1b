import { cat } from '@lumen/tensor';
import type { Rules } from './types.js';
import { asTensor, zerosOf } from './util.js';

/** gather, indexSelect, scatterAdd (tensor's ops/indexing.ts). */
export const indexingRules: Rules<'gather' | 'indexSelect' | 'scatterAdd'> = {
  gather: {
    name: 'GatherBackward0',
    saves: [],
    backward: (g, { inputs, attrs }) => [
      zerosOf(asTensor(inputs[0]).shape, g).scatterAdd(attrs.dim, attrs.index, g),
    ],
  },
  // Repeated indices accumulate (scatter-add), as an embedding's gradient must.
  indexSelect: {
    name: 'IndexSelectBackward0',
    saves: [],
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      if (x.ndim === 0) return [g.reshape([])];
      const dim = attrs.dim;
      const index = attrs.index;
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
      const dim = attrs.dim;
      let gs = g.gather(dim, attrs.index);
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
