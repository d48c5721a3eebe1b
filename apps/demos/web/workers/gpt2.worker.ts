/// <reference lib="webworker" />
import { AdamW, clipGradNorm, linearWarmupSchedule } from '@lumen/nn';
import { type Device, Generator, initWebGPU, manualSeed } from '@lumen/tensor';
import { trainBpe } from '@lumen/transformers-lite';
import { encodeCorpus, randomWindows, textStreamer, tinyGpt2 } from '../../src/models/tinyGpt2.ts';
import type { Gpt2Message, Gpt2Request } from './messages.ts';

/**
 * Trains a tiny GPT-2 on the text it is given, then samples from it, posting each new piece of
 * text as generate() produces it.
 */
const send = (m: Gpt2Message) => postMessage(m);

addEventListener('message', async (e: MessageEvent<Gpt2Request>) => {
  const { text, steps, newTokens } = e.data;
  const t0 = performance.now();
  try {
    let device: Device = e.data.device;
    if (device === 'webgpu' && !(await initWebGPU())) device = 'cpu'; // a worker has its own GPU device
    manualSeed(0);
    const paragraphs = text.split(/\n+/).filter((p) => p.trim() !== '');
    send({ kind: 'status', text: `training a byte-level BPE tokenizer on ${paragraphs.length} paragraphs…` });
    const tok = trainBpe(paragraphs, { vocabSize: 384 });
    const ids = encodeCorpus(tok, paragraphs);
    const model = tinyGpt2(tok.vocabSize, tok.eosTokenId!).to(device);
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 });
    const scheduler = linearWarmupSchedule(optimizer, {
      warmupSteps: Math.min(10, steps),
      totalSteps: steps,
    });
    const g = new Generator(0);
    let firstLoss = Number.NaN;
    let lastLoss = Number.NaN;
    for (let step = 1; step <= steps; step++) {
      const x = randomWindows(ids, 16, 32, g, device);
      optimizer.zeroGrad();
      const { loss } = model.forward({ inputIds: x, labels: x });
      loss!.backward();
      clipGradNorm(model.parameters(), 1.0);
      optimizer.step();
      scheduler.step();
      lastLoss = Number(await loss!.item());
      if (step === 1) firstLoss = lastLoss;
      send({ kind: 'loss', step, of: steps, loss: lastLoss });
    }
    model.eval();
    const prompt = 'The state of our Union';
    send({ kind: 'token', text: prompt });
    const streamer = textStreamer(tok, (piece) => send({ kind: 'token', text: piece }));
    await model.generate([tok.encode(prompt, { addSpecialTokens: false }) as number[]], {
      maxNewTokens: newTokens,
      doSample: true,
      temperature: 0.8,
      topK: 40,
      seed: 0,
      streamer,
    });
    send({
      kind: 'done',
      seconds: (performance.now() - t0) / 1000,
      tokens: streamer.tokens.length,
      firstLoss,
      lastLoss,
    });
  } catch (err) {
    send({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
  }
});
