import type { ReduceOp } from '../../backend.js';
import type { DType } from '../../dtype.js';
import { collapseDims, contiguousStrides, numel } from '../../shape.js';
import { type GpuContext, type GpuStorage, type GpuView, halves, narrowView, whole } from './context.js';
import type { Elem } from './elementwise.js';
import type { KernelSpec } from './runtime.js';
import { perShape, uniforms } from './uniforms.js';
import { computeType, elemType, SPECIAL_FLOATS } from './wgsl.js';

/**
 * Reductions. Output element o (over the outer dims) combines the inner elements of chunk k,
 * so a long reduction can be split across workgroups and finished by a second pass.
 *
 *   tree   – one 256-thread workgroup per (o, k): strided accumulation, then a shared-memory tree
 *   serial – one thread per output, for short reductions over many outputs
 *
 * Uniforms: reduceUniforms (outer and inner dims collapsed by the host).
 */

export interface ReduceDesc {
  readonly op: ReduceOp;
  readonly outerRank: number;
  readonly innerRank: number;
  readonly inElem: Elem;
  readonly accType: Elem;
  readonly outElem: Elem;
  readonly mode: 'tree' | 'serial';
}

/** The uniforms of a reduction over `innerRank` dims into `outerRank` dims. */
export const reduceUniforms = perShape((outerRank: number, innerRank: number) =>
  uniforms({
    nOut: 'u32',
    nIn: 'u32',
    nChunks: 'u32',
    chunk: 'u32',
    off: 'i32',
    outerShape: ['u32', outerRank],
    outerStrides: ['i32', outerRank],
    innerShape: ['u32', innerRank],
    innerStrides: ['i32', innerRank],
  }),
);

function identity(op: ReduceOp, t: Elem): string {
  const isMax = op === 'max' || op === 'argmax';
  switch (op) {
    case 'sum':
      return `${t}(0)`;
    case 'prod':
      return `${t}(1)`;
    default:
      if (t === 'f32') return isMax ? 'bitcast<f32>(NEG_INF_BITS)' : 'bitcast<f32>(POS_INF_BITS)';
      if (t === 'i32') return isMax ? 'i32(-2147483647 - 1)' : 'i32(2147483647)';
      return isMax ? '0u' : '0xffffffffu';
  }
}

/** Statement folding (v, j) into (acc, idx). */
function combine(op: ReduceOp): string {
  switch (op) {
    case 'sum':
      return 'acc = acc + v;';
    case 'prod':
      return 'acc = acc * v;';
    case 'max':
      return 'acc = max(acc, v);';
    case 'min':
      return 'acc = min(acc, v);';
    case 'argmax':
      return 'if (v > acc || (v == acc && j < idx)) { acc = v; idx = j; }';
    case 'argmin':
      return 'if (v < acc || (v == acc && j < idx)) { acc = v; idx = j; }';
  }
}

export function reduceSpec(d: ReduceDesc): KernelSpec {
  const key = `reduce:${d.op}:${d.mode}:${d.outerRank}:${d.innerRank}:${d.inElem}:${d.accType}:${d.outElem}`;
  return { key, name: `reduce_${d.op}`, source: () => reduceSource(d) };
}

