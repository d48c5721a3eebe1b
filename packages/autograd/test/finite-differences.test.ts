import { type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { noGrad } from '../src/index.js';
import { CASES } from './cases.js';
import { closeness, type GradCase, loadCases, toTensor } from './fixture.js';

/**
 * Every derivative rule against central differences of L(x) = sum(f(x) · w), in float64 on cpu.
 * Independent of PyTorch: the fixture only supplies the inputs and w.
 */
function numericGrad(c: GradCase, inputIndex: number, eps: number): Float64Array {
  const base = c.inputs.map((f) => toTensor(f, f.data, false));
  const w = tensor(c.weight.data as number[], { dtype: 'float64', shape: c.weight.shape });
  const data = (c.inputs[inputIndex]!.data as number[]).slice();
  const out = new Float64Array(data.length);
  const loss = (values: number[]) =>
    noGrad(() => {
      const xs = base.slice();
      xs[inputIndex] = toTensor(c.inputs[inputIndex]!, values, false);
      return CASES[c.name]!(...xs)
        .mul(w)
        .sum()
        .itemSync() as number;
    });
  for (let k = 0; k < data.length; k++) {
    const plus = data.slice();
    const minus = data.slice();
    plus[k]! += eps;
    minus[k]! -= eps;
    out[k] = (loss(plus) - loss(minus)) / (2 * eps);
  }
  return out;
}

describe('derivative rules agree with finite differences (float64, cpu)', () => {
  for (const c of loadCases()) {
    it(c.name, () => {
      const xs = c.inputs.map((f) => toTensor(f));
      const w = tensor(c.weight.data as number[], { dtype: 'float64', shape: c.weight.shape });
      CASES[c.name]!(...xs)
        .mul(w)
        .sum()
        .backward();
      // The float32 round trip needs a step that float32 resolves.
      const eps = c.name === 'castRoundTrip' ? 1e-3 : 1e-6;
      const tol = c.name === 'castRoundTrip' ? 1e-3 : 1e-6;
      xs.forEach((x: Tensor, i) => {
        if (!x.requiresGrad) return;
        const numeric = numericGrad(c, i, eps);
        expect(
          closeness(x.grad!.dataSync(), numeric, tol, tol),
          `input ${i}: ${x.grad!.dataSync()} vs ${numeric}`,
        ).toBeLessThanOrEqual(1);
      });
    });
  }
});
