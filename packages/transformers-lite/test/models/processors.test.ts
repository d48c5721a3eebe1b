import { describe, expect, it } from 'vitest';
import { repetitionPenaltyProcessor, temperatureWarper, topKWarper, topPWarper } from '../../src/index.ts';
import { fixture, type TJ } from './helpers.ts';

const fx = fixture<Record<string, TJ>>('processors.json');

function rows(x: TJ): Float32Array[] {
  const [b, v] = x.shape as [number, number];
  return Array.from({ length: b }, (_, i) => Float32Array.from(x.data.slice(i * v, (i + 1) * v)));
}
const ids = (() => {
  const x = fx.inputIds!;
  const [b, t] = x.shape as [number, number];
  return Array.from({ length: b }, (_, i) => x.data.slice(i * t, (i + 1) * t));
})();

/** Equal within float32 rounding, -Infinity exactly where transformers has it. */
function expectScores(actual: Float32Array[], expected: TJ): void {
  const flat = actual.flatMap((r) => [...r]);
  expect(flat.length).toBe(expected.data.length);
  flat.forEach((v, i) => {
    const e = expected.data[i] ?? -Infinity; // null in the JSON
    if (e === -Infinity || v === -Infinity) expect(v, `index ${i}`).toBe(e);
    else expect(Math.abs(v - e), `index ${i}`).toBeLessThan(1e-5);
  });
}

describe("logits processors equal transformers' (reference written from its classes)", () => {
  it('temperature, top-k (ties at the k-th kept), top-p (nucleus), repetition penalty', () => {
    expectScores(temperatureWarper(0.7)(ids, rows(fx.scores!)), fx['temperature0.7']!);
    expectScores(topKWarper(5)(ids, rows(fx.scores!)), fx.topK5!);
    expectScores(topKWarper(1)(ids, rows(fx.scores!)), fx.topK1!);
    expectScores(topPWarper(0.9)(ids, rows(fx.scores!)), fx['topP0.9']!);
    expectScores(topPWarper(0.3)(ids, rows(fx.scores!)), fx['topP0.3']!);
    expectScores(repetitionPenaltyProcessor(1.5)(ids, rows(fx.scores!)), fx['repetitionPenalty1.5']!);
  });

  it("in generate()'s order: repetition penalty, temperature, top-k, top-p", () => {
    let s = rows(fx.scores!);
    for (const p of [
      repetitionPenaltyProcessor(1.2),
      temperatureWarper(0.8),
      topKWarper(10),
      topPWarper(0.85),
    ])
      s = p(ids, s);
    expectScores(s, fx.chain!);
  });
});
