import { describe, fail } from './errors.js';

/**
 * Option bags are checked, never silently ignored (DESIGN.md decision 9): an unknown key is an
 * error that names the valid keys, and a Python-style snake_case key (or a near miss such as a
 * wrong case) gets "did you mean `maxLength`?". Other Lumen packages need the same helper; this
 * copy lives in @lumen/data until one shared home exists.
 */
export function checkOptions(
  op: string,
  opts: unknown,
  valid: readonly string[],
): asserts opts is Record<string, unknown> | undefined {
  if (opts === undefined) return;
  if (opts === null || typeof opts !== 'object' || Array.isArray(opts))
    fail(op, `options must be an object, got ${describe(opts)}`);
  for (const key of Object.keys(opts)) {
    if (valid.includes(key)) continue;
    const guess = suggest(key, valid);
    const hint = guess === null ? '' : ` (did you mean \`${guess}\`?)`;
    fail(op, `unknown option ${JSON.stringify(key)}${hint}; the options are ${valid.join(', ')}`);
  }
}

/** snake_case (or kebab-case) to camelCase: `max_length` → `maxLength`. */
export function camelCase(key: string): string {
  return key.replace(/[_-]+([a-zA-Z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** The valid key the user most likely meant, or null. */
export function suggest(key: string, valid: readonly string[]): string | null {
  const camel = camelCase(key);
  const exact = valid.find((v) => v === camel || v.toLowerCase() === camel.toLowerCase());
  if (exact !== undefined) return exact;
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
