import type { ReduceAttrs, Tensor } from '@lumen/tensor';
import type { RuleDef, Rules } from './types.js';
import { asTensor, unsqueezeDims, zerosOf } from './util.js';

/** Full reductions and reductions over dims get different names in PyTorch (SumBackward0/1). */
function reduceName(full: string, partial: string) {
  return ({ inputs, attrs }: { inputs: readonly unknown[]; attrs: ReduceAttrs }) => {
    const x = inputs[0] as Tensor;
    const { dims, keepdim } = attrs;
    return dims.length === x.ndim && !keepdim ? full : partial;
  };
}

/**
 * max/min: along one dim the gradient goes to the chosen index (PyTorch's max(dim)); over several
 * or all dims it is shared evenly among ties (PyTorch's max() and amax()).
 */
function extremeRule(full: string, partial: string): RuleDef<'max' | 'min'> {
  return {
    name: reduceName(full, partial),
    // Along one dim only the indices (an attr) are read; over several dims, x and the output.
    saves: (_, attrs) => (attrs.indices ? [] : [0, 'output']),
    backward: (g, { inputs, output, attrs }) => {
      const x = asTensor(inputs[0]);
      const { dims, keepdim, indices } = attrs;
      const gk = unsqueezeDims(g, dims, keepdim);
      if (indices) return [zerosOf(x.shape, g).scatterAdd(dims[0]!, indices, gk)];
      const mask = x.eq(unsqueezeDims(output, dims, keepdim));
      const count = mask.sum(dims, { keepdim: true });
      return [gk.div(count).where(mask, 0)];
    },
  };
}

/** sum, prod, max, min (tensor's ops/reduce.ts). */
export const reduceRules: Rules<'sum' | 'prod' | 'max' | 'min'> = {
  sum: {
    name: reduceName('SumBackward0', 'SumBackward1'),
    saves: [],
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      const { dims, keepdim } = attrs;
      return [unsqueezeDims(g, dims, keepdim).expand([...x.shape])];
    },
  },
  // d/dx_i prod = product of the others; written so that zeros give PyTorch's answer, not NaN.
  prod: {
    name: reduceName('ProdBackward0', 'ProdBackward1'),
    saves: [0, 'output'],
    backward: (g, { inputs, output, attrs }) => {
      const x = asTensor(inputs[0]);
      const { dims, keepdim } = attrs;
      const gk = unsqueezeDims(g, dims, keepdim);
      const isZero = x.eq(0);
      const zerosInGroup = isZero.sum(dims, { keepdim: true });
      const prodNonZero = x.where(isZero.logicalNot(), 1).prod(dims, { keepdim: true });
      const noZeros = gk.mul(unsqueezeDims(output, dims, keepdim)).div(x);
      const oneZero = gk.mul(prodNonZero).where(isZero, 0);
      return [noZeros.where(zerosInGroup.eq(0), oneZero.where(zerosInGroup.eq(1), 0))];
    },
  },
  max: extremeRule('MaxBackward1', 'MaxBackward0'),
  min: extremeRule('MinBackward1', 'MinBackward0'),
};
