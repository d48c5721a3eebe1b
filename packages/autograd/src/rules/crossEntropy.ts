import { crossEntropyRowsBackward, where } from '@lumen/tensor';
import { isGradEnabled } from '../gradMode.js';
import type { Rules } from './types.js';
import { asTensor, zerosOf } from './util.js';

/** Cross-entropy over rows of logits with class-index targets (tensor's ops/crossEntropy.ts). */
export const crossEntropyRules: Rules<'crossEntropyRows'> = {
  // loss_n = −log softmax(x_n)[t_n] (0 where ignored): dx = g_n·(softmax(x_n) − onehot(t_n))
  crossEntropyRows: {
    name: 'NllLossBackward0',
    saves: [0],
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      const t = attrs.target;
      const ignore = attrs.ignoreIndex;
      if (!isGradEnabled()) return [crossEntropyRowsBackward(g, x, t, attrs.stats, ignore)];
      // with a graph over backward: differentiable ops (softmax of x), for second derivatives
      const valid = t.ne(ignore);
      const safe = where(valid, t, 0).unsqueeze(1);
      const onehot = zerosOf(x.shape, x).scatterAdd(1, safe, where(valid, 1, 0).cast(x.dtype).unsqueeze(1));
      return [
        x
          .softmax(1)
          .mul(where(valid, 1, 0).cast(x.dtype).unsqueeze(1))
          .sub(onehot)
          .mul(g.unsqueeze(1)),
      ];
    },
  },
};
