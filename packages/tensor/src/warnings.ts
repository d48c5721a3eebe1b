import { ArgumentError, describe, fail } from './errors.js';

/**
 * One warning channel for every Lumen package (Python's `warnings` plus transformers' logger
 * warnings): each warning has a category, goes to one handler (console.warn by default, the message
 * as it is) and passes one filter (Python's `warnings.simplefilter` actions). Callers replace the
 * handler to collect or route warnings, and set the filter to silence, deduplicate or raise them.
 */
export type WarningCategory =
  /** transformers' logger.warning and Python's UserWarning: something the user may want to know */
  | 'UserWarning'
  /** scikit-learn's ConvergenceWarning: an iterative fit stopped before converging */
  | 'ConvergenceWarning'
  /** scikit-learn's UndefinedMetricWarning: a metric is ill-defined and set to a value */
  | 'UndefinedMetricWarning'
  /** a feature that will go away */
  | 'DeprecationWarning'
  /** the runtime could not do what it usually does (worker threads, GPU errors); results still come */
  | 'RuntimeWarning';

export const WARNING_CATEGORIES: readonly WarningCategory[] = [
  'UserWarning',
  'ConvergenceWarning',
  'UndefinedMetricWarning',
  'DeprecationWarning',
  'RuntimeWarning',
];

/** Receives every warning the filter lets through (the category is always passed; optional so a (message) => void handler fits). */
export type WarningHandler = (message: string, category?: WarningCategory) => void;

/**
 * Python's simplefilter actions: 'default' (the default, as Python's, except for UserWarning: see
 * DEFAULTS) shows the first occurrence of each message per category and place that issues it; 'once' each distinct message once per
 * category, wherever it comes from; 'always' every warning; 'ignore' none; 'error' throws a
 * LumenWarningError instead.
 */
export type WarningAction = 'default' | 'always' | 'once' | 'ignore' | 'error';
const ACTIONS: readonly WarningAction[] = ['default', 'always', 'once', 'ignore', 'error'];

/** A warning raised as an error under the 'error' filter action. */
export class LumenWarningError extends Error {
  override name = 'LumenWarningError';
  constructor(
    readonly category: WarningCategory,
    message: string,
  ) {
    super(`${category}: ${message}`);
  }
}

const defaultHandler: WarningHandler = (message) => console.warn(message);
let handler: WarningHandler = defaultHandler;
/**
 * The defaults: Python's 'default' for the categories of Python's warnings module, and 'always' for
 * UserWarning, which also carries transformers' logger warnings (a logger repeats them; the notices
 * meant to come once per model say so themselves).
 */
const DEFAULTS: [WarningCategory | 'all', WarningAction][] = [
  ['all', 'default'],
  ['UserWarning', 'always'],
];
const actions = new Map<WarningCategory | 'all', WarningAction>(DEFAULTS);
const shown = new Set<string>();

/** The place that called warn(): the stack frame below this module's (Python keys 'default' on it). */
function callSite(): string {
  const lines = new Error().stack?.split('\n') ?? [];
  // [0] "Error", [1] callSite, [2] warn, [3] warn's caller
  return lines[3]?.trim() ?? '';
}

/** Issues a warning of `category` (see WarningCategory). */
export function warn(category: WarningCategory, message: string): void {
  const action = actions.get(category) ?? actions.get('all')!;
  if (action === 'ignore') return;
  if (action === 'error') throw new LumenWarningError(category, message);
  if (action === 'once' || action === 'default') {
    const key = `${category}\u0000${message}${action === 'default' ? `\u0000${callSite()}` : ''}`;
    if (shown.has(key)) return;
    shown.add(key);
  }
  handler(message, category);
}

/**
 * Routes every warning to `handler` (`null`: back to console.warn); returns the previous handler.
 * The handler sees the message and its category.
 */
export function setWarningHandler(next: WarningHandler | null): WarningHandler {
  if (next !== null && typeof next !== 'function')
    fail('setWarningHandler', `handler must be a function or null, got ${describe(next)}`);
  const previous = handler;
  handler = next ?? defaultHandler;
  return previous;
}

/**
 * Python's warnings.simplefilter(action, category): the action for one category, or for all
 * (`category` omitted: every category's own setting is cleared). Setting any action forgets what
 * 'default' and 'once' have shown.
 */
export function simpleFilter(action: WarningAction, category?: WarningCategory): void {
  if (!ACTIONS.includes(action))
    fail(
      'simpleFilter',
      `action must be 'default', 'always', 'once', 'ignore' or 'error', got ${describe(action)}`,
      ArgumentError,
    );
  if (category !== undefined && !WARNING_CATEGORIES.includes(category))
    fail(
      'simpleFilter',
      `category must be one of ${WARNING_CATEGORIES.join(', ')}, got ${describe(category)}`,
    );
  if (category === undefined) actions.clear();
  actions.set(category ?? 'all', action);
  shown.clear();
}

/** Python's warnings.resetwarnings(): the default actions back, and nothing counted as shown. */
export function resetWarnings(): void {
  actions.clear();
  for (const [c, a] of DEFAULTS) actions.set(c, a);
  shown.clear();
}
