import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { RandomKind } from '../src/backend.js';
import { setCpuThreads } from '../src/backends/cpu/threads.js';
import { residentBytes } from '../src/backends/cpu/wasm/resident.js';
import {
  cpuKernels,
  forceKernels,
  type KernelMode,
  wasmMemoryBytes,
} from '../src/backends/cpu/wasm/runtime.js';
import { getBackend } from '../src/device.js';
import { requestGC } from '../src/env.js';
import * as L from '../src/index.js';

/**
 * The WebAssembly SIMD row and elementwise kernels (asm/rows.ts) against the TypeScript kernels they
 * replace (the reference, run with the WebAssembly kernels switched off) and against float64 math:
 * softmax / log-softmax rows, exp, tanh, tanh-GELU and the fused Adam/AdamW update, on random
 * shapes (odd sizes, rows shorter than a vector), masked (−∞) entries, NaN and ±∞.
 */
const WASM: KernelMode[] = ['simd128'];
forceKernels('relaxed-simd');
try {
  if (cpuKernels() === 'relaxed-simd') WASM.push('relaxed-simd');
} catch {
  // not on this host (Node 20 without the flag); the relaxed project of the root config runs gemm only
}
forceKernels(null);

afterAll(() => forceKernels(null));

function run<T>(mode: KernelMode, fn: () => T): T {
  forceKernels(mode);
  try {
    expect(cpuKernels()).toBe(mode);
    return fn();
  } finally {
    forceKernels(null);
  }
}

/**
 * Resolves once the registration counter of memory.ts has been reset. It resets on a setImmediate,
 * so a later setImmediate runs after it; a `setTimeout(0)` does not: awaited from a check-phase
 * callback it can fire first (seen in CI, where the Adam test's storages were then untracked and
 * never moved).
 */
const afterRegistrationsReset = () => new Promise<void>((resolve) => setImmediate(resolve));

function lcg(seed: number) {
  let s = seed || 1;
  return () => {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    return s / 2 ** 32;
  };
}

/** |a − b| within `ulps` float32 ulps of b (or `abs` absolutely), NaN only where b is NaN. */
function close32(a: number, b: number, ulps: number, abs = 0): boolean {
  if (Number.isNaN(b)) return Number.isNaN(a);
  if (!Number.isFinite(b)) return a === b;
  return Math.abs(a - b) <= ulps * 1.2e-7 * Math.abs(b) + abs;
}

