import { readFileSync } from 'node:fs';
import { isFloat, randn, type Tensor, tensor, zeros } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { Node } from '../src/engine.js';
import { noGrad } from '../src/index.js';
import { CASES } from './cases.js';
import { closeness, loadCases, toTensor } from './fixture.js';

/**
 * In-place writes (tensor's copy_ and fused optimizer steps) between a forward op and backward.
 * Whether each case is refused comes from PyTorch 1.13 (scripts/gen-fixtures.py →
 * fixtures/torch-inplace.json); the cases below are the same programs written with Lumen.
 */
const outcomes = (
  JSON.parse(readFileSync(new URL('./fixtures/torch-inplace.json', import.meta.url), 'utf8')) as {
    cases: Record<string, { error: string | null }>;
  }
).cases;

const w = (...shape: number[]) => randn(shape, { dtype: 'float64', requiresGrad: true });
const data = (...shape: number[]) => randn(shape, { dtype: 'float64' });
const zero = (t: Tensor) => noGrad(() => t.copy_(0));

const PROGRAMS: Record<string, () => void> = {
  matmul_weight_not_saved: () => {
    const [wt, x] = [w(3, 2), data(4, 3)];
    const loss = x.matmul(wt).sum();
    zero(wt);
    loss.backward();
  },
  matmul_weight_saved: () => {
    const [wt, x] = [w(3, 2), w(4, 3)];
    const loss = x.matmul(wt).sum();
    zero(wt);
    loss.backward();
  },
  add_saves_nothing: () => {
    const wt = w(3);
    const loss = wt.add(1).sum();
    zero(wt);
    loss.backward();
  },
  sum_saves_nothing: () => {
    const wt = w(3);
    const loss = wt.sum();
    zero(wt);
    loss.backward();
  },
  exp_output_modified: () => {
    const y = w(3).exp();
    y.detach().copy_(0);
    y.sum().backward();
  },
  mul_data_modified: () => {
    const [wt, x] = [w(3), data(3)];
    const y = x.mul(wt);
    x.copy_(0);
    y.sum().backward();
  },
  mul_weight_only: () => {
    const [wt, x] = [w(3), data(3)];
    const y = x.mul(wt);
    zero(wt);
    y.sum().backward();
  },
  mlp_step_before_backward: () => {
    const [x, w1, w2] = [data(5, 2), w(2, 4), w(4, 1)];
    const loss = x.matmul(w1).relu().matmul(w2).sum();
    noGrad(() => w2.copy_(w2.sub(0.1)));
    loss.backward();
  },
  mlp_step_after_backward: () => {
    const [x, w1, w2] = [data(5, 2), w(2, 4), w(4, 1)];
    for (let i = 0; i < 2; i++) {
      const loss = x.matmul(w1).relu().matmul(w2).sum();
      loss.backward();
      noGrad(() => w2.copy_(w2.sub(0.1)));
    }
  },
  retained_graph_then_step: () => {
    const [wt, x] = [w(3), w(3)];
    const loss = x.mul(wt).sum();
    loss.backward(undefined, { retainGraph: true });
    zero(wt);
    loss.backward();
  },
  copy_into_leaf_in_grad_mode: () => {
    w(3).copy_(zeros([3], { dtype: 'float64' }));
  },
  copy_into_leaf_in_no_grad: () => {
    zero(w(3));
  },
};

/** Lumen's wording for each of PyTorch's two refusals. */
const LUMEN_ERROR: Record<string, RegExp> = {
  'one of the variables needed for gradient computation has been modified by an inplace operation':
    /backward: one of the variables needed for gradient computation has been modified by an inplace operation: \[float64 \[\d+(, \d+)*\]\].* is at version 1; expected version 0 instead/,
  'a leaf Variable that requires grad is being used in an in-place operation':
    /copy_: self requires grad and grad mode is on; do in-place updates inside noGrad/,
};

describe('in-place writes are refused where PyTorch refuses them', () => {
  it('every PyTorch case has a Lumen program and vice versa', () => {
    expect(Object.keys(PROGRAMS).sort()).toEqual(Object.keys(outcomes).sort());
  });
  for (const [name, { error }] of Object.entries(outcomes)) {
    it(`${name}: ${error === null ? 'allowed' : 'refused'}`, () => {
      const run = PROGRAMS[name]!;
      if (error === null) expect(run).not.toThrow();
      else expect(run).toThrow(LUMEN_ERROR[error]!);
    });
  }

  it('names the saved tensor: the output of the op, or its input', () => {
    const y = w(2, 3).exp();
    y.detach().copy_(1);
    expect(() => y.sum().backward()).toThrow(/\[float64 \[2, 3\]\], which is output 0 of ExpBackward0,/);
    const [a, b] = [w(2, 3), w(3, 4)];
    const loss = a.matmul(b).sum();
    zero(b);
    zero(b);
    expect(() => loss.backward()).toThrow(/\[float64 \[3, 4\]\] \(input 1 of MmBackward0\) is at version 2/);
  });
});

/**
 * Each rule declares the values it reads (`saves`); the version check covers only those. If a rule
 * read something it does not declare, overwriting that value would change its gradients without an
 * error. So: overwrite every recorded tensor that no node of the graph declares, then check that the
 * gradients still equal PyTorch's.
 */
describe('rules read only what they declare as saved', () => {
  const nodesOf = (root: Tensor): Node[] => {
    const out: Node[] = [];
    const seen = new Set<Tensor>();
    const stack = [root];
    while (stack.length > 0) {
      const t = stack.pop()!;
      if (seen.has(t)) continue;
      seen.add(t);
      if (t.gradFn instanceof Node) {
        out.push(t.gradFn);
        for (const n of t.gradFn.next) if (n) stack.push(n);
      }
    }
    return out;
  };

  for (const c of loadCases()) {
    it(c.name, () => {
      const xs = c.inputs.map((f) => toTensor(f));
      const y = CASES[c.name]!(...xs);
      const weight = tensor(c.weight.data as number[], { dtype: 'float64', shape: c.weight.shape });
      const loss = y.mul(weight).sum();
      const nodes = nodesOf(loss);
      const declared = new Set(nodes.flatMap((n) => n.savedTensors()).map((t) => t.storage));
      const recorded = new Set<Tensor>(nodes.flatMap((n) => n.recordedTensors()));
      let overwritten = 0;
      for (const t of recorded) {
        if (declared.has(t.storage) || !isFloat(t.dtype)) continue;
        t.detach().copy_(0.123456789);
        overwritten++;
      }
      expect(overwritten + declared.size).toBeGreaterThan(0);
      loss.backward();
      c.grads.forEach((expected, i) => {
        if (expected === null) return;
        const worst = closeness(xs[i]!.grad!.dataSync(), expected, 1e-9, 1e-9);
        expect(worst, `grad of input ${i}`).toBeLessThanOrEqual(1);
      });
    });
  }
});
