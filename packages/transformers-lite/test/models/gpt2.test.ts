import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { noGrad } from '@lumen/autograd';
import { parseSafetensors } from '@lumen/nn';
import { cat, manualSeed, memory, tensor } from '@lumen/tensor';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  AutoModelForCausalLM,
  BertConfig,
  BertForMaskedLM,
  GPT2Config,
  GPT2LMHeadModel,
  GPT2Model,
  KVCache,
  setWarningHandler,
} from '../../src/index.ts';
import {
  captureWarnings,
  expectClose,
  fixture,
  folder,
  maxDiff,
  settleMemory,
  type TJ,
  t,
} from './helpers.ts';

interface Gen {
  prompt?: number[][];
  maxNewTokens: number;
  repetitionPenalty?: number;
  eosTokenId?: number;
  padTokenId?: number;
  minNewTokens?: number;
  output: number[][];
}
interface GPT2Fixture {
  inputIds: TJ;
  labels: TJ;
  loss: number;
  logits: TJ;
  lastHiddenState: TJ;
  cacheSplit: number;
  cachedLogits: TJ;
  presentKey0: TJ;
  leftPadded: {
    inputIds: TJ;
    attentionMask: TJ;
    positionIds: TJ;
    logits: TJ;
    singleLastLogits: number[][];
    prompts: number[][];
  };
  generate: Record<string, Gen>;
  stateDictKeys: string[];
}

const fx = fixture<GPT2Fixture>('gpt2.json');
let model: GPT2LMHeadModel;
beforeAll(async () => {
  model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
});

/** generate() with warnings collected instead of printed. */
async function gen(
  ids: Parameters<GPT2LMHeadModel['generate']>[0],
  options: Parameters<GPT2LMHeadModel['generate']>[1],
) {
  return captureWarnings(
    setWarningHandler,
    async () => (await model.generate(ids, options)).arraySync() as number[][],
  );
}

