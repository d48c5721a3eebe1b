import { noGrad } from '@lumen/autograd';
import { type Device, defaultGenerator, Generator, type Tensor, tensor, tidy } from '@lumen/tensor';
import { describe, fail, fmtShape, warn } from '../models/errors.js';
import { KVCache } from '../models/kvCache.js';
import { type GenerateOptions, type ResolvedGeneration, resolveGeneration, type Streamer } from './config.js';
import {
  type LogitsProcessor,
  minLengthProcessor,
  repetitionPenaltyProcessor,
  temperatureWarper,
  topKWarper,
  topPWarper,
} from './processors.js';

/** What generate() needs from a model: a causal LM forward with a KV cache. */
export interface CausalLM {
  readonly config: {
    vocabSize: number;
    nPositions: number;
    eosTokenId: number | number[] | null;
    padTokenId: number | null;
  };
  readonly generationConfigDict: { [key: string]: unknown } | null;
  readonly device: Device;
  training: boolean;
  forward(inputs: {
    inputIds: Tensor;
    attentionMask: Tensor | null;
    positionIds: Tensor;
    pastKeyValues: KVCache | null;
    useCache: boolean;
    numLogitsToKeep: number;
  }): { logits: Tensor };
}

/**
 * transformers' generate() for decoder-only models, greedy or sampling: each step runs the
 * model on the new position (the KV cache holds the rest), applies the logits processors,
 * picks a token per row, appends it, and stops at maxLength or when every row produced eos.
 * Batched prompts are left-padded; positions come from the attention mask (so padding does not
 * shift them), as transformers' prepare_inputs_for_generation does.
 */
export async function generate(
  model: CausalLM,
  inputIds: Tensor | number[] | number[][],
  options: GenerateOptions = {},
): Promise<Tensor> {
  const prompts = await readPrompts(inputIds);
  const ragged = prompts.some((p) => p.length !== prompts[0]!.length);
  const longest = Math.max(...prompts.map((p) => p.length));
  const cfg = resolveGeneration(
    options,
    {
      owner: model,
      eosTokenId: model.config.eosTokenId,
      padTokenId: model.config.padTokenId,
      generationConfig: model.generationConfigDict,
    },
    longest,
  );
  const { ids, mask } = padLeft(prompts, await readMask(options.attentionMask, prompts, ragged), cfg, ragged);
  const outDevice = isTensor(inputIds) ? inputIds.device : 'cpu';
  const batch = ids.length;
  const promptLength = ids[0]!.length;
  const finish = () =>
    tensor(Int32Array.from(ids.flat()), { shape: [batch, ids[0]!.length], device: outDevice });
  if (cfg.maxLength <= promptLength) {
    warn(
      `generate: the input length is ${promptLength} but \`maxLength\` is ${cfg.maxLength}, so nothing will be generated and the prompt is returned unchanged. Set \`maxNewTokens\` to the number of new tokens you want (maxLength counts the prompt).`,
    );
    return finish();
  }
  if (cfg.maxLength > model.config.nPositions)
    fail(
      'generate',
      `the prompt (${promptLength} tokens) plus the new tokens make ${cfg.maxLength} positions, more than the model's nPositions = ${model.config.nPositions}; lower maxNewTokens or shorten the prompt`,
    );
  if (model.training)
    warn(
      'generate: the model is in training mode, so dropout is active while generating; call model.eval() first for reproducible output.',
    );
  const processors = buildProcessors(cfg, promptLength);
  const generator =
    options.seed !== undefined ? new Generator(options.seed) : (options.generator ?? defaultGenerator);
  const streamer = toStreamer(options.streamer);
  const device = model.device;
  const unfinished = new Array<boolean>(batch).fill(true);
  // Static: every step has the same shapes, so a long generation allocates nothing new (flat GPU memory).
  const cache = cfg.useCache ? new KVCache({ capacity: cfg.maxLength, static: true }) : null;
  const vocab = model.config.vocabSize;
  try {
    while (ids[0]!.length < cfg.maxLength) {
      const step = cache !== null && cache.getSeqLength() > 0 ? 1 : ids[0]!.length;
      const logits = tidy(() => noGrad(() => lastLogits(model, ids, mask, step, cache, device)));
      const host = (await logits.data()) as Float32Array;
      logits.dispose();
      let scores: Float32Array[] = Array.from({ length: batch }, (_, b) =>
        host.slice(b * vocab, (b + 1) * vocab),
      );
      for (const p of processors) scores = p(ids, scores);
      const next = scores.map((row, b) => {
        if (!unfinished[b]) return cfg.padTokenId ?? 0;
        return cfg.doSample ? sample(row, generator) : argmax(row);
      });
      next.forEach((token, b) => {
        ids[b]!.push(token);
        mask[b]!.push(1);
        if (cfg.eosTokenIds.includes(token)) unfinished[b] = false;
      });
      streamer?.put(next);
      if (cfg.eosTokenIds.length > 0 && !unfinished.includes(true)) break;
    }
  } finally {
    cache?.dispose();
    streamer?.end?.();
  }
  return finish();
}

