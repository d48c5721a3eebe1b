import type { Rules } from './types.js';

/** cat (tensor's ops/join.ts; stack and split are built on it). */
export const joinRules: Rules<'cat'> = {
  cat: {
    name: 'CatBackward0',
    saves: [],
    backward: (g, { attrs }) => g.split(attrs.sizes, attrs.dim),
  },
};
