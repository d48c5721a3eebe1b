import { noGrad } from '@lumen/autograd';
import { Dropout, type Embedding, F, init, LayerNorm, type Linear, Module } from '@lumen/nn';
import { arange, cat, type Tensor, zeros } from '@lumen/tensor';
import type { GenerateOptions } from '../generation/config.js';
import { type CausalLM, generate } from '../generation/generate.js';
import { activation } from './activations.js';
import { eagerAttention, extendedAttentionMask } from './attention.js';
import { type ConfigDict, GPT2Config } from './config.js';
import { embedding, linear, withoutRandomInit } from './construction.js';
import { Conv1D } from './conv1d.js';
import { fail } from './errors.js';
import { checkIds, checkInputs, checkSameShape, GPT2_INPUT_KEYS } from './inputs.js';
import { KVCache, type LegacyCache } from './kvCache.js';
import { type LoadRules, PreTrainedModel } from './pretrained.js';

/**
 * GPT-2 (Radford et al. 2019) as transformers' modeling_gpt2.py, eager attention: pre-LayerNorm
 * blocks, learned positions, Conv1D layers (weights [in, out], as in the checkpoints), the LM
 * head tied to the token embeddings. Property names are the checkpoint keys.
 */

export interface GPT2Inputs {
  /** (B, T) int32 token ids: the new positions only when `pastKeyValues` holds the prefix. */
  inputIds: Tensor;
  /** (B, past + T): 1 for tokens, 0 for padding (left padding for batched generation). */
  attentionMask?: Tensor | null;
  /** (B, T) int32 positions. Default: past, past + 1, … (generate() derives them from the mask). */
  positionIds?: Tensor | null;
  /** The cache of earlier positions; updated in place (a KVCache) and returned. */
  pastKeyValues?: KVCache | LegacyCache | null;
  /** Return a cache (a new KVCache when none was passed). Default: true when pastKeyValues is given. */
  useCache?: boolean;
}

export interface GPT2ModelOutput {
  /** (B, T, nEmbd), after the final LayerNorm. */
  lastHiddenState: Tensor;
  pastKeyValues: KVCache | LegacyCache | null;
}

export class GPT2Attention extends Module {
  c_attn: Conv1D;
  c_proj: Conv1D;
  attn_dropout: Dropout;
  resid_dropout: Dropout;
  readonly numHeads: number;
  readonly headSize: number;
  private readonly scale: number | undefined;

  constructor(
    config: GPT2Config,
    readonly layerIdx: number,
  ) {
    super();
    const c = config.nEmbd;
    this.c_attn = new Conv1D(3 * c, c);
    this.c_proj = new Conv1D(c, c);
    this.attn_dropout = new Dropout(config.attnPdrop);
    this.resid_dropout = new Dropout(config.residPdrop);
    this.numHeads = config.nHead;
    this.headSize = c / config.nHead;
    let scale = config.scaleAttnWeights ? 1 / Math.sqrt(this.headSize) : 1;
    if (config.scaleAttnByInverseLayerIdx) scale /= layerIdx + 1;
    // The default (1/sqrt(hs)) is left to the attention function, which divides as transformers does.
    this.scale = config.scaleAttnWeights && !config.scaleAttnByInverseLayerIdx ? undefined : scale;
  }

  /** (B, T, C) → (B, nh, T, hs) */
  private heads(x: Tensor): Tensor {
    const [b, t] = x.shape as [number, number, number];
    return x.reshape([b, t, this.numHeads, this.headSize]).permute(0, 2, 1, 3);
  }

  forward(x: Tensor, mask: Tensor | null, cache: KVCache | null): Tensor {
    const [b, t, c] = x.shape as [number, number, number];
    const [qx, kx, vx] = this.c_attn.forward(x).split(c, 2); // 3 × (B, T, C)
    const q = this.heads(qx!); // (B, nh, T, hs)
    let k = this.heads(kx!);
    let v = this.heads(vx!);
    const past = cache?.getSeqLength(this.layerIdx) ?? 0;
    if (cache) [k, v] = cache.update(this.layerIdx, k, v); // (B, nh, past + T, hs); (B, nh, capacity, hs) if static
    const y = eagerAttention(q, k, v, {
      attnMask: mask,
      isCausal: true,
      queryOffset: past,
      scale: this.scale,
      dropoutP: this.attn_dropout.p,
      training: this.training,
    }); // (B, nh, T, hs)
    const merged = y.permute(0, 2, 1, 3).reshape([b, t, c]); // (B, T, C)
    return this.resid_dropout.forward(this.c_proj.forward(merged));
  }
}

export class GPT2MLP extends Module {
  c_fc: Conv1D;
  c_proj: Conv1D;
  dropout: Dropout;
  private readonly act: (x: Tensor) => Tensor;

