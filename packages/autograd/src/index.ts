import { installAutograd } from '@lumen/tensor';
import { backward, record } from './engine.js';

/**
 * @lumen/autograd: importing it installs the tape into @lumen/tensor (the package's one side
 * effect), so `requiresGrad`, `backward()` and `.grad` work.
 */
installAutograd({ record, backward });

export type { BackwardOptions, GradOptions } from './engine.js';
export { grad } from './engine.js';
export { enableGrad, isGradEnabled, noGrad, setGradEnabled } from './gradMode.js';
