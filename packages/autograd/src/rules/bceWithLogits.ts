import { bceWithLogitsBackward } from '@lumen/tensor';
import { isGradEnabled } from '../gradMode.js';
import type { Rules } from './types.js';
import { asTensor } from './util.js';

/** The elementwise binary cross-entropy of logits (tensor's ops/bceWithLogits.ts). */
export const bceWithLogitsRules: Rules<'bceWithLogits'> = {
  // loss = (1 − y)·x + softplus(−x): dx = g·(sigmoid(x) − y), dy = −g·x
  bceWithLogits: {
    name: 'BinaryCrossEntropyWithLogitsBackward0',
    saves: [0, 1],
    backward: (g, { inputs, needs }) => {
      const x = asTensor(inputs[0]);
      const y = asTensor(inputs[1]);
      if (!isGradEnabled()) {
        const { dx, dtarget } = bceWithLogitsBackward(g, x, y, needs(1));
        return [needs(0) ? dx : null, dtarget];
      }
      // with a graph over backward: differentiable ops, for second derivatives
      return [needs(0) ? x.sigmoid().sub(y).mul(g) : null, needs(1) ? x.neg().mul(g) : null];
    },
  },
};
