import type { Rules } from './types.js';

/** softmax and logSoftmax along one dim (tensor's ops/softmax.ts). */
export const softmaxRules: Rules<'softmax' | 'logSoftmax'> = {
  // y = softmax(x): dx = y·(g − Σ g·y)
  softmax: {
    name: 'SoftmaxBackward0',
    saves: ['output'],
    backward: (g, { output, attrs }) => {
      const dim = attrs.dim;
      const gy = g.mul(output);
      return [gy.sub(output.mul(gy.sum(dim, { keepdim: true })))];
    },
  },
  // y = logSoftmax(x): dx = g − exp(y)·Σ g
  logSoftmax: {
    name: 'LogSoftmaxBackward0',
    saves: ['output'],
    backward: (g, { output, attrs }) => {
      const dim = attrs.dim;
      return [g.sub(output.exp().mul(g.sum(dim, { keepdim: true })))];
    },
  },
};
