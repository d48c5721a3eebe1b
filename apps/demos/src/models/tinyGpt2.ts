import { type Generator, type Tensor, tensor } from '@lumen/tensor';
import {
  GPT2Config,
  GPT2LMHeadModel,
  type PreTrainedTokenizer,
  type Streamer,
} from '@lumen/transformers-lite';

/**
 * The pieces the `gpt2` demo and the browser page share: a GPT-2 small enough to train in a
 * minute on a CPU, random training windows, and a streamer that turns token ids into text.
 */

/**
 * GPT-2's architecture at toy size: 2 blocks, a 128-token context, no dropout. Width 32 trains
 * past a unigram model in a CPU minute; the wider init (0.1 instead of GPT-2's 0.02) gets so small
 * a model off the unigram plateau sooner.
 */
export function tinyGpt2(
  vocabSize: number,
  eosTokenId: number,
  width: { nEmbd: number; nHead: number } = { nEmbd: 32, nHead: 2 },
): GPT2LMHeadModel {
  const config = new GPT2Config({
    vocabSize,
    nPositions: 128,
    nEmbd: width.nEmbd,
    nLayer: 2,
    nHead: width.nHead,
    initializerRange: 0.1,
    residPdrop: 0,
    embdPdrop: 0,
    attnPdrop: 0,
    bosTokenId: eosTokenId,
    eosTokenId,
    padTokenId: eosTokenId,
  });
  return new GPT2LMHeadModel(config);
}

/**
 * Token ids of many paragraphs, one after the other. Each paragraph is encoded on its own: that is
 * how corpora are tokenized anyway (and a single 1 MB string is too long for encode() today).
 */
export function encodeCorpus(tok: PreTrainedTokenizer, paragraphs: readonly string[]): Int32Array {
  const ids: number[] = [];
  for (const p of paragraphs)
    for (const id of tok.encode(`${p}\n`, { addSpecialTokens: false }) as number[]) ids.push(id);
  return Int32Array.from(ids);
}

/** `batch` random windows of `block` consecutive tokens, as an int32 (batch, block) tensor. */
export function randomWindows(
  ids: Int32Array,
  batch: number,
  block: number,
  g: Generator,
  device: Tensor['device'],
): Tensor {
  const rows: number[][] = [];
  for (let b = 0; b < batch; b++) {
    const start = g.randint(0, ids.length - block);
    rows.push(Array.from(ids.subarray(start, start + block)));
  }
  return tensor(rows, { dtype: 'int32', device });
}

/**
 * transformers' TextStreamer idea: generate() hands over each new token id; decoding the whole
 * continuation every time and emitting only what was added keeps multi-byte characters whole.
 */
export function textStreamer(
  tok: PreTrainedTokenizer,
  onText: (text: string) => void,
): Streamer & { tokens: number[] } {
  const tokens: number[] = [];
  let shown = '';
  return {
    tokens,
    put(step: number[]) {
      tokens.push(step[0]!);
      const text = tok.decode(tokens);
      if (text.endsWith('\uFFFD')) return; // half a character: wait for the next token
      onText(text.slice(shown.length));
      shown = text;
    },
  };
}
