import { noGrad } from '@lumen/autograd';
import { AdamW, clipGradNorm, linearWarmupSchedule } from '@lumen/nn';
import { cat, Generator, manualSeed, type Tensor, tensor } from '@lumen/tensor';
import { OpenRouterClient, setWarningHandler, trainBpe, VERY_LARGE_INTEGER } from '@lumen/transformers-lite';
import { lineChart } from '../charts/charts.ts';
import { loadSpeeches, paragraphs } from '../data/sotu.ts';
import type { Demo } from '../demo.ts';
import { expectAtMost, expectTrue } from '../lib/check.ts';
import { encodeCorpus, randomWindows, textStreamer, tinyGpt2 } from '../models/tinyGpt2.ts';
import { runPretrained } from './gpt2Pretrained.ts';

/** ChatML, the chat format many small open models use; our tiny model only learns English prose. */
const CHAT_TEMPLATE =
  "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n' }}{% endfor %}" +
  "{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

/** Cross-entropy (nats per token) of a unigram model with add-one smoothing: the baseline to beat. */
export function unigramCrossEntropy(train: Int32Array, heldOut: Int32Array, vocabSize: number): number {
  const counts = new Float64Array(vocabSize).fill(1);
  for (const id of train) counts[id]!++;
  const total = train.length + vocabSize;
  let nll = 0;
  for (const id of heldOut) nll -= Math.log(counts[id]! / total);
  return nll / heldOut.length;
}

