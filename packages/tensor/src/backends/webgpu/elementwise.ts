import type { DType } from '../../dtype.js';
import { fail } from '../../errors.js';
import { BINARY_OPS, type BinaryOp, UNARY_OPS, type UnaryOp } from '../../ops/opTable.js';
import { collapseDims, contiguousStrides, numel } from '../../shape.js';
import { type Bound, type GpuContext, type GpuStorage, type GpuView, halves, narrowView } from './context.js';
import type { KernelSpec } from './runtime.js';
import { type Field, type Uniforms, uniforms } from './uniforms.js';
import { computeType, elemType, FLAT_INDEX, MAIN_1D, MATH_HELPERS } from './wgsl.js';

/**
 * Generator for every elementwise kernel: unary, binary, where and strided copy. Operands are
 * specialised by layout so the common cases do no index arithmetic:
 *   contig  – element i is at offset + i
 *   strided – the output index is unravelled over the (collapsed) shape and dotted with strides
 *   scalar  – a constant passed in the uniform block (JS numbers in `x.mul(2)` never touch memory)
 *
 * Uniforms (elementwiseKernel): n, shape[rank], then per operand k its offset `off<k>` (and
 * strides `st<k>[rank]` if strided) or its value `s<k>` if a scalar, the destination's `dOff` and
 * `dSt[rank]` for a strided output, then the op's parameters p0, p1.
 */

export type Layout = 'contig' | 'strided' | 'scalar';
export type Elem = 'f32' | 'i32' | 'u32';

export interface OperandDesc {
  readonly name: string;
  readonly layout: Layout;
  readonly elem: Elem;
}

export interface ElementwiseDesc {
  readonly name: string;
  readonly rank: number;
  readonly operands: readonly OperandDesc[];
  readonly compute: 'f32' | 'i32';
  readonly outElem: Elem;
  /** WGSL expression over the operand names (and p0, p1); its type is the compute type or bool. */
  readonly expr: string;
  readonly returnsBool: boolean;
  readonly params: number;
  /** Destination strides instead of a contiguous output (strided copy for cat). */
  readonly stridedOut?: boolean;
}

/** Elements per invocation when every operand is contiguous or a scalar (fewer, fatter threads). */
export const VEC = 4;

export function isVectorizable(d: ElementwiseDesc): boolean {
  return !d.stridedOut && d.operands.every((o) => o.layout !== 'strided');
}

const LAYOUT_CODE: Record<Layout, string> = { contig: 'c', strided: 't', scalar: 'k' };

export function elementwiseKey(d: ElementwiseDesc): string {
  const ops = d.operands.map((o) => `${LAYOUT_CODE[o.layout]}${o.elem}`).join(',');
  return `ew:${d.name}:${d.rank}:${ops}:${d.compute}:${d.outElem}:${d.stridedOut ? 's' : 'c'}:${isVectorizable(d) ? VEC : 1}`;
}

/** The uniforms of a kernel (see above); values in the compute type are clamped to its range. */
function elementwiseUniforms(d: ElementwiseDesc): Uniforms<Record<string, Field>> {
  const value = d.compute === 'f32' ? 'f32c' : 'i32';
  const fields: Record<string, Field> = { n: 'u32', shape: ['u32', d.rank] };
  d.operands.forEach((o, k) => {
    if (o.layout === 'scalar') fields[`s${k}`] = value;
    else if (o.layout === 'contig') fields[`off${k}`] = 'u32';
    else {
      fields[`off${k}`] = 'i32';
      fields[`st${k}`] = ['i32', d.rank];
    }
  });
  if (d.stridedOut) {
    fields.dOff = 'i32';
    fields.dSt = ['i32', d.rank];
  }
  for (let k = 0; k < d.params; k++) fields[`p${k}`] = value;
  return uniforms(fields);
}

export interface ElementwiseKernel {
  readonly spec: KernelSpec;
  readonly uniforms: Uniforms<Record<string, Field>>;
}
const kernels = new Map<string, ElementwiseKernel>();

/** The kernel for a description, and its uniforms (made once per distinct WGSL text). */
export function elementwiseKernel(d: ElementwiseDesc): ElementwiseKernel {
  const key = elementwiseKey(d);
  let k = kernels.get(key);
  if (!k) {
    const u = elementwiseUniforms(d);
    k = { spec: { key, name: d.name, source: () => elementwiseSource(d, u) }, uniforms: u };
    kernels.set(key, k);
  }
  return k;
}

