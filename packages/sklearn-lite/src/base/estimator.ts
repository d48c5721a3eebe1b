import { checkOptions, defaultGenerator, Generator } from '@lumen/tensor';
import { describe, fail, NotFittedError } from './errors.js';

/**
 * The keys of an options type, for @lumen/tensor's checkOptions: written as `{ key: true, … }`,
 * so the compiler checks the list against the type (a key missing or not in the type fails tsc).
 */
export function optionKeys<T extends object>(keys: Record<keyof T, true>): readonly string[] {
  return Object.keys(keys);
}

/** `randomState` as scikit-learn takes it: a seed, a Generator, or null for the global stream. */
export type RandomState = number | Generator | null;

/**
 * scikit-learn's estimator contract: the constructor only stores options, `fit` does the work and
 * returns `this`, learned state ends in `_` and reading it before `fit` throws NotFittedError.
 * Options are validated in `fit` (so setParams and the constructor behave the same); unknown
 * option names are rejected at once, since a typo would otherwise be silently ignored.
 */
export abstract class BaseEstimator<P extends object> {
  protected params: P;
  private readonly defaults: P;

  protected constructor(defaults: P, opts: Partial<P> | undefined) {
    this.defaults = defaults;
    if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts))) {
      fail(this.constructor.name, `options must be an object, got ${describe(opts)}`);
    }
    this.checkKeys(this.constructor.name, opts ?? {});
    this.params = { ...defaults, ...stripUndefined(opts ?? {}) };
  }

  private checkKeys(op: string, opts: object): void {
    // the helper every Lumen package shares: `n_clusters` gets "did you mean `nClusters`?"
    checkOptions(op, opts, Object.keys(this.defaults));
  }

  /** The options, as given to the constructor or setParams (defaults filled in). */
  getParams(): P {
    return { ...this.params };
  }

  /** Changes options; the fitted state is kept until the next fit, as in scikit-learn. */
  setParams(opts: Partial<P>): this {
    this.checkKeys(`${this.constructor.name}.setParams`, opts);
    this.params = { ...this.params, ...stripUndefined(opts) };
    return this;
  }

  /** A new, unfitted estimator with the same options. */
  clone(): this {
    const Ctor = this.constructor as new (opts: P) => this;
    return new Ctor(this.getParams());
  }

  /** The learned state, or NotFittedError naming what was asked for. */
  protected fitted<S>(state: S | null | undefined, what: string): S {
    if (state === null || state === undefined) {
      const name = this.constructor.name;
      throw new NotFittedError(
        `${name}.${what}: this ${name} instance is not fitted yet; call fit(X) with appropriate arguments before using it`,
      );
    }
    return state;
  }
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

/** A Generator from `randomState` (resolved in fit): a seed gives a fresh stream, null the global one. */
export function resolveRandomState(op: string, rs: RandomState | undefined): Generator {
  if (rs === null || rs === undefined) return defaultGenerator;
  if (rs instanceof Generator) return rs;
  if (typeof rs === 'number' && Number.isInteger(rs) && rs >= 0) return new Generator(rs);
  fail(op, `randomState must be a non-negative integer seed, a Generator or null, got ${describe(rs)}`);
}

export function checkInt(
  op: string,
  name: string,
  v: unknown,
  min: number,
  max = Number.POSITIVE_INFINITY,
): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.POSITIVE_INFINITY ? `>= ${min}` : `in [${min}, ${max}]`;
    fail(op, `${name} must be an integer ${range}, got ${describe(v)}`);
  }
  return v;
}

export function checkNumber(
  op: string,
  name: string,
  v: unknown,
  opts: { min?: number; max?: number; minExclusive?: boolean; maxExclusive?: boolean } = {},
): number {
  const { min = Number.NEGATIVE_INFINITY, max = Number.POSITIVE_INFINITY } = opts;
  const ok =
    typeof v === 'number' &&
    Number.isFinite(v) &&
    (opts.minExclusive ? v > min : v >= min) &&
    (opts.maxExclusive ? v < max : v <= max);
  if (!ok) {
    const lo = min === Number.NEGATIVE_INFINITY ? '' : `${opts.minExclusive ? '>' : '>='} ${min}`;
    const hi = max === Number.POSITIVE_INFINITY ? '' : `${opts.maxExclusive ? '<' : '<='} ${max}`;
    fail(
      op,
      `${name} must be a finite number${lo || hi ? ` ${[lo, hi].filter(Boolean).join(' and ')}` : ''}, got ${describe(v)}`,
    );
  }
  return v as number;
}

export function checkOneOf<T extends string>(op: string, name: string, v: unknown, choices: readonly T[]): T {
  if (typeof v !== 'string' || !(choices as readonly string[]).includes(v)) {
    fail(op, `${name} must be one of ${choices.map((c) => `'${c}'`).join(', ')}, got ${describe(v)}`);
  }
  return v as T;
}

export function checkBool(op: string, name: string, v: unknown): boolean {
  if (typeof v !== 'boolean') fail(op, `${name} must be a boolean, got ${describe(v)}`);
  return v;
}
