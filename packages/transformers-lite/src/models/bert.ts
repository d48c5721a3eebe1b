import { Dropout, type Embedding, F, LayerNorm, type Linear, Module } from '@lumen/nn';
import { arange, type Tensor, zeros } from '@lumen/tensor';
import { activation } from './activations.js';
import { eagerAttention, extendedAttentionMask } from './attention.js';
import { BertConfig, type ConfigDict } from './config.js';
import { embedding, linear, withoutRandomInit } from './construction.js';
import { fail, fmtShape } from './errors.js';
import { BERT_INPUT_KEYS, checkIds, checkInputs, checkSameShape } from './inputs.js';
import { type LoadRules, PreTrainedModel } from './pretrained.js';

/**
 * BERT (Devlin et al. 2018) as transformers' modeling_bert.py, eager attention. Property names
 * are the Hugging Face checkpoint keys (`encoder.layer.0.attention.self.query.weight`), so
 * loading is key matching plus shape checks.
 */

export interface BertInputs {
  /** (B, T) int32 token ids. */
  inputIds: Tensor;
  /** (B, T): 1 for tokens, 0 for padding (int32, bool or float). Default: all ones. */
  attentionMask?: Tensor | null;
  /** (B, T) int32 segment ids (0 for the first sentence, 1 for the second). Default: zeros. */
  tokenTypeIds?: Tensor | null;
  /** (B, T) int32 positions. Default: 0, 1, …, T − 1. */
  positionIds?: Tensor | null;
}

export interface BertModelOutput {
  /** (B, T, hidden). */
  lastHiddenState: Tensor;
  /** (B, hidden): tanh(dense([CLS] state)); null in models built without the pooler. */
  poolerOutput: Tensor | null;
}

export class BertEmbeddings extends Module {
  word_embeddings: Embedding;
  position_embeddings: Embedding;
  token_type_embeddings: Embedding;
  LayerNorm: LayerNorm;
  dropout: Dropout;

  constructor(readonly config: BertConfig) {
    super();
    this.word_embeddings = embedding(config.vocabSize, config.hiddenSize, {
      paddingIdx: config.padTokenId,
    });
    this.position_embeddings = embedding(config.maxPositionEmbeddings, config.hiddenSize);
    this.token_type_embeddings = embedding(config.typeVocabSize, config.hiddenSize);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb);
  }

  forward(inputIds: Tensor, tokenTypeIds: Tensor | null, positionIds: Tensor | null): Tensor {
    const t = inputIds.shape[1]!;
    const positions =
      positionIds ?? arange(0, t, 1, { dtype: 'int32', device: inputIds.device }).reshape([1, t]);
    const types = tokenTypeIds ?? zeros(inputIds.shape, { dtype: 'int32', device: inputIds.device });
    const x = this.word_embeddings
      .forward(inputIds)
      .add(this.token_type_embeddings.forward(types))
      .add(this.position_embeddings.forward(positions)); // (B, T, C)
    return this.dropout.forward(this.LayerNorm.forward(x));
  }
}

export class BertSelfAttention extends Module {
  query: Linear;
  key: Linear;
  value: Linear;
  dropout: Dropout;
  readonly numHeads: number;
  readonly headSize: number;

  constructor(config: BertConfig) {
    super();
    const c = config.hiddenSize;
    this.query = linear(c, c);
    this.key = linear(c, c);
    this.value = linear(c, c);
    this.dropout = new Dropout(config.attentionProbsDropoutProb);
    this.numHeads = config.numAttentionHeads;
    this.headSize = c / config.numAttentionHeads;
  }

  /** (B, T, C) → (B, nh, T, hs) */
  private heads(x: Tensor): Tensor {
    const [b, t] = x.shape as [number, number, number];
    return x.reshape([b, t, this.numHeads, this.headSize]).permute(0, 2, 1, 3);
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    const [b, t, c] = x.shape as [number, number, number];
    const q = this.heads(this.query.forward(x)); // (B, nh, T, hs)
    const k = this.heads(this.key.forward(x));
    const v = this.heads(this.value.forward(x));
    const y = eagerAttention(q, k, v, {
      attnMask: mask,
      dropoutP: this.dropout.p,
      training: this.training,
    }); // (B, nh, T, hs)
    return y.permute(0, 2, 1, 3).reshape([b, t, c]); // (B, T, C)
  }
}