function reduceSource(d: ReduceDesc): string {
  const isArg = d.op === 'argmax' || d.op === 'argmin';
  const A = d.accType;
  const outerOffset: string[] = ['var base = u_off();', 'var rem = o;'];
  for (let k = d.outerRank - 1; k >= 0; k--) {
    outerOffset.push(
      `{ let s = u_outerShape(${k}u); base = base + i32(rem % s) * u_outerStrides(${k}u); rem = rem / s; }`,
    );
  }
  let innerOffset: string;
  if (d.innerRank === 0) innerOffset = 'let off = base;';
  else if (d.innerRank === 1) innerOffset = 'let off = base + i32(j) * u_innerStrides(0u);';
  else {
    const parts = ['var off = base;', 'var r2 = j;'];
    for (let k = d.innerRank - 1; k >= 0; k--) {
      parts.push(
        `{ let s = u_innerShape(${k}u); off = off + i32(r2 % s) * u_innerStrides(${k}u); r2 = r2 / s; }`,
      );
    }
    innerOffset = parts.join(' ');
  }
  const load = `let v = ${A}(inp[u32(off)]);`;
  const loop = `for (var j = start + LANE; j < end; j = j + STEP) { ${innerOffset} ${load} ${combine(d.op)} }`;
  const result = isArg ? 'i32(idx)' : `${d.outElem}(acc)`;
  const header = `${reduceUniforms(d.outerRank, d.innerRank).wgsl()}
${SPECIAL_FLOATS}
@group(0) @binding(1) var<storage, read> inp: array<${d.inElem}>;
@group(0) @binding(2) var<storage, read_write> out: array<${d.outElem}>;`;
  if (d.mode === 'serial') {
    return `${header}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = gid.x + gid.y * nwg.x * 256u;
  let nChunks = u_nChunks();
  if (g >= u_nOut() * nChunks) { return; }
  let o = g / nChunks;
  let k = g % nChunks;
  ${outerOffset.join('\n  ')}
  let start = k * u_chunk();
  let end = min(start + u_chunk(), u_nIn());
  var acc = ${identity(d.op, A)};
  var idx = 0u;
  ${loop.replace('LANE', '0u').replace('STEP', '1u')}
  out[g] = ${result};
}`;
  }
  const treeCombine = isArg
    ? `let v = sv[l + s]; let j = si[l + s]; var acc = sv[l]; var idx = si[l]; ${combine(d.op)} sv[l] = acc; si[l] = idx;`
    : `let v = sv[l + s]; var acc = sv[l]; ${combine(d.op)} sv[l] = acc;`;
  return `${header}
var<workgroup> sv: array<${A}, 256>;
var<workgroup> si: array<u32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let g = wid.x + wid.y * nwg.x;
  let nChunks = u_nChunks();
  if (g >= u_nOut() * nChunks) { return; }
  let l = lid.x;
  let o = g / nChunks;
  let k = g % nChunks;
  ${outerOffset.join('\n  ')}
  let start = k * u_chunk();
  let end = min(start + u_chunk(), u_nIn());
  var acc = ${identity(d.op, A)};
  var idx = 0u;
  ${loop.replace('LANE', 'l').replace('STEP', '256u')}
  sv[l] = acc;
  si[l] = idx;
  workgroupBarrier();
  for (var s = 128u; s > 0u; s = s >> 1u) {
    if (l < s) { ${treeCombine} }
    workgroupBarrier();
  }
  if (l == 0u) {
    let acc = sv[0];
    let idx = si[0];
    out[g] = ${result};
  }
}`;
}

// ---- host side: one or two passes, and splitting ---------------------------------------------------

/** Elements of one chunk of a two-pass reduction. */
const CHUNK = 4096;

export function reduce(
  gpu: GpuContext,
  op: ReduceOp,
  x: GpuView,
  outerRank: number,
  outDtype: DType,
): GpuStorage {
  const outBytes = numel(x.shape.slice(0, outerRank)) * 4;
  if ((numel(x.shape) > 1 && !gpu.tryBind(x)) || outBytes > gpu.rt.limits.maxBinding)
    return reduceSplit(gpu, op, x, outerRank, outDtype);
  const o = collapseDims(x.shape.slice(0, outerRank), [x.strides.slice(0, outerRank)]);
  const i = collapseDims(x.shape.slice(outerRank), [x.strides.slice(outerRank)]);
  const nOut = numel(o.shape);
  const nIn = numel(i.shape);
  const out = gpu.alloc(outDtype, nOut);
  if (nOut === 0) return out;
  const inElem = elemType(x.dtype);
  const isArg = op === 'argmax' || op === 'argmin';
  const accType =
    op === 'sum' || op === 'prod' ? computeType(outDtype === 'bool' ? 'int32' : outDtype) : inElem;
  const outElem = elemType(outDtype);
  // A workgroup tree per output, or (short reductions, emulated adapters) an invocation each;
  // long reductions into few outputs are split into chunks either way (policy.ts).
  const { trees, serialMax, twoPassMin } = gpu.policy;
  const twoPass = !isArg && nOut <= 64 && nIn >= twoPassMin;
  const nChunks = twoPass ? Math.ceil(nIn / CHUNK) : 1;
  const chunk = twoPass ? CHUNK : Math.max(nIn, 1);
  const mode = trees && nIn > serialMax ? 'tree' : 'serial';
  const first: ReduceDesc = {
    op,
    outerRank: o.shape.length,
    innerRank: i.shape.length,
    inElem,
    accType,
    outElem: twoPass ? accType : outElem,
    mode,
  };
  const target = twoPass ? gpu.alloc(outDtype === 'bool' ? 'int32' : outDtype, nOut * nChunks) : out;
  const xb = gpu.bind(x, op);
  const tb = gpu.bind(whole(target), op);
  const params = reduceUniforms(first.outerRank, first.innerRank).pack({
    nOut,
    nIn,
    nChunks,
    chunk,
    off: xb.off,
    outerShape: o.shape,
    outerStrides: o.strides[0]!,
    innerShape: i.shape,
    innerStrides: i.strides[0]!,
  });
  const groups = nOut * nChunks;
  const grid = mode === 'serial' ? gpu.rt.grid(groups) : gpu.rt.grid(groups, 1);
  gpu.rt.dispatch(reduceSpec(first), [xb.b, tb.b], params, grid);
  if (!twoPass) return out;
  // Second pass: reduce the [nOut, nChunks] partials (a sum of partial sums, a max of maxima…).
  const second: ReduceDesc = {
    op,
    outerRank: 1,
    innerRank: 1,
    inElem: accType,
    accType,
    outElem,
    mode: trees ? 'tree' : 'serial',
  };
  const p2 = reduceUniforms(1, 1).pack({
    nOut,
    nIn: nChunks,
    nChunks: 1,
    chunk: nChunks,
    off: 0,
    outerShape: [nOut],
    outerStrides: [nChunks],
    innerShape: [nChunks],
    innerStrides: [1],
  });
  gpu.rt.dispatch(
    reduceSpec(second),
    [tb.b, gpu.bind(whole(out), op).b],
    p2,
    trees ? gpu.rt.grid(nOut, 1) : gpu.rt.grid(nOut),
  );
  gpu.release(target);
  return out;
}

