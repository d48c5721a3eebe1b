import type { RandomKind, RandomParams } from '../../backend.js';
import type { DType } from '../../dtype.js';
import type { GpuContext, GpuStorage } from './context.js';
import type { KernelSpec } from './runtime.js';
import { uniforms } from './uniforms.js';
import { computeType, FLAT_INDEX, MAIN_1D } from './wgsl.js';

/**
 * Philox4x32-10, word for word the loop in src/random.ts, so element i of a random tensor is the
 * same on cpu and webgpu. Uniforms: randomUniforms (a and b: uniform's [a, b), normal's mean and
 * std; randint draws from [low, low + span)).
 */
const stream = { n: 'u32', k0: 'u32', k1: 'u32', counterLo: 'u32', counterHi: 'u32' } as const;
export const randomUniforms = {
  float: uniforms({ ...stream, a: 'f32', b: 'f32' }),
  int: uniforms({ ...stream, low: 'i32', span: 'u32' }),
};

export function randomSpec(kind: RandomKind, elem: 'f32' | 'i32'): KernelSpec {
  return { key: `random:${kind}:${elem}`, name: `random_${kind}`, source: () => randomSource(kind, elem) };
}

function randomSource(kind: RandomKind, elem: 'f32' | 'i32'): string {
  let value: string;
  if (kind === 'uniform') {
    value = 'let u = f32(w.x >> 8u) * 5.9604644775390625e-8; let r = a + u * (b - a);';
  } else if (kind === 'normal') {
    value = `let u1 = f32((w.x >> 8u) + 1u) * 5.9604644775390625e-8;
  let u2 = f32(w.y >> 8u) * 5.9604644775390625e-8;
  let r = a + b * sqrt(-2.0 * log(u1)) * cos(6.283185307179586 * u2);`;
  } else {
    value = 'let r = u_low() + bitcast<i32>(mulhilo(w.x, u_span()).x);';
  }
  const ab = kind === 'randint' ? '' : 'let a = u_a(); let b = u_b();';
  return `${(kind === 'randint' ? randomUniforms.int : randomUniforms.float).wgsl()}
@group(0) @binding(1) var<storage, read_write> out: array<${elem}>;
fn mulhilo(a: u32, b: u32) -> vec2<u32> {
  let aL = a & 0xffffu; let aH = a >> 16u; let bL = b & 0xffffu; let bH = b >> 16u;
  let ll = aL * bL; let hl = aH * bL; let lh = aL * bH;
  let carry = ((ll >> 16u) + (hl & 0xffffu) + (lh & 0xffffu)) >> 16u;
  return vec2<u32>(aH * bH + (hl >> 16u) + (lh >> 16u) + carry, a * b);
}
fn philox(c0: u32, c1: u32, key0: u32, key1: u32) -> vec4<u32> {
  var x0 = c0; var x1 = c1; var x2 = 0u; var x3 = 0u;
  var k0 = key0; var k1 = key1;
  for (var r = 0u; r < 10u; r = r + 1u) {
    let p0 = mulhilo(0xd2511f53u, x0);
    let p1 = mulhilo(0xcd9e8d57u, x2);
    x0 = p1.x ^ x1 ^ k0;
    x1 = p1.y;
    x2 = p0.x ^ x3 ^ k1;
    x3 = p0.y;
    k0 = k0 + 0x9e3779b9u;
    k1 = k1 + 0xbb67ae85u;
  }
  return vec4<u32>(x0, x1, x2, x3);
}
${MAIN_1D} {
  ${FLAT_INDEX}
  if (i >= u_n()) { return; }
  let lo = u_counterLo() + i;
  let hi = u_counterHi() + select(0u, 1u, lo < i);
  let w = philox(lo, hi, u_k0(), u_k1());
  ${ab}
  ${value}
  out[i] = ${elem}(r);
}`;
}

export function random(
  gpu: GpuContext,
  kind: RandomKind,
  size: number,
  dtype: DType,
  r: RandomParams,
): GpuStorage {
  const out = gpu.alloc(dtype, size);
  if (size === 0) return out;
  const T = computeType(dtype);
  // Element i draws from counter + i, so a part starting at `start` continues the same stream.
  gpu.chunked(randomSpec(kind, T), out, size, (start, count) => {
    const counter = r.counter + start;
    const stream = {
      n: count,
      k0: r.k0,
      k1: r.k1,
      counterLo: counter % 4294967296,
      counterHi: Math.floor(counter / 4294967296),
    };
    return kind === 'randint'
      ? randomUniforms.int.pack({ ...stream, low: r.a, span: r.b - r.a })
      : randomUniforms.float.pack({ ...stream, a: r.a, b: r.b });
  });
  return out;
}