describe('GPT-2 matches the PyTorch reference (float32, 1e-4)', () => {
  it('logits, hidden states and the shifted causal-LM loss (with an ignored -100 label)', async () => {
    const out = noGrad(() => model.forward({ inputIds: t(fx.inputIds), labels: t(fx.labels) }));
    await expectClose(out.logits, fx.logits, 1e-4);
    expect(Math.abs((out.loss!.itemSync() as number) - fx.loss)).toBeLessThan(1e-4);
    await expectClose(
      model.transformer.forward({ inputIds: t(fx.inputIds) }).lastHiddenState,
      fx.lastHiddenState,
      1e-4,
    );
    expect(out.pastKeyValues).toBeNull();
    expect(model.lm_head.weight).toBe(model.transformer.wte.weight);
  });

  it('left padding with mask-derived positions: logits as the reference, last positions as each prompt alone', async () => {
    const lp = fx.leftPadded;
    const out = model.forward({
      inputIds: t(lp.inputIds),
      attentionMask: t(lp.attentionMask),
      positionIds: t(lp.positionIds),
    });
    await expectClose(out.logits, lp.logits, 1e-4);
    const t0 = lp.inputIds.shape[1]!;
    for (const [b, expected] of lp.singleLastLogits.entries()) {
      const row = out.logits.select(0, b).select(0, t0 - 1);
      await expectClose(row, { dtype: 'float32', shape: [expected.length], data: expected }, 1e-4);
    }
  });

  it('a KV cache: the prefix then the rest give the full forward pass; the cache holds (B, nh, T, hs)', async () => {
    const ids = t(fx.inputIds);
    const split = fx.cacheSplit;
    const cache = new KVCache();
    const first = model.forward({ inputIds: ids.slice(1, 0, split).contiguous(), pastKeyValues: cache });
    expect(cache.getSeqLength()).toBe(split);
    const rest = model.forward({ inputIds: ids.slice(1, split).contiguous(), pastKeyValues: cache });
    expect(rest.pastKeyValues).toBe(cache);
    await expectClose(cat([first.logits, rest.logits], 1), fx.cachedLogits, 1e-4);
    await expectClose(cache.toLegacy()[0]![0], fx.presentKey0, 1e-4);
    // The legacy tuple format works too and returns tuples.
    const legacy = model.forward({ inputIds: ids.slice(1, 0, split).contiguous(), useCache: true })
      .pastKeyValues as KVCache;
    const tuples = legacy.toLegacy();
    const again = model.forward({ inputIds: ids.slice(1, split).contiguous(), pastKeyValues: tuples });
    expect(Array.isArray(again.pastKeyValues)).toBe(true);
    await expectClose(again.logits, rest.logits, 1e-6);
    cache.dispose();
    // A static cache (fixed capacity, unfilled slots hidden by the causal mask) gives the same logits.
    const fixed = new KVCache({ capacity: 12, static: true });
    expect(() => model.forward({ inputIds: ids, pastKeyValues: fixed })).toThrow(/cannot carry gradients/);
    const a = noGrad(() =>
      model.forward({ inputIds: ids.slice(1, 0, split).contiguous(), pastKeyValues: fixed }),
    );
    const c = noGrad(() =>
      model.forward({ inputIds: ids.slice(1, split).contiguous(), pastKeyValues: fixed }),
    );
    await expectClose(cat([a.logits, c.logits], 1), fx.cachedLogits, 1e-4);
    expect(() => noGrad(() => model.forward({ inputIds: ids, pastKeyValues: fixed }))).toThrow(
      /static cache holds 12 positions; 8 \+ 8 do not fit/,
    );
    fixed.dispose();
  });

  it('loads the hub-style file: a bare GPT2Model without prefix, with attn.bias buffers, no lm_head', async () => {
    const { result: legacy, warnings } = await captureWarnings(setWarningHandler, () =>
      AutoModelForCausalLM.fromPretrained(folder('gpt2-legacy')),
    );
    expect(warnings).toEqual([]);
    await expectClose(legacy.forward({ inputIds: t(fx.inputIds) }).logits, fx.logits, 1e-4);
    const base = await GPT2Model.fromPretrained(folder('gpt2-lm'));
    await expectClose(base.forward({ inputIds: t(fx.inputIds) }).lastHiddenState, fx.lastHiddenState, 1e-4);
  });

  it('saves what transformers saves: transformer.* keys, lm_head stored once (tied), format pt', async () => {
    const files = await model.toFiles();
    const saved = parseSafetensors(files['model.safetensors'] as Uint8Array);
    expect(saved.metadata).toEqual({ format: 'pt' });
    expect(Object.keys(saved.tensors).sort()).toEqual([...fx.stateDictKeys].sort());
    // Conv1D weights keep the checkpoint's [in, out] layout.
    expect(saved.tensors['transformer.h.0.attn.c_attn.weight']!.shape).toEqual([32, 96]);
    const config = JSON.parse(files['config.json'] as string);
    const reference = JSON.parse(readFileSync(join(folder('gpt2-lm'), 'config.json'), 'utf8'));
    for (const [k, v] of Object.entries(reference)) expect(config[k], k).toEqual(v);
    const again = await GPT2LMHeadModel.fromPretrained({ files });
    expect(
      await maxDiff(
        again.forward({ inputIds: t(fx.inputIds) }).logits,
        model.forward({ inputIds: t(fx.inputIds) }).logits,
      ),
    ).toBe(0);
  });
});

