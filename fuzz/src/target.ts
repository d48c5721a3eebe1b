import type { Rng } from './rng.ts';

/**
 * One fuzz target: how to draw an input and how to feed it to the library. The runner classifies
 * what happens (outcome.ts): returning or throwing a LumenError is what we promise; anything else
 * (another error type, > 5 s, a signal, memory blown) is a finding.
 */
export interface FuzzTarget<I = unknown> {
  readonly name: string;
  /** One line for `pnpm fuzz --list`. */
  readonly description: string;
  /** The input for one index: the same seed and index always give the same input. */
  generate(rng: Rng, index: number): I | Promise<I>;
  /** Runs the library on the input; it should return or throw a LumenError. */
  run(input: I): unknown;
  /** A short description of the input, for reports. */
  show?(input: I): string;
  /** Called once when a child process ends (temporary files). */
  cleanup?(): void | Promise<void>;
}

export const OUTCOMES = ['ok', 'library-error', 'generic-error', 'hang', 'crash', 'oom'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** What we promise for any input: it loads, or it says why with a library error. */
export const ACCEPTED: ReadonlySet<Outcome> = new Set(['ok', 'library-error']);
