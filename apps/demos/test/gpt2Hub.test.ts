import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { manualSeed } from '@lumen/tensor';
import { trainBpe } from '@lumen/transformers-lite';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
// The stand-in for the Hub that transformers-lite's own Hub tests use.
import { FakeHub } from '../../../packages/transformers-lite/test/hub/fakeHub.ts';
import { main, parseArgs } from '../src/cli.ts';
import { tinyGpt2 } from '../src/models/tinyGpt2.ts';

/**
 * `pnpm demo gpt2 --model <id>` against a local fake Hub (HF_ENDPOINT): the model and tokenizer
 * are downloaded into a fresh cache and generate; then, with the Hub unreachable, the cache
 * serves them; with neither, the demo says plainly what to do and exits 1.
 */
const APP = fileURLToPath(new URL('..', import.meta.url));
const ID = 'lumen-test/demo-gpt2';
const scratch = mkdtempSync(join(tmpdir(), 'lumen-demo-hub-'));
const modelDir = join(scratch, 'model');
let hub: FakeHub;
let closed = '';
const saved = { HF_ENDPOINT: process.env.HF_ENDPOINT, HF_HUB_CACHE: process.env.HF_HUB_CACHE };

/** An address nobody listens on: connection refused at once. */
async function closedEndpoint(): Promise<string> {
  const probe = createServer();
  await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
  const port = (probe.address() as AddressInfo).port;
  await new Promise((r) => probe.close(r));
  return `http://127.0.0.1:${port}`;
}

/** Runs the CLI in this process, its console.log lines collected. */
async function demo(args: string[]): Promise<{ ok: boolean; lines: string[] }> {
  const lines: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    return { ok: await main(['gpt2', '--device', 'cpu', '--quick', ...args]), lines };
  } finally {
    log.mockRestore();
  }
}

beforeAll(async () => {
  manualSeed(0);
  const tok = trainBpe(
    [
      'The state of our Union is strong.',
      'We the people of the United States, in order to form a more perfect union.',
      'Ask not what your country can do for you.',
    ],
    { vocabSize: 300 },
  );
  await tok.savePretrained(modelDir);
  await tinyGpt2(tok.vocabSize, tok.eosTokenId!, { nEmbd: 16, nHead: 2 }).savePretrained(modelDir);
  const files: Record<string, Uint8Array> = {};
  for (const f of readdirSync(modelDir)) files[f] = new Uint8Array(readFileSync(join(modelDir, f)));
  hub = await new FakeHub().start();
  hub.repos.set(ID, { files });
  closed = await closedEndpoint();
});

afterAll(async () => {
  await hub.stop();
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  rmSync(scratch, { recursive: true, force: true });
});

describe('pnpm demo gpt2 --model', () => {
  it('reads --model for gpt2 only, and names what was wrong', () => {
    expect(parseArgs(['gpt2', '--model', ID]).model).toBe(ID);
    expect(parseArgs(['gpt2', `--model=${ID}`]).model).toBe(ID);
    expect(() => parseArgs(['gpt2', '--model'])).toThrow(
      '--model must be a Hub model id such as openai-community/gpt2 or a local folder, got null',
    );
    expect(() => parseArgs(['blobs', '--model', ID])).toThrow(
      `--model is for the gpt2 demo alone (pnpm demo gpt2 --model ${ID}), got demos: blobs`,
    );
    expect(() => parseArgs(['--model', ID])).toThrow('got demos: the tour');
  });

  it('downloads a Hub id from HF_ENDPOINT into the cache and generates; then the cache serves it offline', async () => {
    const cache = join(scratch, 'cache');
    process.env.HF_ENDPOINT = hub.url;
    process.env.HF_HUB_CACHE = cache;
    hub.log.length = 0;
    const first = await demo(['--model', ID]);
    expect(first.ok).toBe(true);
    expect(first.lines).toContain(
      `\n=== gpt2: ${ID}, pretrained: greedy by hand and by generate(), then sampling`,
    );
    expect(first.lines).toContain(`loading ${ID} from the Hub (${hub.url}), through the cache`);
    expect(first.lines.some((l) => /^GPT2LMHeadModel with [\d,]+ parameters on cpu$/.test(l))).toBe(true);
    expect(first.lines.some((l) => l.startsWith('greedy, generate():   "The state of our Union'))).toBe(true);
    expect(first.lines.some((l) => l.startsWith('sampled:'))).toBe(true);
    // The weights came through the CDN redirect, into huggingface_hub's layout.
    expect(hub.requests('/cdn/', 'GET')).toHaveLength(1);
    const snapshots = join(cache, 'models--lumen-test--demo-gpt2', 'snapshots');
    const [commit] = readdirSync(snapshots);
    expect(readdirSync(join(snapshots, commit!)).sort()).toEqual(readdirSync(modelDir).sort());

    // The Hub unreachable now: the same command runs from the cache (with a warning, not an error).
    process.env.HF_ENDPOINT = closed;
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const again = await demo(['--model', ID]);
      expect(again.ok).toBe(true);
      expect(again.lines.filter((l) => l.startsWith('greedy, generate()'))).toEqual(
        first.lines.filter((l) => l.startsWith('greedy, generate()')),
      );
      expect(warn.mock.calls.some(([m]) => String(m).includes('could not be reached'))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  }, 120_000);

  it('a local folder needs no Hub at all', async () => {
    process.env.HF_ENDPOINT = closed;
    process.env.HF_HUB_CACHE = join(scratch, 'unused-cache');
    const local = await demo(['--model', modelDir]);
    expect(local.ok).toBe(true);
    expect(local.lines).toContain(`loading ${modelDir} (a local folder)`);
    expect(existsSync(join(scratch, 'unused-cache'))).toBe(false);
  }, 60_000);

  it('no Hub and no cache: says so plainly with the three ways out, and exits 1', async () => {
    const require = createRequire(join(APP, 'package.json'));
    const cache = join(scratch, 'empty-cache');
    const child = spawn(
      process.execPath,
      [
        '--import',
        pathToFileURL(require.resolve('tsx')).href,
        '--conditions=@lumen/source',
        join(APP, 'src', 'cli.ts'),
        'gpt2',
        '--model',
        'openai-community/gpt2',
        '--device',
        'cpu',
      ],
      {
        env: { ...process.env, HF_ENDPOINT: closed, HF_HUB_CACHE: cache },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      stderr += c.toString();
    });
    child.stdout.resume();
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(1);
    expect(stderr).toContain(
      `cannot load openai-community/gpt2: this machine cannot reach the Hugging Face Hub at ${closed} (connect ECONNREFUSED`,
    );
    expect(stderr).toContain(`and openai-community/gpt2 is not in the cache ${cache}`);
    expect(stderr).toContain('HF_ENDPOINT=https://<mirror> npx pnpm demo gpt2 --model openai-community/gpt2');
    expect(stderr).toContain('npx pnpm demo gpt2 --model ./path/to/gpt2');
    expect(stderr).toContain('point HF_HOME / HF_HUB_CACHE at it');
  }, 60_000);
});
