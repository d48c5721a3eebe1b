import type { FuzzTarget } from '../target.ts';

/**
 * Every fuzz target by name, loaded on demand (a child process loads only the one it runs).
 * Add a target: a module in this folder whose default export is a FuzzTarget, and a line here.
 */
export const TARGETS: Record<string, () => Promise<{ default: FuzzTarget<any> }>> = {
  _harness: () => import('./harness.ts'),
  csv: () => import('./csv.ts'),
  tokenizer: () => import('./tokenizer.ts'),
  safetensors: () => import('./safetensors.ts'),
  pretrained: () => import('./pretrained.ts'),
};