function elementwiseSource(d: ElementwiseDesc, u: Uniforms<Record<string, Field>>): string {
  const lines: string[] = [];
  const outBinding = d.operands.filter((o) => o.layout !== 'scalar').length + 1;
  // Buffers bind consecutively from 1, in operand order, skipping scalars.
  let b = 1;
  const bindingDecls = d.operands.map((o, k) =>
    o.layout === 'scalar' ? '' : `@group(0) @binding(${b++}) var<storage, read> in${k}: array<${o.elem}>;`,
  );
  const needsCoords = d.operands.some((o) => o.layout === 'strided') || d.stridedOut;
  if (needsCoords && d.rank > 0) {
    lines.push('var rem = i;');
    d.operands.forEach((o, k) => {
      if (o.layout === 'strided') lines.push(`var o${k} = u_off${k}();`);
    });
    if (d.stridedOut) lines.push('var od = u_dOff();');
    for (let dim = d.rank - 1; dim >= 0; dim--) {
      lines.push(`{ let s = u_shape(${dim}u); let c = i32(rem % s); rem = rem / s;`);
      d.operands.forEach((o, k) => {
        if (o.layout === 'strided') lines.push(`  o${k} = o${k} + c * u_st${k}(${dim}u);`);
      });
      if (d.stridedOut) lines.push(`  od = od + c * u_dSt(${dim}u);`);
      lines.push('}');
    }
  }
  const T = d.compute;
  d.operands.forEach((o, k) => {
    let load: string;
    if (o.layout === 'scalar') load = `u_s${k}()`;
    else if (o.layout === 'contig') load = `${T}(in${k}[u_off${k}() + i])`;
    else if (d.rank === 0) load = `${T}(in${k}[u32(u_off${k}())])`;
    else load = `${T}(in${k}[u32(o${k})])`;
    lines.push(`let ${o.name} = ${load};`);
  });
  for (let k = 0; k < d.params; k++) lines.push(`let p${k} = u_p${k}();`);
  lines.push(`let r = ${d.expr.replaceAll('T(', `${T}(`)};`);
  const value = d.returnsBool ? `select(0u, 1u, r)` : `${d.outElem}(r)`;
  const outIndex = d.stridedOut ? (d.rank === 0 ? 'u32(u_dOff())' : 'u32(od)') : 'i';
  lines.push(`out[${outIndex}] = ${value};`);
  const body = isVectorizable(d)
    ? `let i0 = i * ${VEC}u;
  for (var q = 0u; q < ${VEC}u; q = q + 1u) {
    let e = i0 + q;
    if (e >= u_n()) { return; }
    ${lines.join('\n    ').replaceAll('+ i]', '+ e]').replaceAll('out[i]', 'out[e]')}
  }`
    : `if (i >= u_n()) { return; }
  ${lines.join('\n  ')}`;
  return `${u.wgsl()}
${bindingDecls.filter(Boolean).join('\n')}
@group(0) @binding(${outBinding}) var<storage, read_write> out: array<${d.outElem}>;
${MATH_HELPERS}
${MAIN_1D} {
  ${FLAT_INDEX}
  ${body}
}`;
}

export function unaryExpr(
  op: UnaryOp,
  compute: 'f32' | 'i32',
): { expr: string; returnsBool: boolean; params: number } {
  const def = UNARY_OPS[op] as { kind: string; wgsl: string; wgslInt?: string; params?: number };
  const expr = compute === 'i32' && def.wgslInt !== undefined ? def.wgslInt : def.wgsl;
  return { expr, returnsBool: def.kind === 'bool', params: def.params ?? 0 };
}

export function binaryExpr(op: BinaryOp, compute: 'f32' | 'i32'): { expr: string; returnsBool: boolean } {
  const def = BINARY_OPS[op] as { kind: string; wgsl: string; wgslInt?: string };
  const expr = compute === 'i32' && def.wgslInt !== undefined ? def.wgslInt : def.wgsl;
  return { expr, returnsBool: def.kind === 'bool' };
}

// ---- host side: layouts, uniforms, splitting -----------------------------------------------------

/** Where a kernel writes: a fresh contiguous output, or a strided window of an existing storage. */
interface Destination {
  readonly storage: GpuStorage;
  readonly offset: number;
  readonly strides: readonly number[];
}

/**
 * Runs `expr` over `operands` (named `names` in it), all of one shape. Work larger than one
 * binding is halved along its first dim longer than 1, each half written into its place.
 */
export function elementwise(
  gpu: GpuContext,
  name: string,
  operands: readonly GpuView[],
  names: readonly string[],
  compute: DType,
  outDtype: DType,
  expr: string,
  returnsBool: boolean,
  pvals: readonly number[],
  out?: Destination,
): GpuStorage {
  const shape = operands[0]!.shape;
  const n = numel(shape);
  const outStorage = out?.storage ?? gpu.alloc(outDtype, n);
  if (n === 0) return outStorage;
  const isScalar = operands.map((v) => v.storage.isUniform);
  const outStrides = out ? out.strides : contiguousStrides(shape);
  const outView: GpuView = {
    storage: outStorage,
    shape,
    strides: outStrides,
    offset: out?.offset ?? 0,
    dtype: outDtype,
  };
  const bound = operands.map((v, k) => (isScalar[k] ? null : gpu.tryBind(v)));
  const outBound = gpu.tryBind(outView);
  if (!outBound || bound.some((b, k) => !b && !isScalar[k])) {
    const d = shape.findIndex((len) => len > 1);
    if (d < 0) fail(name, 'internal: a single element does not fit one binding');
    for (const [start, len] of halves(shape[d]!)) {
      const o = narrowView(outView, d, start, len);
      const parts = operands.map((v, k) =>
        isScalar[k] ? { ...v, shape: o.shape } : narrowView(v, d, start, len),
      );
      const dst = { storage: outStorage, offset: o.offset, strides: outStrides };
      elementwise(gpu, name, parts, names, compute, outDtype, expr, returnsBool, pvals, dst);
    }
    return outStorage;
  }
  const strideSets = operands.filter((_, k) => !isScalar[k]).map((v) => v.strides);
  const collapsed = collapseDims(shape, [...strideSets, outStrides]);
  const cshape = collapsed.shape;
  const cContig = contiguousStrides(cshape);
  // Each buffer operand's collapsed strides, in operand order (scalars have none).
  let si = 0;
  const strides = operands.map((_, k) => (isScalar[k] ? null : collapsed.strides[si++]!));
  const outCollapsed = collapsed.strides[collapsed.strides.length - 1]!;
  // A destination inside a larger buffer (cat, assign) always goes through the strided-output path.
  const stridedOut = out !== undefined;
  const descs: OperandDesc[] = operands.map((v, k) => ({
    name: names[k]!,
    layout: isScalar[k] ? 'scalar' : sameArray(strides[k]!, cContig) ? 'contig' : 'strided',
    elem: elemType(v.dtype),
  }));
  const desc: ElementwiseDesc = {
    name,
    rank: cshape.length,
    operands: descs,
    compute: computeType(compute),
    outElem: elemType(outDtype),
    expr,
    returnsBool,
    params: pvals.length,
    stridedOut,
  };
  const kernel = elementwiseKernel(desc);
  const values: Record<string, number | readonly number[]> = { n, shape: cshape };
  operands.forEach((v, k) => {
    if (isScalar[k]) values[`s${k}`] = v.storage.scalarValue!;
    else values[`off${k}`] = bound[k]!.off;
    if (descs[k]!.layout === 'strided') values[`st${k}`] = strides[k]!;
  });
  if (stridedOut) {
    values.dOff = outBound.off;
    values.dSt = outCollapsed;
  }
  for (const [k, v] of pvals.entries()) values[`p${k}`] = v;
  const buffers = bound.filter((b): b is Bound => b !== null).map((b) => b.b);
  const threads = isVectorizable(desc) ? Math.ceil(n / VEC) : n;
  const params = kernel.uniforms.pack(values);
  gpu.rt.dispatch(kernel.spec, [...buffers, outBound.b], params, gpu.rt.grid(threads));
  return outStorage;
}

export function unary(
  gpu: GpuContext,
  op: UnaryOp,
  x: GpuView,
  computeDtype: DType,
  outDtype: DType,
  p0: number,
  p1: number,
): GpuStorage {
  const { expr, returnsBool, params } = unaryExpr(op, computeType(computeDtype));
  const pvals = [p0, p1].slice(0, params);
  return elementwise(gpu, op, [x], ['x'], computeDtype, outDtype, expr, returnsBool, pvals);
}

export function binary(
  gpu: GpuContext,
  op: BinaryOp,
  a: GpuView,
  b: GpuView,
  computeDtype: DType,
  outDtype: DType,
): GpuStorage {
  const { expr, returnsBool } = binaryExpr(op, computeType(computeDtype));
  return elementwise(gpu, op, [a, b], ['a', 'b'], computeDtype, outDtype, expr, returnsBool, []);
}

export function where(gpu: GpuContext, cond: GpuView, a: GpuView, b: GpuView, dtype: DType): GpuStorage {
  const expr = 'select(b, a, c != T(0))';
  return elementwise(gpu, 'where', [cond, a, b], ['c', 'a', 'b'], dtype, dtype, expr, false, []);
}

/** Copies `src` (of dst's shape) into `dst` through dst's strides. */
function copyInto(gpu: GpuContext, src: GpuView, dst: Destination, dtype: DType): void {
  elementwise(gpu, 'copy', [src], ['x'], dtype === 'bool' ? 'int32' : dtype, dtype, 'x', false, [], dst);
}

export function cat(
  gpu: GpuContext,
  inputs: readonly GpuView[],
  dim: number,
  outShape: readonly number[],
  dtype: DType,
): GpuStorage {
  const out = gpu.alloc(dtype, numel(outShape));
  const strides = contiguousStrides(outShape);
  let start = 0;
  for (const v of inputs) {
    if (numel(v.shape) > 0) copyInto(gpu, v, { storage: out, offset: start * strides[dim]!, strides }, dtype);
    start += v.shape[dim]!;
  }
  return out;
}

export function assign(gpu: GpuContext, dst: GpuView, src: GpuView): void {
  if (numel(dst.shape) === 0) return;
  gpu.buf(dst.storage);
  copyInto(gpu, src, dst, dst.dtype);
}

function sameArray(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
