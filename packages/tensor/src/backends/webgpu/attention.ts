import type { KernelSpec } from './runtime.js';
import { FLAT_INDEX, MAIN_1D, paramsDecl, SPECIAL_FLOATS } from './wgsl.js';

/**
 * Fused scaled-dot-product attention: one invocation per (batch, query row) walks the keys once
 * with an online softmax (running max and sum, rescaled when the max grows) and accumulates the
 * weighted values in registers, so the [L, S] scores never exist in memory.
 *
 * Params: [B, L, S, E, Ev, scale, causal, batchRank,
 *          qOff, qsL, qsE, kOff, ksS, ksE, vOff, vsS, vsE, mOff, msL, msS,
 *          batchShape[r], qBatchStrides[r], kBatchStrides[r], vBatchStrides[r], mBatchStrides[r]]
 */
export type MaskKind = 'none' | 'bool' | 'float';

export function attentionWords(batchRank: number): number {
  return 20 + 5 * batchRank;
}

export function attentionSpec(maskKind: MaskKind, batchRank: number, accSize: number): KernelSpec {
  return {
    key: `attention:${maskKind}:${batchRank}:${accSize}`,
    name: 'attention',
    source: () => attentionSource(maskKind, batchRank, accSize),
  };
}

function attentionSource(maskKind: MaskKind, r: number, D: number): string {
  const base = 20;
  const unravel: string[] = [];
  for (let d = r - 1; d >= 0; d--) {
    unravel.push(`{ let sz = P(${base + d}u); let c = i32(rem % sz); rem = rem / sz;
    qb = qb + c * bitcast<i32>(P(${base + r + d}u)); kb = kb + c * bitcast<i32>(P(${base + 2 * r + d}u));
    vb = vb + c * bitcast<i32>(P(${base + 3 * r + d}u)); mb = mb + c * bitcast<i32>(P(${base + 4 * r + d}u)); }`);
  }
  const maskDecl =
    maskKind === 'none'
      ? ''
      : `@group(0) @binding(4) var<storage, read> mask: array<${maskKind === 'bool' ? 'u32' : 'f32'}>;`;
  const outBinding = maskKind === 'none' ? 4 : 5;
  const applyMask =
    maskKind === 'bool'
      ? 'if (mask[u32(mb + i32(row) * msL + i32(j) * msS)] == 0u) { continue; }'
      : maskKind === 'float'
        ? 'score = score + mask[u32(mb + i32(row) * msL + i32(j) * msS)];'
        : '';
  return `${paramsDecl(attentionWords(r))}
${SPECIAL_FLOATS}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
${maskDecl}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;
${MAIN_1D} {
  ${FLAT_INDEX}
  let L = P(1u); let S = P(2u); let E = P(3u); let Ev = P(4u);
  if (i >= P(0u) * L) { return; }
  let bi = i / L;
  let row = i % L;
  let scale = bitcast<f32>(P(5u));
  let causal = P(6u) != 0u;
  var qb = bitcast<i32>(P(8u)); let qsL = bitcast<i32>(P(9u)); let qsE = bitcast<i32>(P(10u));
  var kb = bitcast<i32>(P(11u)); let ksS = bitcast<i32>(P(12u)); let ksE = bitcast<i32>(P(13u));
  var vb = bitcast<i32>(P(14u)); let vsS = bitcast<i32>(P(15u)); let vsE = bitcast<i32>(P(16u));
  var mb = bitcast<i32>(P(17u)); let msL = bitcast<i32>(P(18u)); let msS = bitcast<i32>(P(19u));
  var rem = bi;
  ${unravel.join('\n  ')}
  let qr = qb + i32(row) * qsL;
  var acc: array<f32, ${D}>;
  var m = bitcast<f32>(NEG_INF_BITS);
  var s = 0.0;
  for (var j = 0u; j < S; j = j + 1u) {
    if (causal && j > row) { break; }
    var score = 0.0;
    let kr = kb + i32(j) * ksS;
    for (var e = 0u; e < E; e = e + 1u) { score = score + q[u32(qr + i32(e) * qsE)] * k[u32(kr + i32(e) * ksE)]; }
    score = score * scale;
    ${applyMask}
    // Only a true -inf contributes nothing; finite huge negatives (transformers' finfo.min masks)
    // still take part, so a row with every key masked by them averages them as softmax does.
    if (bitcast<u32>(score) == NEG_INF_BITS) { continue; }
    let mNew = max(m, score);
    let c = exp(m - mNew);
    let p = exp(score - mNew);
    s = s * c + p;
    let vr = vb + i32(j) * vsS;
    for (var e = 0u; e < Ev; e = e + 1u) { acc[e] = acc[e] * c + p * v[u32(vr + i32(e) * vsE)]; }
    m = mNew;
  }
  let o = i * Ev;
  if (s == 0.0) {
    for (var e = 0u; e < Ev; e = e + 1u) { out[o + e] = bitcast<f32>(NAN_BITS); }
    return;
  }
  let inv = 1.0 / s;
  for (var e = 0u; e < Ev; e = e + 1u) { out[o + e] = acc[e] * inv; }
}`;
}
