import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
const device = await adapter.requestDevice();
const variant = process.argv[2];
const shaders = {
  plain: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_id) l: vec3<u32>) { o[l.x] = f32(l.x); }`,
  shared: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
var<workgroup> s: array<f32, 64>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_id) l: vec3<u32>) { s[l.x] = f32(l.x); o[l.x] = s[63u - l.x]; }`,
  barrier: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
var<workgroup> s: array<f32, 64>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_id) l: vec3<u32>) { s[l.x] = f32(l.x); workgroupBarrier(); o[l.x] = s[63u - l.x]; }`,
  barrier256: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
var<workgroup> s: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_id) l: vec3<u32>) { s[l.x] = f32(l.x); workgroupBarrier(); o[l.x] = s[255u - l.x]; }`,
  loopbar: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
var<workgroup> s: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_id) l: vec3<u32>) { s[l.x] = f32(l.x); workgroupBarrier();
 for (var k = 128u; k > 0u; k = k >> 1u) { if (l.x < k) { s[l.x] = s[l.x] + s[l.x + k]; } workgroupBarrier(); }
 o[l.x] = s[0]; }`,
  earlyret: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
var<workgroup> s: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_id) l: vec3<u32>, @builtin(workgroup_id) w: vec3<u32>) { if (w.x >= 5u) { return; } s[l.x] = f32(l.x); workgroupBarrier();
 o[l.x] = s[0]; }`,
  privarr: `@group(0) @binding(0) var<storage, read_write> o: array<f32>;
@compute @workgroup_size(64) fn main(@builtin(local_invocation_id) l: vec3<u32>) { var acc: array<array<f32, 4>, 4>; acc[1][2] += 3.0; o[l.x] = acc[1][2]; }`,
  uni: `struct Params { p: array<vec4<u32>, 2> }
@group(0) @binding(1) var<uniform> params: Params;
@group(0) @binding(0) var<storage, read_write> o: array<f32>;
var<workgroup> s: array<f32, 256>;
@compute @workgroup_size(256) fn main(@builtin(local_invocation_id) l: vec3<u32>) { s[l.x] = f32(params.p[0][0]); workgroupBarrier(); o[l.x] = s[0]; }`,
};
const module = device.createShaderModule({ code: shaders[variant] });
const pipeline = device.createComputePipeline({ layout: 'auto', compute: { module, entryPoint: 'main' } });
const buf = device.createBuffer({ size: 1024, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC });
const rb = device.createBuffer({ size: 1024, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
const entries = [{ binding: 0, resource: { buffer: buf } }];
if (variant === 'uni') {
  const u = device.createBuffer({ size: 256, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
  device.queue.writeBuffer(u, 0, new Uint32Array([7, 0, 0, 0]));
  entries.push({ binding: 1, resource: { buffer: u } });
}
const bg = device.createBindGroup({ layout: pipeline.getBindGroupLayout(0), entries });
const enc = device.createCommandEncoder();
const pass = enc.beginComputePass();
pass.setPipeline(pipeline);
pass.setBindGroup(0, bg);
pass.dispatchWorkgroups(1);
pass.end();
enc.copyBufferToBuffer(buf, 0, rb, 0, 1024);
device.queue.submit([enc.finish()]);
await rb.mapAsync(GPUMapMode.READ);
console.log(variant, Array.from(new Float32Array(rb.getMappedRange())).slice(0, 4));
