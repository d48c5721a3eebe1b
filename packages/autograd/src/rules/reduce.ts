import { crossEntropyRowsBackward, layerNormBackward, type Tensor, where } from '@lumen/tensor';
import { isGradEnabled } from '../gradMode.js';
import type { RuleDef } from './types.js';
import { asTensor, unsqueezeDims, zerosOf } from './util.js';

type ReduceAttrs = { dims: number[]; keepdim: boolean; indices?: Tensor };

/** Full reductions and reductions over dims get different names in PyTorch (SumBackward0/1). */
function reduceName(full: string, partial: string) {
  return ({ inputs, attrs }: { inputs: readonly unknown[]; attrs: Readonly<Record<string, unknown>> }) => {
    const x = inputs[0] as Tensor;
    const { dims, keepdim } = attrs as ReduceAttrs;
    return dims.length === x.ndim && !keepdim ? full : partial;
  };
}

/**
 * max/min: along one dim the gradient goes to the chosen index (PyTorch's max(dim)); over several
 * or all dims it is shared evenly among ties (PyTorch's max() and amax()).
 */
function extremeRule(full: string, partial: string): RuleDef {
  return {
    name: reduceName(full, partial),
    // Along one dim only the indices (an attr) are read; over several dims, x and the output.
    saves: (_, attrs) => (attrs.indices ? [] : [0, 'output']),
    backward: (g, { inputs, output, attrs }) => {
      const x = asTensor(inputs[0]);
      const { dims, keepdim, indices } = attrs as ReduceAttrs;
      const gk = unsqueezeDims(g, dims, keepdim);
      if (indices) return [zerosOf(x.shape, g).scatterAdd(dims[0]!, indices, gk)];
      const mask = x.eq(unsqueezeDims(output, dims, keepdim));
      const count = mask.sum(dims, { keepdim: true });
      return [gk.div(count).where(mask, 0)];
    },
  };
}

export const reduceRules: Record<string, RuleDef> = {
  sum: {
    name: reduceName('SumBackward0', 'SumBackward1'),
    saves: [],
    backward: (g, { inputs, attrs }) => {
      const x = asTensor(inputs[0]);
      const { dims, keepdim } = attrs as ReduceAttrs;
      return [unsqueezeDims(g, dims, keepdim).expand([...x.shape])];
    },
  },
  // d/dx_i prod = product of the others; written so that zeros give PyTorch's answer, not NaN.
  prod: {
    name: reduceName('ProdBackward0', 'ProdBackward1'),
    saves: [0, 'output'],
    backward: (g, { inputs, output, attrs }) => {
      const x = asTensor(inputs[0]);
      const { dims, keepdim } = attrs as ReduceAttrs;
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
  // y = softmax(x): dx = y·(g − Σ g·y)
  softmax: {
    name: 'SoftmaxBackward0',
    saves: ['output'],
    backward: (g, { output, attrs }) => {
      const dim = attrs.dim as number;
      const gy = g.mul(output);
      return [gy.sub(output.mul(gy.sum(dim, { keepdim: true })))];
    },
  },
  // loss_n = −log softmax(x_n)[t_n] (0 where ignored): dx = g_n·(softmax(x_n) − onehot(t_n))
  crossEntropyRows: {
    name: 'NllLossBackward0',
    saves: [0],
    backward: (g, { inputs, attrs }) => {
      const x = inputs[0] as Tensor;
      const t = attrs.target as Tensor;
      const ignore = attrs.ignoreIndex as number;
      if (!isGradEnabled()) return [crossEntropyRowsBackward(g, x, t, attrs.stats as Tensor, ignore)];
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
  // y = layerNorm(x, w, b) = x̂·w + b with x̂ = (x − mean)·rstd over the trailing dims:
  // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·w, dw = Σ g·x̂, db = Σ g over the leading dims
  layerNorm: {
    name: 'NativeLayerNormBackward0',
    saves: (_, attrs) => (attrs.hasWeight ? [0, 1] : [0]),
    backward: (g, { inputs, attrs, needs }) => {
      const x = inputs[0] as Tensor;
      const w = typeof inputs[1] === 'number' ? null : (inputs[1] as Tensor);
      const hasBias = typeof inputs[2] !== 'number';
      const shape = attrs.normalizedShape as number[];
      const want = { dx: needs(0), dweight: w !== null && needs(1), dbias: hasBias && needs(2) };
      if (!isGradEnabled()) {
        // the fused kernel (not differentiable itself: only when no graph is built over backward)
        const r = layerNormBackward(g, x, attrs.mean as Tensor, attrs.rstd as Tensor, w, shape, want);
        return [r.dx, r.dweight, r.dbias];
      }
      const k = shape.length;
      const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
      const lead = Array.from({ length: x.ndim - k }, (_, i) => i);
      // with a graph over backward: the statistics recomputed from x, so that they are
      // differentiated too (the forward's are constants)
      const centered = x.sub(x.mean(dims, { keepdim: true }));
      const r = centered
        .square()
        .mean(dims, { keepdim: true })
        .add(attrs.eps as number)
        .rsqrt();
      const xhat = centered.mul(r);
      const gh = w ? g.mul(w) : g;
      const dx = want.dx
        ? r.mul(
            gh
              .sub(gh.mean(dims, { keepdim: true }))
              .sub(xhat.mul(gh.mul(xhat).mean(dims, { keepdim: true }))),
          )
        : null;
      const total = (t: Tensor) => (lead.length ? t.sum(lead) : t);
      return [dx, want.dweight ? total(g.mul(xhat)) : null, want.dbias ? total(g) : null];
    },
  },
  // y = logSoftmax(x): dx = g − exp(y)·Σ g
  logSoftmax: {
    name: 'LogSoftmaxBackward0',
    saves: ['output'],
    backward: (g, { output, attrs }) => {
      const dim = attrs.dim as number;
      return [g.sub(output.exp().mul(g.sum(dim, { keepdim: true })))];
    },
  },
};