/** The projection after attention, with its residual connection and LayerNorm. */
export class BertSelfOutput extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  dropout: Dropout;

  constructor(config: BertConfig) {
    super();
    this.dense = linear(config.hiddenSize, config.hiddenSize);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb);
  }

  forward(h: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(this.dropout.forward(this.dense.forward(h)).add(residual));
  }
}

export class BertAttention extends Module {
  self: BertSelfAttention;
  output: BertSelfOutput;

  constructor(config: BertConfig) {
    super();
    this.self = new BertSelfAttention(config);
    this.output = new BertSelfOutput(config);
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    return this.output.forward(this.self.forward(x, mask), x);
  }
}

export class BertIntermediate extends Module {
  dense: Linear;
  private readonly act: (x: Tensor) => Tensor;

  constructor(config: BertConfig) {
    super();
    this.dense = linear(config.hiddenSize, config.intermediateSize);
    this.act = activation(config.hiddenAct);
  }

  forward(x: Tensor): Tensor {
    return this.act(this.dense.forward(x));
  }
}

/** The MLP's down projection, with its residual connection and LayerNorm. */
export class BertOutput extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  dropout: Dropout;

  constructor(config: BertConfig) {
    super();
    this.dense = linear(config.intermediateSize, config.hiddenSize);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps });
    this.dropout = new Dropout(config.hiddenDropoutProb);
  }

  forward(h: Tensor, residual: Tensor): Tensor {
    return this.LayerNorm.forward(this.dropout.forward(this.dense.forward(h)).add(residual));
  }
}

/** One post-LayerNorm transformer block: attention, then the MLP. */
export class BertLayer extends Module {
  attention: BertAttention;
  intermediate: BertIntermediate;
  output: BertOutput;

  constructor(config: BertConfig) {
    super();
    this.attention = new BertAttention(config);
    this.intermediate = new BertIntermediate(config);
    this.output = new BertOutput(config);
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    const a = this.attention.forward(x, mask);
    return this.output.forward(this.intermediate.forward(a), a);
  }
}

export class BertEncoder extends Module {
  layer: BertLayer[];

  constructor(config: BertConfig) {
    super();
    this.layer = Array.from({ length: config.numHiddenLayers }, () => new BertLayer(config));
  }

  forward(x: Tensor, mask: Tensor | null): Tensor {
    for (const layer of this.layer) x = layer.forward(x, mask);
    return x;
  }
}

export class BertPooler extends Module {
  dense: Linear;

  constructor(config: BertConfig) {
    super();
    this.dense = linear(config.hiddenSize, config.hiddenSize);
  }

  forward(h: Tensor): Tensor {
    return this.dense.forward(h.select(1, 0)).tanh(); // the [CLS] position, (B, C)
  }
}

/** Shared by the BERT classes: config parsing and checkpoint rules. */
abstract class BertPreTrainedModel extends PreTrainedModel {
  abstract override readonly config: BertConfig;

  static configFromDict(dict: ConfigDict, where: string): BertConfig {
    return BertConfig.fromDict(dict, where);
  }

  override initParameters(only: Set<Tensor> | null): void {
    this.initWeights(this.config.initializerRange, only);
  }

  static override readonly loadRules: LoadRules = {
    basePrefix: 'bert',
    tiedKeys: [],
    // Older checkpoints saved the position_ids buffer; models without a pooler skip its weights.
    ignoreUnexpected: [/(^|\.)embeddings\.position_ids$/],
    newHeadKeys: [/(^|\.)pooler\./],
  };
}

function bertInputs(where: string, inputs: BertInputs, config: BertConfig, device: string) {
  checkInputs(where, inputs, BERT_INPUT_KEYS);
  const [b, t] = checkIds(where, 'inputIds', inputs.inputIds, device);
  if (t > config.maxPositionEmbeddings)
    fail(
      where,
      `inputIds has ${t} tokens but the model takes at most maxPositionEmbeddings = ${config.maxPositionEmbeddings}; truncate (tokenizer option truncation: true)`,
    );
  const mask = checkSameShape(where, 'attentionMask', inputs.attentionMask, [b, t], device);
  const types = checkSameShape(where, 'tokenTypeIds', inputs.tokenTypeIds, [b, t], device, ['int32']);
  const positions = checkSameShape(where, 'positionIds', inputs.positionIds, [b, t], device, ['int32']);
  return { mask, types, positions };
}

/** The bare encoder: embeddings, `numHiddenLayers` blocks, and (optionally) the pooler. */
export class BertModel extends BertPreTrainedModel {
  readonly config: BertConfig;
  embeddings: BertEmbeddings;
  encoder: BertEncoder;
  pooler: BertPooler | null;

