/**
 * The child process of a fuzz run: draws inputs start..end-1 of one target and runs them in order,
 * telling the parent before and after each one, so the parent can name the input that hung, crashed
 * or blew the memory limit (then it starts a new child after it).
 */
import { LumenError } from '@lumen/tensor';
import { Rng } from './rng.ts';
import type { Outcome } from './target.ts';
import { TARGETS } from './targets/index.ts';

export interface ChildArgs {
  target: string;
  seed: number;
  start: number;
  end: number;
  maxRssMb: number;
}

export type ChildMessage =
  | { type: 'start'; index: number; input: string }
  | { type: 'done'; index: number; outcome: Outcome; message?: string };

const args = JSON.parse(process.argv[2]!) as ChildArgs;
const load = TARGETS[args.target];
if (!load) throw new Error(`unknown fuzz target ${args.target}`);
const target = (await load()).default;
const send = (m: ChildMessage) => new Promise<void>((resolve) => process.send!(m, () => resolve()));

for (let index = args.start; index < args.end; index++) {
  const input = await target.generate(Rng.forInput(args.seed, index), index);
  await send({ type: 'start', index, input: clip(target.show?.(input) ?? '') });
  let outcome: Outcome = 'ok';
  let message: string | undefined;
  try {
    await target.run(input);
  } catch (e) {
    outcome = e instanceof LumenError ? 'library-error' : 'generic-error';
    message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    if (outcome === 'generic-error' && e instanceof Error && e.stack) message = e.stack;
  }
  const rssMb = process.memoryUsage.rss() / 2 ** 20;
  if (rssMb > args.maxRssMb) {
    await send({
      type: 'done',
      index,
      outcome: 'oom',
      message: `RSS ${rssMb.toFixed(0)} MB after this input`,
    });
    break; // the parent starts a fresh process for the next input
  }
  await send({ type: 'done', index, outcome, message: message && clip(message, 2000) });
}
await target.cleanup?.();
process.disconnect();

function clip(s: string, n = 300): string {
  return s.length > n ? `${s.slice(0, n)}… (${s.length} chars)` : s;
}
