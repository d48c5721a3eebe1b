import type { DType } from '../../dtype.js';
import { fail } from '../../errors.js';
import { collapseDims, numel } from '../../shape.js';
import { type GpuContext, type GpuStorage, type GpuView, halves, narrowView, whole } from './context.js';
import { fillInto } from './indexing.js';
import type { KernelSpec } from './runtime.js';
import { perShape, uniforms } from './uniforms.js';
import { computeType } from './wgsl.js';

/**
 * Tiled batched matmul: each 16×16 workgroup computes a 64×64 tile of C, every thread a 4×4 block
 * (rows ty + 16i, cols tx + 16j, so neighbouring threads write neighbouring columns). A and B tiles
 * of depth 16 are staged in workgroup memory. Operands are read through their strides, so a
 * transposed A or B (a permuted view) costs no copy. Batch dims are unravelled per workgroup z.
 *
 * C is written at cOff + row * cRowStride + col (plus its batch strides): a part of a larger
 * output when a product too large for one binding is split; with `accumulate` the product is
 * added to what C holds (a split along K).
 *
 * Uniforms: matmulUniforms (batch dims unravelled from wid.z / gid.z).
 */
export const MM_TILE = 64;

/** The uniforms of a product with `r` (collapsed) batch dims. */
export const matmulUniforms = perShape((r: number) =>
  uniforms({
    M: 'u32',
    N: 'u32',
    K: 'u32',
    aOff: 'i32',
    aRowStride: 'i32',
    aColStride: 'i32',
    bOff: 'i32',
    bRowStride: 'i32',
    bColStride: 'i32',
    cOff: 'i32',
    cRowStride: 'i32',
    accumulate: 'bool',
    batchShape: ['u32', r],
    aBatchStrides: ['i32', r],
    bBatchStrides: ['i32', r],
    cBatchStrides: ['i32', r],
  }),
);

/** Unravels the batch index `rem` into the A, B and C bases. */
function batchBases(r: number): string {
  const lines: string[] = [];
  for (let k = r - 1; k >= 0; k--) {
    lines.push(
      `{ let s = u_batchShape(${k}u); let c = i32(rem % s); rem = rem / s; aBase = aBase + c * u_aBatchStrides(${k}u); bBase = bBase + c * u_bBatchStrides(${k}u); cBase = cBase + c * u_cBatchStrides(${k}u); }`,
    );
  }
  return lines.join('\n  ');
}

const STRIDES = `let ars = u_aRowStride();
  let acs = u_aColStride();
  let brs = u_bRowStride();
  let bcs = u_bColStride();
  let crs = u_cRowStride();
  var aBase = u_aOff();
  var bBase = u_bOff();
  var cBase = u_cOff();`;

export function matmulSpec(T: 'f32' | 'i32', batchRank: number): KernelSpec {
  return { key: `matmul:${T}:${batchRank}`, name: 'matmul', source: () => matmulSource(T, batchRank) };
}

function matmulSource(T: 'f32' | 'i32', r: number): string {
  return `${matmulUniforms(r).wgsl()}
@group(0) @binding(1) var<storage, read> A: array<${T}>;
@group(0) @binding(2) var<storage, read> B: array<${T}>;
@group(0) @binding(3) var<storage, read_write> C: array<${T}>;
var<workgroup> As: array<array<${T}, 64>, 16>;
var<workgroup> Bs: array<array<${T}, 64>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = u_M();
  let N = u_N();
  let K = u_K();
  ${STRIDES}
  var rem = wid.z;
  ${batchBases(r)}
  let row0 = wid.y * 64u;
  let col0 = wid.x * 64u;
  let tx = lid.x;
  let ty = lid.y;
  let t = ty * 16u + tx;
  var acc: array<array<${T}, 4>, 4>;
  for (var kt = 0u; kt < K; kt = kt + 16u) {
    for (var q = 0u; q < 4u; q = q + 1u) {
      let e = t + q * 256u;
      // A tile: 64 rows x 16 k, k fastest (contiguous for a row-major A)
      let am = e / 16u;
      let ak = e % 16u;
      let gr = row0 + am;
      let gk = kt + ak;
      var av = ${T}(0);
      if (gr < M && gk < K) { av = A[u32(aBase + i32(gr) * ars + i32(gk) * acs)]; }
      As[ak][am] = av;
      // B tile: 16 k x 64 cols, cols fastest
      let bk = e / 64u;
      let bn = e % 64u;
      let gk2 = kt + bk;
      let gc = col0 + bn;
      var bv = ${T}(0);
      if (gk2 < K && gc < N) { bv = B[u32(bBase + i32(gk2) * brs + i32(gc) * bcs)]; }
      Bs[bk][bn] = bv;
    }
    workgroupBarrier();
    for (var kk = 0u; kk < 16u; kk = kk + 1u) {
      let a0 = As[kk][ty];
      let a1 = As[kk][ty + 16u];
      let a2 = As[kk][ty + 32u];
      let a3 = As[kk][ty + 48u];
      let b0 = Bs[kk][tx];
      let b1 = Bs[kk][tx + 16u];
      let b2 = Bs[kk][tx + 32u];
      let b3 = Bs[kk][tx + 48u];
      acc[0][0] += a0 * b0; acc[0][1] += a0 * b1; acc[0][2] += a0 * b2; acc[0][3] += a0 * b3;
      acc[1][0] += a1 * b0; acc[1][1] += a1 * b1; acc[1][2] += a1 * b2; acc[1][3] += a1 * b3;
      acc[2][0] += a2 * b0; acc[2][1] += a2 * b1; acc[2][2] += a2 * b2; acc[2][3] += a2 * b3;
      acc[3][0] += a3 * b0; acc[3][1] += a3 * b1; acc[3][2] += a3 * b2; acc[3][3] += a3 * b3;
    }
    workgroupBarrier();
  }
  for (var i = 0u; i < 4u; i = i + 1u) {
    let r = row0 + ty + 16u * i;
    if (r < M) {
      for (var j = 0u; j < 4u; j = j + 1u) {
        let c = col0 + tx + 16u * j;
        if (c < N) {
          let at = u32(cBase + i32(r) * crs + i32(c));
          if (u_accumulate()) { C[at] = C[at] + acc[i][j]; } else { C[at] = acc[i][j]; }
        }
      }
    }
  }
}`;
}

