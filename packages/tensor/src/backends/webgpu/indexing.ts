import type { Elem } from './elementwise.js';
import type { KernelSpec } from './runtime.js';
import { FLAT_INDEX, MAIN_1D, paramsDecl } from './wgsl.js';

/**
 * gather: out[i] = x[xOffset(i with dim replaced by index[i])]; out has index's shape.
 * Params: [n, dimSize, xDimStride, xOff, idxOff, lo, hi, outOff, shape[0..r), idxStrides[0..r),
 * xStrides[0..r), outStrides[0..r)] (xStrides has 0 at `dim`). Out-of-range indices read 0 (the
 * cpu backend throws instead). Only indices in [lo, hi) are written, read from x's part that
 * starts at row `lo` (xOff points there), into out through its offset and strides: what is too
 * large for one binding is gathered in parts.
 */
export function gatherWords(rank: number): number {
  return 8 + 4 * rank;
}

export function gatherSpec(elem: Elem, rank: number): KernelSpec {
  return { key: `gather:${elem}:${rank}`, name: 'gather', source: () => gatherSource(elem, rank) };
}

function unravel(rank: number, shapeAt: number, stridesAt: number[], vars: string[]): string {
  const lines = ['var rem = i;'];
  for (let k = rank - 1; k >= 0; k--) {
    const adds = vars.map((v, j) => `${v} = ${v} + c * bitcast<i32>(P(${stridesAt[j]! + k}u));`).join(' ');
    lines.push(`{ let s = P(${shapeAt + k}u); let c = i32(rem % s); rem = rem / s; ${adds} }`);
  }
  return lines.join('\n  ');
}

function gatherSource(elem: Elem, r: number): string {
  return `${paramsDecl(gatherWords(r))}
@group(0) @binding(1) var<storage, read> x: array<${elem}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= P(0u)) { return; }
  var oi = bitcast<i32>(P(4u));
  var ox = bitcast<i32>(P(3u));
  var oo = bitcast<i32>(P(7u));
  ${unravel(r, 8, [8 + r, 8 + 2 * r, 8 + 3 * r], ['oi', 'ox', 'oo'])}
  let j = index[u32(oi)];
  let at = u32(oo);
  if (j < 0 || u32(j) >= P(1u)) { out[at] = ${elem}(0); return; }
  let lo = bitcast<i32>(P(5u));
  if (j < lo || j >= bitcast<i32>(P(6u))) { return; }
  out[at] = x[u32(ox + (j - lo) * bitcast<i32>(P(2u)))];
}`;
}

/**
 * scatterAdd into a zero-filled contiguous out: out[outOffset(i with dim replaced by index[i])] +=
 * src[i]. Floats add with a compare-exchange loop (WGSL has integer atomics only).
 * Params: [n, dimSize, outDimStride, srcOff, idxOff, lo, hi, outOff, shape[0..r), idxStrides,
 * srcStrides, outStrides (0 at dim)]. Only indices in [lo, hi) add, into out's part that starts at
 * row `lo` (outOff points there): an output too large for one binding is filled in parts.
 */
export function scatterWords(rank: number): number {
  return 8 + 4 * rank;
}

export function scatterSpec(elem: 'f32' | 'i32', rank: number): KernelSpec {
  return { key: `scatterAdd:${elem}:${rank}`, name: 'scatterAdd', source: () => scatterSource(elem, rank) };
}

function scatterSource(elem: 'f32' | 'i32', r: number): string {
  const add =
    elem === 'i32'
      ? 'atomicAdd(&out[p], v);'
      : `var old = atomicLoad(&out[p]);
  loop {
    let res = atomicCompareExchangeWeak(&out[p], old, bitcast<u32>(bitcast<f32>(old) + v));
    if (res.exchanged) { break; }
    old = res.old_value;
  }`;
  return `${paramsDecl(scatterWords(r))}
@group(0) @binding(1) var<storage, read> src: array<${elem}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<${elem === 'i32' ? 'i32' : 'u32'}>>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= P(0u)) { return; }
  var oi = bitcast<i32>(P(4u));
  var os = bitcast<i32>(P(3u));
  var oo = bitcast<i32>(P(7u));
  ${unravel(r, 8, [8 + r, 8 + 2 * r, 8 + 3 * r], ['oi', 'os', 'oo'])}
  let j = index[u32(oi)];
  let lo = bitcast<i32>(P(5u));
  if (j < lo || j >= bitcast<i32>(P(6u)) || u32(j) >= P(1u)) { return; }
  let p = u32(oo + (j - lo) * bitcast<i32>(P(2u)));
  let v = src[u32(os)];
  ${add}
}`;
}

/** fill: out[i] = value bits. Params: [n, bits]. */
export function fillSpec(elem: Elem): KernelSpec {
  return {
    key: `fill:${elem}`,
    name: 'fill',
    source: () => `${paramsDecl(2)}
@group(0) @binding(1) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= P(0u)) { return; }
  out[i] = bitcast<${elem}>(P(1u));
}`,
  };
}

/** arange: out[i] = start + i * step, in the output type. Params: [n, start bits, step bits]. */
export function arangeSpec(elem: 'f32' | 'i32'): KernelSpec {
  return {
    key: `arange:${elem}`,
    name: 'arange',
    source: () => `${paramsDecl(3)}
@group(0) @binding(1) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= P(0u)) { return; }
  out[i] = bitcast<${elem}>(P(1u)) + ${elem}(i) * bitcast<${elem}>(P(2u));
}`,
  };
}
