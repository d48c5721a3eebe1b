import type { DType } from '../../dtype.js';
import { DtypeError, fail } from '../../errors.js';
import { numel } from '../../shape.js';
import { type GpuContext, type GpuStorage, type GpuView, halves, narrowView, whole } from './context.js';
import type { Elem } from './elementwise.js';
import type { Binding, KernelSpec } from './runtime.js';
import { perShape, uniforms } from './uniforms.js';
import { computeType, elemType, FLAT_INDEX, MAIN_1D } from './wgsl.js';

/**
 * gather and scatterAdd share their uniforms: a `table` indexed along `dim` (gather reads x,
 * scatterAdd adds into out), a `partner` of the index's shape (gather's out, scatterAdd's src),
 * and the index. tableStrides has 0 at `dim`; the table's offset points at row `lo` of the part
 * bound, and only indices in [lo, hi) are used: what is too large for one binding runs in parts.
 */
export const indexedUniforms = perShape((r: number) =>
  uniforms({
    n: 'u32',
    dimSize: 'u32',
    tableDimStride: 'i32',
    tableOff: 'i32',
    partnerOff: 'i32',
    idxOff: 'i32',
    lo: 'i32',
    hi: 'i32',
    shape: ['u32', r],
    idxStrides: ['i32', r],
    partnerStrides: ['i32', r],
    tableStrides: ['i32', r],
  }),
);

/** Unravels i over u_shape, adding each coordinate times the index's, partner's and table's strides. */
function unravel(rank: number, vars: readonly [index: string, partner: string, table: string]): string {
  const strides = ['idxStrides', 'partnerStrides', 'tableStrides'];
  const lines = ['var rem = i;'];
  for (let k = rank - 1; k >= 0; k--) {
    const adds = vars.map((v, j) => `${v} = ${v} + c * u_${strides[j]}(${k}u);`).join(' ');
    lines.push(`{ let s = u_shape(${k}u); let c = i32(rem % s); rem = rem / s; ${adds} }`);
  }
  return lines.join('\n  ');
}

/**
 * gather: out[i] = x[xOffset(i with dim replaced by index[i])]; out has index's shape.
 * Out-of-range indices read 0 (the cpu backend throws instead).
 */
export function gatherSpec(elem: Elem, rank: number): KernelSpec {
  return { key: `gather:${elem}:${rank}`, name: 'gather', source: () => gatherSource(elem, rank) };
}

function gatherSource(elem: Elem, r: number): string {
  return `${indexedUniforms(r).wgsl()}
@group(0) @binding(1) var<storage, read> x: array<${elem}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<${elem}>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  var oi = u_idxOff();
  var ox = u_tableOff();
  var oo = u_partnerOff();
  ${unravel(r, ['oi', 'oo', 'ox'])}
  let j = index[u32(oi)];
  let at = u32(oo);
  if (j < 0 || u32(j) >= u_dimSize()) { out[at] = ${elem}(0); return; }
  let lo = u_lo();
  if (j < lo || j >= u_hi()) { return; }
  out[at] = x[u32(ox + (j - lo) * u_tableDimStride())];
}`;
}

/**
 * scatterAdd into a zero-filled contiguous out: out[outOffset(i with dim replaced by index[i])] +=
 * src[i]. Floats add with a compare-exchange loop (WGSL has integer atomics only).
 */
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
  return `${indexedUniforms(r).wgsl()}
@group(0) @binding(1) var<storage, read> src: array<${elem}>;
@group(0) @binding(2) var<storage, read> index: array<i32>;
@group(0) @binding(3) var<storage, read_write> out: array<atomic<${elem === 'i32' ? 'i32' : 'u32'}>>;
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  var oi = u_idxOff();
  var os = u_partnerOff();
  var oo = u_tableOff();
  ${unravel(r, ['oi', 'os', 'oo'])}
  let j = index[u32(oi)];
  let lo = u_lo();
  if (j < lo || j >= u_hi() || u32(j) >= u_dimSize()) { return; }
  let p = u32(oo + (j - lo) * u_tableDimStride());
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
  const spec = gatherSpec(elemType(x.dtype), index.shape.length);
  indexedParts(gpu, 'gather', x, whole(out, index.shape), index, dim, (b, params, count) => {
    gpu.rt.dispatch(spec, [b.table, b.index, b.partner], params, gpu.rt.grid(count));
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
  if (elem === 'u32') fail('scatterAdd', 'not supported for bool tensors', DtypeError);
  const spec = scatterSpec(elem, index.shape.length);
  indexedParts(gpu, 'scatterAdd', whole(out, outShape), src, index, dim, (b, params, count) => {
    gpu.rt.dispatch(spec, [b.partner, b.index, b.table], params, gpu.rt.grid(count));
  });
  return out;
}

/**
 * Runs an indexed op in parts that each fit one binding. gather reads `table` where `index` says
 * along `dim` into `partner`; scatterAdd adds `partner` into `table` there (partner and index have
 * the same shape). Off `dim`, only the table's first index.shape[d] entries are touched, so only
 * those are bound. What does not fit is halved: index and partner (and the table, off `dim`) along
 * a dim of the index, the table along `dim` into windows [lo, hi) — an embedding table over the
 * limit costs a few passes. `run` gets each part's bindings, its uniforms and its element count.
 */
function indexedParts(
  gpu: GpuContext,
  op: string,
  table: GpuView,
  partner: GpuView,
  index: GpuView,
  dim: number,
  run: (
    bindings: { table: Binding; partner: Binding; index: Binding },
    params: Uint32Array,
    n: number,
  ) => void,
): void {
  const tableStrides = table.strides.map((s, d) => (d === dim ? 0 : s));
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
    const n = numel(iv.shape);
    const params = indexedUniforms(iv.shape.length).pack({
      n,
      dimSize: table.shape[dim]!,
      tableDimStride: table.strides[dim]!,
      tableOff: tb.off,
      partnerOff: pb.off,
      idxOff: ib.off,
      lo,
      hi,
      shape: iv.shape,
      idxStrides: iv.strides,
      partnerStrides: pv.strides,
      tableStrides,
    });
    run({ table: tb.b, partner: pb.b, index: ib.b }, params, n);
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
  if (dtype === 'bool') fail('arange', 'dtype bool is not supported', DtypeError);
  const T = computeType(dtype);
  gpu.chunked(arangeSpec(T), out, size, (s, count) =>
    arangeUniforms(T).pack({ n: count, start: start + s * step, step }),
  );
  return out;
}
