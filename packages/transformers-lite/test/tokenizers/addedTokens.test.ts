import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AddedToken, AddedTokenMatcher, type Segment } from '../../src/tokenizers/addedTokens.ts';

/**
 * The matcher as it was defined before (one regex, longest token first, a capture group per token):
 * the plain definition the trie must equal. V8 refuses it past ~50k characters or captures.
 */
function regexSplit(tokens: readonly AddedToken[], text: string): Segment[] {
  const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const word = '[\\p{Alphabetic}\\p{M}\\p{Nd}\\p{Pc}\\p{Join_Control}]';
  const sorted = tokens
    .filter((t) => t.content.length > 0)
    .sort((a, b) => b.content.length - a.content.length);
  if (sorted.length === 0) return [{ text }];
  const patterns = sorted.map((t) => {
    let p = `(${escapeRe(t.content)})`;
    if (t.singleWord) p = `(?<!${word})${p}(?!${word})`;
    if (t.lstrip) p = `\\p{White_Space}*${p}`;
    if (t.rstrip) p = `${p}\\p{White_Space}*`;
    return p;
  });
  const regex = new RegExp(patterns.join('|'), 'gu');
  const out: Segment[] = [];
  let last = 0;
  for (const m of text.matchAll(regex)) {
    if (m[0].length === 0) continue;
    if (m.index > last) out.push({ text: text.slice(last, m.index) });
    let g = 1;
    while (m[g] === undefined) g++;
    out.push({ text: m[0], token: sorted[g - 1]! });
    last = m.index + m[0].length;
  }
  if (last < text.length) out.push({ text: text.slice(last) });
  return out;
}

const token = (content: string, id: number, flags: Partial<AddedToken> = {}): AddedToken => ({
  id,
  content,
  singleWord: false,
  lstrip: false,
  rstrip: false,
  normalized: false,
  special: true,
  ...flags,
});

describe('added-token matcher (a trie) equals the regex definition', () => {
  it('random tokens and texts over a small alphabet', () => {
    const alphabet = fc.constantFrom('a', 'b', ' ', '\n', '<', '>', 'é', '😀', '\u0301', '_');
    const str = (max: number) => fc.array(alphabet, { maxLength: max }).map((cs) => cs.join(''));
    const tokenArb = fc.record({
      content: str(4).filter((s) => s.length > 0),
      singleWord: fc.boolean(),
      lstrip: fc.boolean(),
      rstrip: fc.boolean(),
    });
    fc.assert(
      fc.property(fc.array(tokenArb, { maxLength: 5 }), str(40), (specs, text) => {
        const tokens = specs.map((s, i) => token(s.content, 1000 + i, s));
        expect(new AddedTokenMatcher(tokens).split(text)).toEqual(regexSplit(tokens, text));
      }),
      { numRuns: 500 },
    );
  });

  it('a 100,000-character token and 60,000 tokens, which the regex could not hold', () => {
    const long = 'x'.repeat(100_000);
    const m = new AddedTokenMatcher([token(long, 5)]);
    expect(m.split(`a${long}b`).map((s) => s.token?.id ?? s.text)).toEqual(['a', 5, 'b']);
    const many = Array.from({ length: 60_000 }, (_, i) => token(`<|t${i}|>`, i));
    const t0 = performance.now();
    const split = new AddedTokenMatcher(many).split('hi <|t59999|><|t7|> there');
    expect(split.map((s) => s.token?.id ?? s.text)).toEqual(['hi ', 59999, 7, ' there']);
    expect(performance.now() - t0).toBeLessThan(5000);
  });
});