  constructor(config: GPT2Config) {
    super();
    const inner = config.nInner ?? 4 * config.nEmbd;
    this.c_fc = new Conv1D(inner, config.nEmbd);
    this.c_proj = new Conv1D(config.nEmbd, inner);
    this.act = activation(config.activationFunction);
    this.dropout = new Dropout(config.residPdrop);
  }

  forward(x: Tensor): Tensor {
    return this.dropout.forward(this.c_proj.forward(this.act(this.c_fc.forward(x))));
  }
}

/** One pre-LayerNorm block: x + attn(ln_1(x)), then x + mlp(ln_2(x)). */
export class GPT2Block extends Module {
  ln_1: LayerNorm;
  attn: GPT2Attention;
  ln_2: LayerNorm;
  mlp: GPT2MLP;

  constructor(config: GPT2Config, layerIdx: number) {
    super();
    this.ln_1 = new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon });
    this.attn = new GPT2Attention(config, layerIdx);
    this.ln_2 = new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon });
    this.mlp = new GPT2MLP(config);
  }

  forward(x: Tensor, mask: Tensor | null, cache: KVCache | null): Tensor {
    x = x.add(this.attn.forward(this.ln_1.forward(x), mask, cache));
    return x.add(this.mlp.forward(this.ln_2.forward(x)));
  }
}

abstract class GPT2PreTrainedModel extends PreTrainedModel {
  abstract override readonly config: GPT2Config;

  static configFromDict(dict: ConfigDict, where: string): GPT2Config {
    return GPT2Config.fromDict(dict, where);
  }

  static override readonly loadRules: LoadRules = {
    basePrefix: 'transformer',
    tiedKeys: ['lm_head.weight'],
    // The causal-mask buffers older transformers saved (the hub's gpt2 file has them).
    ignoreUnexpected: [/(^|\.)attn\.(masked_)?bias$/],
    newHeadKeys: [],
  };

  /** transformers' GPT-2 init, plus its scaled residual projections: N(0, range / sqrt(2 · nLayer)). */
  override initParameters(only: Set<Tensor> | null): void {
    const c = this.config;
    this.initWeights(c.initializerRange, only);
    noGrad(() => {
      for (const [name, p] of this.namedParameters()) {
        if (name.endsWith('c_proj.weight') && (!only || only.has(p)))
          init.normal_(p, 0, c.initializerRange / Math.sqrt(2 * c.nLayer));
      }
    });
  }
}

/** The bare GPT-2 decoder: token and position embeddings, nLayer blocks, the final LayerNorm. */
export class GPT2Model extends GPT2PreTrainedModel {
  readonly config: GPT2Config;
  wte: Embedding;
  wpe: Embedding;
  drop: Dropout;
  h: GPT2Block[];
  ln_f: LayerNorm;

  /** `initWeights: false` is for head models, which initialise everything once themselves. */
  constructor(config: GPT2Config = new GPT2Config(), options: { initWeights?: boolean } = {}) {
    super();
    if (!(config instanceof GPT2Config)) fail('GPT2Model', 'config must be a GPT2Config');
    this.config = config;
    this.wte = embedding(config.vocabSize, config.nEmbd);
    this.wpe = embedding(config.nPositions, config.nEmbd);
    this.drop = new Dropout(config.embdPdrop);
    this.h = Array.from({ length: config.nLayer }, (_, i) => new GPT2Block(config, i));
    this.ln_f = new LayerNorm(config.nEmbd, { eps: config.layerNormEpsilon });
    if (options.initWeights ?? true) this.postInit();
  }

  override getInputEmbeddings(): Embedding {
    return this.wte;
  }

  forward(inputs: GPT2Inputs): GPT2ModelOutput {
    const where = `${this.constructor.name}.forward`;
    checkInputs(where, inputs, GPT2_INPUT_KEYS);
    const device = this.wte.weight.device;
    const [b, t] = checkIds(where, 'inputIds', inputs.inputIds, device);
    const legacy = Array.isArray(inputs.pastKeyValues);
    let cache: KVCache | null = null;
    if (inputs.pastKeyValues)
      cache = legacy
        ? KVCache.fromLegacy(inputs.pastKeyValues as LegacyCache)
        : (inputs.pastKeyValues as KVCache);
    if (!(cache === null || cache instanceof KVCache))
      fail(where, 'pastKeyValues must be a KVCache or an array of [keys, values] pairs');
    const useCache = inputs.useCache ?? cache !== null;
    if (useCache && !cache) cache = new KVCache();
    const past = cache?.getSeqLength() ?? 0;
    if (past + t > this.config.nPositions)
      fail(
        where,
        `${past > 0 ? `${past} cached + ` : ''}${t} positions exceed the model's nPositions = ${this.config.nPositions}`,
      );
    const mask = checkSameShape(where, 'attentionMask', inputs.attentionMask, [b, past + t], device);
    const positions =
      checkSameShape(where, 'positionIds', inputs.positionIds, [b, t], device, ['int32']) ??
      arange(past, past + t, 1, { dtype: 'int32', device }).reshape([1, t]);
    // A static cache shows attention all its slots: the mask covers them, unfilled ones padded as masked.
    const keysSeen = cache?.isStatic ? cache.capacity : past + t;
    const padded =
      mask && keysSeen > past + t
        ? cat([mask, zeros([b, keysSeen - past - t], { dtype: mask.dtype, device })], 1)
        : mask;
    const extended = padded ? extendedAttentionMask(padded, where) : null; // (B, 1, 1, keys)
    let x = this.drop.forward(this.wte.forward(inputs.inputIds).add(this.wpe.forward(positions))); // (B, T, C)
    for (const block of this.h) x = block.forward(x, extended, useCache ? cache : null);
    const out = useCache && cache ? (legacy ? cache.toLegacy() : cache) : null;
    return { lastHiddenState: this.ln_f.forward(x), pastKeyValues: out };
  }
}

