import type { Rules } from './types.js';

/** Tensor.to / toAsync (tensor.ts): the gradient goes back to the device the input was on. */
export const deviceRules: Rules<'to'> = {
  to: {
    name: 'ToCopyBackward0',
    saves: [],
    backward: (g, { attrs }) => [g.to(attrs.device)],
    // x.to('webgpu') from a cpu x: its gradient comes back from the GPU, which only an await can do
    async: {
      needed: ({ output, attrs }) => output.device !== 'cpu' && attrs.device === 'cpu',
      backward: async (g, { attrs }) => [await g.toAsync(attrs.device)],
    },
  },
};
