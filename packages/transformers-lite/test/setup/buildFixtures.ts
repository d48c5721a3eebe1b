import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Vitest global setup: (re)builds the real-vocabulary fixtures from the dev dependencies that ship them. */
export default function setup(): void {
  const script = fileURLToPath(new URL('../../scripts/build-fixtures.mjs', import.meta.url));
  execFileSync(process.execPath, [script], { stdio: 'inherit' });
}
