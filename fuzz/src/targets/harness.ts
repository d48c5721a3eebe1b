import { LumenError } from '@lumen/tensor';
import type { FuzzTarget } from '../target.ts';

/**
 * The runner's own check (test/harness.test.ts): input i does what `i % 8` says, so every outcome
 * is produced at a known index. Not a library target; `pnpm fuzz` skips names starting with '_'.
 */
const target: FuzzTarget<number> = {
  name: '_harness',
  description: 'the fuzz runner classifying each outcome (self-test)',
  generate: (rng, index) => (rng.u32() >= 0 ? index % 8 : -1),
  run(kind) {
    switch (kind) {
      case 1:
        throw new LumenError('harness: a library error');
      case 2:
        throw new TypeError('a generic error');
      case 3:
        for (;;) {} // a hang
      case 4:
        process.kill(process.pid, 'SIGSEGV');
        return new Promise(() => {});
      case 5: {
        // Grows the JS heap past the child's limit: V8 aborts.
        const hold: number[][] = [];
        for (;;) hold.push(new Array(1e6).fill(1.5));
      }
      default:
        return undefined;
    }
  },
  show: (kind) => `kind ${kind}`,
};
export default target;
