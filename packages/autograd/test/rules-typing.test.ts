import type { OpName, PlainUnaryOp } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { RULES, type RuleDef, type Rules } from '../src/rules/index.js';

/**
 * The rule table is typed against @lumen/tensor's op registry: an op without a derivative rule, or
 * a rule reading an attribute its op does not record, does not compile. The @ts-expect-error lines
 * below are checked by `tsc` (the typecheck step runs over the tests): if one of them compiled, the
 * typecheck would fail on the unused directive.
 */
describe('rule table typing', () => {
  it('is complete at compile time, and each rule sees only its own attributes', () => {
    // @ts-expect-error a table without matmul's rule is not a Rules<OpName>
    const missing: Rules<OpName> = { ...RULES, matmul: undefined };
    const wrongAttr: RuleDef<'sum'> = {
      name: 'x',
      saves: [],
      // @ts-expect-error sum records dims and keepdim, not a shape
      backward: (g, { attrs }) => [g.reshape([...attrs.shape])],
    };
    const ok: RuleDef<'reshape'> = {
      name: 'x',
      saves: [],
      backward: (g, { attrs }) => [g.reshape([...attrs.shape])],
    };
    // every op of the table that has a number result, bool predicates excluded
    const unary: PlainUnaryOp[] = ['exp', 'gelu', 'sign'];
    // @ts-expect-error isnan is a predicate (bool result): never recorded, no rule
    const predicate: PlainUnaryOp = 'isnan';
    expect([missing, wrongAttr, ok, predicate].length).toBe(4);
    for (const op of unary) expect(typeof RULES[op].backward).toBe('function');
  });

  it('has a rule for every recorded op at run time too', () => {
    expect(Object.keys(RULES).length).toBeGreaterThan(50);
    for (const [op, rule] of Object.entries(RULES) as [OpName, RuleDef][]) {
      expect(typeof rule.backward, op).toBe('function');
    }
  });
});