const demo: Demo = {
  name: 'gpt2',
  description: 'a tiny GPT-2 trained on State of the Union addresses; greedy, generate(), sampling, chat',
  async run(ctx) {
    // `--model <id or folder>`: a pretrained model instead of the tiny one trained below.
    if (ctx.model) return runPretrained(ctx.model, ctx);
    const { device, quick, log, progress, plot } = ctx;
    manualSeed(0);
    const previousWarningHandler = setWarningHandler((message) => log(`  (transformers-lite: ${message})`));

    // 1. Real English text: the addresses since 2001 (quick) or 1946, the last one held out.
    const speeches = loadSpeeches(quick ? 2001 : 1946);
    const heldOutSpeech = speeches.pop()!;
    const trainParagraphs = speeches.flatMap((s) => paragraphs(s.text));
    log(
      `${speeches.length} addresses (${speeches[0]!.year}–${speeches.at(-1)!.year}) for training, ${heldOutSpeech.year} (${heldOutSpeech.president}) held out`,
    );

    // 2. A byte-level BPE tokenizer (GPT-2's kind) trained on that text. (It only tokenizes the
    // corpus, so no length limit: the model itself reads 32-token windows.)
    const tok = trainBpe(trainParagraphs, {
      vocabSize: quick ? 384 : 512,
      modelMaxLength: VERY_LARGE_INTEGER,
    });
    const trainIds = encodeCorpus(tok, trainParagraphs);
    const heldOutIds = encodeCorpus(tok, paragraphs(heldOutSpeech.text));
    const sample = 'The state of our Union is strong.';
    log(`BPE vocabulary of ${tok.vocabSize}: ${trainIds.length.toLocaleString('en-US')} training tokens`);
    log(`  "${sample}" → ${JSON.stringify(tok.tokenize(sample))}`);

    // 3. Train: random 32-token windows, next-token cross-entropy (labels = inputs, shifted inside).
    const width = quick ? { nEmbd: 32, nHead: 2 } : { nEmbd: 64, nHead: 4 };
    const model = tinyGpt2(tok.vocabSize, tok.eosTokenId!, width).to(device);
    log(
      `GPT-2 with ${model
        .parameters()
        .reduce((n, p) => n + p.size, 0)
        .toLocaleString('en-US')} parameters on ${device}`,
    );
    const steps = quick ? 100 : 1500;
    const optimizer = new AdamW(model.parameters(), { lr: 1e-2, weightDecay: 0.01 });
    const scheduler = linearWarmupSchedule(optimizer, { warmupSteps: 10, totalSteps: steps });
    const g = new Generator(0);
    const evalBatch = randomWindows(heldOutIds, 32, 32, new Generator(1), device);
    const heldOutLoss = async () => {
      model.eval();
      const { loss } = noGrad(() => model.forward({ inputIds: evalBatch, labels: evalBatch }));
      model.train();
      return Number(await loss!.item());
    };
    const baseline = unigramCrossEntropy(trainIds, heldOutIds, tok.vocabSize);
    const curve: { x: number; y: number; series: string }[] = [];
    const bar = progress('training', steps, 'step');
    for (let step = 1; step <= steps; step++) {
      const x = randomWindows(trainIds, 16, 32, g, device);
      optimizer.zeroGrad();
      const { loss } = model.forward({ inputIds: x, labels: x });
      loss!.backward();
      clipGradNorm(model.parameters(), 1.0);
      optimizer.step();
      scheduler.step();
      const l = Number(await loss!.item());
      curve.push({ x: step, y: l, series: 'train' });
      if (step % (quick ? 25 : 100) === 0 || step === steps)
        curve.push({ x: step, y: await heldOutLoss(), series: `held-out ${heldOutSpeech.year}` });
      bar.tick(1, { loss: l });
    }
    bar.done();
    const finalLoss = await heldOutLoss();
    log(`held-out loss ${finalLoss.toFixed(3)} nats/token; a unigram model scores ${baseline.toFixed(3)}`);
    expectAtMost('held-out loss vs the unigram baseline', finalLoss, baseline - 0.2);
    curve.push(
      { x: 1, y: baseline, series: 'unigram baseline' },
      { x: steps, y: baseline, series: 'unigram baseline' },
    );
    await plot(
      'gpt2-loss',
      lineChart({
        title: 'Tiny GPT-2 on State of the Union addresses',
        rows: curve,
        xTitle: 'step',
        yTitle: 'cross-entropy (nats/token)',
      }),
    );
    model.eval();

    // 4a. The notes' greedy loop: logits of the last position, argmax, append, repeat.
    const prompt = 'The state of our Union';
    const promptIds = tok.encode(prompt, { addSpecialTokens: false }) as number[];
    let ids: Tensor = tensor([promptIds], { dtype: 'int32', device });
    for (let i = 0; i < 20; i++) {
      const logits = noGrad(() => model.forward({ inputIds: ids }).logits); // (1, T, vocab)
      const next = logits.select(1, ids.shape[1]! - 1).argmax(-1, { keepdim: true }); // (1, 1)
      ids = cat([ids, next.int()], 1);
    }
    const manual = Array.from(await ids.data());
    log(`\ngreedy, by hand:      ${JSON.stringify(tok.decode(manual))}`);

    // 4b. generate(), greedy: the same tokens (it reuses the keys and values of earlier positions).
    const greedy = Array.from(await (await model.generate([promptIds], { maxNewTokens: 20 })).data());
    log(`greedy, generate():   ${JSON.stringify(tok.decode(greedy))}`);
    expectTrue(
      'generate() greedy equals the hand-written greedy loop',
      greedy.join() === manual.join(),
      `${greedy} vs ${manual}`,
    );

    // 4c. Sampling with temperature, top-k and top-p, printed token by token as it is generated.
    const sampled: string[] = [];
    process.stdout.write('sampled, streaming:   ');
    const streamer = textStreamer(tok, (piece) => {
      sampled.push(piece);
      process.stdout.write(piece);
    });
    await model.generate([promptIds], {
      maxNewTokens: 40,
      doSample: true,
      temperature: 0.8,
      topK: 40,
      topP: 0.95,
      seed: 0,
      streamer,
    });
    process.stdout.write('\n');
    log(
      `(${streamer.tokens.length} tokens arrived one by one in ${sampled.length} pieces; a model this small writes word salad)`,
    );

    // 5. A chat template: the prompt format of chat models, rendered from Jinja as transformers does.
    tok.chatTemplate = CHAT_TEMPLATE;
    const messages = [
      { role: 'system', content: 'You are a speechwriter.' },
      { role: 'user', content: 'Open the address.' },
    ];
    const chatPrompt = tok.applyChatTemplate(messages, { addGenerationPrompt: true, tokenize: false });
    log(`\nchat template rendered:\n${chatPrompt}`);
    const chatIds = tok.applyChatTemplate(messages, { addGenerationPrompt: true });
    const reply = await model.generate([chatIds], {
      maxNewTokens: 20,
      doSample: true,
      temperature: 0.7,
      seed: 1,
    });
    log(
      `tiny model's reply (not chat-trained): ${JSON.stringify(tok.decode(Array.from(await reply.data()).slice(chatIds.length)))}`,
    );

    // 6. The same conversation with a real chat model through OpenRouter, when a key is set.
    if (process.env.OPENROUTER_API_KEY) {
      const model = process.env.OPENROUTER_MODEL ?? 'openai/gpt-4o-mini';
      log(`\nOpenRouter (${model}):`);
      try {
        const stream = new OpenRouterClient().chat({ model, messages, maxTokens: 60, stream: true });
        for await (const chunk of stream) process.stdout.write(chunk.content);
        process.stdout.write('\n');
      } catch (e) {
        log(`OpenRouter request failed: ${e instanceof Error ? e.message : String(e)}`);
      }
    } else {
      log(
        '\nOpenRouter: OPENROUTER_API_KEY is not set, so the remote chat model is skipped. Set it (and optionally',
      );
      log(
        'OPENROUTER_MODEL, default openai/gpt-4o-mini) to stream the same conversation from a hosted model.',
      );
    }
    setWarningHandler(previousWarningHandler);
    return {
      summary: `held-out loss ${finalLoss.toFixed(2)} < unigram ${baseline.toFixed(2)}; generate() greedy = manual loop`,
    };
  },
};

export default demo;
