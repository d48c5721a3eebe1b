import type { DType } from '../../dtype.js';
import { fail } from '../../errors.js';
import { numel } from '../../shape.js';
import {
  type Bound,
  type GpuContext,
  type GpuStorage,
  type GpuView,
  halves,
  narrowView,
  whole,
} from './context.js';
import type { Elem } from './elementwise.js';
import type { KernelSpec } from './runtime.js';
import { uniforms } from './uniforms.js';
import { computeType, elemType, FLAT_INDEX, MAIN_1D } from './wgsl.js';

/**
 * gather: out[i] = x[xOffset(i with dim replaced by index[i])]; out has index's shape.
 * Uniforms: gatherUniforms (xStrides has 0 at `dim`). Out-of-range indices read 0 (the cpu
 * backend throws instead). Only indices in [lo, hi) are written, read from x's part that starts
 * at row `lo` (xOff points there), into out through its offset and strides: what is too large for
 * one binding is gathered in parts.
 */
const gatherLayout = (r: number) =>
  uniforms({
    n: 'u32',
    dimSize: 'u32',
    xDimStride: 'i32',
    xOff: 'i32',
    idxOff: 'i32',
    lo: 'i32',
    hi: 'i32',
    outOff: 'i32',
    shape: ['u32', r],
    idxStrides: ['i32', r],
    xStrides: ['i32', r],
    outStrides: ['i32', r],
  });
const gatherLayouts: ReturnType<typeof gatherLayout>[] = [];
export function gatherUniforms(rank: number): ReturnType<typeof gatherLayout> {
  gatherLayouts[rank] ??= gatherLayout(rank);
  return gatherLayouts[rank];
}

export function gatherSpec(elem: Elem, rank: number): KernelSpec {
  return { key: `gather:${elem}:${rank}`, name: 'gather', source: () => gatherSource(elem, rank) };
}

/** Unravels i over u_shape, adding each coordinate times `strides[j]` to `vars[j]`. */
function unravel(rank: number, strides: string[], vars: string[]): string {
  const lines = ['var rem = i;'];
  for (let k = rank - 1; k >= 0; k--) {
    const adds = vars.map((v, j) => `${v} = ${v} + c * u_${strides[j]}(${k}u);`).join(' ');
    lines.push(`{ let s = u_shape(${k}u); let c = i32(rem % s); rem = rem / s; ${adds} }`);
  }
  return lines.join('\n  ');
}

function gatherSource(elem: Elem, r: number): string {
  return `${gatherUniforms(r).wgsl()}
@group(0) @binding(1) var<storage, read> x: array<${elem}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  var oi = u_idxOff();
  var ox = u_xOff();
  var oo = u_outOff();
  ${unravel(r, ['idxStrides', 'xStrides', 'outStrides'], ['oi', 'ox', 'oo'])}
  let j = index[u32(oi)];
  let at = u32(oo);
  if (j < 0 || u32(j) >= u_dimSize()) { out[at] = ${elem}(0); return; }
  let lo = u_lo();
  if (j < lo || j >= u_hi()) { return; }
  out[at] = x[u32(ox + (j - lo) * u_xDimStride())];
}`;
}

/**
 * scatterAdd into a zero-filled contiguous out: out[outOffset(i with dim replaced by index[i])] +=
 * src[i]. Floats add with a compare-exchange loop (WGSL has integer atomics only).
 * Uniforms: scatterUniforms (outStrides has 0 at dim). Only indices in [lo, hi) add, into out's
 * part that starts at row `lo` (outOff points there): an output too large for one binding is
 * filled in parts.
 */
const scatterLayout = (r: number) =>
  uniforms({
    n: 'u32',
    dimSize: 'u32',
    outDimStride: 'i32',
    srcOff: 'i32',
    idxOff: 'i32',
    lo: 'i32',
    hi: 'i32',
    outOff: 'i32',
    shape: ['u32', r],
    idxStrides: ['i32', r],
    srcStrides: ['i32', r],
    outStrides: ['i32', r],
  });