describe.each(WASM)('WebAssembly row and elementwise kernels (%s)', (mode) => {
  it('softmax and logSoftmax rows match the TypeScript kernel (float32 and float64)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 300 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.boolean(),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (rows, cols, dtype, log, seed) => {
          const rnd = lcg(seed);
          const data = Array.from({ length: rows * cols }, () => {
            const u = rnd();
            // Masked entries (as attention uses), a few large logits, and ordinary values.
            return u < 0.05 ? Number.NEGATIVE_INFINITY : u < 0.1 ? (rnd() - 0.5) * 200 : (rnd() - 0.5) * 8;
          });
          // A fully masked row: its max is −∞, treated as 0 (PyTorch gives NaN for softmax of all −∞).
          if (rows > 2) for (let j = 0; j < cols; j++) data[cols + j] = Number.NEGATIVE_INFINITY;
          const x = L.tensor(data, { dtype }).reshape([rows, cols]);
          const f = (t: L.Tensor) => (log ? t.logSoftmax(-1) : t.softmax(-1));
          const want = run('typescript', () => f(x).dataSync());
          const got = run(mode, () => f(x).dataSync());
          for (let i = 0; i < want.length; i++) {
            // log-softmax subtracts the row's max and log-sum in float32: a few ulps of the larger of
            // those (the TypeScript kernel subtracts in float64, then rounds once).
            const row = data.slice(i - (i % cols), i - (i % cols) + cols).filter(Number.isFinite);
            const scale = Math.max(1, ...row.map(Math.abs)) + Math.log(cols);
            const ok =
              dtype === 'float64'
                ? Object.is(got[i], want[i]) ||
                  Math.abs(got[i]! - want[i]!) <= 1e-14 * (scale + Math.abs(want[i]!))
                : close32(got[i]!, want[i]!, 8, log ? 2.4e-7 * scale : 1e-8);
            if (!ok) expect.fail(`[${i}] ${got[i]} vs ${want[i]} (${rows}×${cols} ${dtype} log=${log})`);
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('softmax propagates NaN and handles +∞ as the TypeScript kernel does', () => {
    const cols = 1030; // over the size where the WebAssembly kernel takes over
    const rows = [Number.NaN, Number.POSITIVE_INFINITY, 0].map((special) =>
      Array.from({ length: cols }, (_, j) => (j === 517 ? special : Math.sin(j))),
    );
    const x = L.tensor(rows, { dtype: 'float32' });
    for (const log of [false, true]) {
      const f = (t: L.Tensor) => (log ? t.logSoftmax(-1) : t.softmax(-1));
      const want = run('typescript', () => f(x).dataSync());
      const got = run(mode, () => f(x).dataSync());
      for (let i = 0; i < want.length; i++) {
        if (!close32(got[i]!, want[i]!, 8, 2e-6)) expect.fail(`[${i}] ${got[i]} vs ${want[i]} log=${log}`);
      }
    }
  });

  it('exp, tanh, tanh-GELU, erf, GELU and its gradient are within a few float32 ulps of float64 math, specials included', () => {
    const rnd = lcg(3);
    const specials = [
      0, -0, 1e-30, -1e-30, 0.29999, 0.3, 0.30001, -0.3, 88.7, 88.73, 89, -87.3, -87.4, -103, -200,
    ];
    specials.push(
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      1e-3,
      -1e-3,
      5,
      -5,
      9,
      -9,
      20,
    );
    const n = 4099;
    const xs = Float32Array.from({ length: n }, (_, i) =>
      i < specials.length ? specials[i]! : (rnd() - 0.5) * (i % 3 === 0 ? 2 : i % 3 === 1 ? 20 : 180),
    );
    const x = L.tensor(xs);
    // float64 erf (Abramowitz–Stegun would be too coarse): the series / continued fraction
    // the TypeScript kernels use, exact to about 1e-15.
    const erf64 = (v: number) => L.tensor([v], { dtype: 'float64' }).erf().itemSync() as number;
    const geluTanh = (v: number) =>
      0.5 * v * (1 + Math.tanh(0.7978845608028654 * (v + 0.044715 * v * v * v)));
    const cases: [string, (t: L.Tensor) => L.Tensor, (v: number) => number, number, number][] = [
      ['exp', (t) => t.exp(), Math.exp, 3, 0],
      ['tanh', (t) => t.tanh(), Math.tanh, 4, 1e-12],
      // 0.5·x·(1 + tanh(u)) cancels for x < 0 in float32 (as in PyTorch): an ulp of 0.5·|x|.
      ['gelu tanh', (t) => t.gelu({ approximate: 'tanh' }), geluTanh, 6, -2.4e-7],
      // erf by a rational fit: within 8 ulps (plus the flush of tiny results).
      ['erf', (t) => t.erf(), erf64, 8, 1e-30],
      ['gelu', (t) => t.gelu(), (v) => 0.5 * v * (1 + erf64(v * Math.SQRT1_2)), 10, -2.4e-7],
    ];
    for (const [name, op, ref, ulps, absOrScale] of cases) {
      const got = run(mode, () => op(x).dataSync());
      for (let i = 0; i < n; i++) {
        const want = ref(xs[i]!);
        const abs = absOrScale < 0 ? -absOrScale * Math.abs(xs[i]!) : absOrScale;
        // Results below float32's normal range may be flushed to 0.
        const ok =
          close32(got[i]!, Math.fround(want), ulps, abs) || (Math.abs(want) < 1.2e-38 && got[i] === 0);
        if (!ok) expect.fail(`${name}(${xs[i]}) = ${got[i]}, want ${want}`);
      }
      // exp in float64 runs the standard library's exp: as exact as Math.exp.
    }
    // GELU's gradient g·(Φ(x) + x·φ(x)): the two terms nearly cancel for x < 0 (as in float32
    // PyTorch), so within 16 ulps or 3e-7·|g| of the float64 value.
    const gs = Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? 1 : (rnd() - 0.5) * 4));
    const gotGb = run(mode, () => L.geluBackward(L.tensor(gs), x).dataSync());
    for (let i = 0; i < n; i++) {
      const v = xs[i]!;
      const want =
        gs[i]! *
        (0.5 * (1 + erf64(v * Math.SQRT1_2)) + (v * Math.exp(-0.5 * v * v)) / Math.sqrt(2 * Math.PI));
      const ok =
        close32(gotGb[i]!, Math.fround(want), 16, 3e-7 * Math.abs(gs[i]!)) ||
        (Number.isNaN(want) && Number.isNaN(gotGb[i]!));
      if (!ok) expect.fail(`geluBackward(${gs[i]}, ${v}) = ${gotGb[i]}, want ${want}`);
    }
    const x64 = L.tensor(Float64Array.from(xs));
    const e64 = run(mode, () => x64.exp().dataSync());
    for (let i = 0; i < n; i++) {
      const want = Math.exp(xs[i]!);
      if (!(Object.is(e64[i], want) || Math.abs(e64[i]! - want) <= 2.3e-16 * Math.abs(want))) {
        expect.fail(`exp(${xs[i]}) f64 = ${e64[i]}, want ${want}`);
      }
    }
  });

  it('float32 comparisons (eq, ne, lt, le, gt, ge) against a tensor or a scalar give the bools of the TypeScript loop', () => {
    const rnd = lcg(23);
    const n = 4099; // a tail after the 16-wide blocks
    const pick = () => {
      const u = rnd();
      if (u < 0.05) return Number.NaN;
      if (u < 0.07) return u < 0.06 ? Number.POSITIVE_INFINITY : Number.NEGATIVE_INFINITY;
      if (u < 0.1) return u < 0.085 ? 0 : -0;
      return Math.round((rnd() - 0.5) * 8) / 4; // many exact ties
    };
    const a = L.tensor(Float32Array.from({ length: n }, pick));
    const b = L.tensor(Float32Array.from({ length: n }, pick));
    const variants = (['eq', 'ne', 'lt', 'le', 'gt', 'ge'] as const).flatMap((op) =>
      (
        [
          ['tensor', () => a[op](b)],
          ['scalar', () => a[op](0.25)],
          ['scalar first', () => L[op](0.5, a)],
          ['NaN scalar', () => a[op](Number.NaN)],
        ] as const
      ).map(([label, f]) => [`${op} (${label})`, f] as const),
    );
    // one kernel switch per side (each switch starts a fresh WebAssembly memory)
    const want = run('typescript', () => variants.map(([, f]) => f().dataSync()));
    const got = run(mode, () => variants.map(([, f]) => f().dataSync()));
    variants.forEach(([label], v) => {
      expect(got[v]).toBeInstanceOf(Uint8Array);
      for (let i = 0; i < n; i++) {
        if (got[v]![i] !== want[v]![i]) expect.fail(`${label} at ${i}: ${got[v]![i]} vs ${want[v]![i]}`);
      }
    });
    // the result checked against JavaScript's comparison directly, for one op
    const ge = run(mode, () => a.ge(b).dataSync());
    const av = a.dataSync();
    const bv = b.dataSync();
    for (let i = 0; i < n; i++) expect(ge[i]).toBe(av[i]! >= bv[i]! ? 1 : 0);
  });

  it('column sums (a bias gradient: sum over dim 0) are bit-identical to the TypeScript loop', () => {
    const rnd = lcg(11);
    // odd widths, a single column, and more rows than one staged chunk holds
    const cases = (
      [
        [1024, 1],
        [300, 17],
        [4000, 33],
        [64, 128],
        [9, 1000],
        [2, 4099],
      ] as const
    ).flatMap(([rows, cols]) =>
      (['float32', 'float64'] as const).map((dtype) => ({
        rows,
        cols,
        dtype,
        x: L.tensor(
          Array.from({ length: rows * cols }, () => (rnd() - 0.5) * (rnd() < 0.1 ? 1e6 : 1)),
          { dtype, shape: [rows, cols] },
        ),
      })),
    );
    // one kernel switch per side (each switch starts a fresh WebAssembly memory)
    const want = run('typescript', () => cases.map((c) => c.x.sum(0).dataSync()));
    const got = run(mode, () => cases.map((c) => c.x.sum(0).dataSync()));
    cases.forEach(({ rows, cols, dtype, x }, k) => {
      expect(got[k]!.length).toBe(cols);
      for (let j = 0; j < cols; j++) {
        if (!Object.is(got[k]![j], want[k]![j]))
          expect.fail(`${dtype} ${rows}x${cols} column ${j}: ${got[k]![j]} vs ${want[k]![j]}`);
      }
      // and against a float64 sum done here
      let s0 = 0;
      const xv = x.dataSync();
      for (let r = 0; r < rows; r++) s0 += xv[r * cols] as number;
      expect(got[k]![0]).toBe(dtype === 'float32' ? Math.fround(s0) : s0);
    });
  });

  it('the fused Adam/AdamW update matches the TypeScript kernel (weight decay, maximize, amsgrad)', () => {
    for (const dtype of ['float32', 'float64'] as const) {
      for (const [decoupled, maximize, amsgrad, n] of [
        [false, false, false, 1025],
        [true, false, true, 4099],
        [false, true, true, 3001],
        [true, true, false, 2048],
        [true, false, true, 40_000], // large enough to be moved into the kernels' memory
      ] as const) {
        const rnd = lcg(n);
        const mk = (scale: number, pos = false) =>
          L.tensor(
            Array.from({ length: n }, () => (pos ? rnd() * scale : (rnd() - 0.5) * scale)),
            { dtype },
          );
        const init = [mk(2), mk(1), mk(0.1), mk(0.01, true), mk(0.02, true)];
        const side = (m: KernelMode) =>
          run(m, () => {
            const [p, g, ea, es, mx] = init.map((t) => t.clone());
            for (let step = 1; step <= 3; step++) {
              L.adamStep(p!, g!, ea!, es!, {
                lr: 1e-2,
                beta1: 0.9,
                beta2: 0.999,
                eps: 1e-8,
                weightDecay: 0.01,
                decoupled,
                step,
                maximize,
                maxExpAvgSq: amsgrad ? mx! : null,
              });
            }
            return [p!, ea!, es!, mx!].map((t) => t.dataSync());
          });
        const want = side('typescript');
        const got = side(mode);
        for (let k = 0; k < want.length; k++) {
          for (let i = 0; i < n; i++) {
            const [a, b] = [got[k]![i]!, want[k]![i]!];
            // float32: computed in float32 here (as PyTorch does), in float64 then rounded by the
            // TypeScript loop: a few ulps of the value, and about 1e-6 of each step's update (lr).
            const ok =
              dtype === 'float64' ? a === b : Math.abs(a - b) <= 4e-7 * Math.abs(b) + 2e-6 * 1e-2 * 3;
            if (!ok)
              expect.fail(
                `${dtype} tensor ${k}[${i}]: ${a} vs ${b} (decoupled=${decoupled} amsgrad=${amsgrad})`,
              );
          }
        }
      }
    }
  });

  it('a large Adam update split over the worker threads gives the same bits for 1 to 3 threads', () => {
    const n = 1_100_001; // above the threading threshold: 4 MiB chunks (float32: 2, float64: 3), a ragged end
    const rnd = lcg(99);
    for (const dtype of ['float32', 'float64'] as const) {
      const mk = (scale: number, pos = false) =>
        Float32Array.from({ length: n }, () => (pos ? rnd() * scale : (rnd() - 0.5) * scale));
      const init = [mk(2), mk(1), mk(0.1), mk(0.01, true), mk(0.02, true)];
      const side = (threads: number) => {
        setCpuThreads(threads);
        try {
          const [p, g, ea, es, mx] = init.map((v) => L.tensor(v, { dtype }));
          for (let step = 1; step <= 3; step++) {
            L.adamStep(p!, g!, ea!, es!, {
              lr: 1e-2,
              beta1: 0.9,
              beta2: 0.999,
              eps: 1e-8,
              weightDecay: 0.01,
              decoupled: true,
              step,
              maximize: step === 2,
              maxExpAvgSq: mx!,
            });
          }
          const out = [p!, ea!, es!, mx!].map((t) => t.dataSync().slice());
          for (const t of [p, g, ea, es, mx]) t!.dispose();
          return out;
        } finally {
          setCpuThreads(null);
        }
      };
      // one kernel switch for all thread counts (each switch reserves a fresh shared memory)
      const [want, ...others] = run(mode, () => [1, 2, 3].map(side));
      for (const [t, got] of others.entries()) {
        for (let k = 0; k < want!.length; k++)
          for (let i = 0; i < n; i++)
            if (!Object.is(got[k]![i], want![k]![i]))
              expect.fail(`${dtype}, ${t + 2} threads: tensor ${k}[${i}] ${got[k]![i]} vs ${want![k]![i]}`);
      }
    }
  });

  it('exp, tanh, erf, GELU (both forms) and its gradient of large float32 operands split over the worker threads: the same bits for 1 to 3 threads', () => {
    const n = 2 * 1048576 + 13; // above the threading threshold: two 4 MiB chunks and a ragged end
    const rnd = lcg(7);
    const xs = Float32Array.from({ length: n }, () => (rnd() - 0.5) * 12);
    const gs = Float32Array.from({ length: n }, () => (rnd() - 0.5) * 4);
    const ops: [string, (x: L.Tensor, g: L.Tensor) => L.Tensor][] = [
      ['exp', (x) => x.exp()],
      ['tanh', (x) => x.tanh()],
      ['erf', (x) => x.erf()],
      ['gelu', (x) => x.gelu()],
      ['gelu tanh', (x) => x.gelu({ approximate: 'tanh' })],
      ['geluBackward', (x, g) => L.geluBackward(g, x)],
    ];
    const side = (threads: number) => {
      setCpuThreads(threads);
      try {
        const x = L.tensor(xs);
        const g = L.tensor(gs);
        return ops.map(([, f]) => f(x, g).dataSync().slice());
      } finally {
        setCpuThreads(null);
      }
    };
    const [want, ...others] = run(mode, () => [1, 2, 3].map(side));
    for (const [t, got] of others.entries()) {
      for (const [k, [name]] of ops.entries())
        for (let i = 0; i < n; i++)
          if (!Object.is(got[k]![i], want![k]![i]))
            expect.fail(`${name}, ${t + 2} threads: [${i}] ${got[k]![i]} vs ${want![k]![i]}`);
    }
  });

  it('softmax, log-softmax and cross-entropy rows of large blocks split over the worker threads: the same bits for 1 to 3 threads', () => {
    const rnd = lcg(11);
    // Above the threading threshold, over several 4 MiB chunks (the backward stages two blocks per
    // chunk), with ragged ends; then rows a vocabulary wide (20 per threaded chunk).
    for (const [rows, cols] of [
      [1101, 1001],
      [27, 50257],
    ] as const) {
      const xs = Float32Array.from({ length: rows * cols }, () => (rnd() - 0.5) * 16);
      const ts = Int32Array.from({ length: rows }, (_, r) => (r % 7 === 3 ? -100 : (r * 7919) % cols));
      const gs = Float32Array.from({ length: rows }, () => rnd() - 0.5);
      const stats = new Float32Array(2 * rows);
      for (let r = 0; r < rows; r++) {
        const row = xs.subarray(r * cols, (r + 1) * cols);
        let m = -Infinity;
        for (const v of row) m = Math.max(m, v);
        let s = 0;
        for (const v of row) s += Math.exp(v - m);
        stats[2 * r] = m;
        stats[2 * r + 1] = Math.log(s);
      }
      const side = (threads: number) => {
        setCpuThreads(threads);
        try {
          const x = L.tensor(xs).reshape([rows, cols]);
          const t = L.tensor(ts, { dtype: 'int32' });
          const x64 = x.double();
          return [
            x.softmax(-1),
            x.logSoftmax(-1),
            x64.softmax(-1),
            x64.logSoftmax(-1),
            L.crossEntropyRows(x, t),
            L.crossEntropyRowsBackward(L.tensor(gs), x, t, L.tensor(stats).reshape([rows, 2]), -100),
          ].map((o) => o.dataSync().slice());
        } finally {
          setCpuThreads(null);
        }
      };
      const names = [
        'softmax',
        'logSoftmax',
        'softmax f64',
        'logSoftmax f64',
        'cross-entropy',
        'its backward',
      ];
      const [want, ...others] = run(mode, () => [1, 2, 3].map(side));
      for (const [t, got] of others.entries())
        for (const [k, name] of names.entries())
          for (let i = 0; i < want![k]!.length; i++)
            if (!Object.is(got[k]![i], want![k]![i]))
              expect.fail(
                `${rows}×${cols} ${name}, ${t + 2} threads: [${i}] ${got[k]![i]} vs ${want![k]![i]}`,
              );
      // and the 1-thread results are the kernels' (not all zeros, say): rows sum to 1
      const p = want![0]!;
      for (const r of [0, rows - 1]) {
        let sum = 0;
        for (let c = 0; c < cols; c++) sum += p[r * cols + c]!;
        expect(Math.abs(sum - 1)).toBeLessThan(1e-4);
      }
    }
  });

  it("moves an optimizer's parameter and moments into the kernels' memory once, updates them in place, gives them back on dispose", async () => {
    // a turn of the event loop first: storages made while thousands of registrations wait for one
    // are untracked (memory.ts), and those are never moved (nothing would give them back)
    await afterRegistrationsReset();
    const held0 = residentBytes();
    const n = 50_000;
    const rnd = lcg(5);
    const vals = (scale: number, pos = false) =>
      Array.from({ length: n }, () => (pos ? rnd() * scale : (rnd() - 0.5) * scale));
    const init = [vals(2), vals(1), vals(0.1), vals(0.01, true)];
    const steps = (m: KernelMode) =>
      run(m, () => {
        const [p, g, ea, es] = init.map((v) => L.tensor(v));
        const before = residentBytes();
        for (let step = 1; step <= 4; step++) {
          L.adamStep(p!, g!, ea!, es!, {
            lr: 1e-2,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weightDecay: 0,
            decoupled: true,
            step,
            maximize: false,
            maxExpAvgSq: null,
          });
        }
        const moved = residentBytes() - before;
        const out = [p!, ea!, es!].map((t) => Array.from(t.dataSync()));
        for (const t of [p, g, ea, es]) t!.dispose();
        return { out, moved, after: residentBytes() - before };
      });
    const want = steps('typescript');
    const got = steps(mode);
    expect(want.moved).toBe(0);
    expect(got.moved).toBe(3 * n * 4); // parameter, exp_avg, exp_avg_sq; not the gradient
    expect(got.after).toBe(0); // given back by dispose
    for (let k = 0; k < 3; k++)
      for (let i = 0; i < n; i++) {
        const [a, b] = [got.out[k]![i]!, want.out[k]![i]!];
        if (!(Math.abs(a - b) <= 4e-7 * Math.abs(b) + 2e-6 * 1e-2 * 4))
          expect.fail(`tensor ${k}[${i}]: ${a} vs ${b}`);
      }
    expect(residentBytes()).toBe(held0);
  });

  it('gives moved arrays back when their tensors are garbage-collected (no dispose)', async () => {
    await afterRegistrationsReset();
    forceKernels(mode);
    try {
      const held0 = residentBytes();
      (() => {
        const [p, g, ea, es] = [0, 1, 2, 3].map(() => L.randn([40_000]));
        L.adamStep(p!, g!, ea!, es!, {
          lr: 1e-3,
          beta1: 0.9,
          beta2: 0.999,
          eps: 1e-8,
          weightDecay: 0,
          decoupled: true,
          step: 1,
          maximize: false,
          maxExpAvgSq: null,
        });
        expect(residentBytes() - held0).toBe(3 * 40_000 * 4);
      })();
      for (let i = 0; i < 20 && residentBytes() !== held0; i++) {
        requestGC('major');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      expect(residentBytes()).toBe(held0);
    } finally {
      forceKernels(null);
    }
  });

  it('add, sub, mul, div, reluBackward: bit-identical to the TypeScript loop (full, scalar and bias-row operands)', () => {
    const ops = ['add', 'sub', 'mul', 'div', 'reluBackward'] as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 70 }),
        fc.integer({ min: 1, max: 200 }),
        fc.constantFrom('float32' as const, 'float64' as const),
        fc.constantFrom('full', 'scalar', 'row', 'scalarFirst', 'rowFirst', 'transposed'),
        fc.constantFrom(...ops),
        fc.integer({ min: 1, max: 2 ** 30 }),
        (rows, cols, dtype, how, op, seed) => {
          const rnd = lcg(seed);
          const val = () => {
            const u = rnd();
            return u < 0.02
              ? 0
              : u < 0.03
                ? Number.NaN
                : u < 0.04
                  ? Number.POSITIVE_INFINITY
                  : (rnd() - 0.5) * 10;
          };
          const full = L.tensor(Array.from({ length: rows * cols }, val), { dtype }).reshape([rows, cols]);
          const other =
            how === 'full' || how === 'transposed'
              ? L.tensor(Array.from({ length: rows * cols }, val), { dtype }).reshape(
                  how === 'full' ? [rows, cols] : [cols, rows],
                )
              : how.startsWith('scalar')
                ? L.tensor(val(), { dtype })
                : L.tensor(Array.from({ length: cols }, val), { dtype });
          const b = how === 'transposed' ? other.T : other;
          const f = () => (how.endsWith('First') ? L[op](b, full) : L[op](full, b)).dataSync();
          const want = run('typescript', f);
          const got = run(mode, f);
          for (let i = 0; i < want.length; i++) {
            if (!Object.is(got[i], want[i])) expect.fail(`${op} ${how} [${i}]: ${got[i]} vs ${want[i]}`);
          }
        },
      ),
      { numRuns: 80 },
    );
  });

  it('relu: bit-identical to the TypeScript loop, NaN, −0 and infinities included, float32 and float64', () => {
    const rnd = lcg(12);
    const specials = [0, -0, Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, 1e-40, -1e-40];
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [1024, 1027, 5001]) {
        const xs = Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i]! : rnd() - 0.5));
        const x = L.tensor(xs, { dtype });
        const want = run('typescript', () => x.relu().dataSync());
        const got = run(mode, () => x.relu().dataSync());
        for (let i = 0; i < n; i++) {
          if (!Object.is(got[i], want[i]))
            expect.fail(`${dtype} relu(${xs[i]}) = ${got[i]}, want ${want[i]}`);
        }
        // A strided view takes the TypeScript loop: the same values.
        const t = x.reshape([n, 1]).expand([n, 2]).T;
        expect(Array.from(run(mode, () => t.relu().dataSync()).subarray(0, n))).toEqual(Array.from(want));
      }
    }
  });

  it('where(cond, a, b): bit-identical to the TypeScript loop for full and scalar operands, NaN and −0, across chunks', () => {
    const rnd = lcg(33);
    const specials = [Number.NaN, -0, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const dtype of ['float32', 'float64'] as const) {
      for (const n of [1024, 1027, 70_001]) {
        const vals = () =>
          Array.from({ length: n }, (_, i) => (i < specials.length ? specials[i]! : rnd() - 0.5));
        const c = L.tensor(Array.from({ length: n }, () => rnd() < 0.3)); // bool
        const a = L.tensor(vals(), { dtype });
        const b = L.tensor(vals(), { dtype });
        const cases: [string, () => L.Tensor][] = [
          ['full, full', () => L.where(c, a, b)],
          ['full, scalar 0', () => L.where(c, a, 0)],
          ['scalar, full', () => L.where(c, -2.5, b)],
          [
            'scalar NaN, scalar −0',
            () => L.where(c, L.tensor(Number.NaN, { dtype }), L.tensor(-0, { dtype })),
          ],
          ['a 2-d view', () => L.where(c.reshape([n, 1]), a.reshape([n, 1]), 0)],
        ];
        for (const [name, f] of cases) {
          const want = run('typescript', () => f().dataSync());
          const got = run(mode, () => f().dataSync());
          expect(got.length).toBe(n);
          for (let i = 0; i < n; i++) {
            if (!Object.is(got[i], want[i]))
              expect.fail(`${dtype} n=${n} ${name} [${i}]: ${got[i]}, want ${want[i]}`);
          }
        }
      }
    }
  });

  it('layerNorm forward and backward agree with the float64 reference (odd widths, chunks, with and without weight and bias)', () => {
    const rnd = lcg(44);
    const cpu = getBackend('cpu');
    for (const [rows, cols] of [
      [1024, 1],
      [400, 3],
      [100, 17],
      [50, 130],
      [600, 128], // several staging chunks
      [3, 2000],
    ] as const) {
      for (const affine of [false, true]) {
        const vals = (n: number, scale = 1, shift = 0) =>
          Float32Array.from({ length: n }, () => (rnd() - 0.5) * scale + shift);
        const x = L.tensor(vals(rows * cols, 4, 3)).reshape([rows, cols]);
        const g = L.tensor(vals(rows * cols)).reshape([rows, cols]);
        const w = affine ? L.tensor(vals(cols, 2, 1)) : null;
        const b = affine ? L.tensor(vals(cols)) : null;
        const X = x.dataSync();
        const G = g.dataSync();
        const Wd = w?.dataSync();
        const Bd = b?.dataSync();
        // float64 reference
        const yRef = new Float64Array(rows * cols);
        const dxRef = new Float64Array(rows * cols);
        const dwRef = new Float64Array(cols);
        const dbRef = new Float64Array(cols);
        for (let r = 0; r < rows; r++) {
          let s = 0;
          for (let j = 0; j < cols; j++) s += X[r * cols + j]!;
          const mu = s / cols;
          let q = 0;
          for (let j = 0; j < cols; j++) q += (X[r * cols + j]! - mu) ** 2;
          const rs = 1 / Math.sqrt(q / cols + 1e-5);
          let a = 0;
          let c = 0;
          for (let j = 0; j < cols; j++) {
            const xh = (X[r * cols + j]! - mu) * rs;
            yRef[r * cols + j] = xh * (Wd ? Wd[j]! : 1) + (Bd ? Bd[j]! : 0);
            const gh = G[r * cols + j]! * (Wd ? Wd[j]! : 1);
            a += gh / cols;
            c += (gh * xh) / cols;
            dwRef[j]! += G[r * cols + j]! * xh;
            dbRef[j]! += G[r * cols + j]!;
          }
          for (let j = 0; j < cols; j++) {
            const xh = (X[r * cols + j]! - mu) * rs;
            const gh = G[r * cols + j]! * (Wd ? Wd[j]! : 1);
            dxRef[r * cols + j] = rs * (gh - a - xh * c);
          }
        }
        for (const m of ['typescript', mode] as const) {
          const [y, dx, dw, db] = run(m, () => {
            const f = cpu.layerNorm!(x, rows, cols, w, b, 1e-5);
            const yt = L.tensor(
              cpu.readSync({ storage: f.y, shape: [rows * cols], strides: [1], offset: 0, dtype: 'float32' }),
            );
            const mean = L.tensor(
              cpu.readSync({ storage: f.mean, shape: [rows], strides: [1], offset: 0, dtype: 'float32' }),
            );
            const rstd = L.tensor(
              cpu.readSync({ storage: f.rstd, shape: [rows], strides: [1], offset: 0, dtype: 'float32' }),
            );
            const r = L.layerNormBackward(g, x, mean, rstd, w, [cols], {
              dx: true,
              dweight: affine,
              dbias: affine,
            });
            return [yt.dataSync(), r.dx!.dataSync(), r.dweight?.dataSync(), r.dbias?.dataSync()];
          });
          const check = (name: string, got: ArrayLike<number>, want: Float64Array, scale: number) => {
            let worst = 0;
            for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!));
            expect(worst, `${m} ${rows}x${cols} affine=${affine} ${name}`).toBeLessThan(scale);
          };
          check('y', y!, yRef, 2e-5);
          check('dx', dx!, dxRef, 5e-5 * Math.sqrt(cols));
          if (affine) {
            check('dweight', dw!, dwRef, 1e-4 * Math.sqrt(rows));
            check('dbias', db!, dbRef, 1e-4 * Math.sqrt(rows));
          }
        }
      }
    }
  });

  it('crossEntropyRows and its backward: the kernel and the TypeScript loop agree (ignored rows, chunks, odd widths)', () => {
    for (const [rows, cols] of [
      [300, 5],
      [40, 1027],
      [3, 50257],
    ] as const) {
      const x = L.randn([rows, cols]).mul(4);
      const t = L.tensor(
        Array.from({ length: rows }, (_, i) => (i % 5 === 2 ? -100 : (i * 7919) % cols)),
        { dtype: 'int32' },
      );
      const g = L.randn([rows]);
      const side = (m: KernelMode) =>
        run(m, () => {
          const loss = L.crossEntropyRows(x, t);
          // the forward's statistics, as autograd's rule gets them
          const stats = L.tensor(
            Array.from({ length: rows }, (_, r) => {
              const row = Array.from(x.dataSync().subarray(r * cols, (r + 1) * cols));
              const m = Math.max(...row);
              return [m, Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0))];
            }),
          );
          const dx = L.crossEntropyRowsBackward(g, x, t, stats, -100);
          return [loss.dataSync(), dx.dataSync()];
        });
      const [l0, d0] = side('typescript');
      const [l1, d1] = side(mode);
      for (let i = 0; i < rows; i++)
        expect(Math.abs(l1![i]! - l0![i]!)).toBeLessThan(1e-5 * (1 + Math.abs(l0![i]!)));
      let worst = 0;
      for (let i = 0; i < d0!.length; i++) worst = Math.max(worst, Math.abs(d1![i]! - d0![i]!));
      expect(worst).toBeLessThan(1e-6);
      for (let r = 0; r < rows; r++) if (r % 5 === 2) expect(l1![r]).toBe(0);
    }
  });

  it('operands larger than a staging chunk (128 KiB) give the same bits as the TypeScript loops', () => {
    const rnd = lcg(21);
    for (const dtype of ['float32', 'float64'] as const) {
      const vals = (n: number) => Array.from({ length: n }, () => (rnd() - 0.5) * 6);
      // 1-d (chunks of columns), 2-d full, bias row, scalar; rows of 7000 (one row per chunk).
      const a1 = L.tensor(vals(100_003), { dtype });
      const b1 = L.tensor(vals(100_003), { dtype });
      const a2 = L.tensor(vals(301 * 257), { dtype }).reshape([301, 257]);
      const b2 = L.tensor(vals(301 * 257), { dtype }).reshape([301, 257]);
      const row = L.tensor(vals(257), { dtype });
      const wide = L.tensor(vals(5 * 7000), { dtype }).reshape([5, 7000]);
      const cases: [string, () => L.Tensor][] = [
        ['add 1-d', () => a1.add(b1)],
        ['mul 2-d', () => a2.mul(b2)],
        ['sub bias row', () => a2.sub(row)],
        ['div row first', () => L.div(row, a2)],
        ['reluBackward scalar', () => L.reluBackward(a2, 0.5)],
        ['add wide rows', () => wide.add(wide)],
        ['exp', () => a1.exp()],
        ['relu', () => a2.relu()],
        ['softmax', () => a2.softmax(-1)],
        ['logSoftmax wide rows', () => wide.logSoftmax(-1)],
      ];
      for (const [name, f] of cases) {
        const want = run('typescript', () => f().dataSync());
        const got = run(mode, () => f().dataSync());
        let bad = -1;
        for (let i = 0; i < want.length && bad < 0; i++) {
          const ok =
            name.includes('oftmax') || name === 'exp'
              ? dtype === 'float64'
                ? Math.abs(got[i]! - want[i]!) <= 1e-15 * (1 + Math.abs(want[i]!))
                : close32(got[i]!, want[i]!, 8, 2e-6)
              : Object.is(got[i], want[i]);
          if (!ok) bad = i;
        }
        if (bad >= 0) expect.fail(`${dtype} ${name} [${bad}]: ${got[bad]} vs ${want[bad]}`);
        // and the same bits as one whole-array kernel call would give: elementwise, so the
        // chunked result equals the TypeScript loop exactly (checked above) for the exact ops.
      }
      // The fused Adam update over 70,001 elements, chunked, against the unchunked TypeScript kernel.
      const n = 70_001;
      const init = [vals(n), vals(n), vals(n), vals(n).map(Math.abs)].map((v) => L.tensor(v, { dtype }));
      const side = (m: KernelMode) =>
        run(m, () => {
          const [p, g, ea, es] = init.map((t) => t.clone());
          L.adamStep(p!, g!, ea!, es!, {
            lr: 1e-2,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weightDecay: 0,
            decoupled: true,
            step: 1,
            maximize: false,
            maxExpAvgSq: null,
          });
          return [p!, ea!, es!].map((t) => t.dataSync());
        });
      const want = side('typescript');
      const got = side(mode);
      for (let k = 0; k < 3; k++) {
        for (let i = 0; i < n; i++) {
          const [x, y] = [got[k]![i]!, want[k]![i]!];
          const ok = dtype === 'float64' ? x === y : Math.abs(x - y) <= 4e-7 * Math.abs(y) + 1e-7;
          if (!ok) expect.fail(`${dtype} adam tensor ${k}[${i}]: ${x} vs ${y}`);
        }
      }
    }
  });

  it('small operands stay on the TypeScript kernels (no copy for a handful of elements)', () => {
    const x = L.tensor([0.5, -1, 2]);
    const got = run(mode, () => x.exp().dataSync());
    expect(Array.from(got)).toEqual(Array.from(Float32Array.from([0.5, -1, 2].map(Math.exp))));
  });
});

