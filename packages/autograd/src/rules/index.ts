import { binaryRules, unaryRules } from './elementwise.js';
import { linalgRules, movementRules } from './movement.js';
import { reduceRules } from './reduce.js';
import type { RuleDef } from './types.js';

/** Every derivative rule, by the op name @lumen/tensor records. */
export const RULES: Readonly<Record<string, RuleDef>> = {
  ...unaryRules,
  ...binaryRules,
  ...reduceRules,
  ...movementRules,
  ...linalgRules,
};

export type { Rule, RuleContext, RuleDef, Saved } from './types.js';
