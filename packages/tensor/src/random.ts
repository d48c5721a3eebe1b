import { fail } from './errors.js';

/**
 * Philox4x32-10 (Salmon et al., "Parallel random numbers: as easy as 1, 2, 3"): a counter-based
 * generator, so element i of a random tensor depends only on (key, counter + i). The CPU loop here
 * and the WGSL in backends/webgpu/random.ts compute the same words, which is how cpu and webgpu
 * draw identical streams.
 */
const M0 = 0xd2511f53;
const M1 = 0xcd9e8d57;
const W0 = 0x9e3779b9;
const W1 = 0xbb67ae85;

/** (a * b) >> 32 for uint32 a, b, exactly. */
export function mulhi32(a: number, b: number): number {
  const aLo = a & 0xffff;
  const aHi = a >>> 16;
  const bLo = b & 0xffff;
  const bHi = b >>> 16;
  const lolo = aLo * bLo;
  const hilo = aHi * bLo;
  const lohi = aLo * bHi;
  const carry = ((lolo >>> 16) + (hilo & 0xffff) + (lohi & 0xffff)) >>> 16;
  return (aHi * bHi + (hilo >>> 16) + (lohi >>> 16) + carry) >>> 0;
}

/** Writes the 4 output words of Philox4x32-10 for counter (c0, c1, 0, 0) and key (k0, k1). */
export function philox(c0: number, c1: number, k0: number, k1: number, out: Uint32Array): void {
  let x0 = c0 >>> 0;
  let x1 = c1 >>> 0;
  let x2 = 0;
  let x3 = 0;
  for (let r = 0; r < 10; r++) {
    const hi0 = mulhi32(M0, x0);
    const lo0 = Math.imul(M0, x0) >>> 0;
    const hi1 = mulhi32(M1, x2);
    const lo1 = Math.imul(M1, x2) >>> 0;
    x0 = (hi1 ^ x1 ^ k0) >>> 0;
    x1 = lo1;
    x2 = (hi0 ^ x3 ^ k1) >>> 0;
    x3 = lo0;
    k0 = (k0 + W0) >>> 0;
    k1 = (k1 + W1) >>> 0;
  }
  out[0] = x0;
  out[1] = x1;
  out[2] = x2;
  out[3] = x3;
}

/** Counters per chunk of philoxChunks (and of the WebAssembly kernel's calls). */
export const PHILOX_CHUNK = 65536;

/**
 * The words of counters counter … counter + size − 1 under key (k0, k1), `words` (1 or 2) of the
 * four per counter, handed to `use(words, chunkStart, chunkLength)` a chunk at a time.
 */
export function philoxChunks(
  size: number,
  counter: number,
  k0: number,
  k1: number,
  words: 1 | 2,
  use: (w: Uint32Array, start: number, n: number) => void,
): void {
  const block = new Uint32Array(4);
  for (let start = 0; start < size; start += PHILOX_CHUNK) {
    const n = Math.min(PHILOX_CHUNK, size - start);
    const w = new Uint32Array(n * words);
    for (let i = 0; i < n; i++) {
      const c = counter + start + i;
      philox(c % 4294967296, Math.floor(c / 4294967296), k0, k1, block);
      w[i * words] = block[0]!;
      if (words === 2) w[i * words + 1] = block[1]!;
    }
    use(w, start, n);
  }
}

/** uint32 → float in [0, 1) with 24 random bits (exact in float32 on both backends). */
export function u01f32(w: number): number {
  return (w >>> 8) * 5.9604644775390625e-8;
}

/** two uint32 → float64 in [0, 1) with 53 random bits. */
export function u01f64(w0: number, w1: number): number {
  return ((w0 >>> 5) * 67108864 + (w1 >>> 6)) * 1.1102230246251565e-16;
}

/** uint32 → float in (0, 1], for the log of Box-Muller. */
export function u01Open(w: number): number {
  return ((w >>> 8) + 1) * 5.9604644775390625e-8;
}

/**
 * A seeded random stream. Tensor factories draw `size` consecutive counters from it, so the same
 * seed and the same sequence of calls give the same numbers on every backend and every run.
 */
export class Generator {
  private k0 = 0;
  private k1 = 0;
  /** Counter of the next element (as a float, exact up to 2^53). */
  private counter = 0;
  private readonly words = new Uint32Array(4);
  private buffered = 0;

  constructor(seed = 0) {
    this.manualSeed(seed);
  }

  manualSeed(seed: number | bigint): this {
    let s: bigint;
    if (typeof seed === 'bigint') s = seed;
    else if (typeof seed === 'number' && Number.isInteger(seed)) s = BigInt(seed);
    else fail('manualSeed', `seed must be an integer, got ${String(seed)}`);
    s = BigInt.asUintN(64, s);
    this.k0 = Number(s & 0xffffffffn);
    this.k1 = Number(s >> 32n);
    this.counter = 0;
    this.buffered = 0;
    return this;
  }

  /** Key and first counter for a block of `n` elements; advances the stream by n. */
  take(n: number): { k0: number; k1: number; counter: number } {
    this.buffered = 0;
    const r = { k0: this.k0, k1: this.k1, counter: this.counter };
    this.counter += n;
    return r;
  }

  getState(): { seed: bigint; counter: number } {
    return { seed: (BigInt(this.k1) << 32n) | BigInt(this.k0), counter: this.counter };
  }

  setState(state: { seed: bigint; counter: number }): this {
    this.manualSeed(state.seed);
    this.counter = state.counter;
    return this;
  }

  /** Next uint32 of the stream, for host-side algorithms (shuffles, k-means++ draws…). */
  nextUint32(): number {
    if (this.buffered === 0) {
      const { counter } = this.take(1);
      philox(counter % 4294967296, Math.floor(counter / 4294967296), this.k0, this.k1, this.words);
      this.buffered = 4;
    }
    return this.words[4 - this.buffered--]!;
  }

  /** A float64 uniform in [0, 1). */
  random(): number {
    return u01f64(this.nextUint32(), this.nextUint32());
  }

  /** An integer uniform in [low, high). */
  randint(low: number, high: number): number {
    const range = high - low;
    if (!(range > 0) || range > 4294967296)
      fail('Generator.randint', `need low < high with high - low <= 2^32, got [${low}, ${high})`);
    if (range <= 65536) return low + mulhi32(this.nextUint32(), range);
    return low + Math.floor(this.random() * range);
  }

  /** A standard normal draw (Box–Muller). */
  normal(): number {
    const u1 = u01Open(this.nextUint32());
    const u2 = u01f32(this.nextUint32());
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  /** A permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.randint(0, i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}

/** The generator every factory uses unless given its own. */
export const defaultGenerator = new Generator(0);

/** Seeds the default generator, as `torch.manual_seed`. */
export function manualSeed(seed: number | bigint): Generator {
  return defaultGenerator.manualSeed(seed);
}
