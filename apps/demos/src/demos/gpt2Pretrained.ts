import { existsSync } from 'node:fs';
import { noGrad } from '@lumen/autograd';
import { cat, type Tensor, tensor } from '@lumen/tensor';
import {
  AutoModelForCausalLM,
  AutoTokenizer,
  type HubProgress,
  HubUnreachableError,
  hubSettings,
} from '@lumen/transformers-lite';
import type { DemoContext, DemoResult } from '../demo.ts';
import { expectTrue } from '../lib/check.ts';
import type { Progress } from '../lib/progress.ts';
import { textStreamer } from '../models/tinyGpt2.ts';

/**
 * `pnpm demo gpt2 --model <id or folder>`: a pretrained GPT-2 (openai-community/gpt2, or any
 * causal LM repo with safetensors weights) from the Hugging Face Hub or a local folder, instead of
 * the tiny model the demo trains. Downloads show a progress bar and land in Python's cache
 * (HF_HOME / HF_HUB_CACHE), so a second run, or Python, finds them there.
 */

/** What to do when the Hub cannot be reached and the cache has no copy: three ways, plainly. */
export function unreachableHelp(source: string, e: HubUnreachableError): string {
  return [
    `cannot load ${source}: this machine cannot reach the Hugging Face Hub at ${e.endpoint} (${e.reason}),`,
    `and ${e.repo} is not in the cache ${e.cacheDir}. Any one of these works:`,
    `  - a Hub mirror this machine can reach:  HF_ENDPOINT=https://<mirror> npx pnpm demo gpt2 --model ${source}`,
    "  - a local folder with the model's files (config.json, model.safetensors, tokenizer.json):",
    '      npx pnpm demo gpt2 --model ./path/to/gpt2',
    `  - the cache: download ${e.repo} once where the Hub can be reached (this command, or Python's`,
    `    \`hf download ${e.repo}\`), then copy its cache folder here, or point HF_HOME / HF_HUB_CACHE at it`,
  ].join('\n');
}

/** onProgress as progress bars, one per file downloaded, in kB. */
function downloadBars(progress: DemoContext['progress']): (p: HubProgress) => void {
  const bars = new Map<string, { bar: Progress; kb: number }>();
  const kB = (bytes: number) => Math.floor(bytes / 1024);
  return (p) => {
    const key = `${p.repo}/${p.file}`;
    if (p.status === 'download' && p.total !== null && !bars.has(key)) {
      const bar = progress(p.file, Math.max(1, kB(p.total)), 'kB');
      if (p.loaded > 0) bar.tick(kB(p.loaded)); // resumed from an .incomplete file
      bars.set(key, { bar, kb: kB(p.loaded) });
      return;
    }
    const b = bars.get(key);
    if (!b) return;
    if (p.status === 'progress' && kB(p.loaded) > b.kb) {
      b.bar.tick(kB(p.loaded) - b.kb);
      b.kb = kB(p.loaded);
    } else if (p.status === 'done') {
      b.bar.done();
      bars.delete(key);
    }
  };
}

export async function runPretrained(source: string, ctx: DemoContext): Promise<DemoResult> {
  const { device, quick, log } = ctx;
  const local = existsSync(source);
  const endpoint = hubSettings.endpoint ?? process.env.HF_ENDPOINT ?? 'https://huggingface.co';
  log(`loading ${source} ${local ? '(a local folder)' : `from the Hub (${endpoint}), through the cache`}`);
  const onProgress = downloadBars(ctx.progress);
  let tok: Awaited<ReturnType<typeof AutoTokenizer.fromPretrained>>;
  let model: Awaited<ReturnType<typeof AutoModelForCausalLM.fromPretrained>>;
  try {
    tok = await AutoTokenizer.fromPretrained(source, { onProgress });
    model = await AutoModelForCausalLM.fromPretrained(source, { onProgress });
  } catch (e) {
    if (e instanceof HubUnreachableError) throw new Error(unreachableHelp(source, e));
    throw e;
  }
  model.to(device);
  model.eval();
  const params = model.parameters().reduce((n, p) => n + p.size, 0);
  log(`${model.constructor.name} with ${params.toLocaleString('en-US')} parameters on ${device}`);

  // Greedy by hand (logits of the last position, argmax, append) and through generate(): equal.
  const prompt = 'The state of our Union';
  const promptIds = tok.encode(prompt, { addSpecialTokens: false }) as number[];
  const newTokens = quick ? 8 : 20;
  let ids: Tensor = tensor([promptIds], { dtype: 'int32', device });
  for (let i = 0; i < newTokens; i++) {
    const logits = noGrad(() => model.forward({ inputIds: ids }).logits); // (1, T, vocab)
    const next = logits.select(1, ids.shape[1]! - 1).argmax(-1, { keepdim: true }); // (1, 1)
    ids = cat([ids, next.int()], 1);
  }
  const manual = Array.from(await ids.data());
  // generate() stops at the end-of-text token; the hand loop goes on past it.
  const greedy = Array.from(await (await model.generate([promptIds], { maxNewTokens: newTokens })).data());
  log(`greedy, by hand:      ${JSON.stringify(tok.decode(manual))}`);
  log(`greedy, generate():   ${JSON.stringify(tok.decode(greedy))}`);
  expectTrue(
    'generate() greedy equals the hand-written greedy loop',
    greedy.length > promptIds.length && greedy.join() === manual.slice(0, greedy.length).join(),
    `${greedy} vs ${manual}`,
  );

  const pieces: string[] = [];
  const streamer = textStreamer(tok, (piece) => pieces.push(piece));
  await model.generate([promptIds], {
    maxNewTokens: quick ? 16 : 40,
    doSample: true,
    temperature: 0.8,
    topK: 40,
    topP: 0.95,
    seed: 0,
    streamer,
  });
  log(`sampled:              ${JSON.stringify(prompt + pieces.join(''))}`);
  return {
    summary: `${source}: ${params.toLocaleString('en-US')} parameters; generate() greedy = manual loop`,
  };
}