/**
 * Matmul without workgroup memory or barriers: each invocation computes an R×4 block of C straight
 * from A and B. On CPU-emulated adapters (lavapipe/llvmpipe, SwiftShader) the caches do what
 * workgroup memory does on a GPU, and barriers are expensive (invocations run as coroutines).
 * Same uniforms as matmulSource; dispatch ceil(N/4/8) × ceil(M/R/8) × batch of 8×8 workgroups.
 * R is 8, or fewer for products of a few rows (a batch-1 decoding step has one: eight rows per
 * invocation would compute the same row eight times).
 */
export function directRows(M: number): number {
  return M >= 8 ? 8 : M >= 4 ? 4 : M >= 2 ? 2 : 1;
}

export function matmulDirectSpec(T: 'f32' | 'i32', batchRank: number, rows: number): KernelSpec {
  return {
    key: `matmulDirect:${T}:${batchRank}:${rows}`,
    name: 'matmul_direct',
    source: () => matmulDirectSource(T, batchRank, rows),
  };
}

function matmulDirectSource(T: 'f32' | 'i32', r: number, R: number): string {
  const V = `vec4<${T}>`;
  const rows = Array.from({ length: R }, (_, i) => i);
  return `${matmulUniforms(r).wgsl()}
@group(0) @binding(1) var<storage, read> A: array<${T}>;
@group(0) @binding(2) var<storage, read> B: array<${T}>;
@group(0) @binding(3) var<storage, read_write> C: array<${T}>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = u_M();
  let N = u_N();
  let K = u_K();
  let row = gid.y * ${R}u;
  let col = gid.x * 4u;
  if (row >= M || col >= N) { return; }
  ${STRIDES}
  var rem = gid.z;
  ${batchBases(r)}
  // Rows/cols past the edge read the last valid one; their results are not stored.
  let c1 = min(col + 1u, N - 1u); let c2 = min(col + 2u, N - 1u); let c3 = min(col + 3u, N - 1u);
  let pb = vec4<i32>(bBase + i32(col) * bcs, bBase + i32(c1) * bcs, bBase + i32(c2) * bcs, bBase + i32(c3) * bcs);
  ${rows.map((i) => `let pa${i} = aBase + i32(min(row + ${i}u, M - 1u)) * ars; var acc${i} = ${V}();`).join('\n  ')}
  for (var k = 0u; k < K; k = k + 1u) {
    let ka = i32(k) * acs;
    let kb = i32(k) * brs;
    let b = ${V}(B[u32(pb.x + kb)], B[u32(pb.y + kb)], B[u32(pb.z + kb)], B[u32(pb.w + kb)]);
    ${rows.map((i) => `acc${i} = acc${i} + A[u32(pa${i} + ka)] * b;`).join('\n    ')}
  }
  let accs = array<${V}, ${R}>(${rows.map((i) => `acc${i}`).join(', ')});
  for (var i = 0u; i < ${R}u; i = i + 1u) {
    let rr = row + i;
    if (rr < M) {
      for (var j = 0u; j < 4u; j = j + 1u) {
        if (col + j < N) {
          let at = u32(cBase + i32(rr) * crs + i32(col + j));
          if (u_accumulate()) { C[at] = C[at] + accs[i][j]; } else { C[at] = accs[i][j]; }
        }
      }
    }
  }
}`;
}

