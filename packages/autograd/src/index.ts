import { installAutograd } from '@lumen/tensor';
import { backward, backwardAsync, record } from './engine.js';
import { isGradEnabled } from './gradMode.js';

/**
 * @lumen/autograd: importing it installs the tape into @lumen/tensor (the package's one side
 * effect), so `requiresGrad`, `backward()` and `.grad` work, and tensor's in-place writes can ask
 * whether grad mode is on.
 */
installAutograd({ record, backward, backwardAsync, isGradEnabled });

export type { BackwardOptions, GradOptions } from './engine.js';
export { grad, gradAsync } from './engine.js';
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from './gradMode.js';