describe('generate() as transformers (greedy sequences from the reference)', () => {
  it('greedy, with and without the KV cache, from a Tensor, a list or a list of lists', async () => {
    const g = fx.generate.greedy!;
    const viaCache = await gen(tensor(g.prompt!, { dtype: 'int32' }), { maxNewTokens: g.maxNewTokens });
    expect(viaCache.result).toEqual(g.output);
    expect(viaCache.warnings).toEqual([expect.stringMatching(/setting `padTokenId` to `eosTokenId`:98/)]);
    expect(
      (await gen(g.prompt![0]!, { maxNewTokens: g.maxNewTokens, useCache: false, padTokenId: 98 })).result,
    ).toEqual(g.output);
  });

  it('a left-padded batch with its attention mask, and ragged prompts padded for you', async () => {
    const g = fx.generate.batchedLeftPadded!;
    const lp = fx.leftPadded;
    const padded = await gen(t(lp.inputIds), {
      maxNewTokens: g.maxNewTokens,
      attentionMask: t(lp.attentionMask),
      eosTokenId: null,
    });
    expect(padded.result).toEqual(g.output);
    const ragged = await gen(lp.prompts, { maxNewTokens: g.maxNewTokens, eosTokenId: null, padTokenId: 98 });
    expect(ragged.result).toEqual(g.output);
    expect(ragged.warnings).toEqual([]);
  });

  it('repetitionPenalty, eos stopping with a separate pad token, minNewTokens, and finished rows filled with pad', async () => {
    for (const name of ['repetitionPenalty', 'eos', 'minNewTokens']) {
      const g = fx.generate[name]!;
      const { result } = await gen(g.prompt!, {
        maxNewTokens: g.maxNewTokens,
        repetitionPenalty: g.repetitionPenalty,
        eosTokenId: g.eosTokenId,
        padTokenId: g.padTokenId,
        minNewTokens: g.minNewTokens,
      });
      expect(result, name).toEqual(g.output);
    }
    const g = fx.generate.batchedEos!;
    const lp = fx.leftPadded;
    const { result } = await gen(t(lp.inputIds), {
      maxNewTokens: g.maxNewTokens,
      attentionMask: t(lp.attentionMask),
      eosTokenId: g.eosTokenId,
      padTokenId: g.padTokenId,
    });
    expect(result).toEqual(g.output);
  });

  it('a streamer gets every step; maxLength counts the prompt, maxNewTokens does not', async () => {
    const steps: number[][] = [];
    let ended = 0;
    const { result } = await gen([[11, 22, 33]], {
      maxLength: 7,
      streamer: { put: (tokens) => steps.push(tokens), end: () => ended++ },
    });
    expect(result[0]).toEqual(fx.generate.greedy!.output[0]!.slice(0, 7));
    expect(steps).toEqual(result[0]!.slice(3).map((tok) => [tok]));
    expect(ended).toBe(1);
    const calls: number[][] = [];
    await gen([[11, 22, 33]], { maxNewTokens: 2, streamer: (tokens) => calls.push(tokens) });
    expect(calls.length).toBe(2);
  });
});

