import { AdamW, clipGradNorm, linearWarmupSchedule } from '@lumen/nn';
import type { Tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { BertForSequenceClassification, GPT2LMHeadModel, type PreTrainedModel } from '../../src/index.ts';
import { fixture, folder, type TJ, t } from './helpers.ts';

interface TrainFixture {
  lr: number;
  warmupSteps: number;
  totalSteps: number;
  weightDecay: number;
  maxGradNorm: number;
  lrs: number[];
  bert: {
    inputIds: TJ;
    attentionMask: TJ;
    labels: TJ;
    losses: number[];
    gradNorms: number[];
    weights: Record<string, TJ>;
  };
  gpt2: { inputIds: TJ; losses: number[]; gradNorms: number[]; weights: Record<string, TJ> };
}
const fx = fixture<TrainFixture>('training.json');

/** The usual fine-tuning setup: no weight decay for biases and LayerNorm weights. */
function optimizerFor(model: PreTrainedModel): AdamW {
  const decay: Tensor[] = [];
  const noDecay: Tensor[] = [];
  for (const [name, p] of model.namedParameters()) {
    (name.endsWith('bias') || name.includes('LayerNorm.weight') || name.includes('.ln_')
      ? noDecay
      : decay
    ).push(p);
  }
  return new AdamW(
    [
      { params: decay, weightDecay: fx.weightDecay },
      { params: noDecay, weightDecay: 0 },
    ],
    { lr: fx.lr, betas: [0.9, 0.999], eps: 1e-8 },
  );
}

async function train3(model: PreTrainedModel, loss: () => Tensor) {
  model.train();
  const opt = optimizerFor(model);
  const sched = linearWarmupSchedule(opt, { warmupSteps: fx.warmupSteps, totalSteps: fx.totalSteps });
  const losses: number[] = [];
  const norms: number[] = [];
  const lrs: number[] = [];
  for (let step = 0; step < 3; step++) {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    norms.push((await clipGradNorm(model.parameters(), fx.maxGradNorm).item()) as number);
    opt.step();
    sched.step();
    losses.push((await l.item()) as number);
    lrs.push(sched.getLastLr()[0]!);
  }
  return { losses, norms, lrs };
}

/**
 * Every weight to 1e-4, except the attention key biases: their true gradient is exactly zero
 * (adding b·q to every score of a query's row leaves its softmax unchanged), so both PyTorch and
 * we get float rounding noise of ~1e-10 there, which Adam normalises into steps of ±lr. Those
 * entries are checked to have moved by no more than the 3 noise steps can explain.
 */
async function expectWeights(
  model: PreTrainedModel,
  expected: Record<string, TJ>,
  keyBias: (k: string) => [number, number] | null,
) {
  const sd = model.stateDict();
  expect(Object.keys(sd).sort()).toEqual(Object.keys(expected).sort());
  const bad: string[] = [];
  for (const [k, v] of Object.entries(expected)) {
    const actual = (await sd[k]!.data()) as Float32Array;
    const noise = keyBias(k);
    for (let i = 0; i < v.data.length; i++) {
      const d = Math.abs(actual[i]! - v.data[i]!);
      const inNoise = noise !== null && i >= noise[0] && i < noise[1];
      if (!(d < (inNoise ? 3 * 2 * fx.lr : 1e-4))) bad.push(`${k}[${i}]: ${d}`);
    }
  }
  expect(bad).toEqual([]);
}

describe('3 AdamW steps (warmup schedule, clipping, no decay for biases/LayerNorm) as PyTorch', () => {
  it('BertForSequenceClassification: losses, gradient norms, learning rates and every weight', async () => {
    const model = await BertForSequenceClassification.fromPretrained(folder('bert-seqcls'));
    // Dropout off in the reference (its random masks cannot be reproduced), so the comparison is exact.
    model.config.hiddenDropoutProb = 0;
    for (const m of model.modules()) if ('p' in m) (m as unknown as { p: number }).p = 0;
    const b = fx.bert;
    const r = await train3(
      model,
      () =>
        model.forward({ inputIds: t(b.inputIds), attentionMask: t(b.attentionMask), labels: t(b.labels) })
          .loss!,
    );
    for (const [i, l] of r.losses.entries()) expect(Math.abs(l - b.losses[i]!)).toBeLessThan(1e-4);
    for (const [i, n] of r.norms.entries()) expect(Math.abs(n - b.gradNorms[i]!)).toBeLessThan(1e-4);
    for (const [i, lr] of r.lrs.entries()) expect(lr).toBeCloseTo(fx.lrs[i]!, 12);
    await expectWeights(model, b.weights, (k) => (k.endsWith('attention.self.key.bias') ? [0, 32] : null));
  });

  it('GPT2LMHeadModel (tied embeddings get the sum of both gradients): losses and every weight', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'));
    for (const m of model.modules()) if ('p' in m) (m as unknown as { p: number }).p = 0;
    const g = fx.gpt2;
    const ids = t(g.inputIds);
    const r = await train3(model, () => model.forward({ inputIds: ids, labels: ids }).loss!);
    for (const [i, l] of r.losses.entries()) expect(Math.abs(l - g.losses[i]!)).toBeLessThan(1e-4);
    for (const [i, n] of r.norms.entries()) expect(Math.abs(n - g.gradNorms[i]!)).toBeLessThan(1e-4);
    await expectWeights(model, g.weights, (k) => (k.endsWith('attn.c_attn.bias') ? [32, 64] : null));
    expect(model.lm_head.weight).toBe(model.transformer.wte.weight);
  });
});
