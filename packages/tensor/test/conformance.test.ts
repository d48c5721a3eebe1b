import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { Tensor } from '../src/index.ts';
import * as L from '../src/index.ts';
import { type ArrayDesc, defaultTol, describeDevices, expectTensor, fromDesc } from './helpers.ts';

/**
 * One conformance suite, every backend: each case of test/fixtures/ops.json (made by PyTorch, see
 * scripts/gen-fixtures.py) runs on cpu and on webgpu. The only webgpu gap is float64, which WGSL
 * lacks (its own test checks the error).
 */
interface Case {
  name: string;
  op: string;
  inputs: ArrayDesc[];
  args: Record<string, unknown>;
  expected: ArrayDesc | ArrayDesc[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/ops.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

describe('cpu kernels of this run', () => {
  it('are the ones LUMEN_WASM asks for (the root config runs this suite on each set)', () => {
    const want = process.env.LUMEN_WASM === 'off' ? ['typescript'] : ['simd128', 'relaxed-simd'];
    expect(want).toContain(L.cpuKernels());
    console.log(`[lumen] conformance on cpu kernels: ${L.cpuKernels()}`);
  });
});

type Args = Record<string, any>;
type OpFn = (x: Tensor[], a: Args, device: L.Device) => Tensor | Tensor[];

const red = (name: 'sum' | 'mean' | 'prod' | 'max' | 'min' | 'var' | 'std') => (x: Tensor[], a: Args) =>
  a.correction !== undefined
    ? x[0]!.var(a.dim ?? undefined, { correction: a.correction, keepdim: a.keepdim })
    : x[0]![name](a.dim ?? undefined, { keepdim: a.keepdim ?? false });

const OPS: Record<string, OpFn> = {
  powScalar: (x, a) => x[0]!.pow(a.exponent),
  addScalar: (x) => x[0]!.add(x[0]!.dtype === 'int32' ? 2 : 2.5),
  mulScalar: (x) => x[0]!.mul(-3),
  mulScalarFrac: (x) => x[0]!.mul(1.5),
  subScalarLeft: (x) => L.sub(1, x[0]!),
  divScalarLeft: (x) => L.div(2, x[0]!),
  where: (x) => L.where(x[0]!, x[1]!, x[2]!),
  whereScalar: (x, a) => L.where(x[0]!, x[1]!, a.other),
  clamp: (x, a) => x[0]!.clamp(a.min ?? null, a.max ?? null),
  leakyRelu: (x) => x[0]!.leakyRelu(0.01),
  geluTanh: (x) => x[0]!.gelu({ approximate: 'tanh' }),
  sum: red('sum'),
  mean: red('mean'),
  prod: red('prod'),
  max: red('max'),
  min: red('min'),
  var: red('var'),
  std: red('std'),
  logsumexp: (x, a) => x[0]!.logsumexp(a.dim, { keepdim: a.keepdim }),
  all: (x, a) => x[0]!.all(a.dim),
  any: (x, a) => x[0]!.any(a.dim),
  argmax: (x, a) => x[0]!.argmax(a.dim, { keepdim: a.keepdim ?? false }),
  argmin: (x, a) => x[0]!.argmin(a.dim, { keepdim: a.keepdim ?? false }),
  matmul: (x) => x[0]!.matmul(x[1]!),
  reshape: (x, a) => x[0]!.reshape(a.shape),
  permute: (x, a) => x[0]!.permute(a.dims),
  transpose: (x, a) => x[0]!.transpose(a.dim0, a.dim1),
  slice: (x, a) => x[0]!.slice(a.dim, a.start, a.end, a.step),
  select: (x, a) => x[0]!.select(a.dim, a.index),
  expand: (x, a) => x[0]!.expand(a.shape),
  flip: (x, a) => x[0]!.flip(a.dims),
  squeeze: (x, a) => x[0]!.squeeze(a.dim),
  unsqueeze: (x, a) => x[0]!.unsqueeze(a.dim),
  flatten: (x, a) => x[0]!.flatten(a.startDim),
  contiguous: (x) => x[0]!.contiguous(),
  cat: (x, a) => L.cat(x, a.dim),
  stack: (x, a) => L.stack(x, a.dim),
  split: (x, a) => x[0]!.split(a.split, a.dim),
  chunk: (x, a) => x[0]!.chunk(a.chunks, a.dim),
  gather: (x, a) => x[0]!.gather(a.dim, x[1]!),
  indexSelect: (x, a) => x[0]!.indexSelect(a.dim, x[1]!),
  scatterAdd: (x, a) => x[0]!.scatterAdd(a.dim, x[1]!, x[2]!),
  softmax: (x, a) => x[0]!.softmax(a.dim),
  sdpa: (x, a) =>
    L.scaledDotProductAttention(x[0]!, x[1]!, x[2]!, {
      attnMask: x[3] ?? null,
      isCausal: a.isCausal,
      scale: a.scale,
    }),
  tril: (x, a) => x[0]!.tril(a.diagonal),
  triu: (x, a) => x[0]!.triu(a.diagonal),
  logSoftmax: (x, a) => x[0]!.logSoftmax(a.dim),
  cast: (x, a) => x[0]!.cast(a.dtype),
  arange: (_, a, device) => L.arange(a.start, a.end, a.step, { device }),
  linspace: (_, a, device) => L.linspace(a.start, a.end, a.steps, { device, dtype: a.dtype }),
  eye: (_, a, device) => L.eye(a.n, a.m, { device }),
};

function run(c: Case, xs: Tensor[], device: L.Device): Tensor | Tensor[] {
  const fn = OPS[c.op];
  if (fn) return fn(xs, c.args, device);
  // Elementwise ops with no special arguments are Tensor methods of the same name.
  const method = (xs[0] as unknown as Record<string, (...a: unknown[]) => Tensor>)[c.op];
  if (typeof method !== 'function') throw new Error(`no runner for op ${c.op}`);
  return method.apply(xs[0], xs.slice(1));
}

function usesFloat64(c: Case): boolean {
  const exp = Array.isArray(c.expected) ? c.expected : [c.expected];
  return [...c.inputs, ...exp].some((d) => d.dtype === 'float64') || c.args.dtype === 'float64';
}

/** Reductions over many elements accumulate rounding differently than PyTorch's kernels. */
function tolFor(c: Case, device: L.Device, dtype: L.DType) {
  const t = defaultTol(dtype, device);
  if (c.name.includes('long vector')) return { rtol: 1e-4, atol: 1e-3 };
  if (['var', 'std', 'logsumexp', 'matmul', 'erf', 'gelu', 'sdpa'].some((k) => c.op.startsWith(k)))
    return { rtol: t.rtol * 10, atol: t.atol * 10 };
  return t;
}

describeDevices('conformance vs PyTorch on %s', (device) => {
  for (const c of fixture.cases) {
    if (device === 'webgpu' && usesFloat64(c)) continue;
    it(c.name, async () => {
      const xs = c.inputs.map((d) => fromDesc(d, device));
      const out = run(c, xs, device);
      if (Array.isArray(c.expected)) {
        const outs = out as Tensor[];
        if (outs.length !== c.expected.length)
          throw new Error(`expected ${c.expected.length} outputs, got ${outs.length}`);
        for (let k = 0; k < outs.length; k++) {
          await expectTensor(
            outs[k]!,
            c.expected[k]!,
            tolFor(c, device, c.expected[k]!.dtype),
            `${c.name} output ${k}`,
          );
        }
      } else {
        await expectTensor(out as Tensor, c.expected, tolFor(c, device, c.expected.dtype), c.name);
      }
    });
  }
});