/** Runs the model on the last `step` positions and returns their last logits, (B, vocab). */
function lastLogits(
  model: CausalLM,
  ids: number[][],
  mask: number[][],
  step: number,
  cache: KVCache | null,
  device: Device,
): Tensor {
  const b = ids.length;
  const t = ids[0]!.length;
  const stepIds: number[] = [];
  const positions: number[] = [];
  for (let r = 0; r < b; r++) {
    // transformers: positions = cumsum(mask) − 1, and 1 at padding (any value works there: masked).
    let pos = -1;
    const rowPositions = mask[r]!.map((m) => (pos += m));
    for (let i = t - step; i < t; i++) {
      stepIds.push(ids[r]![i]!);
      positions.push(mask[r]![i] === 0 ? 1 : rowPositions[i]!);
    }
  }
  const allOnes = mask.every((row) => row.every((m) => m === 1));
  const out = model.forward({
    inputIds: tensor(Int32Array.from(stepIds), { shape: [b, step], device }),
    // With no padding the additive mask is all zeros: skip it.
    attentionMask: allOnes ? null : tensor(Int32Array.from(mask.flat()), { shape: [b, t], device }),
    positionIds: tensor(Int32Array.from(positions), { shape: [b, step], device }),
    pastKeyValues: cache,
    useCache: cache !== null,
    numLogitsToKeep: 1,
  });
  return out.logits.reshape([b, -1]);
}

/** transformers' order: repetition penalty, min length, then the sampling warpers. */
function buildProcessors(cfg: ResolvedGeneration, promptLength: number): LogitsProcessor[] {
  const list: LogitsProcessor[] = [];
  if (cfg.repetitionPenalty !== 1) list.push(repetitionPenaltyProcessor(cfg.repetitionPenalty));
  if (cfg.minLength > promptLength && cfg.eosTokenIds.length > 0)
    list.push(minLengthProcessor(cfg.minLength, cfg.eosTokenIds));
  if (cfg.doSample) {
    if (cfg.temperature !== 1) list.push(temperatureWarper(cfg.temperature));
    if (cfg.topK !== 0) list.push(topKWarper(cfg.topK));
    if (cfg.topP < 1) list.push(topPWarper(cfg.topP));
  }
  return list;
}

/** The first index of the largest score (torch.argmax's tie rule). */
export function argmax(row: Float32Array): number {
  let best = 0;
  for (let i = 1; i < row.length; i++) if (row[i]! > row[best]!) best = i;
  return best;
}

/** One draw from softmax(row) by inverting the cumulative distribution with a uniform from `generator`. */
export function sample(row: Float32Array, generator: Generator): number {
  let max = -Infinity;
  for (let i = 0; i < row.length; i++) if (row[i]! > max) max = row[i]!;
  if (max === -Infinity || Number.isNaN(max))
    fail(
      'generate',
      'every token has probability 0 (all scores are -Infinity or NaN) after the logits processors',
    );
  let total = 0;
  for (let i = 0; i < row.length; i++) total += Math.exp(row[i]! - max);
  let u = generator.random() * total;
  let last = 0;
  for (let i = 0; i < row.length; i++) {
    const p = Math.exp(row[i]! - max);
    if (p === 0) continue;
    last = i;
    u -= p;
    if (u < 0) return i;
  }
  return last; // rounding left a sliver of mass: the last possible token
}

function toStreamer(s: GenerateOptions['streamer']): Streamer | null {
  if (s === undefined || s === null) return null;
  if (typeof s === 'function') return { put: s };
  if (typeof s === 'object' && typeof s.put === 'function') return s;
  fail(
    'generate',
    `streamer must be a function or an object with put(tokens) (and end()), got ${describe(s)}`,
  );
}

