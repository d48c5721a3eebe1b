import { describe, expect, it } from 'vitest';
import { choleskyQr2, householderTallQr, tallQr } from '../src/linalg/lstsq.js';
import { matmul, matmulABt, matmulAtB } from '../src/linalg/products.js';

/** Deterministic pseudo-random values in [-1, 1). */
function values(n: number, seed: number): Float64Array {
  let s = seed >>> 0;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 31 - 1;
  }
  return out;
}

/** C[i][j] = Σ_p A(i, p) · B(p, j) with element accessors: the reference the products must equal. */
function naive(
  m: number,
  n: number,
  k: number,
  a: (i: number, p: number) => number,
  b: (p: number, j: number) => number,
) {
  const c = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a(i, p) * b(p, j);
      c[i * n + j] = s;
    }
  return c;
}

function expectNear(actual: Float64Array, expected: Float64Array, tol: number): void {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  for (let i = 0; i < actual.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst).toBeLessThanOrEqual(tol);
}

describe('dense products run on @lumen/tensor gemm with row-major layouts', () => {
  // 37 x 29 x 53 is not a multiple of any tile; 300 rows reach the threaded, packed path.
  for (const [m, k, n] of [
    [37, 53, 29],
    [300, 64, 40],
    [5, 1, 3],
  ] as const) {
    it(`matmul, matmulABt and matmulAtB at ${m}x${k}x${n}`, () => {
      const a = values(m * k, 1);
      const b = values(k * n, 2);
      const bt = values(n * k, 3);
      const a2 = values(m * n, 4);
      expectNear(
        matmul(a, b, m, k, n),
        naive(
          m,
          n,
          k,
          (i, p) => a[i * k + p]!,
          (p, j) => b[p * n + j]!,
        ),
        1e-12,
      );
      expectNear(
        matmulABt(a, bt, m, k, n),
        naive(
          m,
          n,
          k,
          (i, p) => a[i * k + p]!,
          (p, j) => bt[j * k + p]!,
        ),
        1e-12,
      );
      // Aᵀ·B with A (m x k) and B (m x n): C is k x n.
      expectNear(
        matmulAtB(a, a2, m, k, n),
        naive(
          k,
          n,
          m,
          (i, p) => a[p * k + i]!,
          (p, j) => a2[p * n + j]!,
        ),
        1e-12,
      );
    });
  }
  it('matmulABt starts A at a row and writes into a given buffer; matmul at an output offset', () => {
    const a = values(10 * 6, 5);
    const b = values(4 * 6, 6);
    const out = new Float64Array(3 * 4).fill(Number.NaN);
    const got = matmulABt(a, b, 3, 6, 4, out, 5);
    expect(got).toBe(out);
    expectNear(
      out,
      naive(
        3,
        4,
        6,
        (i, p) => a[(5 + i) * 6 + p]!,
        (p, j) => b[j * 6 + p]!,
      ),
      1e-14,
    );
    const big = new Float64Array(2 + 3 * 4).fill(7);
    matmul(a, values(6 * 4, 7), 3, 6, 4, big, 2);
    expect(big[0]).toBe(7);
    expect(big[1]).toBe(7);
  });
  it('reports a too-small output buffer with the argument named', () => {
    expect(() => matmul(values(4, 1), values(4, 2), 2, 2, 2, new Float64Array(3))).toThrow(
      /c needs 4 elements/,
    );
  });
});

describe('least squares: CholeskyQR2 and the Householder fallback agree', () => {
  function problem(m: number, n: number, scale: (j: number) => number) {
    const X = values(m * n, 11);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) X[i * n + j]! *= scale(j);
    const y = values(m, 12);
    return { X, y };
  }
  /** Least-squares solution from R and Qᵀy (back substitution). */
  function solve(t: { r: Float64Array; qty: Float64Array }, n: number): Float64Array {
    const x = t.qty.slice();
    for (let i = n - 1; i >= 0; i--) {
      let s = x[i]!;
      for (let j = i + 1; j < n; j++) s -= t.r[i * n + j]! * x[j]!;
      x[i] = s / t.r[i * n + i]!;
    }
    return x;
  }
  it('takes CholeskyQR2 on a tall, well-conditioned X over several row blocks and matches Householder', () => {
    const m = 5000;
    const n = 12;
    // Columns scaled over four orders of magnitude: CholeskyQR is column-scaling invariant.
    const { X, y } = problem(m, n, (j) => 10 ** (j / 3));
    const c = choleskyQr2(X, m, n, y);
    expect(c).not.toBeNull();
    const h = householderTallQr(X, m, n, y);
    const xc = solve(c!, n);
    const xh = solve(h, n);
    for (let j = 0; j < n; j++)
      expect(Math.abs(xc[j]! - xh[j]!)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(xh[j]!)));
    expect(Math.abs(c!.rss - h.rss)).toBeLessThanOrEqual(1e-9 * h.rss);
    // RᵀR = XᵀX: R is X's triangular factor up to row signs.
    for (let i = 0; i < n; i++)
      expect(Math.abs(Math.abs(c!.r[i * n + i]!) - Math.abs(h.r[i * n + i]!))).toBeLessThanOrEqual(
        1e-10 * Math.abs(h.r[i * n + i]!),
      );
  });
  it('refuses a rank-deficient, a wide or a badly conditioned X, which tallQr then factors by Householder', () => {
    const m = 400;
    const n = 6;
    const { X, y } = problem(m, n, () => 1);
    const dup = X.slice();
    for (let i = 0; i < m; i++) dup[i * n + 5] = dup[i * n + 1]!; // column 5 = column 1
    expect(choleskyQr2(dup, m, n, y)).toBeNull();
    expect(choleskyQr2(X, 4, n, y)).toBeNull();
    const near = X.slice();
    for (let i = 0; i < m; i++) near[i * n + 5] = near[i * n + 1]! + 1e-9 * near[i * n + 2]!; // κ ~ 1e9
    expect(choleskyQr2(near, m, n, y)).toBeNull();
    const viaTall = tallQr(near, m, n, y);
    const viaHouseholder = householderTallQr(near, m, n, y);
    expect(Array.from(viaTall.r)).toEqual(Array.from(viaHouseholder.r));
  });
});