// ---- host side: splitting, uniforms, dispatch ----------------------------------------------------

export function matmul(gpu: GpuContext, a: GpuView, b: GpuView, outDtype: DType): GpuStorage {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!;
  const K = a.shape[nd - 1]!;
  const N = b.shape[nd - 1]!;
  const outShape = [...a.shape.slice(0, nd - 2), M, N];
  const out = gpu.alloc(outDtype, numel(outShape));
  if (out.size === 0) return out;
  if (K === 0) return fillInto(gpu, out, 0);
  matmulInto(gpu, a, b, whole(out, outShape));
  return out;
}

/**
 * C = A @ B (or C += A @ B) into the view `c`. A product whose operands or result do not fit
 * one binding is halved, along the dim where the oversized one spans most, until the parts fit.
 */
function matmulInto(gpu: GpuContext, a: GpuView, b: GpuView, c: GpuView, accumulate = false): void {
  const nd = a.shape.length;
  const M = a.shape[nd - 2]!;
  const K = a.shape[nd - 1]!;
  const N = b.shape[nd - 1]!;
  const ab = gpu.tryBind(a);
  const bb = gpu.tryBind(b);
  const cb = gpu.tryBind(c);
  if (!ab || !bb || !cb) {
    // Halve the dim along which the oversized operand spans the most memory. Problem dims:
    // 0..nd-3 batch, nd-2 M, nd-1 N, nd K (a split along K accumulates into C).
    const big = !ab ? a : !bb ? b : c;
    const role = (k: number) =>
      k < nd - 2
        ? k
        : big === a
          ? k === nd - 2
            ? nd - 2
            : nd
          : big === b
            ? k === nd - 2
              ? nd
              : nd - 1
            : k;
    let dim = -1;
    let widest = 0;
    for (let k = 0; k < nd; k++) {
      const w = Math.abs(big.strides[k]!) * (big.shape[k]! - 1);
      if (big.shape[k]! > 1 && (dim < 0 || w > widest)) [dim, widest] = [role(k), w];
    }
    if (dim < 0) gpu.bind(big, 'matmul'); // throws: nothing left to halve
    const len = dim === nd ? K : c.shape[dim]!;
    for (const [start, n] of halves(len)) {
      if (dim === nd) {
        matmulInto(
          gpu,
          narrowView(a, nd - 1, start, n),
          narrowView(b, nd - 2, start, n),
          c,
          accumulate || start > 0,
        );
        continue;
      }
      matmulInto(
        gpu,
        dim === nd - 1 ? a : narrowView(a, dim, start, n),
        dim === nd - 2 ? b : narrowView(b, dim, start, n),
        narrowView(c, dim, start, n),
        accumulate,
      );
    }
    return;
  }
  const batch = collapseDims(a.shape.slice(0, nd - 2), [
    a.strides.slice(0, nd - 2),
    b.strides.slice(0, nd - 2),
    c.strides.slice(0, nd - 2),
  ]);
  const nBatch = numel(batch.shape);
  const T = computeType(c.dtype);
  const r = batch.shape.length;
  const [aBatchStrides, bBatchStrides, cBatchStrides] = batch.strides as [number[], number[], number[]];
  const params = matmulUniforms(r).pack({
    M,
    N,
    K,
    aOff: ab.off,
    aRowStride: a.strides[nd - 2]!,
    aColStride: a.strides[nd - 1]!,
    bOff: bb.off,
    bRowStride: b.strides[nd - 2]!,
    bColStride: b.strides[nd - 1]!,
    cOff: cb.off,
    cRowStride: c.strides[nd - 2]!,
    accumulate,
    batchShape: batch.shape,
    aBatchStrides,
    bBatchStrides,
    cBatchStrides,
  });
  if (nBatch > gpu.rt.limits.maxWorkgroups)
    fail(
      'matmul',
      `batch of ${nBatch} exceeds the adapter's ${gpu.rt.limits.maxWorkgroups} workgroups per dimension`,
    );
  const buffers = [ab.b, bb.b, cb.b];
  if (gpu.policy.matmul === 'direct') {
    const rows = directRows(M);
    gpu.rt.dispatch(matmulDirectSpec(T, r, rows), buffers, params, [
      Math.ceil(N / 32),
      Math.ceil(M / (8 * rows)),
      nBatch,
    ]);
  } else {
    gpu.rt.dispatch(matmulSpec(T, r), buffers, params, [
      Math.ceil(N / MM_TILE),
      Math.ceil(M / MM_TILE),
      nBatch,
    ]);
  }
}
