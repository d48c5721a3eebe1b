import { Generator } from '@lumen/tensor';
import { trainBpe, trainWordPiece } from '@lumen/transformers-lite';
import { describe, expect, it } from 'vitest';
import { unigramCrossEntropy } from '../src/demos/gpt2.ts';
import { maskTokens } from '../src/demos/sentiment.ts';
import { encodeCorpus, textStreamer } from '../src/models/tinyGpt2.ts';

describe('pieces of the text demos', () => {
  it("BERT's masking: about 15% of real tokens become targets, special tokens and padding never", () => {
    const texts = Array.from(
      { length: 200 },
      (_, i) => `sentence number ${i} is short but not very short at all`,
    );
    const tok = trainWordPiece(texts, { vocabSize: 200, minFrequency: 1 });
    const enc = tok(texts, { padding: 'max_length', maxLength: 16, truncation: true, returnTensors: true });
    const { inputs, labels } = maskTokens(enc.inputIds, tok, new Generator(0));
    const ids = enc.inputIds.dataSync();
    const inp = inputs.dataSync();
    const lab = labels.dataSync();
    const special = new Set(tok.allSpecialIds);
    let real = 0;
    let targets = 0;
    let masked = 0;
    for (let i = 0; i < ids.length; i++) {
      if (special.has(ids[i]!)) {
        expect(lab[i]).toBe(-100);
        expect(inp[i]).toBe(ids[i]);
        continue;
      }
      real++;
      if (lab[i] === -100) expect(inp[i]).toBe(ids[i]);
      else {
        targets++;
        expect(lab[i]).toBe(ids[i]);
        if (inp[i] === tok.maskTokenId) masked++;
      }
    }
    expect(targets / real).toBeGreaterThan(0.12);
    expect(targets / real).toBeLessThan(0.18);
    expect(masked / targets).toBeGreaterThan(0.7);
    expect(masked / targets).toBeLessThan(0.9);
    expect(inputs.shape).toEqual(enc.inputIds.shape);
  });

  it('the unigram baseline is the add-one-smoothed cross-entropy', () => {
    // counts with add-one: id0 → 3, id1 → 2, id2 → 1 of 6.
    const got = unigramCrossEntropy(Int32Array.from([0, 0, 1]), Int32Array.from([0, 2]), 3);
    expect(got).toBeCloseTo(-(Math.log(3 / 6) + Math.log(1 / 6)) / 2, 12);
  });

  it('the text streamer emits whole characters only, and all of the text', () => {
    const texts = ['naïve café — crème brûlée 🍰 and 日本語 text', 'plain words and more plain words'];
    const tok = trainBpe(texts, { vocabSize: 280, minFrequency: 1 });
    const ids = Array.from(encodeCorpus(tok, texts));
    const pieces: string[] = [];
    const streamer = textStreamer(tok, (p) => pieces.push(p));
    for (const id of ids) streamer.put([id]);
    expect(pieces.join('')).toBe(tok.decode(ids));
    expect(pieces.join('')).toBe(`${texts.join('\n')}\n`);
    expect(pieces.some((p) => p.includes('\uFFFD'))).toBe(false);
    expect(pieces.length).toBeGreaterThan(10);
    expect(streamer.tokens).toEqual(ids);
  });
});
