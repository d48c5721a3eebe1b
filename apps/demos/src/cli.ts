import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Demo, DemoContext } from './demo.ts';

/**
 * `pnpm demo [name] [--device cpu|webgpu] [--quick]`. Without a name: the tour, every demo in
 * quick mode with a summary table at the end.
 */
const DEMOS: Record<string, () => Promise<{ default: Demo }>> = {
  tensor: () => import('./demos/tensor.ts'),
};

function parse(argv: string[]): { names: string[]; device: DemoContext['device']; quick: boolean } {
  const names: string[] = [];
  let device: DemoContext['device'] = 'auto';
  let quick = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') quick = true;
    else if (a === '--device') {
      const d = argv[++i];
      if (d !== 'cpu' && d !== 'webgpu' && d !== 'auto')
        throw new Error(`--device must be cpu, webgpu or auto, got ${d}`);
      device = d;
    } else if (a.startsWith('--device=')) {
      const d = a.slice('--device='.length);
      if (d !== 'cpu' && d !== 'webgpu' && d !== 'auto')
        throw new Error(`--device must be cpu, webgpu or auto, got ${d}`);
      device = d;
    } else if (a === '--help' || a === '-h') {
      console.log(`usage: pnpm demo [${Object.keys(DEMOS).join('|')}] [--device cpu|webgpu|auto] [--quick]`);
      process.exit(0);
    } else if (a.startsWith('--')) throw new Error(`unknown option ${a}`);
    else names.push(a);
  }
  return { names, device, quick };
}

export async function main(argv: string[]): Promise<void> {
  const { names, device, quick } = parse(argv);
  const tour = names.length === 0;
  const chosen = tour ? Object.keys(DEMOS) : names;
  const outDir = join(fileURLToPath(new URL('..', import.meta.url)), 'out');
  mkdirSync(outDir, { recursive: true });
  const results: { name: string; seconds: number; summary: string }[] = [];
  for (const name of chosen) {
    const load = DEMOS[name];
    if (!load)
      throw new Error(`unknown demo ${JSON.stringify(name)}; demos: ${Object.keys(DEMOS).join(', ')}`);
    const demo = (await load()).default;
    console.log(`\n=== ${demo.name}: ${demo.description}`);
    const t0 = performance.now();
    const { summary } = await demo.run({ device, quick: quick || tour, outDir, log: (l) => console.log(l) });
    results.push({ name, seconds: (performance.now() - t0) / 1000, summary });
  }
  if (results.length > 1 || tour) {
    console.log('\nsummary');
    for (const r of results)
      console.log(`  ${r.name.padEnd(12)} ${r.seconds.toFixed(1).padStart(6)} s  ${r.summary}`);
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e instanceof Error ? e.message : e);
      process.exit(1);
    },
  );
}