/**
 * A reduction over more than one binding holds: x is halved where it spans most; halves of
 * kept dims are reduced apart and concatenated, halves of reduced dims are combined (a sum of
 * sums, a max of maxima…).
 */
function reduceSplit(
  gpu: GpuContext,
  op: ReduceOp,
  x: GpuView,
  outerRank: number,
  outDtype: DType,
): GpuStorage {
  const outShape = x.shape.slice(0, outerRank);
  // An output too large is halved along a kept dim; an input too large where it spans most.
  let dim = -1;
  if (numel(outShape) * 4 > gpu.rt.limits.maxBinding) dim = outShape.findIndex((len) => len > 1);
  else {
    let widest = -1;
    for (let k = 0; k < x.shape.length; k++) {
      const w = Math.abs(x.strides[k]!) * (x.shape[k]! - 1);
      if (x.shape[k]! > 1 && w > widest) [dim, widest] = [k, w];
    }
  }
  if (dim >= outerRank && (op === 'argmax' || op === 'argmin')) {
    // The first flat index (within the reduced dims) where x equals its max (min).
    const innerShape = x.shape.slice(outerRank);
    const nIn = numel(innerShape);
    const extreme = reduce(gpu, op === 'argmax' ? 'max' : 'min', x, outerRank, x.dtype);
    const ex: GpuView = {
      storage: extreme,
      shape: x.shape,
      strides: [...contiguousStrides(outShape), ...innerShape.map(() => 0)],
      offset: 0,
      dtype: x.dtype,
    };
    const hit = gpu.binary('eq', x, ex, x.dtype === 'bool' ? 'int32' : x.dtype, 'bool');
    const flat = gpu.arange(nIn, 0, 1, 'int32');
    const idx: GpuView = {
      storage: flat,
      shape: x.shape,
      strides: [...outShape.map(() => 0), ...contiguousStrides(innerShape)],
      offset: 0,
      dtype: 'int32',
    };
    const cand = gpu.where(
      whole(hit, x.shape),
      idx,
      {
        storage: gpu.scalar(nIn, 'int32'),
        shape: x.shape,
        strides: x.shape.map(() => 0),
        offset: 0,
        dtype: 'int32',
      },
      'int32',
    );
    const out = reduce(gpu, 'min', whole(cand, x.shape), outerRank, 'int32');
    for (const t of [extreme, hit, flat, cand]) gpu.release(t);
    return out;
  }
  const parts = halves(x.shape[dim]!).map(([start, len]) => {
    const part = narrowView(x, dim, start, len);
    return whole(reduce(gpu, op, part, outerRank, outDtype), part.shape.slice(0, outerRank));
  });
  const compute = outDtype === 'bool' ? 'int32' : outDtype;
  const combine = { sum: 'add', prod: 'mul', max: 'maximum', min: 'minimum' } as const;
  const out =
    dim < outerRank
      ? gpu.cat(parts, dim, outShape, outDtype)
      : gpu.binary(combine[op as keyof typeof combine], parts[0]!, parts[1]!, compute, outDtype);
  for (const part of parts) gpu.release(part.storage);
  return out;
}
