/**
 * The declared uniform layouts of the WebGPU kernels (backends/webgpu/uniforms.ts): one
 * declaration makes both the words the host packs and the WGSL accessors that read them. Checked
 * here against words written by hand with a DataView, and on a real adapter by a kernel that
 * copies every accessor's value out.
 */
import { describe, expect, it } from 'vitest';
import { currentWebGPUBackend } from '../src/backends/webgpu/init.ts';
import { perShape, uniforms } from '../src/backends/webgpu/uniforms.ts';
import { hasWebGPU } from './helpers.ts';

const layout = uniforms({
  n: 'u32',
  off: 'i32',
  scale: 'f32',
  value: 'f32c',
  flag: 'bool',
  shape: ['u32', 3],
  strides: ['i32', 3],
  empty: ['i32', 0],
  last: 'u32',
});
const values = {
  n: 4294967295 + 2, // wraps to 1, as a u32 does
  off: -7,
  scale: Number.NEGATIVE_INFINITY,
  value: 1e39, // clamped to the largest float, not infinity
  flag: true,
  shape: [2, 3, 5],
  strides: [-15, 5, 1],
  empty: [],
  last: 42,
} as const;

/** The words `values` should pack to, written field by field. */
function expectedWords(): Uint32Array {
  const view = new DataView(new ArrayBuffer(12 * 4));
  view.setUint32(0, 1, true);
  view.setInt32(4, -7, true);
  view.setFloat32(8, Number.NEGATIVE_INFINITY, true);
  view.setFloat32(12, 3.4028234663852886e38, true);
  view.setUint32(16, 1, true);
  for (const [k, d] of [2, 3, 5].entries()) view.setUint32(20 + 4 * k, d, true);
  for (const [k, s] of [-15, 5, 1].entries()) view.setInt32(32 + 4 * k, s, true);
  view.setUint32(44, 42, true);
  return new Uint32Array(view.buffer);
}

describe('webgpu uniform layouts', () => {
  it('pack puts each field at its declared place, in its encoding', () => {
    expect(layout.words).toBe(12);
    expect(layout.offset('shape')).toBe(5);
    expect(layout.offset('last')).toBe(11);
    expect(Array.from(layout.pack(values))).toEqual(Array.from(expectedWords()));
  });

  it('the WGSL reads each field from the word the host writes it to', () => {
    const wgsl = layout.wgsl();
    expect(wgsl).toContain('struct Params { p: array<vec4<u32>, 3> }');
    expect(wgsl).toContain('fn u_n() -> u32 { return P(0u); }');
    expect(wgsl).toContain('fn u_off() -> i32 { return bitcast<i32>(P(1u)); }');
    expect(wgsl).toContain('fn u_scale() -> f32 { return bitcast<f32>(P(2u)); }');
    expect(wgsl).toContain('fn u_value() -> f32 { return bitcast<f32>(P(3u)); }');
    expect(wgsl).toContain('fn u_flag() -> bool { return P(4u) != 0u; }');
    expect(wgsl).toContain('fn u_shape(k: u32) -> u32 { return P(5u + k); }');
    expect(wgsl).toContain('fn u_strides(k: u32) -> i32 { return bitcast<i32>(P(8u + k)); }');
    expect(wgsl).toContain('fn u_last() -> u32 { return P(11u); }');
    expect(wgsl).not.toContain('u_empty');
  });

  it('a missing value, an array of the wrong length or a bad name is an internal error', () => {
    const { shape: _, ...noShape } = values;
    expect(() => layout.pack(noShape as unknown as typeof values)).toThrow(
      "uniform field 'shape' needs 3 values, got undefined",
    );
    const { last: __, ...noLast } = values;
    expect(() => layout.pack(noLast as unknown as typeof values)).toThrow(
      "uniform field 'last' needs a single value, got undefined",
    );
    expect(() => layout.pack({ ...values, strides: [1, 2] })).toThrow("uniform field 'strides' needs 3");
    expect(() => uniforms({ '0': 'u32' })).toThrow("uniform field name '0' is not an identifier");
    expect(() => uniforms({ a: ['u32', -1] })).toThrow("uniform array 'a' has length -1");
  });
});

describe('layouts per shape', () => {
  it('are declared once per distinct list of sizes', () => {
    const byRanks = perShape((outer: number, inner: number) =>
      uniforms({ n: 'u32', outer: ['u32', outer], inner: ['i32', inner] }),
    );
    expect(byRanks(2, 1)).toBe(byRanks(2, 1));
    expect(byRanks(2, 1)).not.toBe(byRanks(1, 2));
    expect(byRanks(2, 1).words).toBe(4);
    expect(byRanks(0, 3).offset('inner')).toBe(1);
  });
});

describe.skipIf(!hasWebGPU)('webgpu uniform layouts on the adapter', () => {
  it('a kernel reading every accessor gets the values the host packed', async () => {
    const rt = currentWebGPUBackend()!.rt;
    const reads = [
      'u_n()',
      'bitcast<u32>(u_off())',
      'bitcast<u32>(u_scale())',
      'bitcast<u32>(u_value())',
      'select(0u, 1u, u_flag())',
      'u_shape(0u)',
      'u_shape(1u)',
      'u_shape(2u)',
      'bitcast<u32>(u_strides(0u))',
      'bitcast<u32>(u_strides(1u))',
      'bitcast<u32>(u_strides(2u))',
      'u_last()',
    ];
    const source = `${layout.wgsl()}
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@compute @workgroup_size(1)
fn main() {
  ${reads.map((r, k) => `out[${k}u] = ${r};`).join('\n  ')}
}`;
    const out = rt.createBuffer(reads.length * 4);
    rt.dispatch(
      { key: 'test:uniforms', name: 'test_uniforms', source: () => source },
      [out],
      layout.pack(values),
      [1, 1, 1],
    );
    const got = new Uint32Array(await rt.read(out, 0, reads.length * 4));
    rt.releaseBuffer(out);
    expect(Array.from(got)).toEqual(Array.from(expectedWords()));
  });
});