function isTensor(x: unknown): x is Tensor {
  return typeof x === 'object' && x !== null && 'shape' in x && 'dtype' in x && 'device' in x;
}

async function readPrompts(inputIds: Tensor | number[] | number[][]): Promise<number[][]> {
  if (isTensor(inputIds)) {
    if (inputIds.dtype !== 'int32')
      fail('generate', `inputIds must hold int32 token ids, got ${inputIds.dtype}`);
    if (inputIds.ndim !== 2 && inputIds.ndim !== 1)
      fail('generate', `inputIds must be (batch, length) or (length), got shape ${fmtShape(inputIds.shape)}`);
    const values = (await inputIds.toArray()) as number[] | number[][];
    const rows = inputIds.ndim === 1 ? [values as number[]] : (values as number[][]);
    if (rows.length === 0 || rows[0]!.length === 0)
      fail('generate', `inputIds is empty: ${fmtShape(inputIds.shape)}`);
    return rows;
  }
  if (!Array.isArray(inputIds) || inputIds.length === 0)
    fail(
      'generate',
      `inputIds must be an int32 Tensor, a list of token ids, or a list of such lists, got ${describe(inputIds)}`,
    );
  const rows = (typeof inputIds[0] === 'number' ? [inputIds] : inputIds) as unknown[];
  return rows.map((r, i) => {
    if (
      !Array.isArray(r) ||
      r.length === 0 ||
      r.some((x) => typeof x !== 'number' || !Number.isInteger(x) || x < 0)
    )
      fail('generate', `inputIds[${i}] must be a non-empty list of token ids, got ${describe(r)}`);
    return [...(r as number[])];
  });
}

async function readMask(
  mask: GenerateOptions['attentionMask'],
  prompts: number[][],
  ragged: boolean,
): Promise<number[][] | null> {
  if (mask === undefined || mask === null) return null;
  if (ragged)
    fail(
      'generate',
      'attentionMask cannot be combined with prompts of different lengths (they are padded for you)',
    );
  const rows = isTensor(mask) ? ((await mask.cast('int32').toArray()) as number[][]) : mask;
  if (
    !Array.isArray(rows) ||
    rows.length !== prompts.length ||
    rows.some((r, i) => !Array.isArray(r) || r.length !== prompts[i]!.length)
  )
    fail(
      'generate',
      `attentionMask must have the shape of inputIds (${prompts.length} × ${prompts[0]!.length})`,
    );
  return rows.map((r) => r.map((m) => (m ? 1 : 0)));
}

/**
 * Left-pads prompts of different lengths (and builds their mask), or infers the mask of padded
 * prompts from padTokenId as transformers does; warns about right padding.
 */
function padLeft(
  prompts: number[][],
  givenMask: number[][] | null,
  cfg: ResolvedGeneration,
  ragged: boolean,
): { ids: number[][]; mask: number[][] } {
  const pad = cfg.padTokenId;
  if (ragged) {
    if (pad === null)
      fail('generate', 'prompts of different lengths need padTokenId (or eosTokenId) to be left-padded with');
    const t = Math.max(...prompts.map((p) => p.length));
    return {
      ids: prompts.map((p) => [...new Array<number>(t - p.length).fill(pad), ...p]),
      mask: prompts.map((p) => [
        ...new Array<number>(t - p.length).fill(0),
        ...new Array<number>(p.length).fill(1),
      ]),
    };
  }
  let mask = givenMask;
  if (!mask) {
    const padInInputs = pad !== null && prompts.some((p) => p.includes(pad));
    const padIsEos = pad !== null && cfg.eosTokenIds.includes(pad);
    if (padInInputs && !padIsEos) mask = prompts.map((p) => p.map((id) => (id === pad ? 0 : 1)));
    else {
      if (padInInputs && prompts.length > 1)
        warn(
          "generate: the attention mask is not set and cannot be inferred from the input because the pad token is the eos token; pass the tokenizer's `attentionMask` for reliable results with padded batches.",
        );
      mask = prompts.map((p) => p.map(() => 1));
    }
  }
  if (mask.some((row) => row[row.length - 1] === 0))
    warn(
      "generate: a decoder-only architecture is being used, but right-padding was detected! For correct generation results, set `paddingSide: 'left'` on the tokenizer (tok.paddingSide = 'left').",
    );
  return { ids: prompts.map((p) => [...p]), mask: mask.map((r) => [...r]) };
}
