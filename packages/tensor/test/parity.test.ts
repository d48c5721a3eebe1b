import fc from 'fast-check';
import { describe, it } from 'vitest';
import { currentWebGPUBackend } from '../src/backends/webgpu/init.ts';
import { kernelPolicy } from '../src/backends/webgpu/policy.ts';
import type { Tensor } from '../src/index.ts';
import * as L from '../src/index.ts';
import { BINARY_OPS, UNARY_OPS } from '../src/ops/opTable.ts';
import { expectClose, hasWebGPU } from './helpers.ts';

/**
 * Property-based parity: every WGSL kernel against its CPU reference on random shapes, including
 * 0-size dims, size-1 broadcasting, non-contiguous views (permuted, stepped slices, expanded) and
 * sizes that are not multiples of the workgroup size.
 */

const RUNS = Number(process.env.LUMEN_PARITY_RUNS ?? 20);
const dim = fc.oneof(
  { weight: 6, arbitrary: fc.integer({ min: 1, max: 6 }) },
  { weight: 1, arbitrary: fc.constant(0) },
  { weight: 1, arbitrary: fc.integer({ min: 250, max: 300 }) },
);
const shapeArb = (maxRank = 4) =>
  fc.array(dim, { minLength: 0, maxLength: maxRank }).filter((s) => s.reduce((a, b) => a * b, 1) <= 5000);

/** How an input is laid out: contiguous, permuted, or a stepped slice of a larger tensor. */
type Layout = { kind: 'contig' } | { kind: 'permute'; perm: number[] } | { kind: 'step' };
const layoutFor = (rank: number) =>
  fc.oneof(
    fc.constant<Layout>({ kind: 'contig' }),
    fc
      .shuffledSubarray(
        Array.from({ length: rank }, (_, i) => i),
        { minLength: rank, maxLength: rank },
      )
      .map((perm): Layout => ({ kind: 'permute', perm })),
    fc.constant<Layout>({ kind: 'step' }),
  );

interface Input {
  shape: number[];
  layout: Layout;
  seed: number;
}

function values(n: number, seed: number, lo = -3, hi = 3): Float32Array {
  const g = new L.Generator(seed);
  return Float32Array.from({ length: n }, () => lo + (hi - lo) * g.random());
}

/** Builds the same logical tensor (same values, same layout) on a device. */
function build(inp: Input, device: L.Device, dtype: L.DType = 'float32', lo = -3, hi = 3): Tensor {
  const { shape, layout } = inp;
  const rank = shape.length;
  const n = shape.reduce((a, b) => a * b, 1);
  const cast = (t: Tensor) =>
    dtype === 'float32' ? t : dtype === 'bool' ? t.gt(0) : t.mul(2).floor().cast(dtype);
  if (layout.kind === 'permute' && rank > 0) {
    // Stored in permuted order, viewed back as `shape`: strides are not row-major.
    const inv = layout.perm.map((_, i) => layout.perm.indexOf(i));
    const stored = layout.perm.map((p) => shape[p]!);
    return cast(L.tensor(values(n, inp.seed, lo, hi), { shape: stored, device })).permute(inv);
  }
  if (layout.kind === 'step' && rank > 0) {
    const big = [...shape.slice(0, -1), shape[rank - 1]! * 2];
    return cast(L.tensor(values(n * 2, inp.seed, lo, hi), { shape: big, device })).slice(-1, 0, null, 2);
  }
  return cast(L.tensor(values(n, inp.seed, lo, hi), { shape, device }));
}

const inputArb = (shape: fc.Arbitrary<number[]>) =>
  shape.chain((s) =>
    fc.record({
      shape: fc.constant(s),
      layout: layoutFor(s.length),
      seed: fc.integer({ min: 0, max: 1 << 30 }),
    }),
  );

/** A shape broadcastable to `s`: some dims set to 1, some leading dims dropped. */
const broadcastPartner = (s: number[]) =>
  fc
    .tuple(
      fc.array(fc.boolean(), { minLength: s.length, maxLength: s.length }),
      fc.integer({ min: 0, max: s.length }),
    )
    .map(([ones, drop]) => s.map((d, i) => (ones[i] ? 1 : d)).slice(drop));

async function compare(cpu: Tensor, gpu: Tensor, rtol = 1e-4, atol = 1e-5, label = ''): Promise<void> {
  if (cpu.shape.join() !== gpu.shape.join()) throw new Error(`${label}: shape ${cpu.shape} vs ${gpu.shape}`);
  if (cpu.dtype !== gpu.dtype) throw new Error(`${label}: dtype ${cpu.dtype} vs ${gpu.dtype}`);
  expectClose(Array.from(await gpu.data()), Array.from(cpu.dataSync()), { rtol, atol }, label);
}

