import type { KernelSpec } from './runtime.js';
import { paramsDecl } from './wgsl.js';

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
 * Params: [M, N, K, batchRank, aOff, aRowStride, aColStride, bOff, bRowStride, bColStride,
 *          cOff, cRowStride, accumulate, batchShape[0..r), aBatchStrides[0..r),
 *          bBatchStrides[0..r), cBatchStrides[0..r)].
 */
export const MM_TILE = 64;

export function matmulWords(batchRank: number): number {
  return 13 + 4 * batchRank;
}

export function matmulSpec(T: 'f32' | 'i32', batchRank: number): KernelSpec {
  return { key: `matmul:${T}:${batchRank}`, name: 'matmul', source: () => matmulSource(T, batchRank) };
}

function matmulSource(T: 'f32' | 'i32', r: number): string {
  const batch: string[] = [];
  for (let k = r - 1; k >= 0; k--) {
    batch.push(
      `{ let s = P(${13 + k}u); let c = i32(rem % s); rem = rem / s; aBase = aBase + c * bitcast<i32>(P(${13 + r + k}u)); bBase = bBase + c * bitcast<i32>(P(${13 + 2 * r + k}u)); cBase = cBase + c * bitcast<i32>(P(${13 + 3 * r + k}u)); }`,
    );
  }
  return `${paramsDecl(matmulWords(r))}
@group(0) @binding(1) var<storage, read> A: array<${T}>;
@group(0) @binding(2) var<storage, read> B: array<${T}>;
@group(0) @binding(3) var<storage, read_write> C: array<${T}>;
var<workgroup> As: array<array<${T}, 64>, 16>;
var<workgroup> Bs: array<array<${T}, 64>, 16>;
@compute @workgroup_size(16, 16)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>) {
  let M = P(0u);
  let N = P(1u);
  let K = P(2u);
  let ars = bitcast<i32>(P(5u));
  let acs = bitcast<i32>(P(6u));
  let brs = bitcast<i32>(P(8u));
  let bcs = bitcast<i32>(P(9u));
  let crs = bitcast<i32>(P(11u));
  var aBase = bitcast<i32>(P(4u));
  var bBase = bitcast<i32>(P(7u));
  var cBase = bitcast<i32>(P(10u));
  var rem = wid.z;
  ${batch.join('\n  ')}
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
          if (P(12u) != 0u) { C[at] = C[at] + acc[i][j]; } else { C[at] = acc[i][j]; }
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
 * Same params as matmulSource; dispatch ceil(N/4/8) × ceil(M/R/8) × batch of 8×8 workgroups.
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
  const batch: string[] = [];
  for (let k = r - 1; k >= 0; k--) {
    batch.push(
      `{ let s = P(${13 + k}u); let c = i32(rem % s); rem = rem / s; aBase = aBase + c * bitcast<i32>(P(${13 + r + k}u)); bBase = bBase + c * bitcast<i32>(P(${13 + 2 * r + k}u)); cBase = cBase + c * bitcast<i32>(P(${13 + 3 * r + k}u)); }`,
    );
  }
  const V = `vec4<${T}>`;
  const rows = Array.from({ length: R }, (_, i) => i);
  return `${paramsDecl(matmulWords(r))}
@group(0) @binding(1) var<storage, read> A: array<${T}>;
@group(0) @binding(2) var<storage, read> B: array<${T}>;
@group(0) @binding(3) var<storage, read_write> C: array<${T}>;
@compute @workgroup_size(8, 8)
fn main(@builtin(global_invocation_id) gid: vec3<u32>) {
  let M = P(0u);
  let N = P(1u);
  let K = P(2u);
  let row = gid.y * ${R}u;
  let col = gid.x * 4u;
  if (row >= M || col >= N) { return; }
  let ars = bitcast<i32>(P(5u));
  let acs = bitcast<i32>(P(6u));
  let brs = bitcast<i32>(P(8u));
  let bcs = bitcast<i32>(P(9u));
  let crs = bitcast<i32>(P(11u));
  var aBase = bitcast<i32>(P(4u));
  var bBase = bitcast<i32>(P(7u));
  var cBase = bitcast<i32>(P(10u));
  var rem = gid.z;
  ${batch.join('\n  ')}
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
          if (P(12u) != 0u) { C[at] = C[at] + accs[i][j]; } else { C[at] = accs[i][j]; }
        }
      }
    }
  }
}`;
}
