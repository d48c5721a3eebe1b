import { formatDuration } from './progress.ts';

/**
 * Runs one library call that reports no progress of its own (a PCA fit, a CSV read) and prints
 * how long it took, so every step longer than a moment says where the time went.
 */
export async function timed<T>(
  log: (line: string) => void,
  label: string,
  fn: () => T | Promise<T>,
): Promise<T> {
  const t0 = performance.now();
  const result = await fn();
  log(`${label} (${formatDuration((performance.now() - t0) / 1000)})`);
  return result;
}