describe('generate(): sampling and the pitfalls, explained', () => {
  it('sampling is reproducible with a seed, differs across seeds, and topK 1 is greedy', async () => {
    const opts = { maxNewTokens: 12, doSample: true, padTokenId: 98 } as const;
    const a = (await gen([[11, 22, 33]], { ...opts, seed: 1 })).result;
    expect((await gen([[11, 22, 33]], { ...opts, seed: 1 })).result).toEqual(a);
    const others = await Promise.all(
      [2, 3, 4].map(async (seed) => (await gen([[11, 22, 33]], { ...opts, seed })).result),
    );
    expect(others.some((o) => JSON.stringify(o) !== JSON.stringify(a))).toBe(true);
    expect((await gen([[11, 22, 33]], { ...opts, seed: 5, topK: 1 })).result).toEqual(
      fx.generate.greedy!.output,
    );
    const sharp = (await gen([[11, 22, 33]], { ...opts, seed: 6, temperature: 1e-4 })).result;
    expect(sharp).toEqual(fx.generate.greedy!.output);
  });

  it('maxLength ≤ prompt length returns the prompt and says why; temperature 0 with sampling is an error', async () => {
    const { result, warnings } = await gen([[11, 22, 33]], { maxLength: 3, padTokenId: 98 });
    expect(result).toEqual([[11, 22, 33]]);
    expect(warnings.join('\n')).toMatch(/nothing will be generated.*Set `maxNewTokens`/);
    await expect(model.generate([[11, 22, 33]], { doSample: true, temperature: 0 })).rejects.toThrow(
      /temperature \(=0\) has to be a strictly positive.*greedy decoding: doSample: false/,
    );
  });

  it('sampling options without doSample warn as transformers does; the default maxLength warns', async () => {
    const { warnings } = await gen([[11, 22, 33]], { temperature: 0.7, topP: 0.9, padTokenId: 98 });
    expect(warnings.join('\n')).toMatch(/`doSample` is false.*`temperature` \(temperature\) is set to 0\.7/);
    expect(warnings.join('\n')).toMatch(/`topP` \(top_p\) is set to 0\.9/);
    expect(warnings.join('\n')).toMatch(/model-agnostic default `maxLength` \(=20/);
    const both = await gen([[11, 22, 33]], { maxLength: 30, maxNewTokens: 2, padTokenId: 98 });
    expect(both.result[0]!.length).toBe(5);
    expect(both.warnings.join('\n')).toMatch(/`maxNewTokens` takes precedence/);
  });

  it('right padding, training mode and bad options are explained', async () => {
    const right = await gen([[11, 22, 98]], { maxNewTokens: 1, attentionMask: [[1, 1, 0]], padTokenId: 98 });
    expect(right.warnings.join('\n')).toMatch(/right-padding was detected/);
    model.train();
    const training = await gen([[11, 22]], { maxNewTokens: 1, padTokenId: 98 });
    model.eval();
    expect(training.warnings.join('\n')).toMatch(/training mode, so dropout is active/);
    await expect(model.generate([[11]], { maxNewTokens: 70 })).rejects.toThrow(
      /more than the model's nPositions = 64/,
    );
    await expect(model.generate([[11]], { topP: 1.5, doSample: true })).rejects.toThrow(
      /topP must be a number in \(0, 1\]/,
    );
    await expect(model.generate([[11]], { max_new_tokens: 3 } as never)).rejects.toThrow(
      /unknown option "max_new_tokens"/,
    );
    await expect(model.generate([[11], []], { maxNewTokens: 1 })).rejects.toThrow(
      /inputIds\[1\] must be a non-empty list/,
    );
  });
});

describe('GPT-2 from a config', () => {
  it('construction leaves no garbage behind: memory() counts the parameters and buffers, nothing else', async () => {
    await settleMemory('cpu');
    const gpt2 = new GPT2Config({ vocabSize: 64, nPositions: 32, nEmbd: 16, nLayer: 2, nHead: 2 });
    const bert = new BertConfig({ vocabSize: 50, hiddenSize: 16, numHiddenLayers: 1, numAttentionHeads: 2 });
    for (const make of [() => new GPT2LMHeadModel(gpt2), () => new BertForMaskedLM(bert)]) {
      const before = memory().byDevice.cpu;
      const m = make();
      const params = [...m.parameters(), ...m.namedBuffers().map(([, b]) => b)];
      const now = memory().byDevice.cpu;
      // the tied head's own weight and the 1×1 placeholders were disposed, not left to the collector
      expect(now.tensors - before.tensors).toBe(params.length);
      expect(now.bytes - before.bytes).toBe(
        params.reduce((n, p) => n + p.size * (p.dtype === 'float32' || p.dtype === 'int32' ? 4 : 8), 0),
      );
      for (const p of params) p.dispose();
    }
  });

  it('transformers init (scaled c_proj), tied head, and generation memory does not grow per token', async () => {
    manualSeed(0);
    const config = new GPT2Config({ vocabSize: 64, nPositions: 512, nEmbd: 16, nLayer: 2, nHead: 2 });
    const m = new GPT2LMHeadModel(config).eval();
    const std = (x: ArrayLike<number>) => Math.sqrt(Array.from(x).reduce((s, v) => s + v * v, 0) / x.length);
    expect(std(m.transformer.h[0]!.attn.c_attn.weight.dataSync())).toBeCloseTo(0.02, 2);
    expect(std(m.transformer.h[0]!.attn.c_proj.weight.dataSync())).toBeCloseTo(0.01, 2);
    expect(m.namedParameters().map(([n]) => n)).not.toContain('lm_head.weight');
    const live: number[] = [];
    await settleMemory('cpu'); // earlier tests' garbage is not collected in the middle of this one
    await m.generate([[1, 2, 3]], {
      maxNewTokens: 400,
      eosTokenId: null,
      streamer: () => {
        if (live.length < 400) live.push(memory().byDevice.cpu.bytes);
      },
    });
    // After the first steps nothing accumulates: the cache was preallocated for all 403 positions.
    expect(live[399]!).toBe(live[10]!);
  });
});
