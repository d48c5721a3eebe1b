import { isGradEnabled } from '@lumen/autograd';
import { cat, checkOptions, keep, type Tensor, zeros } from '@lumen/tensor';
import { fail, fmtShape } from './errors.js';

/** One layer's cached keys and values, (B, nh, T, hs) each. */
interface LayerCache {
  keys: Tensor;
  values: Tensor;
  length: number;
  /** Preallocated buffers written in place (inference), or tensors concatenated (graph kept for training). */
  mode: 'buffer' | 'graph';
}

/** Legacy (tuple) format: one [keys, values] pair per layer, each (B, nh, T, hs). */
export type LegacyCache = [Tensor, Tensor][];

/**
 * The keys and values of every attention layer for the positions seen so far (transformers'
 * DynamicCache), so each generated token runs the model on one position instead of the whole
 * prefix. At inference the cache preallocates `capacity` positions per layer and writes each new
 * position in place, so a long generation allocates nothing per token (flat memory); when it
 * overflows, it doubles. When the new keys carry gradients (training with a cache) it
 * concatenates instead, keeping the autograd graph.
 */
export class KVCache {
  private readonly layers: (LayerCache | undefined)[] = [];
  /** Positions to preallocate (e.g. the prompt plus maxNewTokens); grows by doubling when exceeded. */
  readonly capacity: number;
  /**
   * A static cache (transformers' StaticCache) never grows and hands attention all `capacity`
   * positions every step, the unfilled ones hidden by the causal mask. Every step then has the same
   * shapes, so no buffer of a new size is ever allocated: generate() uses it for flat GPU memory.
   */
  readonly isStatic: boolean;

  constructor(options: { capacity?: number; static?: boolean } = {}) {
    checkOptions('KVCache', options, ['capacity', 'static']);
    const c = options.capacity ?? 0;
    if (!Number.isInteger(c) || c < 0) fail('KVCache', `capacity must be a non-negative integer, got ${c}`);
    this.isStatic = options.static ?? false;
    if (this.isStatic && c === 0) fail('KVCache', 'a static cache needs its capacity (the longest sequence)');
    this.capacity = c;
  }

  /** Cached positions of `layer` (0 before the first update). */
  getSeqLength(layer = 0): number {
    return this.layers[layer]?.length ?? 0;
  }

  get numLayers(): number {
    return this.layers.length;
  }

  /** Appends k, v (B, nh, T, hs) to `layer` and returns all its keys and values (B, nh, past + T, hs). */
  update(layer: number, k: Tensor, v: Tensor): [Tensor, Tensor] {
    if (k.ndim !== 4 || v.ndim !== 4 || k.shape.some((d, i) => d !== v.shape[i]))
      fail(
        'KVCache.update',
        `keys and values must both be (batch, heads, length, headSize), got ${fmtShape(k.shape)} and ${fmtShape(v.shape)}`,
      );
    const entry = this.layers[layer];
    if (entry) {
      const [b, h, , d] = entry.keys.shape;
      if (k.shape[0] !== b || k.shape[1] !== h || k.shape[3] !== d)
        fail(
          'KVCache.update',
          `layer ${layer} caches (${b}, ${h}, *, ${d}); new keys are ${fmtShape(k.shape)}`,
        );
    }
    const t = k.shape[2]!;
    const tracked = isGradEnabled() && (k.requiresGrad || v.requiresGrad);
    if (tracked && this.isStatic)
      fail(
        'KVCache.update',
        'a static cache is written in place and cannot carry gradients; run the model under noGrad() (generate() does)',
      );
    if (tracked || entry?.mode === 'graph') {
      const past = entry
        ? [entry.keys.slice(2, 0, entry.length), entry.values.slice(2, 0, entry.length)]
        : null;
      const keys = past ? cat([past[0]!, k], 2) : k;
      const values = past ? cat([past[1]!, v], 2) : v;
      this.layers[layer] = { keys, values, length: keys.shape[2]!, mode: 'graph' };
      return [keys, values];
    }
    const length = entry?.length ?? 0;
    let e = entry;
    if (this.isStatic && length + t > this.capacity)
      fail(
        'KVCache.update',
        `the static cache holds ${this.capacity} positions; ${length} + ${t} do not fit`,
      );
    if (!e || length + t > e.keys.shape[2]!) e = this.grow(layer, k, length + t);
    // Writing the new position in place: the one step whose cost does not grow with the prefix.
    e.keys.slice(2, length, length + t).copy_(k);
    e.values.slice(2, length, length + t).copy_(v);
    e.length = length + t;
    if (this.isStatic) return [e.keys, e.values];
    return [e.keys.slice(2, 0, e.length), e.values.slice(2, 0, e.length)];
  }

  /** New buffers of at least `needed` positions holding what was cached. */
  private grow(layer: number, like: Tensor, needed: number): LayerCache {
    const old = this.layers[layer];
    const oldCap = old?.mode === 'buffer' ? old.keys.shape[2]! : 0;
    const cap = Math.max(this.capacity, needed, 2 * oldCap);
    const [b, h, , d] = like.shape as [number, number, number, number];
    const opts = { dtype: like.dtype, device: like.device };
    // keep(): the buffers outlive the tidy() scope of the step that created them; dispose() frees them.
    const keys = keep(zeros([b, h, cap, d], opts));
    const values = keep(zeros([b, h, cap, d], opts));
    if (old && old.length > 0) {
      keys.slice(2, 0, old.length).copy_(old.keys.slice(2, 0, old.length));
      values.slice(2, 0, old.length).copy_(old.values.slice(2, 0, old.length));
    }
    if (old?.mode === 'buffer') {
      old.keys.dispose();
      old.values.dispose();
    }
    const entry: LayerCache = { keys, values, length: old?.length ?? 0, mode: 'buffer' };
    this.layers[layer] = entry;
    return entry;
  }

  /** Frees the preallocated buffers now (they are otherwise freed when the cache is garbage-collected). */
  dispose(): void {
    for (const e of this.layers) {
      if (e?.mode === 'buffer') {
        e.keys.dispose();
        e.values.dispose();
      }
    }
    this.layers.length = 0;
  }

  /** The cache as transformers' legacy tuples: [keys, values] per layer, trimmed to the cached length. */
  toLegacy(): LegacyCache {
    return this.layers.map((e, i) => {
      if (!e) fail('KVCache.toLegacy', `layer ${i} was never updated`);
      return [e.keys.slice(2, 0, e.length), e.values.slice(2, 0, e.length)];
    });
  }

  /** A cache holding legacy [keys, values] pairs (concatenated onto, never written in place). */
  static fromLegacy(pairs: LegacyCache): KVCache {
    if (!Array.isArray(pairs)) fail('KVCache.fromLegacy', 'expected an array of [keys, values] pairs');
    const cache = new KVCache();
    pairs.forEach((pair, i) => {
      if (!Array.isArray(pair) || pair.length !== 2)
        fail('KVCache.fromLegacy', `entry ${i} must be a [keys, values] pair`);
      const [k, v] = pair;
      if (k.ndim !== 4 || v.ndim !== 4 || k.shape[2] !== v.shape[2])
        fail(
          'KVCache.fromLegacy',
          `entry ${i} must hold (batch, heads, length, headSize) tensors, got ${fmtShape(k.shape)} and ${fmtShape(v.shape)}`,
        );
      cache.layers[i] = { keys: k, values: v, length: k.shape[2]!, mode: 'graph' };
    });
    return cache;
  }
}
