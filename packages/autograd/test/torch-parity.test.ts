import { type Tensor, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { CASES } from './cases.js';
import { closeness, loadCases, toTensor } from './fixture.js';

const cases = loadCases();

describe('gradients match PyTorch 1.13 (float64, cpu)', () => {
  it('every fixture case has a Lumen implementation and vice versa', () => {
    expect(cases.map((c) => c.name).sort()).toEqual(Object.keys(CASES).sort());
  });

  for (const c of cases) {
    it(c.name, () => {
      const xs = c.inputs.map((f) => toTensor(f));
      const y = CASES[c.name]!(...xs);
      expect(y.shape).toEqual(c.output.shape);
      const tol = c.name === 'castRoundTrip' ? 1e-6 : 1e-9;
      expect(closeness(y.dataSync(), c.output.data as number[], tol, tol)).toBeLessThanOrEqual(1);
      const w = tensor(c.weight.data as number[], { dtype: 'float64', shape: c.weight.shape });
      y.mul(w).sum().backward();
      c.grads.forEach((expected, i) => {
        const x = xs[i] as Tensor;
        if (expected === null) {
          expect(x.grad).toBeNull();
          return;
        }
        expect(x.grad, `grad of input ${i}`).not.toBeNull();
        expect(x.grad!.shape).toEqual(x.shape);
        expect(x.grad!.dtype).toBe('float64');
        const worst = closeness(x.grad!.dataSync(), expected, tol, tol);
        expect(worst, `grad of input ${i}: ${x.grad!.dataSync()} vs ${expected}`).toBeLessThanOrEqual(1);
      });
    });
  }
});