describe('WebAssembly kernel memory over a training loop', () => {
  it('stays at its high-water mark for 10,000 steps of matmul, softmax, elementwise ops and Adam', () => {
    forceKernels('simd128');
    try {
      L.setNumThreads(1);
      L.manualSeed(1);
      const x = L.randn([32, 48]);
      const w = L.randn([48, 64]);
      const expAvg = L.zerosLike(w);
      const expAvgSq = L.zerosLike(w);
      const step = (i: number) =>
        L.tidy(() => {
          const logits = x.matmul(w).mul(0.1);
          const p = logits.softmax(-1);
          const g = x.T.matmul(p.sub(0.5).exp()).div(32);
          L.adamStep(w, g, expAvg, expAvgSq, {
            lr: 1e-3,
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weightDecay: 0.01,
            decoupled: true,
            step: i + 1,
          });
        });
      step(0);
      const high = wasmMemoryBytes();
      expect(high).toBeGreaterThan(0);
      for (let i = 1; i < 10_000; i++) step(i);
      expect(wasmMemoryBytes()).toBe(high);
      expect(Number.isFinite(w.sum().itemSync())).toBe(true);
    } finally {
      setCpuThreads(null);
      forceKernels(null);
    }
  });
});

describe('random draws (Philox4x32-10) from the WebAssembly kernel', () => {
  it('are bit-identical to the TypeScript generator: every kind and dtype, chunk edges, counter carry past 2^32', () => {
    const cpu = getBackend('cpu');
    const read = (s: ReturnType<typeof cpu.random>, n: number) =>
      Array.from(cpu.readSync({ storage: s, shape: [n], strides: [1], offset: 0, dtype: s.dtype }));
    const cases: [RandomKind, L.DType, number, number][] = [
      ['uniform', 'float32', -1, 3],
      ['uniform', 'float64', 0, 1],
      ['normal', 'float32', 0.5, 2],
      ['normal', 'float64', 0, 1],
      ['randint', 'int32', -5, 7],
      ['randint', 'int32', 0, 4294967295],
    ];
    for (const mode of WASM) {
      for (const [kind, dtype, a, b] of cases) {
        for (const [size, counter] of [
          [1024, 0],
          [65536 + 1000, 12345],
          [3000, 4294967296 - 1500], // the low word wraps inside the draw
          [3001, 4294967296 - 1502], // … between two lanes of a four-counter vector, and an odd tail
          [2048, 7 * 4294967296 + 99],
        ] as const) {
          const p = { k0: 0x9e3779b9, k1: 0x12345678 + size, counter, a, b };
          const ts = run('typescript', () => read(cpu.random(kind, size, dtype, p), size));
          const wasm = run(mode, () => read(cpu.random(kind, size, dtype, p), size));
          expect(wasm, `${mode} ${kind} ${dtype} size ${size} counter ${counter}`).toEqual(ts);
        }
      }
    }
  });

  it('large float32 uniform draws split over the worker threads give the same bits for 1 to 3 threads', () => {
    const cpu = getBackend('cpu');
    const size = 2 * 1048576 + 4001; // several 4 MiB chunks of counters and a ragged end
    const p = { k0: 0x2545f491, k1: 0x9e3779b9, counter: 4294967296 - 70000, a: -2, b: 5 }; // a carry inside
    const draw = (threads: number) => {
      setCpuThreads(threads);
      try {
        const s = cpu.random('uniform', size, 'float32', p);
        return cpu.readSync({ storage: s, shape: [size], strides: [1], offset: 0, dtype: 'float32' }).slice();
      } finally {
        setCpuThreads(null);
      }
    };
    const want = run('typescript', () => draw(1));
    for (const mode of WASM) {
      // one kernel switch for all thread counts (each switch reserves a fresh shared memory)
      const all = run(mode, () => [1, 2, 3].map(draw));
      for (const [t, got] of all.entries()) {
        for (let i = 0; i < size; i++) {
          if (!Object.is(got[i], want[i]))
            expect.fail(`${mode}, ${t + 1} threads: [${i}] ${got[i]} vs ${want[i]}`);
        }
      }
    }
  });
});