const scatterLayouts: ReturnType<typeof scatterLayout>[] = [];
export function scatterUniforms(rank: number): ReturnType<typeof scatterLayout> {
  scatterLayouts[rank] ??= scatterLayout(rank);
  return scatterLayouts[rank];
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
  return `${scatterUniforms(r).wgsl()}
@group(0) @binding(1) var<storage, read> src: array<${elem}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<${elem === 'i32' ? 'i32' : 'u32'}>>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  var oi = u_idxOff();
  var os = u_srcOff();
  var oo = u_outOff();
  ${unravel(r, ['idxStrides', 'srcStrides', 'outStrides'], ['oi', 'os', 'oo'])}
  let j = index[u32(oi)];
  let lo = u_lo();
  if (j < lo || j >= u_hi() || u32(j) >= u_dimSize()) { return; }
  let p = u32(oo + (j - lo) * u_outDimStride());
  let v = src[u32(os)];
  ${add}
}`;
}

/** A constant of a storage type: floats clamped to the finite range. */
const constant = (elem: Elem) => (elem === 'f32' ? 'f32c' : elem);

const fillLayouts = {
  f32: uniforms({ n: 'u32', value: constant('f32') }),
  i32: uniforms({ n: 'u32', value: constant('i32') }),
  u32: uniforms({ n: 'u32', value: constant('u32') }),
};
/** fill: out[i] = value. */
export function fillUniforms(elem: Elem): (typeof fillLayouts)[Elem] {
  return fillLayouts[elem];
}
export function fillSpec(elem: Elem): KernelSpec {
  return {
    key: `fill:${elem}`,
    name: 'fill',
    source: () => `${fillUniforms(elem).wgsl()}
@group(0) @binding(1) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  out[i] = u_value();
}`,
  };
}

const arangeLayouts = {
  f32: uniforms({ n: 'u32', start: constant('f32'), step: constant('f32') }),
  i32: uniforms({ n: 'u32', start: constant('i32'), step: constant('i32') }),
};
/** arange: out[i] = start + i * step, in the output type. */
export function arangeUniforms(elem: 'f32' | 'i32'): (typeof arangeLayouts)['f32' | 'i32'] {
  return arangeLayouts[elem];
}
export function arangeSpec(elem: 'f32' | 'i32'): KernelSpec {
  return {
    key: `arange:${elem}`,
    name: 'arange',
    source: () => `${arangeUniforms(elem).wgsl()}
@group(0) @binding(1) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  out[i] = u_start() + ${elem}(i) * u_step();
}`,
  };
}

// ---- host side ------------------------------------------------------------------------------------

export function gather(gpu: GpuContext, x: GpuView, dim: number, index: GpuView): GpuStorage {
  const n = numel(index.shape);
  const out = gpu.alloc(x.dtype, n);
  if (n === 0) return out;
  indexedParts(gpu, 'gather', x, whole(out, index.shape), index, dim, (xp, op, ip, lo, hi) => {
    const r = index.shape.length;
    const params = gatherUniforms(r).pack({
      n: numel(ip.view.shape),
      dimSize: x.shape[dim]!,
      xDimStride: x.strides[dim]!,
      xOff: xp.off,
      idxOff: ip.off,
      lo,
      hi,
      outOff: op.off,
      shape: ip.view.shape,
      idxStrides: ip.view.strides,
      xStrides: x.strides.map((s, d) => (d === dim ? 0 : s)),
      outStrides: op.view.strides,
    });
    const grid = gpu.rt.grid(numel(ip.view.shape));
    gpu.rt.dispatch(gatherSpec(elemType(x.dtype), r), [xp.b, ip.b, op.b], params, grid);
  });
  return out;
}