  /** `initWeights: false` is for head models, which initialise everything once themselves. */
  constructor(
    config: BertConfig = new BertConfig(),
    options: { addPoolingLayer?: boolean; initWeights?: boolean } = {},
  ) {
    super();
    if (!(config instanceof BertConfig)) fail('BertModel', 'config must be a BertConfig');
    this.config = config;
    this.embeddings = new BertEmbeddings(config);
    this.encoder = new BertEncoder(config);
    this.pooler = (options.addPoolingLayer ?? true) ? new BertPooler(config) : null;
    if (options.initWeights ?? true) this.postInit();
  }

  override getInputEmbeddings(): Embedding {
    return this.embeddings.word_embeddings;
  }

  forward(inputs: BertInputs): BertModelOutput {
    const { mask, types, positions } = bertInputs(
      'BertModel.forward',
      inputs,
      this.config,
      this.embeddings.word_embeddings.weight.device,
    );
    const extended = mask ? extendedAttentionMask(mask, 'BertModel.forward') : null; // (B, 1, 1, T)
    const h = this.encoder.forward(this.embeddings.forward(inputs.inputIds, types, positions), extended);
    return { lastHiddenState: h, poolerOutput: this.pooler ? this.pooler.forward(h) : null };
  }
}

export interface SequenceClassifierInputs extends BertInputs {
  /**
   * int32 (B) class ids → cross-entropy; float (B) targets with numLabels = 1 → MSE; float
   * (B, numLabels) multi-hot → BCE with logits (config.problemType overrides the inference).
   */
  labels?: Tensor | null;
}

export interface SequenceClassifierOutput {
  /** Present when labels were given. */
  loss: Tensor | null;
  /** (B, numLabels). */
  logits: Tensor;
}

/** BERT with a linear classifier on the pooled [CLS] state (transformers' BertForSequenceClassification). */
export class BertForSequenceClassification extends BertPreTrainedModel {
  readonly config: BertConfig;
  bert: BertModel;
  dropout: Dropout;
  classifier: Linear;

  static override readonly loadRules: LoadRules = {
    ...BertPreTrainedModel.loadRules,
    newHeadKeys: [/(^|\.)pooler\./, /^classifier\./],
  };

  constructor(config: BertConfig = new BertConfig()) {
    super();
    if (!(config instanceof BertConfig)) fail('BertForSequenceClassification', 'config must be a BertConfig');
    this.config = config;
    this.bert = new BertModel(config, { initWeights: false });
    this.dropout = new Dropout(config.classifierDropout ?? config.hiddenDropoutProb);
    this.classifier = linear(config.hiddenSize, config.numLabels);
    this.postInit();
  }

  get numLabels(): number {
    return this.config.numLabels;
  }

  override getInputEmbeddings(): Embedding {
    return this.bert.embeddings.word_embeddings;
  }

  forward(inputs: SequenceClassifierInputs): SequenceClassifierOutput {
    checkInputs('BertForSequenceClassification.forward', inputs, [...BERT_INPUT_KEYS, 'labels']);
    const { labels: _, ...base } = inputs;
    const pooled = this.bert.forward(base).poolerOutput!; // (B, C)
    const logits = this.classifier.forward(this.dropout.forward(pooled)); // (B, numLabels)
    const labels = inputs.labels;
    if (labels === undefined || labels === null) return { loss: null, logits };
    return { loss: this.loss(logits, labels), logits };
  }

  /** transformers' rule: problemType, else regression for 1 label, else int labels → CE, float → BCE. */
  private loss(logits: Tensor, labels: Tensor): Tensor {
    const where = 'BertForSequenceClassification.forward';
    const n = this.numLabels;
    const b = logits.shape[0]!;
    let problem = this.config.problemType;
    if (problem === null) {
      if (n === 1) problem = 'regression';
      else if (labels.dtype === 'int32') problem = 'single_label_classification';
      else problem = 'multi_label_classification';
    }
    if (labels.device !== logits.device)
      fail(where, `labels are on ${labels.device} but the model is on ${logits.device}`);
    if (problem === 'regression') {
      if (labels.size !== b * n)
        fail(
          where,
          `regression labels must have ${b * n} values (batch × numLabels), got shape ${fmtShape(labels.shape)}`,
        );
      const target = labels.float().reshape(logits.shape);
      return n === 1 ? F.mseLoss(logits.squeeze(), target.squeeze()) : F.mseLoss(logits, target);
    }
    if (problem === 'single_label_classification') {
      if (labels.dtype !== 'int32')
        fail(where, `labels must be int32 class ids for single-label classification, got ${labels.dtype}`);
      return F.crossEntropy(logits.reshape([-1, n]), labels.reshape([-1]));
    }
    if (labels.shape.length !== 2 || labels.shape[0] !== b || labels.shape[1] !== n)
      fail(where, `multi-label targets must have shape ${fmtShape([b, n])}, got ${fmtShape(labels.shape)}`);
    return F.binaryCrossEntropyWithLogits(logits, labels.float());
  }
}

