/**
 * pnpm fuzz [target ...] [--n N] [--seed S] [--timeout MS] [--max-rss MB]
 * pnpm fuzz <target> --index I [--seed S]   runs one input here, with the whole error
 * pnpm fuzz --list
 */
import { LumenError } from '@lumen/tensor';
import { Rng } from './rng.ts';
import { formatReport, fuzz } from './runner.ts';
import { TARGETS } from './targets/index.ts';

const argv = process.argv.slice(2);
const names: string[] = [];
const opts: Record<string, number> = {};
let list = false;
for (let i = 0; i < argv.length; i++) {
  const a = argv[i]!;
  if (a === '--list') list = true;
  else if (a.startsWith('--')) {
    const key = a.slice(2);
    const value = Number(argv[++i]);
    if (
      !['n', 'seed', 'timeout', 'max-rss', 'index'].includes(key) ||
      !Number.isInteger(value) ||
      value < 0
    ) {
      console.error(`fuzz: unknown option or bad value: ${a} ${argv[i] ?? ''}`);
      process.exit(2);
    }
    opts[key] = value;
  } else names.push(a);
}

if (list) {
  for (const [name, load] of Object.entries(TARGETS))
    if (!name.startsWith('_')) console.log(`${name}: ${(await load()).default.description}`);
  process.exit(0);
}
for (const n of names) {
  if (!TARGETS[n]) {
    console.error(`fuzz: no target '${n}'; targets: ${Object.keys(TARGETS).join(', ')}`);
    process.exit(2);
  }
}
const seed = opts.seed ?? 1;

if (opts.index !== undefined) {
  if (names.length !== 1) {
    console.error('fuzz: --index needs exactly one target');
    process.exit(2);
  }
  const target = (await TARGETS[names[0]!]!()).default;
  const input = await target.generate(Rng.forInput(seed, opts.index), opts.index);
  console.log(`input #${opts.index}: ${target.show?.(input) ?? ''}`);
  const t0 = performance.now();
  try {
    await target.run(input);
    console.log(`ok (${(performance.now() - t0).toFixed(0)} ms)`);
  } catch (e) {
    console.log(
      `${e instanceof LumenError ? 'library error' : 'GENERIC ERROR'} (${(performance.now() - t0).toFixed(0)} ms)`,
    );
    console.log(e);
  }
  await target.cleanup?.();
  process.exit(0);
}

let findings = 0;
for (const name of names.length ? names : Object.keys(TARGETS).filter((t) => !t.startsWith('_'))) {
  const report = await fuzz(name, {
    n: opts.n ?? 2000,
    seed,
    timeoutMs: opts.timeout,
    maxRssMb: opts['max-rss'],
    onProgress: (done, n) => {
      if (process.stderr.isTTY && done % 100 === 0) process.stderr.write(`\r${name}: ${done}/${n}`);
    },
  });
  if (process.stderr.isTTY) process.stderr.write('\r');
  console.log(formatReport(report));
  findings += report.findings.length;
}
process.exit(findings ? 1 : 0);