export interface CausalLMInputs extends GPT2Inputs {
  /** (B, T) int32: the inputs themselves for language modelling; -100 marks positions to ignore. Shifted inside. */
  labels?: Tensor | null;
  /** Compute logits for the last N positions only (0 = all); generate() uses 1. */
  numLogitsToKeep?: number;
}

export interface CausalLMOutput {
  /** Mean cross-entropy of predicting token t+1 from positions ≤ t; present when labels were given. */
  loss: Tensor | null;
  /** (B, T, vocabSize), or (B, numLogitsToKeep, vocabSize). */
  logits: Tensor;
  pastKeyValues: KVCache | LegacyCache | null;
}

/** GPT-2 with its language-model head (transformers' GPT2LMHeadModel); generate() lives here. */
export class GPT2LMHeadModel extends GPT2PreTrainedModel implements CausalLM {
  readonly config: GPT2Config;
  transformer: GPT2Model;
  lm_head: Linear;

  constructor(config: GPT2Config = new GPT2Config()) {
    super();
    if (!(config instanceof GPT2Config)) fail('GPT2LMHeadModel', 'config must be a GPT2Config');
    this.config = config;
    this.transformer = new GPT2Model(config, { initWeights: false });
    // Its weight is replaced by the tied token embeddings: no point drawing one.
    this.lm_head = withoutRandomInit(() => linear(config.nEmbd, config.vocabSize, { bias: false }));
    this.lm_head.weight.dispose(); // the placeholder's memory back now, not whenever the collector runs
    this.lm_head.weight = this.transformer.wte.weight; // tied, as transformers' tie_weights()
    this.postInit();
  }

  override getInputEmbeddings(): Embedding {
    return this.transformer.wte;
  }

  forward(inputs: CausalLMInputs): CausalLMOutput {
    checkInputs('GPT2LMHeadModel.forward', inputs, [...GPT2_INPUT_KEYS, 'labels', 'numLogitsToKeep']);
    const { labels: _, numLogitsToKeep: __, ...base } = inputs;
    const { lastHiddenState, pastKeyValues } = this.transformer.forward(base);
    const keep = inputs.numLogitsToKeep ?? 0;
    if (!Number.isInteger(keep) || keep < 0)
      fail('GPT2LMHeadModel.forward', `numLogitsToKeep must be a non-negative integer, got ${keep}`);
    const t = lastHiddenState.shape[1]!;
    const h = keep > 0 && keep < t ? lastHiddenState.slice(1, t - keep, t) : lastHiddenState;
    const logits = this.lm_head.forward(h); // (B, T, vocab)
    const labels = inputs.labels;
    if (labels === undefined || labels === null) return { loss: null, logits, pastKeyValues };
    if (h !== lastHiddenState)
      fail('GPT2LMHeadModel.forward', 'labels need the logits of every position; leave numLogitsToKeep at 0');
    const [b] = inputs.inputIds.shape as [number, number];
    checkSameShape('GPT2LMHeadModel.forward', 'labels', labels, [b, t], logits.device, ['int32']);
    // Position t predicts token t + 1: drop the last logits and the first label.
    const shiftLogits = logits.slice(1, 0, t - 1); // (B, T-1, V)
    const shiftLabels = labels.slice(1, 1, t); // (B, T-1)
    const loss = F.crossEntropy(shiftLogits.reshape([-1, this.config.vocabSize]), shiftLabels.reshape([-1]));
    return { loss, logits, pastKeyValues };
  }

  /** transformers' generate(): greedy or sampled continuations of the prompts; see GenerateOptions. */
  generate(inputIds: Tensor | number[] | number[][], options: GenerateOptions = {}): Promise<Tensor> {
    return generate(this, inputIds, options);
  }
}
