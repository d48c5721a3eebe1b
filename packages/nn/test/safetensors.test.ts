import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tensor } from '@lumen/tensor';
import { afterAll, describe, expect, it } from 'vitest';
import {
  Linear,
  loadSafetensors,
  parseSafetensors,
  readSafetensorsHeader,
  Sequential,
  saveSafetensors,
  serializeSafetensors,
} from '../src/index.js';
import { type FixtureTensor, fixture } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'lumen-safetensors-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const spec = fixture<{ expected: Record<string, FixtureTensor>; writerBytes: number[] }>('safetensors.json');

/** Builds a file: header object → bytes, with optional raw header text and data. */
function file(header: unknown, data: Uint8Array = new Uint8Array(0), rawHeader?: string): Uint8Array {
  const text = new TextEncoder().encode(rawHeader ?? JSON.stringify(header));
  const out = new Uint8Array(8 + text.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(text.length), true);
  out.set(text, 8);
  out.set(data, 8 + text.length);
  return out;
}

describe('safetensors', () => {
  it('reads a file written from the format spec (F32, F64, I64, BOOL, F16, BF16, I32 scalar, metadata)', async () => {
    const path = new URL('./fixtures/handwritten.safetensors', import.meta.url).pathname;
    const sd = await loadSafetensors(path);
    expect(Object.keys(sd)).toEqual(Object.keys(spec.expected));
    for (const [name, e] of Object.entries(spec.expected)) {
      const t = sd[name]!;
      expect(t.dtype, name).toBe(e.dtype);
      expect(t.shape, name).toEqual(e.shape);
      const values = t.dtype === 'bool' ? Array.from(t.dataSync(), (v) => v === 1) : Array.from(t.dataSync());
      expect(values, name).toEqual(e.data);
    }
    const { metadata } = parseSafetensors(new Uint8Array(readFileSync(path)));
    expect(metadata).toEqual({ format: 'pt', source: 'gen-fixtures.py' });
  });

  it('writes exactly the bytes the format spec prescribes', async () => {
    const bytes = await serializeSafetensors({
      w: tensor([
        [1, 2],
        [3, 4],
      ]),
      b: tensor([0.5], { dtype: 'float64' }),
      n: tensor([7, -8], { dtype: 'int32' }),
      m: tensor([false, true]),
    });
    expect(Array.from(bytes)).toEqual(spec.writerBytes);
    expect(Number(new DataView(bytes.buffer).getBigUint64(0, true)) % 8).toBe(0);
  });

  it('round-trips a model state dict through a file, atomically', async () => {
    const model = new Sequential(new Linear(3, 4), new Linear(4, 2));
    const path = join(dir, 'model.safetensors');
    await saveSafetensors(model.stateDict(), path, { metadata: { format: 'pt' } });
    expect(readdirSync(dir)).toEqual(['model.safetensors']); // no temp file left behind
    const copy = new Sequential(new Linear(3, 4), new Linear(4, 2));
    copy.loadStateDict(await loadSafetensors(path));
    for (const [k, v] of Object.entries(model.stateDict()))
      expect(Array.from(copy.stateDict()[k]!.dataSync())).toEqual(Array.from(v.dataSync()));
  });

  it('leaves an existing file untouched when a save fails', async () => {
    const path = join(dir, 'keep.safetensors');
    writeFileSync(path, 'old');
    await expect(saveSafetensors({ bad: 'not a tensor' as never }, path)).rejects.toThrow(
      /stateDict\["bad"\] must be a Tensor/,
    );
    expect(readFileSync(path, 'utf8')).toBe('old');
  });

  const f32 = (n: number) => new Uint8Array(4 * n);
  const hostile: [string, Uint8Array, RegExp][] = [
    ['a truncated file', new Uint8Array(5), /too short to hold the 8-byte header length/],
    [
      'a header length past the end',
      (() => {
        const b = file({}, f32(1));
        new DataView(b.buffer).setBigUint64(0, 1n << 60n, true);
        return b;
      })(),
      /header length 1152921504606846976 \(bytes 0-7\) runs past the end/,
    ],
    ['a header that is not JSON', file(null, f32(0), '{"a": '), /not valid JSON/],
    ['a header that is not an object', file(null, f32(0), '[1, 2]'), /must be a JSON object/],
    [
      'an unknown dtype',
      file({ x: { dtype: 'F128', shape: [1], data_offsets: [0, 4] } }, f32(1)),
      /tensor "x": unknown dtype "F128"/,
    ],
    [
      'offsets out of range',
      file({ x: { dtype: 'F32', shape: [4], data_offsets: [0, 16] } }, f32(1)),
      /data_offsets \[0, 16\] are out of range for a data section of 4 bytes/,
    ],
    [
      'offsets that disagree with the shape',
      file({ x: { dtype: 'F32', shape: [2], data_offsets: [0, 4] } }, f32(1)),
      /needs 8 bytes but data_offsets span 4/,
    ],
    [
      'overlapping tensors',
      file(
        {
          x: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
          y: { dtype: 'F32', shape: [2], data_offsets: [4, 12] },
        },
        f32(3),
      ),
      /overlaps the previous tensor/,
    ],
    [
      'a hole in the data',
      file({ x: { dtype: 'F32', shape: [1], data_offsets: [4, 8] } }, f32(2)),
      /has a hole: bytes 0-4/,
    ],
    [
      'trailing bytes',
      file({ x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(2)),
      /4 trailing bytes/,
    ],
    [
      'a negative dimension',
      file({ x: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }, f32(1)),
      /shape must be an array of non-negative integers/,
    ],
    [
      'an element count that overflows',
      file({ x: { dtype: 'F64', shape: [2 ** 40, 2 ** 20], data_offsets: [0, 4] } }, f32(1)),
      /needs .* bytes but data_offsets span 4/,
    ],
    [
      'an I64 value beyond int32',
      file(
        { x: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } },
        new Uint8Array([0, 0, 0, 0, 1, 0, 0, 0]),
      ),
      /value 4294967296 at position 0 does not fit int32/,
    ],
    ['bad metadata', file({ __metadata__: { a: 1 } }), /__metadata__ must be an object of string values/],
    [
      'a header starting with a UTF-8 byte order mark (as the reference reader does)',
      file(null, f32(0), '\uFEFF{}'),
      /must be a JSON object starting with '\{', got a UTF-8 byte order mark/,
    ],
    [
      'a shape nested 5,000 deep (the message shows a bounded preview)',
      file(
        null,
        f32(1),
        `{"x": {"dtype": "F32", "shape": ${'['.repeat(5000)}${']'.repeat(5000)}, "data_offsets": [0, 4]}}`,
      ),
      /shape must be an array of non-negative integers, got \[\[\[\[\.\.\.\]\]\]\]/,
    ],
    [
      'a dtype that is a deeply nested object',
      file(
        null,
        f32(1),
        `{"x": {"dtype": ${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}, "shape": [1], "data_offsets": [0, 4]}}`,
      ),
      /unknown dtype \{"a": \{"a": \{"a": \{\.\.\.\}\}\}\}/,
    ],
  ];
  for (const [what, bytes, message] of hostile) {
    it(`rejects ${what} with a clear error`, () => {
      expect(() => parseSafetensors(bytes)).toThrow(message);
    });
  }

  it('reads tensors named __proto__ and constructor as ordinary entries (null-prototype dicts)', async () => {
    const names = ['__proto__', 'constructor', 'toString'];
    const sd: Record<string, ReturnType<typeof tensor>> = Object.create(null);
    names.forEach((name, i) => {
      sd[name] = tensor([i, i + 1]);
    });
    const bytes = await serializeSafetensors(sd, { metadata: JSON.parse('{"__proto__": "m"}') });
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(Object.getPrototypeOf(tensors)).toBe(null);
    expect(Object.keys(tensors).sort()).toEqual(names);
    names.forEach((name, i) => {
      expect(Array.from(tensors[name]!.dataSync())).toEqual([i, i + 1]);
    });
    expect(Object.getPrototypeOf(metadata)).toBe(null);
    expect(Object.entries(metadata)).toEqual([['__proto__', 'm']]);
    // A file written by hand (JSON.parse makes "__proto__" an own key) reads the same way.
    const hand = file(null, f32(1), '{"__proto__": {"dtype": "F32", "shape": [1], "data_offsets": [0, 4]}}');
    expect(Object.keys(parseSafetensors(hand).tensors)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).dtype).toBeUndefined(); // nothing leaked into Object.prototype
    expect(readSafetensorsHeader(hand).tensors[names[0]!]).toEqual({
      dtype: 'F32',
      shape: [1],
      dataOffsets: [0, 4],
    });
  });

  it('accepts "__metadata__": null as no metadata, as the reference reader does', () => {
    const bytes = file({ __metadata__: null, x: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, f32(1));
    const { tensors, metadata } = parseSafetensors(bytes);
    expect(Object.keys(tensors)).toEqual(['x']);
    expect(Object.keys(metadata)).toEqual([]);
  });

  it('reads a header without decoding the data', () => {
    const bytes = file(
      { __metadata__: { format: 'pt' }, w: { dtype: 'BF16', shape: [2, 3], data_offsets: [0, 12] } },
      new Uint8Array(12),
    );
    const header = readSafetensorsHeader(bytes);
    expect(header.tensors.w).toEqual({ dtype: 'BF16', shape: [2, 3], dataOffsets: [0, 12] });
    expect(header.metadata.format).toBe('pt');
    expect(() => readSafetensorsHeader(new Uint8Array(3))).toThrow(/readSafetensorsHeader: .*too short/);
  });

  it('names the file in load errors', async () => {
    const path = join(dir, 'broken.safetensors');
    writeFileSync(path, new Uint8Array(3));
    await expect(loadSafetensors(path)).rejects.toThrow(/too short.*\(file .*broken\.safetensors\)/);
  });
});
