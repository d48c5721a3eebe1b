import os from 'node:os';
import { cpuKernels, getNumThreads } from '@lumen/tensor';
import { BenchContext, printTable, type Suite, writeResults } from './harness.ts';

/** `pnpm bench <suite...> [--quick] [--only=<section,...>]`; with no suite name, lists the suites. */
const SUITES: Record<string, () => Promise<{ default: Suite }>> = {
  nn: () => import('./suites/nn.ts'),
  data: () => import('./suites/data.ts'),
  tensor: () => import('./suites/tensor.ts'),
  tokenizers: () => import('./suites/tokenizers.ts'),
  sklearn: () => import('./suites/sklearn.ts'),
  transformers: () => import('./suites/transformers.ts'),
};

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const only = (args.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? '')
  .split(',')
  .filter(Boolean);
const names = args.filter((a) => !a.startsWith('--'));
if (names.length === 0) {
  console.log(
    `usage: pnpm bench <suite> [--quick] [--only=<section,...>]\nsuites: ${Object.keys(SUITES).join(', ')}, all`,
  );
  process.exit(0);
}
const chosen = names.includes('all') ? Object.keys(SUITES) : names;
for (const name of chosen) {
  const load = SUITES[name];
  if (!load) {
    console.error(`unknown suite ${JSON.stringify(name)}; suites: ${Object.keys(SUITES).join(', ')}`);
    process.exit(2);
  }
  const suite = (await load()).default;
  console.log(`\n# ${suite.name}: ${suite.description}`);
  // Which cpu kernels and how many threads every cpu row ran with (LUMEN_WASM, LUMEN_NUM_THREADS).
  console.log(
    `  machine: ${os.cpus()[0]?.model ?? '?'}, ${os.cpus().length} cores, Node ${process.version}; cpu kernels: ${cpuKernels()}, ${getNumThreads()} threads`,
  );
  const ctx = new BenchContext(quick, only);
  await suite.run(ctx);
  printTable(suite.name, ctx.rows);
  const file = writeResults(suite.name, ctx.rows, {
    node: process.version,
    cpuKernels: cpuKernels(),
    cpu: os.cpus()[0]?.model,
    cores: os.cpus().length,
    quick,
  });
  console.log(`results: ${file}`);
}
process.exit(0);
