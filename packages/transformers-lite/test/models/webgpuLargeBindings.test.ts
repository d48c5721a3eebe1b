/**
 * GPT-2 on webgpu with storage bindings limited to 4 KiB: the token embedding (99 × 32), the tied
 * LM head, the MLP weights, the logits and their gradients are each larger than one binding, as
 * GPT-2 small's 154 MB embedding is on lavapipe and many browsers (128 MiB). The same PyTorch
 * fixtures and tolerances as webgpu.test.ts, and training steps equal to the cpu's.
 */
import { describe, expect, it } from 'vitest';

process.env.LUMEN_WEBGPU_MAX_BINDING = '4096';
const { noGrad } = await import('@lumen/autograd');
const { AdamW, clipGradNorm } = await import('@lumen/nn');
const { webgpuAdapterInfo } = await import('@lumen/tensor');
const { GPT2LMHeadModel } = await import('../../src/index.ts');
const { expectClose, fixture, folder, maxDiff, t } = await import('./helpers.ts');
const { tinyGPT2, webgpuReady } = await import('./webgpuHelpers.ts');
type TJ = import('./helpers.ts').TJ;

const ready = await webgpuReady('webgpuLargeBindings.test.ts');
const gpt2 = fixture<{
  inputIds: TJ;
  labels: TJ;
  loss: number;
  logits: TJ;
  generate: Record<string, { prompt?: number[][]; maxNewTokens: number; output: number[][] }>;
}>('gpt2.json');

describe.skipIf(!ready)('GPT-2 on webgpu with bindings of at most 4 KiB', () => {
  it('the limit is in force, and the embedding is larger than it', async () => {
    expect(webgpuAdapterInfo()!.maxBindingBytes).toBe(4096);
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'), { device: 'webgpu' });
    const wte = model.transformer.wte.weight;
    expect(wte.size * 4).toBeGreaterThan(4096);
  });

  it('logits and loss against PyTorch at 2e-3; greedy generation identical', async () => {
    const model = await GPT2LMHeadModel.fromPretrained(folder('gpt2-lm'), { device: 'webgpu' });
    const out = noGrad(() =>
      model.forward({ inputIds: t(gpt2.inputIds, 'webgpu'), labels: t(gpt2.labels, 'webgpu') }),
    );
    await expectClose(out.logits, gpt2.logits, 2e-3);
    expect(Math.abs(((await out.loss!.item()) as number) - gpt2.loss)).toBeLessThan(2e-3);
    const g = gpt2.generate.greedy!;
    const generated = await model.generate(g.prompt!, { maxNewTokens: g.maxNewTokens, padTokenId: 98 });
    expect(generated.arraySync()).toEqual(g.output);
  });

  it('three training steps (backward through the tied embedding, clipping, AdamW) equal the cpu ones', async () => {
    const run = async (device: 'cpu' | 'webgpu') => {
      const model = tinyGPT2(32).eval().to(device); // eval: no dropout, the same numbers on both
      const opt = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 });
      const ids = t(gpt2.inputIds, device);
      for (let step = 0; step < 3; step++) {
        opt.zeroGrad();
        model.forward({ inputIds: ids, labels: ids }).loss!.backward();
        clipGradNorm(model.parameters(), 1.0);
        opt.step();
      }
      return model;
    };
    const cpu = await run('cpu');
    const gpu = await run('webgpu');
    const want = new Map(cpu.namedParameters());
    for (const [name, p] of gpu.namedParameters()) {
      expect(await maxDiff(p, want.get(name)!), name).toBeLessThan(1e-4);
    }
  });
});
