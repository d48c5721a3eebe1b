import { BINARY_OPS, type BinaryOp, UNARY_OPS, type UnaryOp } from '../../ops/opTable.js';
import type { KernelSpec } from './runtime.js';
import { FLAT_INDEX, MAIN_1D, MATH_HELPERS, paramsDecl } from './wgsl.js';

/**
 * Generator for every elementwise kernel: unary, binary, where and strided copy. Operands are
 * specialised by layout so the common cases do no index arithmetic:
 *   contig  – element i is at offset + i
 *   strided – the output index is unravelled over the (collapsed) shape and dotted with strides
 *   scalar  – a constant passed in the uniform block (JS numbers in `x.mul(2)` never touch memory)
 *
 * Parameter block: [n, shape[0..rank), then per operand: offset (+ strides[0..rank) if strided)
 * or the scalar's bits, then p0, p1].
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

/** Word index of each operand's parameters in the uniform block. */
export function operandParamOffsets(d: ElementwiseDesc): {
  offsets: number[];
  p: number;
  dst: number;
  words: number;
} {
  let w = 1 + d.rank;
  const offsets: number[] = [];
  for (const o of d.operands) {
    offsets.push(w);
    w += o.layout === 'strided' ? 1 + d.rank : 1;
  }
  const dst = w;
  if (d.stridedOut) w += 1 + d.rank;
  const p = w;
  w += d.params;
  return { offsets, p, dst, words: w };
}

export function elementwiseSpec(d: ElementwiseDesc): KernelSpec {
  return { key: elementwiseKey(d), name: d.name, source: () => elementwiseSource(d) };
}

function elementwiseSource(d: ElementwiseDesc): string {
  const { offsets, p, dst, words } = operandParamOffsets(d);
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
      if (o.layout === 'strided') lines.push(`var o${k} = bitcast<i32>(P(${offsets[k]}u));`);
    });
    if (d.stridedOut) lines.push(`var od = bitcast<i32>(P(${dst}u));`);
    for (let dim = d.rank - 1; dim >= 0; dim--) {
      lines.push(`{ let s = P(${1 + dim}u); let c = i32(rem % s); rem = rem / s;`);
      d.operands.forEach((o, k) => {
        if (o.layout === 'strided')
          lines.push(`  o${k} = o${k} + c * bitcast<i32>(P(${offsets[k]! + 1 + dim}u));`);
      });
      if (d.stridedOut) lines.push(`  od = od + c * bitcast<i32>(P(${dst + 1 + dim}u));`);
      lines.push('}');
    }
  }
  const T = d.compute;
  d.operands.forEach((o, k) => {
    let load: string;
    if (o.layout === 'scalar') load = `bitcast<${T}>(P(${offsets[k]}u))`;
    else if (o.layout === 'contig') load = `${T}(in${k}[P(${offsets[k]}u) + i])`;
    else if (d.rank === 0) load = `${T}(in${k}[P(${offsets[k]}u)])`;
    else load = `${T}(in${k}[u32(o${k})])`;
    lines.push(`let ${o.name} = ${load};`);
  });
  for (let k = 0; k < d.params; k++) lines.push(`let p${k} = bitcast<${T}>(P(${p + k}u));`);
  lines.push(`let r = ${d.expr.replaceAll('T(', `${T}(`)};`);
  const value = d.returnsBool ? `select(0u, 1u, r)` : `${d.outElem}(r)`;
  const outIndex = d.stridedOut ? (d.rank === 0 ? `P(${dst}u)` : 'u32(od)') : 'i';
  lines.push(`out[${outIndex}] = ${value};`);
  const body = isVectorizable(d)
    ? `let i0 = i * ${VEC}u;
  for (var q = 0u; q < ${VEC}u; q = q + 1u) {
    let e = i0 + q;
    if (e >= P(0u)) { return; }
    ${lines.join('\n    ').replaceAll('+ i]', '+ e]').replaceAll('out[i]', 'out[e]')}
  }`
    : `if (i >= P(0u)) { return; }
  ${lines.join('\n  ')}`;
  return `${paramsDecl(words)}
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
