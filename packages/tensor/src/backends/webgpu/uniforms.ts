/**
 * A kernel's uniform parameters, declared once as an ordered list of named fields. The same
 * declaration generates the WGSL (the uniform block and one accessor per field, `u_<name>()` or
 * `u_<name>(k)` for an array) and the host-side packing (`pack({ name: value, … })`), so the
 * kernel and the host cannot disagree about which word holds what.
 *
 * Word types:
 *   u32, i32 – integers (offsets and strides are i32: a view may run backwards)
 *   f32      – a float, its bits as given (±Infinity stays infinite)
 *   f32c     – a float clamped to the finite f32 range first (a constant in a kernel's compute
 *              type: `x.mul(1e39)` multiplies by the largest float, as the cpu loop's cast does)
 *   bool     – a flag, 0 or 1; reads as a WGSL bool
 * A field is a word type, or [type, length] for an array of that many words (shapes, strides).
 *
 * The block is `array<vec4<u32>, n>` (uniform arrays have a 16-byte stride), read with P(i).
 */
export type Word = 'u32' | 'i32' | 'f32' | 'f32c' | 'bool';
export type Field = Word | readonly [Word, number];
export type Fields = { readonly [name: string]: Field };

type ValueOf<F extends Field> = F extends readonly [Word, number]
  ? readonly number[]
  : F extends 'bool'
    ? boolean
    : number;
/** What `pack` takes: a value for every field, an array of the declared length for an array field. */
export type Values<F extends Fields> = { readonly [K in keyof F]: ValueOf<F[K]> };

const IDENT = /^[A-Za-z][A-Za-z0-9]*$/;

interface Placed {
  readonly name: string;
  readonly word: Word;
  readonly start: number;
  /** Null for a single value. */
  readonly len: number | null;
}

export class Uniforms<F extends Fields> {
  /** Words in the block. */
  readonly words: number;
  private readonly placed: readonly Placed[];

  constructor(readonly fields: F) {
    let w = 0;
    const placed: Placed[] = [];
    for (const [name, field] of Object.entries(fields)) {
      // Integer-like keys would reorder the object's entries; WGSL needs identifiers anyway.
      if (!IDENT.test(name)) throw new Error(`internal: uniform field name '${name}' is not an identifier`);
      const [word, len] = typeof field === 'string' ? [field, null] : field;
      if (len !== null && !(Number.isInteger(len) && len >= 0))
        throw new Error(`internal: uniform array '${name}' has length ${len}`);
      placed.push({ name, word, start: w, len });
      w += len ?? 1;
    }
    this.placed = placed;
    this.words = w;
  }

  /** Word index of a field (its first word for an array). */
  offset(name: keyof F & string): number {
    const f = this.placed.find((p) => p.name === name);
    if (!f) throw new Error(`internal: no uniform field '${name}'`);
    return f.start;
  }

  /** The uniform block at @binding(0) and an accessor per field. */
  wgsl(): string {
    const vecs = Math.max(1, Math.ceil(this.words / 4));
    const lines = [
      `struct Params { p: array<vec4<u32>, ${vecs}> }`,
      '@group(0) @binding(0) var<uniform> params: Params;',
      'fn P(i: u32) -> u32 { return params.p[i >> 2u][i & 3u]; }',
    ];
    for (const { name, word, start, len } of this.placed) {
      if (len === 0) continue;
      const ret = word === 'bool' ? 'bool' : word === 'f32c' ? 'f32' : word;
      const at = len === null ? `${start}u` : `${start}u + k`;
      const read =
        word === 'u32' ? `P(${at})` : word === 'bool' ? `P(${at}) != 0u` : `bitcast<${ret}>(P(${at}))`;
      lines.push(`fn u_${name}(${len === null ? '' : 'k: u32'}) -> ${ret} { return ${read}; }`);
    }
    return lines.join('\n');
  }

  /** The block's words, each field's value where the declaration puts it. */
  pack(values: Values<F>): Uint32Array {
    const out = new Uint32Array(this.words);
    const given = values as Readonly<Record<string, number | boolean | readonly number[] | undefined>>;
    for (const { name, word, start, len } of this.placed) {
      const v = given[name];
      if (len === null) {
        if (typeof v !== 'number' && typeof v !== 'boolean')
          throw new Error(`internal: uniform field '${name}' needs a single value, got ${String(v)}`);
        out[start] = bits(word, v);
        continue;
      }
      if (!Array.isArray(v) || v.length !== len)
        throw new Error(`internal: uniform field '${name}' needs ${len} values, got ${String(v)}`);
      for (let k = 0; k < len; k++) out[start + k] = bits(word, v[k] as number);
    }
    return out;
  }
}

/** A value's bits as one u32 word. */
function bits(word: Word, v: number | boolean): number {
  switch (word) {
    case 'u32':
      return (v as number) >>> 0;
    case 'i32':
      return ((v as number) | 0) >>> 0;
    case 'bool':
      return v ? 1 : 0;
    case 'f32':
      F32[0] = v as number;
      return U32[0]!;
    case 'f32c':
      F32[0] = Math.max(Math.min(v as number, F32_MAX), -F32_MAX);
      return U32[0]!;
  }
}

const F32 = new Float32Array(1);
const U32 = new Uint32Array(F32.buffer);
const F32_MAX = 3.4028234663852886e38;

/** Declares a kernel's uniforms: `uniforms({ n: 'u32', shape: ['u32', rank], scale: 'f32' })`. */
export function uniforms<const F extends Fields>(fields: F): Uniforms<F> {
  return new Uniforms(fields);
}

/**
 * One layout per distinct list of sizes (ranks), declared on first use: `const matmulUniforms =
 * perShape((r: number) => uniforms({ …, batchShape: ['u32', r] }))`.
 */
export function perShape<A extends readonly number[], U>(make: (...sizes: A) => U): (...sizes: A) => U {
  const made = new Map<string, U>();
  return (...sizes) => {
    const key = sizes.join(':');
    let u = made.get(key);
    if (!u) made.set(key, (u = make(...sizes)));
    return u;
  };
}
