/**
 * A demo's headline claim, checked every time it runs (the tour and CI fail when one does not
 * hold), so the numbers in the README stay true.
 */
export class HeadlineError extends Error {
  override name = 'HeadlineError';
}

export function expectAtLeast(what: string, value: number, min: number): void {
  if (!(value >= min)) throw new HeadlineError(`${what} is ${value}, expected at least ${min}`);
}

export function expectAtMost(what: string, value: number, max: number): void {
  if (!(value <= max)) throw new HeadlineError(`${what} is ${value}, expected at most ${max}`);
}

export function expectClose(what: string, value: number, expected: number, tol: number): void {
  if (!(Math.abs(value - expected) <= tol))
    throw new HeadlineError(`${what} is ${value}, expected ${expected} ± ${tol}`);
}

export function expectAllClose(
  what: string,
  values: ArrayLike<number>,
  expected: ArrayLike<number>,
  tol: number,
): void {
  if (values.length !== expected.length)
    throw new HeadlineError(`${what} has ${values.length} values, expected ${expected.length}`);
  for (let i = 0; i < values.length; i++) expectClose(`${what}[${i}]`, values[i]!, expected[i]!, tol);
}

export function expectTrue(what: string, ok: boolean, detail = ''): void {
  if (!ok) throw new HeadlineError(`${what} does not hold${detail ? `: ${detail}` : ''}`);
}

/** Percent with one decimal, the way the demos print accuracies. */
export const pct = (x: number): string => `${(100 * x).toFixed(1)}%`;
