import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Demo } from './demo.ts';
import { type DeviceChoice, resolveDevice } from './lib/device.ts';
import { nodeContext } from './lib/nodeContext.ts';
import { formatDuration } from './lib/progress.ts';

/**
 * `pnpm demo [name...] [--device cpu|webgpu|auto] [--quick]`. Without a name: the tour, every
 * demo in quick mode with a summary table at the end. Each demo checks its headline result and
 * throws when it does not hold; the tour runs the rest and then exits 1.
 */
export const DEMOS: Record<string, () => Promise<{ default: Demo }>> = {
  tensor: () => import('./demos/tensor.ts'),
  autograd: () => import('./demos/autograd.ts'),
  blobs: () => import('./demos/blobs.ts'),
  mnist: () => import('./demos/mnist.ts'),
  fraud: () => import('./demos/fraud.ts'),
  sentiment: () => import('./demos/sentiment.ts'),
  gpt2: () => import('./demos/gpt2.ts'),
};

const USAGE = `usage: pnpm demo [${Object.keys(DEMOS).join('|')}]... [--device cpu|webgpu|auto] [--quick]
       pnpm demo gpt2 --model <hub id or folder>
  no name     the tour: every demo in quick mode, then a summary table
  --device    auto (default): webgpu when an adapter exists, else cpu
  --quick     smaller data and fewer steps (under a minute per demo on cpu)
  --model     gpt2 only: a pretrained model (openai-community/gpt2) from the Hugging Face Hub
              (HF_ENDPOINT, cached in HF_HOME / HF_HUB_CACHE as Python does) or a local folder
plots go to apps/demos/out/ as SVG and PNG`;

export interface CliOptions {
  names: string[];
  device: DeviceChoice;
  quick: boolean;
  help: boolean;
  /** --model: a Hub id or local folder for the gpt2 demo. */
  model?: string;
}

function modelArg(m: string | undefined): string {
  if (m === undefined || m === '' || m.startsWith('-'))
    throw new Error(
      `--model must be a Hub model id such as openai-community/gpt2 or a local folder, got ${JSON.stringify(m ?? null)}`,
    );
  return m;
}

function deviceArg(d: string | undefined): DeviceChoice {
  if (d !== 'cpu' && d !== 'webgpu' && d !== 'auto')
    throw new Error(`--device must be cpu, webgpu or auto, got ${JSON.stringify(d ?? null)}`);
  return d;
}

export function parseArgs(argv: string[]): CliOptions {
  const opts: CliOptions = { names: [], device: 'auto', quick: false, help: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--quick') opts.quick = true;
    else if (a === '--device') opts.device = deviceArg(argv[++i]);
    else if (a.startsWith('--device=')) opts.device = deviceArg(a.slice('--device='.length));
    else if (a === '--model') opts.model = modelArg(argv[++i]);
    else if (a.startsWith('--model=')) opts.model = modelArg(a.slice('--model='.length));
    else if (a === '--help' || a === '-h') opts.help = true;
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}\n${USAGE}`);
    else if (!(a in DEMOS))
      throw new Error(`unknown demo ${JSON.stringify(a)}; the demos are: ${Object.keys(DEMOS).join(', ')}`);
    else opts.names.push(a);
  }
  if (opts.model !== undefined && (opts.names.length !== 1 || opts.names[0] !== 'gpt2'))
    throw new Error(
      `--model is for the gpt2 demo alone (pnpm demo gpt2 --model ${opts.model}), got demos: ${opts.names.join(', ') || 'the tour'}`,
    );
  return opts;
}

/**
 * `pnpm demo` runs in apps/demos: a relative folder is meant from where the command was typed
 * (pnpm's INIT_CWD). Anything that is not an existing folder there stays as given (a Hub id).
 */
function localOrId(model: string): string {
  const folder = resolve(process.env.INIT_CWD ?? process.cwd(), model);
  return existsSync(folder) ? folder : model;
}

interface Row {
  name: string;
  seconds: number;
  ok: boolean;
  summary: string;
}

export async function main(argv: string[]): Promise<boolean> {
  const opts = parseArgs(argv);
  if (opts.help) {
    console.log(USAGE);
    return true;
  }
  const tour = opts.names.length === 0;
  const names = tour ? Object.keys(DEMOS) : opts.names;
  const quick = opts.quick || tour;
  const { device, why } = await resolveDevice(opts.device);
  console.log(`device: ${why}`);
  if (tour) console.log(`the tour: ${names.join(', ')} (quick mode)`);
  const outDir = join(fileURLToPath(new URL('..', import.meta.url)), 'out');
  const rows: Row[] = [];
  for (const name of names) {
    const demo = (await DEMOS[name]!()).default;
    const description =
      opts.model === undefined
        ? demo.description
        : `${opts.model}, pretrained: greedy by hand and by generate(), then sampling`;
    console.log(`\n=== ${demo.name}: ${description}`);
    const t0 = performance.now();
    try {
      const { summary } = await demo.run(
        nodeContext({
          device,
          quick,
          outDir,
          ...(opts.model === undefined ? {} : { model: localOrId(opts.model) }),
        }),
      );
      rows.push({ name, seconds: (performance.now() - t0) / 1000, ok: true, summary });
    } catch (e) {
      // The tour goes on so one failure does not hide the others; a single demo fails at once.
      if (!tour) throw e;
      const message = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      console.error(`${name} FAILED: ${message}`);
      rows.push({ name, seconds: (performance.now() - t0) / 1000, ok: false, summary: message });
    }
  }
  if (rows.length > 1) {
    console.log(`\nsummary (${device}${quick ? ', quick' : ''})`);
    for (const r of rows)
      console.log(
        `  ${r.name.padEnd(10)} ${r.ok ? 'ok  ' : 'FAIL'} ${formatDuration(r.seconds).padStart(7)}  ${r.summary}`,
      );
  }
  return rows.every((r) => r.ok);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main(process.argv.slice(2)).then(
    (ok) => process.exit(ok ? 0 : 1),
    (e: unknown) => {
      console.error(e instanceof Error ? `${e.name}: ${e.message}` : e);
      process.exit(1);
    },
  );
}
