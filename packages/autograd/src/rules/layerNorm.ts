import { layerNormBackward, type Tensor } from '@lumen/tensor';
import { isGradEnabled } from '../gradMode.js';
import type { Rules } from './types.js';
import { asTensor } from './util.js';

/** The fused layer norm (tensor's ops/layerNorm.ts). */
export const layerNormRules: Rules<'layerNorm'> = {
  // y = layerNorm(x, w, b) = x̂·w + b with x̂ = (x − mean)·rstd over the trailing dims:
  // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·w, dw = Σ g·x̂, db = Σ g over the leading dims
  layerNorm: {
    name: 'NativeLayerNormBackward0',
    saves: (_, attrs) => (attrs.hasWeight ? [0, 1] : [0]),
    backward: (g, { inputs, attrs, needs }) => {
      const x = asTensor(inputs[0]);
      const w = typeof inputs[1] === 'number' ? null : asTensor(inputs[1]);
      const hasBias = typeof inputs[2] !== 'number';
      const shape = attrs.normalizedShape;
      const want = { dx: needs(0), dweight: w !== null && needs(1), dbias: hasBias && needs(2) };
      if (!isGradEnabled()) {
        // the fused kernel (not differentiable itself: only when no graph is built over backward)
        const r = layerNormBackward(g, x, attrs.mean, attrs.rstd, w, shape, want);
        return [r.dx, r.dweight, r.dbias];
      }
      const k = shape.length;
      const dims = Array.from({ length: k }, (_, i) => x.ndim - k + i);
      const lead = Array.from({ length: x.ndim - k }, (_, i) => i);
      // with a graph over backward: the statistics recomputed from x, so that they are
      // differentiated too (the forward's are constants)
      const centered = x.sub(x.mean(dims, { keepdim: true }));
      const r = centered.square().mean(dims, { keepdim: true }).add(attrs.eps).rsqrt();
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
};
