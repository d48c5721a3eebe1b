import { defaultGenerator, Generator } from '@lumen/tensor';
import { describe, fail } from './errors.js';

/** scikit-learn's and pandas' `random_state`: a seed, a Generator to draw from, or nothing. */
export type RandomState = number | Generator | undefined;

/**
 * A seed gives a fresh generator (the same numbers on every run); a Generator is used as is
 * (successive calls continue its stream); nothing draws a seed from @lumen/tensor's default
 * generator, so `manualSeed(n)` makes unseeded calls reproducible too, as numpy's global state does.
 */
export function resolveRandomState(op: string, randomState: RandomState): Generator {
  if (randomState === undefined) return new Generator(defaultGenerator.nextUint32());
  if (randomState instanceof Generator) return randomState;
  if (typeof randomState === 'number' && Number.isInteger(randomState) && randomState >= 0)
    return new Generator(randomState);
  return fail(
    op,
    `randomState must be a non-negative integer seed or a Generator, got ${describe(randomState)}`,
  );
}

/** k distinct positions out of 0..n-1 in random order (a partial Fisher–Yates shuffle). */
export function choiceWithoutReplacement(gen: Generator, n: number, k: number): Int32Array {
  const p = new Int32Array(n);
  for (let i = 0; i < n; i++) p[i] = i;
  for (let i = 0; i < k; i++) {
    const j = gen.randint(i, n);
    const t = p[i]!;
    p[i] = p[j]!;
    p[j] = t;
  }
  return p.slice(0, k);
}
