import { type GpuContext, type GpuStorage, type GpuView, halves, whole } from './context.js';
import type { KernelSpec } from './runtime.js';
import { uniforms } from './uniforms.js';
import { SPECIAL_FLOATS } from './wgsl.js';

/**
 * Row (log-)softmax over a contiguous [rows, cols] buffer. The max and the sum of exponentials
 * come from one read of the row (online softmax: partial sums rescale when the max grows), and a
 * second read writes the result.
 *   tree   – one workgroup per row, (max, sum) pairs merged in shared memory
 *   serial – one thread per row, for short rows
 * Uniforms: softmaxUniforms.
 */
export const softmaxUniforms = uniforms({ rows: 'u32', cols: 'u32', off: 'u32' });

export function softmaxSpec(log: boolean, mode: 'tree' | 'serial'): KernelSpec {
  return {
    key: `softmax:${log}:${mode}`,
    name: log ? 'logSoftmax' : 'softmax',
    source: () => softmaxSource(log, mode),
  };
}

function softmaxSource(log: boolean, mode: 'tree' | 'serial'): string {
  // (x - m) - log(s), not x - (m + log(s)): the latter loses the small term next to a large max.
  const write = log ? 'y[b + j] = (x[a + j] - m) - ls;' : 'y[b + j] = exp(x[a + j] - m) * inv;';
  const finish = log ? 'let ls = log(s);' : 'let inv = 1.0 / s;';
  const header = `${softmaxUniforms.wgsl()}
${SPECIAL_FLOATS}
@group(0) @binding(1) var<storage, read> x: array<f32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
fn merge(m1: f32, s1: f32, m2: f32, s2: f32) -> vec2<f32> {
  let m = max(m1, m2);
  if (m == bitcast<f32>(NEG_INF_BITS)) { return vec2<f32>(m, 0.0); }
  return vec2<f32>(m, s1 * exp(m1 - m) + s2 * exp(m2 - m));
}`;
  if (mode === 'serial') {
    return `${header}
@compute @workgroup_size(256)
fn main(@builtin(global_invocation_id) gid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = gid.x + gid.y * nwg.x * 256u;
  if (row >= u_rows()) { return; }
  let cols = u_cols();
  let a = u_off() + row * cols;
  let b = row * cols;
  var m = bitcast<f32>(NEG_INF_BITS);
  var s = 0.0;
  for (var j = 0u; j < cols; j = j + 1u) { let r = merge(m, s, x[a + j], 1.0); m = r.x; s = r.y; }
  ${finish}
  for (var j = 0u; j < cols; j = j + 1u) { ${write} }
}`;
  }
  return `${header}
var<workgroup> sm: array<f32, 256>;
var<workgroup> ss: array<f32, 256>;
@compute @workgroup_size(256)
fn main(@builtin(workgroup_id) wid: vec3<u32>, @builtin(local_invocation_id) lid: vec3<u32>, @builtin(num_workgroups) nwg: vec3<u32>) {
  let row = wid.x + wid.y * nwg.x;
  if (row >= u_rows()) { return; }
  let l = lid.x;
  let cols = u_cols();
  let a = u_off() + row * cols;
  let b = row * cols;
  var m = bitcast<f32>(NEG_INF_BITS);
  var s = 0.0;
  for (var j = l; j < cols; j = j + 256u) { let r = merge(m, s, x[a + j], 1.0); m = r.x; s = r.y; }
  sm[l] = m;
  ss[l] = s;
  workgroupBarrier();
  for (var k = 128u; k > 0u; k = k >> 1u) {
    if (l < k) { let r = merge(sm[l], ss[l], sm[l + k], ss[l + k]); sm[l] = r.x; ss[l] = r.y; }
    workgroupBarrier();
  }
  m = sm[0];
  s = ss[0];
  ${finish}
  for (var j = l; j < cols; j = j + 256u) { ${write} }
}`;
}

/** Row (log-)softmax; rows more than one binding holds are done in halves and concatenated. */
export function softmax(gpu: GpuContext, x: GpuView, rows: number, cols: number, log: boolean): GpuStorage {
  const flat = (v: GpuView) => ({ ...v, shape: [rows * cols], strides: [1] });
  if (rows > 1 && (rows * cols * 4 > gpu.rt.limits.maxBinding || !gpu.tryBind(flat(x)))) {
    // Rows too many for one binding: each half apart, then concatenated.
    const parts = halves(rows).map(([start, n]) => {
      const part = { ...x, shape: [n, cols], strides: [cols, 1], offset: x.offset + start * cols };
      return whole(softmax(gpu, part, n, cols, log), [n, cols]);
    });
    const out = gpu.cat(parts, 0, [rows, cols], x.dtype);
    for (const part of parts) gpu.release(part.storage);
    return out;
  }
  const out = gpu.alloc(x.dtype, rows * cols);
  if (rows * cols === 0) return out;
  const mode = gpu.policy.trees && cols > gpu.policy.serialMax ? 'tree' : 'serial';
  const name = log ? 'logSoftmax' : 'softmax';
  const xb = gpu.bind(flat(x), name);
  const ob = gpu.bind(whole(out), name);
  const params = softmaxUniforms.pack({ rows, cols, off: xb.off });
  const grid = mode === 'serial' ? gpu.rt.grid(rows) : gpu.rt.grid(rows, 1);
  gpu.rt.dispatch(softmaxSpec(log, mode), [xb.b, ob.b], params, grid);
  return out;
}
