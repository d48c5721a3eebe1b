import type { OpName } from '@lumen/tensor';
import { bceWithLogitsRules } from './bceWithLogits.js';
import { crossEntropyRules } from './crossEntropy.js';
import { deviceRules } from './device.js';
import { binaryRules, unaryRules } from './elementwise.js';
import { indexingRules } from './indexing.js';
import { joinRules } from './join.js';
import { layerNormRules } from './layerNorm.js';
import { linalgRules } from './linalg.js';
import { movementRules } from './movement.js';
import { reduceRules } from './reduce.js';
import { softmaxRules } from './softmax.js';
import type { Rules } from './types.js';

/**
 * Every derivative rule, by the op name @lumen/tensor records; one file per file of tensor's ops/.
 * Typed as a rule for every `OpName`: an op without a rule does not compile.
 */
export const RULES: Rules<OpName> = {
  ...unaryRules,
  ...binaryRules,
  ...reduceRules,
  ...softmaxRules,
  ...crossEntropyRules,
  ...bceWithLogitsRules,
  ...layerNormRules,
  ...linalgRules,
  ...movementRules,
  ...indexingRules,
  ...joinRules,
  ...deviceRules,
};

export type { Rule, RuleContext, RuleDef, Rules, Saved } from './types.js';
