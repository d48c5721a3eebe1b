import { ArgumentError, describe, fail } from './errors.js';

/**
 * Option bags are checked, never silently ignored (DESIGN.md decision 9). Every Lumen package
 * calls this one helper for its public option bags: an unknown key throws a `LumenError` that
 * names the call and the valid keys, and a Python-style snake_case key (or a near miss such as a
 * wrong case or a typo of one or two letters) gets "did you mean `maxLength`?".
 *
 * `opts` may be undefined (no options); anything else but a plain object is an error too.
 * `aliases` maps further names to the key they mean, for names that camelCase does not reach
 * (`{ additional_special_tokens: 'additionalSpecialTokens' }` is found anyway; use it for a
 * renamed key, say): such a key still throws, with the hint.
 */
export function checkOptions(
  op: string,
  opts: unknown,
  valid: readonly string[],
  aliases?: Readonly<Record<string, string>>,
): void {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts))
    fail(op, `options must be an object, got ${describe(opts)}`, ArgumentError);
  for (const key in opts) {
    if (!Object.hasOwn(opts, key) || valid.includes(key)) continue;
    const guess = aliases?.[key] ?? suggestOption(key, valid);
    const hint = guess === null ? '' : ` (did you mean \`${guess}\`?)`;
    const known = valid.length ? `the options are ${valid.join(', ')}` : 'it takes no options';
    fail(op, `unknown option ${JSON.stringify(key)}${hint}; ${known}`, ArgumentError);
  }
}

/** snake_case (or kebab-case) to camelCase: `max_length` → `maxLength`. */
export function camelCaseOption(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The valid key the user most likely meant by `key`, or null when none is close. */
export function suggestOption(key: string, valid: readonly string[]): string | null {
  const camel = camelCaseOption(key);
  const exact = valid.find((v) => v === camel || v.toLowerCase() === camel.toLowerCase());
  if (exact !== undefined) return exact;
  // a shortened name: `meta` for `metadata`, `warmup` for `warmupSteps` (when only one key fits)
  const lower = camel.toLowerCase();
  const prefixed = valid.filter((v) => lower.length >= 3 && v.toLowerCase().startsWith(lower));
  if (prefixed.length === 1) return prefixed[0]!;
  let best: string | null = null;
  let bestDist = Number.POSITIVE_INFINITY;
  for (const v of valid) {
    const d = editDistance(camel.toLowerCase(), v.toLowerCase());
    if (d < bestDist) {
      bestDist = d;
      best = v;
    }
  }
  // a typo, not a different word: at most 2 edits and fewer than half the letters
  return best !== null && bestDist <= 2 && bestDist < best.length / 2 ? best : null;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
