import { collapseDims, numel } from '../../shape.js';
import { type GpuContext, type GpuStorage, type GpuView, whole } from './context.js';
import type { KernelSpec } from './runtime.js';
import { perShape, uniforms } from './uniforms.js';
import { FLAT_INDEX, MAIN_1D, SPECIAL_FLOATS } from './wgsl.js';

/**
 * Fused scaled-dot-product attention: one invocation per (batch, query row) walks the keys once
 * with an online softmax (running max and sum, rescaled when the max grows) and accumulates the
 * weighted values in registers, so the [L, S] scores never exist in memory.
 *
 * Uniforms: attentionUniforms (q's row and column strides qsL, qsE; k's and v's per key and
 * column; the mask's per query and key; each operand's batch strides over the collapsed batch).
 */
export type MaskKind = 'none' | 'bool' | 'float';

export const attentionUniforms = perShape((r: number) =>
  uniforms({
    B: 'u32',
    L: 'u32',
    S: 'u32',
    E: 'u32',
    Ev: 'u32',
    scale: 'f32',
    causal: 'bool',
    qOff: 'i32',
    qsL: 'i32',
    qsE: 'i32',
    kOff: 'i32',
    ksS: 'i32',
    ksE: 'i32',
    vOff: 'i32',
    vsS: 'i32',
    vsE: 'i32',
    mOff: 'i32',
    msL: 'i32',
    msS: 'i32',
    batchShape: ['u32', r],
    qBatchStrides: ['i32', r],
    kBatchStrides: ['i32', r],
    vBatchStrides: ['i32', r],
    mBatchStrides: ['i32', r],
  }),
);

export function attentionSpec(maskKind: MaskKind, batchRank: number, accSize: number): KernelSpec {
  return {
    key: `attention:${maskKind}:${batchRank}:${accSize}`,
    name: 'attention',
    source: () => attentionSource(maskKind, batchRank, accSize),
  };
}

function attentionSource(maskKind: MaskKind, r: number, D: number): string {
  const unravel: string[] = [];
  for (let d = r - 1; d >= 0; d--) {
    unravel.push(`{ let sz = u_batchShape(${d}u); let c = i32(rem % sz); rem = rem / sz;
    qb = qb + c * u_qBatchStrides(${d}u); kb = kb + c * u_kBatchStrides(${d}u);
    vb = vb + c * u_vBatchStrides(${d}u); mb = mb + c * u_mBatchStrides(${d}u); }`);
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
  return `${attentionUniforms(r).wgsl()}
${SPECIAL_FLOATS}
@group(0) @binding(1) var<storage, read> q: array<f32>;
@group(0) @binding(2) var<storage, read> k: array<f32>;
@group(0) @binding(3) var<storage, read> v: array<f32>;
${maskDecl}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<f32>;
${MAIN_1D} {
  ${FLAT_INDEX}
  let L = u_L(); let S = u_S(); let E = u_E(); let Ev = u_Ev();
  if (i >= u_B() * L) { return; }
  let bi = i / L;
  let row = i % L;
  let scale = u_scale();
  let causal = u_causal();
  var qb = u_qOff(); let qsL = u_qsL(); let qsE = u_qsE();
  var kb = u_kOff(); let ksS = u_ksS(); let ksE = u_ksE();
  var vb = u_vOff(); let vsS = u_vsS(); let vsE = u_vsE();
  var mb = u_mOff(); let msL = u_msL(); let msS = u_msS();
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

export function attention(
  gpu: GpuContext,
  q: GpuView,
  k: GpuView,
  v: GpuView,
  mask: GpuView | null,
  o: { scale: number; causal: boolean },
): GpuStorage | null {
  const nd = q.shape.length;
  const L = q.shape[nd - 2]!;
  const E = q.shape[nd - 1]!;
  const S = k.shape[nd - 2]!;
  const Ev = v.shape[nd - 1]!;
  const batchShape = q.shape.slice(0, nd - 2);
  const strideSets = [q, k, v].map((t) => t.strides.slice(0, nd - 2));
  strideSets.push(mask ? mask.strides.slice(0, nd - 2) : batchShape.map(() => 0));
  const batch = collapseDims(batchShape, strideSets);
  const B = numel(batchShape);
  const out = gpu.alloc(q.dtype, B * L * Ev);
  if (B * L * Ev === 0) return out;
  const r = batch.shape.length;
  const qb = gpu.tryBind(q);
  const kb = gpu.tryBind(k);
  const vb = gpu.tryBind(v);
  const mb = mask ? gpu.tryBind(mask) : null;
  const ob = gpu.tryBind(whole(out));
  if (!qb || !kb || !vb || (mask && !mb) || !ob) {
    // Larger than one binding: the caller runs the composite, whose ops split.
    gpu.release(out);
    return null;
  }
  const [qBatchStrides, kBatchStrides, vBatchStrides, mBatchStrides] = batch.strides as [
    number[],
    number[],
    number[],
    number[],
  ];
  const params = attentionUniforms(r).pack({
    B,
    L,
    S,
    E,
    Ev,
    scale: o.scale,
    causal: o.causal,
    qOff: qb.off,
    qsL: q.strides[nd - 2]!,
    qsE: q.strides[nd - 1]!,
    kOff: kb.off,
    ksS: k.strides[nd - 2]!,
    ksE: k.strides[nd - 1]!,
    vOff: vb.off,
    vsS: v.strides[nd - 2]!,
    vsE: v.strides[nd - 1]!,
    mOff: mb?.off ?? 0,
    msL: mask?.strides[nd - 2] ?? 0,
    msS: mask?.strides[nd - 1] ?? 0,
    batchShape: batch.shape,
    qBatchStrides,
    kBatchStrides,
    vBatchStrides,
    mBatchStrides,
  });
  const maskKind = mask ? (mask.dtype === 'bool' ? 'bool' : 'float') : 'none';
  const acc = Math.max(16, 2 ** Math.ceil(Math.log2(Math.max(Ev, 1))));
  const buffers = [qb.b, kb.b, vb.b];
  if (mb) buffers.push(mb.b);
  buffers.push(ob.b);
  gpu.rt.dispatch(attentionSpec(maskKind, r, acc), buffers, params, gpu.rt.grid(B * L));
  return out;
}
