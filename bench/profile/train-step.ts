// Profiles one training step of GPT-2 4×256 (batch 4×64) or BERT-tiny (16×64) on the cpu backend:
//   node --cpu-prof --cpu-prof-dir=/tmp/prof --import tsx --conditions=@lumen/source profile/train-step.ts gpt2|bert [steps]
import '@lumen/autograd';
import { AdamW } from '@lumen/nn';
import { cpuKernels, manualSeed, onesLike, tensor } from '@lumen/tensor';
import {
  BertConfig,
  BertForSequenceClassification,
  GPT2Config,
  GPT2LMHeadModel,
} from '@lumen/transformers-lite';

const which = process.argv[2] ?? 'gpt2';
const steps = Number(process.argv[3] ?? 10);
manualSeed(0);
const ids = (n: number, vocab: number) => Array.from({ length: n }, (_, i) => (i * 7919 + 13) % vocab);
let loss: () => ReturnType<GPT2LMHeadModel['forward']>['loss'];
let params: ReturnType<GPT2LMHeadModel['parameters']>;
if (which === 'gpt2') {
  const model = new GPT2LMHeadModel(new GPT2Config({ nLayer: 4, nEmbd: 256, nHead: 4 }));
  model.train();
  const x = tensor(ids(4 * 64, 50257), { dtype: 'int32' }).reshape([4, 64]);
  loss = () => model.forward({ inputIds: x, labels: x }).loss;
  params = model.parameters();
} else {
  const model = new BertForSequenceClassification(
    new BertConfig({
      numHiddenLayers: 2,
      hiddenSize: 128,
      numAttentionHeads: 2,
      intermediateSize: 512,
      numLabels: 2,
    }),
  );
  model.train();
  const x = tensor(ids(16 * 64, 30522), { dtype: 'int32' }).reshape([16, 64]);
  const y = tensor(ids(16, 2), { dtype: 'int32' });
  const mask = onesLike(x);
  loss = () => model.forward({ inputIds: x, attentionMask: mask, labels: y }).loss;
  params = model.parameters();
}
console.log(`init ${performance.now().toFixed(0)} ms`);
const opt = new AdamW(params, { lr: 1e-4 });
const times: number[] = [];
for (let s = 0; s < steps; s++) {
  const t0 = performance.now();
  opt.zeroGrad();
  const l = loss()!;
  const t1 = performance.now();
  l.backward();
  const t2 = performance.now();
  opt.step();
  const t3 = performance.now();
  times.push(t3 - t0);
  console.log(
    `forward ${(t1 - t0).toFixed(0)} backward ${(t2 - t1).toFixed(0)} step ${(t3 - t2).toFixed(0)} ms`,
  );
}
console.log(
  `${which} (${cpuKernels()}): step ms min ${Math.min(...times).toFixed(1)}, all ${times.map((t) => t.toFixed(0)).join(' ')}`,
);