export class BertPredictionHeadTransform extends Module {
  dense: Linear;
  LayerNorm: LayerNorm;
  private readonly act: (x: Tensor) => Tensor;

  constructor(config: BertConfig) {
    super();
    this.dense = linear(config.hiddenSize, config.hiddenSize);
    this.LayerNorm = new LayerNorm(config.hiddenSize, { eps: config.layerNormEps });
    this.act = activation(config.hiddenAct);
  }

  forward(x: Tensor): Tensor {
    return this.LayerNorm.forward(this.act(this.dense.forward(x)));
  }
}

/** The MLM decoder: its weight is the word embedding matrix (tied), its bias `predictions.bias`. */
export class BertLMPredictionHead extends Module {
  bias: Tensor;
  transform: BertPredictionHeadTransform;
  decoder: Linear;

  constructor(config: BertConfig, wordEmbeddings: Tensor) {
    super();
    this.transform = new BertPredictionHeadTransform(config);
    // Its weight is replaced by the tied embeddings: no point drawing one.
    this.decoder = withoutRandomInit(() => linear(config.hiddenSize, config.vocabSize));
    this.decoder.weight.dispose(); // the placeholder's memory back now, not whenever the collector runs
    this.decoder.weight = wordEmbeddings;
    this.bias = this.decoder.bias!;
  }

  forward(x: Tensor): Tensor {
    return this.decoder.forward(this.transform.forward(x)); // (B, T, vocab)
  }
}

export class BertOnlyMLMHead extends Module {
  predictions: BertLMPredictionHead;

  constructor(config: BertConfig, wordEmbeddings: Tensor) {
    super();
    this.predictions = new BertLMPredictionHead(config, wordEmbeddings);
  }

  forward(x: Tensor): Tensor {
    return this.predictions.forward(x);
  }
}

export interface MaskedLMInputs extends BertInputs {
  /** (B, T) int32 ids of the masked tokens, -100 elsewhere (ignored by the loss). */
  labels?: Tensor | null;
}

export interface MaskedLMOutput {
  loss: Tensor | null;
  /** (B, T, vocabSize). */
  logits: Tensor;
}

/** BERT with the masked-language-model head (transformers' BertForMaskedLM; no pooler). */
export class BertForMaskedLM extends BertPreTrainedModel {
  readonly config: BertConfig;
  bert: BertModel;
  cls: BertOnlyMLMHead;

  static override readonly loadRules: LoadRules = {
    basePrefix: 'bert',
    tiedKeys: ['cls.predictions.decoder.weight', 'cls.predictions.decoder.bias'],
    ignoreUnexpected: [/(^|\.)embeddings\.position_ids$/, /(^|\.)pooler\./],
    newHeadKeys: [],
  };

  constructor(config: BertConfig = new BertConfig()) {
    super();
    if (!(config instanceof BertConfig)) fail('BertForMaskedLM', 'config must be a BertConfig');
    this.config = config;
    this.bert = new BertModel(config, { addPoolingLayer: false, initWeights: false });
    this.cls = new BertOnlyMLMHead(config, this.bert.embeddings.word_embeddings.weight);
    this.postInit();
  }

  override getInputEmbeddings(): Embedding {
    return this.bert.embeddings.word_embeddings;
  }

  forward(inputs: MaskedLMInputs): MaskedLMOutput {
    checkInputs('BertForMaskedLM.forward', inputs, [...BERT_INPUT_KEYS, 'labels']);
    const { labels: _, ...base } = inputs;
    const h = this.bert.forward(base).lastHiddenState;
    const logits = this.cls.forward(h);
    const labels = inputs.labels;
    if (labels === undefined || labels === null) return { loss: null, logits };
    const [b, t] = inputs.inputIds.shape as [number, number];
    checkSameShape('BertForMaskedLM.forward', 'labels', labels, [b, t], logits.device, ['int32']);
    const loss = F.crossEntropy(logits.reshape([-1, this.config.vocabSize]), labels.reshape([-1]));
    return { loss, logits };
  }
}
