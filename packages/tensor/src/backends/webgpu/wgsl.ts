import type { DType } from '../../dtype.js';
import { LumenError } from '../../errors.js';

/** WGSL storage element type of a dtype (bool is stored as u32: WGSL has no bool buffers). */
export function elemType(dtype: DType): 'f32' | 'i32' | 'u32' {
  switch (dtype) {
    case 'float32':
      return 'f32';
    case 'int32':
      return 'i32';
    case 'bool':
      return 'u32';
    case 'float64':
      throw new LumenError(
        'webgpu: float64 is not supported (WGSL has no f64); use float32 on webgpu, or keep float64 tensors on cpu',
      );
  }
}

/** The type arithmetic runs in: bool computes as i32. */
export function computeType(dtype: DType): 'f32' | 'i32' {
  return dtype === 'float32' ? 'f32' : dtype === 'float64' ? (elemType(dtype) as 'f32') : 'i32';
}

/** Flat invocation index for kernels dispatched with GpuRuntime.grid(). */
export const FLAT_INDEX = 'let i = gid.x + gid.y * nwg.x * 256u;';
export const MAIN_1D =
  '@compute @workgroup_size(256)\nfn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>)';

/**
 * NaN and infinities. WGSL rejects them in constant expressions, so their bit patterns live in
 * private variables and are bitcast at run time.
 */
export const SPECIAL_FLOATS = `var<private> NAN_BITS: u32 = 0x7fc00000u;
var<private> POS_INF_BITS: u32 = 0x7f800000u;
var<private> NEG_INF_BITS: u32 = 0xff800000u;`;

/** Math helpers WGSL lacks (or whose built-ins are unsafe at the edges), shared by kernels. */
export const MATH_HELPERS = /* wgsl */ `
${SPECIAL_FLOATS}
fn nan_f() -> f32 { return bitcast<f32>(NAN_BITS); }
fn inf_f() -> f32 { return bitcast<f32>(POS_INF_BITS); }
fn isnan_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) > 0x7f800000u; }
fn isinf_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) == 0x7f800000u; }
// x != 0.0 can compile to an ordered compare that is false for NaN; torch's bool(nan) is true.
fn nonzero_f(x: f32) -> bool { return (bitcast<u32>(x) & 0x7fffffffu) != 0u; }
fn tanh_f(x: f32) -> f32 {
  // tanh() overflows exp() for large |x| on some drivers; this form cannot.
  let e = exp(-2.0 * abs(x));
  return sign(x) * (1.0 - e) / (1.0 + e);
}
fn sigmoid_f(x: f32) -> f32 {
  if (x >= 0.0) { return 1.0 / (1.0 + exp(-x)); }
  let e = exp(x);
  return e / (1.0 + e);
}
fn erf_f(x: f32) -> f32 {
  let ax = abs(x);
  if (ax < 0.1) {
    let x2 = x * x;
    return 1.1283791670955126 * x * (1.0 - x2 * (0.3333333333 - x2 * (0.1 - x2 * 0.0238095238)));
  }
  // Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7).
  let t = 1.0 / (1.0 + 0.3275911 * ax);
  let y = 1.0 - (((((1.061405429 * t - 1.453152027) * t) + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * exp(-ax * ax);
  return sign(x) * y;
}
fn gelu_backward_f(g: f32, x: f32) -> f32 {
  return g * (0.5 * (1.0 + erf_f(x * 0.7071067811865476)) + x * exp(-0.5 * x * x) * 0.3989422804014327);
}
fn expm1_f(x: f32) -> f32 {
  if (abs(x) < 0.05) { return x * (1.0 + x * (0.5 + x * (0.16666666666666666 + x * 0.041666666666666664))); }
  return exp(x) - 1.0;
}
fn log1p_f(x: f32) -> f32 {
  let u = 1.0 + x;
  if (u == 1.0) { return x; }
  return log(u) * x / (u - 1.0);
}
fn pow_f(a: f32, b: f32) -> f32 {
  if (b == 0.0) { return 1.0; }
  if (b == 1.0) { return a; }
  if (b == 2.0) { return a * a; }
  if (b == 0.5) { return sqrt(a); }
  let integral = b == trunc(b);
  if (a == 0.0) { return select(0.0, inf_f(), b < 0.0); }
  let r = exp2(b * log2(abs(a)));
  if (a < 0.0) {
    if (!integral) { return nan_f(); }
    let odd = abs(b - 2.0 * floor(b * 0.5)) == 1.0;
    return select(r, -r, odd);
  }
  return r;
}
fn pow_i(a: i32, b: i32) -> i32 {
  if (b < 0) { return select(0, 1, a == 1); }
  var r = 1;
  var base = a;
  var e = b;
  loop {
    if (e == 0) { break; }
    if ((e & 1) == 1) { r = r * base; }
    base = base * base;
    e = e >> 1u;
  }
  return r;
}
// atan2(0, 0) is undefined in WGSL; C and PyTorch give 0.
fn atan2_f(y: f32, x: f32) -> f32 { if (y == 0.0 && x == 0.0) { return 0.0; } return atan2(y, x); }
fn rem_f(a: f32, b: f32) -> f32 { return a - floor(a / b) * b; }
fn rem_i(a: i32, b: i32) -> i32 {
  if (b == 0) { return 0; }
  let r = a % b;
  if (r != 0 && ((r < 0) != (b < 0))) { return r + b; }
  return r;
}
`;