const UNARY_DOMAIN: Partial<Record<string, [number, number]>> = {
  log: [0.05, 4],
  log1p: [-0.9, 4],
  log2: [0.05, 4],
  sqrt: [0, 4],
  rsqrt: [0.05, 4],
  reciprocal: [0.2, 4],
  tan: [-1.2, 1.2],
};

/** Runs fn with the backend's GPU kernels (tiled, tree reductions) or its CPU-emulation variants. */
async function withKernels(emulated: boolean, fn: () => Promise<void>): Promise<void> {
  const rt = currentWebGPUBackend()!.rt;
  const saved = rt.policy;
  rt.policy = kernelPolicy(emulated ? 'emulated' : 'gpu');
  try {
    await fn();
  } finally {
    rt.policy = saved;
  }
}
const VARIANTS = [
  ['GPU kernels', false],
  ['CPU-emulation kernels', true],
] as const;

const LIMIT = process.env.LUMEN_WEBGPU_MAX_BINDING;
const SUITE = `webgpu parity with the cpu reference (fast-check)${LIMIT ? `, bindings of at most ${LIMIT} bytes` : ''}`;

describe.skipIf(!hasWebGPU)(SUITE, () => {
  const unaryNames = Object.keys(UNARY_OPS).filter(
    (k) => !['clamp', 'leakyRelu', 'identity', 'toBool'].includes(k),
  );
  it('unary ops on random shapes and layouts', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...unaryNames), inputArb(shapeArb()), async (op, inp) => {
        const [lo, hi] = UNARY_DOMAIN[op] ?? [-3, 3];
        const run = (d: L.Device) => {
          const x = build(inp, d, 'float32', lo, hi);
          return op === 'geluTanh'
            ? x.gelu({ approximate: 'tanh' })
            : (x as unknown as Record<string, () => Tensor>)[op]!();
        };
        await compare(run('cpu'), run('webgpu'), 2e-4, 2e-5, op);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('binary ops with broadcasting, scalars and mixed dtypes', async () => {
    const ops = Object.keys(BINARY_OPS) as (keyof typeof BINARY_OPS)[];
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ops),
        shapeArb().chain((s) =>
          fc.tuple(inputArb(fc.constant(s)), inputArb(broadcastPartner(s)), fc.boolean()),
        ),
        fc.constantFrom<L.DType>('float32', 'int32', 'bool'),
        fc.oneof(fc.constant(null), fc.constantFrom(2, -1.5, 0.5)),
        async (op, [ia, ib, swap], dtype, scalar) => {
          if (op === 'sub' && dtype === 'bool') return;
          const run = (d: L.Device) => {
            const a = build(ia, d, dtype);
            let b: Tensor | number = scalar ?? build(ib, d, dtype === 'bool' ? 'bool' : 'float32');
            if ((op === 'div' || op === 'remainder') && typeof b !== 'number' && b.dtype !== 'bool')
              b = b.abs().add(0.5);
            if (op === 'pow') return L.pow(a.dtype === 'bool' ? a : a.abs().add(0.1), b);
            return swap && typeof b !== 'number' ? L[op](b, a) : L[op](a, b);
          };
          await compare(run('cpu'), run('webgpu'), 2e-4, 2e-5, `${op} ${dtype}`);
        },
      ),
      { numRuns: RUNS * 3 },
    );
  });

  it('where, clamp and casts', async () => {
    await fc.assert(
      fc.asyncProperty(
        shapeArb().chain((s) =>
          fc.tuple(inputArb(fc.constant(s)), inputArb(broadcastPartner(s)), inputArb(broadcastPartner(s))),
        ),
        async ([ic, ia, ib]) => {
          const run = (d: L.Device) => {
            const c = build(ic, d).gt(0);
            const a = build(ia, d);
            return [
              L.where(c, a, build(ib, d)),
              a.clamp(-1, 0.5),
              a.int(),
              a.bool(),
              c.float(),
              a.cast('int32').cast('float32'),
            ];
          };
          const cpu = run('cpu');
          const gpu = run('webgpu');
          for (let k = 0; k < cpu.length; k++) await compare(cpu[k]!, gpu[k]!, 1e-6, 1e-6, `case ${k}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it.each(VARIANTS)('reductions over random dims (%s)', async (_, emulated) =>
    withKernels(emulated, async () => {
      const ops = [
        'sum',
        'mean',
        'max',
        'min',
        'prod',
        'argmax',
        'argmin',
        'var',
        'logsumexp',
        'all',
        'any',
      ] as const;
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ops),
          inputArb(shapeArb().filter((s) => s.length > 0)),
          fc.boolean(),
          fc.nat(),
          async (op, inp, keepdim, pick) => {
            const rank = inp.shape.length;
            const dim = pick % rank;
            const all =
              pick % 3 === 0 &&
              op !== 'argmax' &&
              op !== 'argmin' &&
              op !== 'logsumexp' &&
              op !== 'all' &&
              op !== 'any';
            const empty = all ? inp.shape.includes(0) : inp.shape[dim] === 0;
            if (empty && !['sum', 'prod', 'mean', 'all', 'any'].includes(op)) return;
            const run = (d: L.Device) => {
              const x = build(inp, d, 'float32', op === 'prod' ? 0.5 : -3, op === 'prod' ? 1.5 : 3);
              if (op === 'all' || op === 'any') return x.gt(0)[op](dim, { keepdim });
              if (op === 'logsumexp') return x.logsumexp(dim, { keepdim });
              if (op === 'argmax' || op === 'argmin') return x[op](dim, { keepdim });
              return x[op](all ? undefined : dim, { keepdim });
            };
            await compare(run('cpu'), run('webgpu'), 1e-4, 1e-4, op);
          },
        ),
        { numRuns: RUNS * 2 },
      );
    }),
  );

  it.each(VARIANTS)('long reductions take the two-pass path (%s)', async (_, emulated) =>
    withKernels(emulated, async () => {
      for (const n of [32768, 70001, 300000]) {
        const inp: Input = { shape: [n], layout: { kind: 'contig' }, seed: n };
        for (const op of ['sum', 'max', 'min'] as const) {
          await compare(
            build(inp, 'cpu')[op](),
            build(inp, 'webgpu')[op](),
            1e-4,
            op === 'sum' ? 2e-2 : 0,
            `${op} ${n}`,
          );
        }
      }
    }),
  );

  it.each(VARIANTS)(
    'matmul with %s: odd sizes, batches, broadcasting, transposed operands',
    async (_, emulated) => withKernels(emulated, matmulProperty),
  );

  async function matmulProperty(): Promise<void> {
    const size = fc.oneof(fc.integer({ min: 0, max: 9 }), fc.integer({ min: 60, max: 70 }));
    await fc.assert(
      fc.asyncProperty(
        size,
        size,
        size,
        fc.array(fc.integer({ min: 1, max: 3 }), { maxLength: 2 }),
        fc.boolean(),
        fc.boolean(),
        fc.boolean(),
        fc.integer({ min: 0, max: 1 << 30 }),
        async (M, K, N, batch, ta, tb, bcast, seed) => {
          const run = (d: L.Device) => {
            const a = ta
              ? build({ shape: [...batch, K, M], layout: { kind: 'contig' }, seed }, d).mT
              : build({ shape: [...batch, M, K], layout: { kind: 'contig' }, seed }, d);
            const bShape = bcast ? [K, N] : [...batch, K, N];
            const b = tb
              ? build(
                  { shape: [...bShape.slice(0, -2), N, K], layout: { kind: 'contig' }, seed: seed + 1 },
                  d,
                ).mT
              : build({ shape: bShape, layout: { kind: 'contig' }, seed: seed + 1 }, d);
            return a.matmul(b);
          };
          await compare(run('cpu'), run('webgpu'), 1e-4, 1e-4, `matmul ${M}x${K}x${N}`);
        },
      ),
      { numRuns: RUNS * 2 },
    );
  }

  it.each(VARIANTS)('softmax and logSoftmax along any dim (%s)', async (_, emulated) =>
    withKernels(emulated, async () => {
      await fc.assert(
        fc.asyncProperty(
          inputArb(shapeArb().filter((s) => s.length > 0)),
          fc.nat(),
          fc.boolean(),
          async (inp, pick, log) => {
            const dim = pick % inp.shape.length;
            const run = (d: L.Device) =>
              log
                ? build(inp, d, 'float32', -8, 8).logSoftmax(dim)
                : build(inp, d, 'float32', -8, 8).softmax(dim);
            await compare(run('cpu'), run('webgpu'), 1e-4, 1e-5, log ? 'logSoftmax' : 'softmax');
          },
        ),
        { numRuns: RUNS },
      );
    }),
  );

  it('gather, indexSelect, scatterAdd and cat', async () => {
    await fc.assert(
      fc.asyncProperty(
        inputArb(shapeArb(3).filter((s) => s.length > 0 && s.every((d) => d > 0))),
        fc.nat(),
        fc.integer({ min: 0, max: 1 << 30 }),
        async (inp, pick, seed) => {
          const dim = pick % inp.shape.length;
          const size = inp.shape[dim]!;
          const g = new L.Generator(seed);
          const idxShape = inp.shape.map((s, d) => (d === dim ? g.randint(0, 5) : g.randint(1, s + 1)));
          const n = idxShape.reduce((a, b) => a * b, 1);
          const idx = Int32Array.from({ length: n }, () => g.randint(0, size));
          const sel = Int32Array.from({ length: g.randint(0, 6) }, () => g.randint(0, size));
          const run = (d: L.Device) => {
            const x = build(inp, d);
            const index = L.tensor(idx, { shape: idxShape, device: d });
            const src = build({ shape: idxShape, layout: { kind: 'contig' }, seed: seed + 7 }, d);
            return [
              x.gather(dim, index),
              x.indexSelect(dim, L.tensor(sel, { device: d })),
              x.scatterAdd(dim, index, src),
              L.cat([x, x.mul(2)], dim),
              L.stack([x, x], dim),
            ];
          };
          const cpu = run('cpu');
          const gpu = run('webgpu');
          for (let k = 0; k < cpu.length; k++) await compare(cpu[k]!, gpu[k]!, 1e-5, 1e-5, `op ${k}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('fused attention (webgpu) matches the composite (cpu): masks, causal, L != S, broadcast batches', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 20 }),
        fc.constantFrom('none', 'bool', 'float', 'causal', 'huge'),
        fc.boolean(),
        fc.integer({ min: 0, max: 1 << 30 }),
        async (L_, S, E, Ev, maskKind, shareKv, seed) => {
          const Sx = maskKind === 'causal' ? Math.max(S, L_) : S;
          const run = (d: L.Device) => {
            const q = build({ shape: [2, 3, L_, E], layout: { kind: 'contig' }, seed }, d);
            const kvBatch = shareKv ? [2, 1] : [2, 3];
            const k = build({ shape: [...kvBatch, Sx, E], layout: { kind: 'contig' }, seed: seed + 1 }, d);
            const v = build({ shape: [...kvBatch, Sx, Ev], layout: { kind: 'contig' }, seed: seed + 2 }, d);
            let attnMask: Tensor | null = null;
            if (maskKind === 'bool') {
              // Column 0 always allowed, so no row is fully masked.
              attnMask = build({ shape: [L_, Sx], layout: { kind: 'contig' }, seed: seed + 3 }, d)
                .gt(-1)
                .logicalOr(L.arange(Sx, undefined, 1, { device: d }).eq(0));
            } else if (maskKind === 'float') {
              attnMask = build({ shape: [3, 1, Sx], layout: { kind: 'contig' }, seed: seed + 3 }, d);
            } else if (maskKind === 'huge') {
              // transformers' additive masks: float32's lowest finite value, whole rows of it
              // included (a left-padded query), plus -inf where two such masks add up.
              const lowest = -3.4028234663852886e38;
              const r = build({ shape: [L_, Sx], layout: { kind: 'contig' }, seed: seed + 3 }, d);
              attnMask = L.where(r.gt(0.3), lowest, 0)
                .add(L.where(r.gt(0.8), lowest, 0))
                .add(L.where(L.arange(L_, undefined, 1, { device: d }).reshape([L_, 1]).eq(0), lowest, 0));
            }
            return L.scaledDotProductAttention(q, k, v, { attnMask, isCausal: maskKind === 'causal' });
          };
          await compare(run('cpu'), run('webgpu'), 1e-4, 1e-5, `attention ${maskKind}`);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('random streams are identical on both devices for the same seed', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 2 ** 31 }), shapeArb(3), async (seed, shape) => {
        const run = (d: L.Device) => {
          L.manualSeed(seed);
          return [
            L.rand(shape, { device: d }),
            L.randn(shape, { device: d }),
            L.randint(-5, 17, shape, { device: d }),
            L.uniform(shape, -2, 3, { device: d }),
            L.rand(shape, { device: d }),
          ];
        };
        const cpu = run('cpu');
        const gpu = run('webgpu');
        await compare(cpu[0]!, gpu[0]!, 0, 0, 'rand (bitwise)');
        await compare(cpu[1]!, gpu[1]!, 2e-5, 2e-5, 'randn');
        await compare(cpu[2]!, gpu[2]!, 0, 0, 'randint (bitwise)');
        await compare(cpu[3]!, gpu[3]!, 1e-6, 1e-6, 'uniform');
        await compare(cpu[4]!, gpu[4]!, 0, 0, 'second rand draws the next counters');
      }),
      { numRuns: RUNS },
    );
  });
});
