import { noGrad } from '@lumen/autograd';
import { manualSeed, memory, randn, tensor, webgpuPoolStats } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  BertForMaskedLM,
  BertForSequenceClassification,
  eagerAttention,
  GPT2LMHeadModel,
  setWarningHandler,
} from '../../src/index.ts';
import { captureWarnings, expectClose, fixture, folder, maxDiff, type TJ, t } from './helpers.ts';
import { settledMemory, tinyGPT2, webgpuReady } from './webgpuHelpers.ts';

/**
 * The models on webgpu: the same PyTorch fixtures at 2e-3, greedy generation identical to the
 * reference, and flat GPU memory over a 1,000-token generation (fine-tuning memory:
 * webgpuTraining.test.ts).
 */
const ready = await webgpuReady('webgpu.test.ts');
const bert = fixture<{
  inputIds: TJ;
  attentionMask: TJ;
  tokenTypeIds: TJ;
  seqcls: { labels: TJ; loss: number; logits: TJ };
  mlm: { labels: TJ; loss: number; logits: TJ };
}>('bert.json');
const gpt2 = fixture<{
  inputIds: TJ;
  labels: TJ;
  loss: number;
  logits: TJ;
  leftPadded: { inputIds: TJ; attentionMask: TJ; positionIds: TJ; logits: TJ };
  generate: Record<string, { prompt?: number[][]; maxNewTokens: number; output: number[][] }>;
}>('gpt2.json');

describe.skipIf(!ready)('models on webgpu (2e-3 against PyTorch)', () => {
  it('BERT: classifier logits and loss, masked-LM logits', async () => {
    const inputs = () => ({
      inputIds: t(bert.inputIds, 'webgpu'),
      attentionMask: t(bert.attentionMask, 'webgpu'),
      tokenTypeIds: t(bert.tokenTypeIds, 'webgpu'),
    });
    const cls = await BertForSequenceClassification.fromPretrained(folder('bert-seqcls'), {
      device: 'webgpu',
    });
    expect(cls.device).toBe('webgpu');
    const out = noGrad(() => cls.forward({ ...inputs(), labels: t(bert.seqcls.labels, 'webgpu') }));
    await expectClose(out.logits, bert.seqcls.logits, 2e-3);
    expect(Math.abs(((await out.loss!.item()) as number) - bert.seqcls.loss)).toBeLessThan(2e-3);
    const mlm = await BertForMaskedLM.fromPretrained(folder('bert-mlm'), { device: 'webgpu' });
    const m = noGrad(() => mlm.forward({ ...inputs(), labels: t(bert.mlm.labels, 'webgpu') }));
    await expectClose(m.logits, bert.mlm.logits, 2e-3);
    expect(Math.abs(((await m.loss!.item()) as number) - bert.mlm.loss)).toBeLessThan(2e-3);
  });

  it('GPT-2: logits, loss, left padding; greedy generation identical with and without the cache', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'), { device: 'webgpu' });
    const out = noGrad(() =>
      model.forward({ inputIds: t(gpt2.inputIds, 'webgpu'), labels: t(gpt2.labels, 'webgpu') }),
    );
    await expectClose(out.logits, gpt2.logits, 2e-3);
    expect(Math.abs(((await out.loss!.item()) as number) - gpt2.loss)).toBeLessThan(2e-3);
    const lp = gpt2.leftPadded;
    const padded = noGrad(() =>
      model.forward({
        inputIds: t(lp.inputIds, 'webgpu'),
        attentionMask: t(lp.attentionMask, 'webgpu'),
        positionIds: t(lp.positionIds, 'webgpu'),
      }),
    );
    await expectClose(padded.logits, lp.logits, 2e-3);
    const g = gpt2.generate.greedy!;
    for (const useCache of [true, false]) {
      const { result } = await captureWarnings(setWarningHandler, () =>
        model.generate(g.prompt!, { maxNewTokens: g.maxNewTokens, useCache, padTokenId: 98 }),
      );
      expect(result.device).toBe('cpu');
      expect(result.arraySync()).toEqual(g.output);
    }
    const b = gpt2.generate.batchedLeftPadded!;
    const batched = await model.generate(t(lp.inputIds, 'webgpu'), {
      attentionMask: t(lp.attentionMask, 'webgpu'),
      maxNewTokens: b.maxNewTokens,
      eosTokenId: null,
    });
    expect(batched.device).toBe('webgpu');
    expect(await batched.toArray()).toEqual(b.output);
  });

  it('eagerAttention: the same values on cpu and webgpu, causal and masked', async () => {
    manualSeed(3);
    const q = randn([2, 3, 5, 8]);
    const k = randn([2, 3, 7, 8]);
    const v = randn([2, 3, 7, 8]);
    const mask = tensor([
      [1, 1, 1, 1, 1, 0, 0],
      [0, 0, 1, 1, 1, 1, 1],
    ])
      .reshape([2, 1, 1, 7])
      .eq(1);
    for (const opts of [{}, { isCausal: true }, { isCausal: true, attnMask: mask }]) {
      const onCpu = eagerAttention(q, k, v, opts);
      const gpuOpts = 'attnMask' in opts ? { ...opts, attnMask: mask.to('webgpu') } : opts;
      const onGpu = eagerAttention(q.to('webgpu'), k.to('webgpu'), v.to('webgpu'), gpuOpts);
      expect(await maxDiff(onGpu, onCpu)).toBeLessThan(1e-5);
    }
  });
});

describe.skipIf(!ready)('flat GPU memory on webgpu', () => {
  it('a 1,000-token generation: live tensors and the pool do not grow after the first steps', {
    timeout: 300_000,
  }, async () => {
    const model = tinyGPT2(1024).eval().to('webgpu');
    await settledMemory(); // earlier tests' garbage is not collected in the middle of this one
    const samples: { live: number; pool: number }[] = [];
    await model.generate([[1, 2, 3]], {
      maxNewTokens: 1000,
      eosTokenId: null,
      doSample: true,
      seed: 0,
      streamer: () => {
        samples.push({ live: memory().byDevice.webgpu.bytes, pool: webgpuPoolStats()!.allocatedBytes });
      },
    });
    expect(samples.length).toBe(1000);
    // The static cache gives every step the same shapes: nothing of a new size is ever allocated.
    for (const s of samples.slice(10)) {
      expect(s.live).toBeLessThanOrEqual(samples[10]!.live);
      expect(s.pool).toBeLessThanOrEqual(samples[10]!.pool);
    }
  });
});