export function scatterAdd(
  gpu: GpuContext,
  outShape: readonly number[],
  dim: number,
  index: GpuView,
  src: GpuView,
): GpuStorage {
  const out = gpu.alloc(src.dtype, numel(outShape));
  fillInto(gpu, out, 0);
  const n = numel(index.shape);
  if (n === 0) return out;
  const elem = elemType(src.dtype);
  if (elem === 'u32') fail('scatterAdd', 'not supported for bool tensors');
  const o = whole(out, outShape);
  indexedParts(gpu, 'scatterAdd', o, src, index, dim, (op, sp, ip, lo, hi) => {
    const r = index.shape.length;
    const params = scatterUniforms(r).pack({
      n: numel(ip.view.shape),
      dimSize: outShape[dim]!,
      outDimStride: o.strides[dim]!,
      srcOff: sp.off,
      idxOff: ip.off,
      lo,
      hi,
      outOff: op.off,
      shape: ip.view.shape,
      idxStrides: ip.view.strides,
      srcStrides: sp.view.strides,
      outStrides: o.strides.map((s, d) => (d === dim ? 0 : s)),
    });
    const spec = scatterSpec(elem as 'f32' | 'i32', r);
    gpu.rt.dispatch(spec, [sp.b, ip.b, op.b], params, gpu.rt.grid(numel(ip.view.shape)));
  });
  return out;
}

/**
 * Runs an indexed op in parts that each fit one binding. gather reads `table` where `index` says
 * along `dim` into `partner`; scatterAdd adds `partner` into `table` there (partner and index have
 * the same shape). Off `dim`, only the table's first index.shape[d] entries are touched, so only
 * those are bound. What does not fit is halved: index and partner (and the table, off `dim`) along
 * a dim of the index, the table along `dim` into windows [lo, hi) — an embedding table over the
 * limit costs a few passes. `run` gets the parts' bindings (the table's starting at row `lo`).
 */
function indexedParts(
  gpu: GpuContext,
  op: string,
  table: GpuView,
  partner: GpuView,
  index: GpuView,
  dim: number,
  run: (t: Bound, p: Bound & { view: GpuView }, i: Bound & { view: GpuView }, lo: number, hi: number) => void,
): void {
  const split = (t: GpuView, pv: GpuView, iv: GpuView, lo: number, hi: number): void => {
    const pb = gpu.tryBind(pv);
    const ib = gpu.tryBind(iv);
    // One row of the table along `dim` too large: halve along another dim, the table with it.
    const row = narrowView(t, dim, lo, 1);
    const rowFits = gpu.tryBind(row) !== null;
    if (!pb || !ib || !rowFits) {
      const d = iv.shape.findIndex((len, k) => len > 1 && (rowFits || k !== dim));
      if (d < 0) gpu.bind(!pb ? pv : !ib ? iv : row, op); // throws: nothing left to halve
      for (const [start, n] of halves(iv.shape[d]!)) {
        const tp = d === dim ? t : narrowView(t, d, start, n);
        split(tp, narrowView(pv, d, start, n), narrowView(iv, d, start, n), lo, hi);
      }
      return;
    }
    const window = narrowView(t, dim, lo, hi - lo);
    const tb = gpu.tryBind(window);
    if (!tb) {
      if (hi - lo < 2) gpu.bind(window, op); // throws
      const mid = lo + Math.floor((hi - lo) / 2);
      split(t, pv, iv, lo, mid);
      split(t, pv, iv, mid, hi);
      return;
    }
    run(tb, { ...pb, view: pv }, { ...ib, view: iv }, lo, hi);
  };
  const touched: GpuView = {
    ...table,
    shape: table.shape.map((len, d) => (d === dim ? len : index.shape[d]!)),
  };
  split(touched, partner, index, 0, table.shape[dim]!);
}

// ---- creation --------------------------------------------------------------------------------------

export function fillInto(gpu: GpuContext, out: GpuStorage, value: number): GpuStorage {
  if (out.size === 0) return out;
  const elem = elemType(out.dtype);
  gpu.chunked(fillSpec(elem), out, out.size, (_, count) => fillUniforms(elem).pack({ n: count, value }));
  return out;
}

export function fill(gpu: GpuContext, size: number, dtype: DType, value: number): GpuStorage {
  return fillInto(gpu, gpu.alloc(dtype, size), dtype === 'bool' ? (value ? 1 : 0) : value);
}

export function arange(gpu: GpuContext, size: number, start: number, step: number, dtype: DType): GpuStorage {
  const out = gpu.alloc(dtype, size);
  if (size === 0) return out;
  if (dtype === 'bool') fail('arange', 'dtype bool is not supported');
  const T = computeType(dtype);
  gpu.chunked(arangeSpec(T), out, size, (s, count) =>
    arangeUniforms(T).pack({ n: count, start: start + s * step, step }),
  );
  return out;
}
