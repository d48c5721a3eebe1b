import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { serializeSafetensors } from '@lumen/nn';
import { manualSeed } from '@lumen/tensor';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { isTransient, isUnreachable, networkReason } from '../../src/hub/hub.ts';
import {
  AutoConfig,
  AutoModelForCausalLM,
  AutoTokenizer,
  BertForMaskedLM,
  GPT2Config,
  GPT2LMHeadModel,
  type HubProgress,
  HubUnreachableError,
  hubSettings,
  setWarningHandler,
} from '../../src/index.ts';
import { expectClose, fixture, folder, type TJ, t } from '../models/helpers.ts';
import { commitOf, FakeHub } from './fakeHub.ts';

const gpt2 = fixture<{ inputIds: TJ; logits: TJ }>('gpt2.json');
const hubFx = fixture<{ gpt2: { inputIds: TJ; logits: TJ } }>('hub.json');
const read = (dir: string, file: string) => new Uint8Array(readFileSync(join(dir, file)));
const TOKENIZERS = join(import.meta.dirname, '..', 'fixtures', 'generated');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) =>
  createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');

const scratch = mkdtempSync(join(tmpdir(), 'lumen-hub-'));
let n = 0;
const freshCache = () => join(scratch, `cache${n++}`);

let hub: FakeHub;
const ENV_KEYS = ['HF_ENDPOINT', 'HF_HUB_OFFLINE', 'HF_TOKEN', 'HF_HOME', 'HF_HUB_CACHE', 'HF_TOKEN_PATH'];
const savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
const warnings: string[] = [];
let previousHandler: (m: string) => void;

function gpt2Files(): Record<string, Uint8Array> {
  return {
    'config.json': read(folder('gpt2-lm'), 'config.json'),
    'model.safetensors': read(folder('gpt2-lm'), 'model.safetensors'),
    'tokenizer.json': read(join(TOKENIZERS, 'gpt2'), 'tokenizer.json'),
    'tokenizer_config.json': read(join(TOKENIZERS, 'gpt2'), 'tokenizer_config.json'),
    'pytorch_model.bin': new TextEncoder().encode('a pickle that must never be downloaded'),
  };
}

beforeAll(async () => {
  hub = await new FakeHub().start();
  hub.repos.set('lumen-test/tiny-gpt2', { files: gpt2Files() });
  const sharded: Record<string, Uint8Array> = {};
  for (const f of readdirSync(folder('gpt2-sharded-f16'))) sharded[f] = read(folder('gpt2-sharded-f16'), f);
  hub.repos.set('lumen-test/tiny-gpt2-sharded-fp16', { files: sharded });
  hub.repos.set('lumen-test/gated-bert', {
    token: 'hf_granted',
    files: {
      'config.json': read(folder('bert-mlm'), 'config.json'),
      'model.safetensors': read(folder('bert-mlm'), 'model.safetensors'),
    },
  });
  hub.repos.set('lumen-test/pickle-only', {
    files: { 'config.json': read(folder('gpt2-lm'), 'config.json'), 'pytorch_model.bin': new Uint8Array(64) },
  });
  process.env.HF_ENDPOINT = hub.url;
  for (const k of ['HF_HUB_OFFLINE', 'HF_TOKEN', 'HF_HUB_CACHE', 'HF_TOKEN_PATH']) delete process.env[k];
  process.env.HF_HOME = join(scratch, 'hf-home'); // no token file from the machine's own login
  hubSettings.retryDelayMs = 20;
  previousHandler = setWarningHandler((m) => warnings.push(m));
});

afterEach(() => {
  hub.log.length = 0;
  warnings.length = 0;
  hubSettings.timeoutMs = undefined;
});

afterAll(async () => {
  await hub.stop();
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  hubSettings.retryDelayMs = 1000;
  setWarningHandler(previousHandler);
  rmSync(scratch, { recursive: true, force: true });
});

describe('fromPretrained with a Hub id', () => {
  it('downloads only the files the class needs into the huggingface_hub cache layout', async () => {
    const cacheDir = freshCache();
    const events: HubProgress[] = [];
    const model = await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', {
      cacheDir,
      onProgress: (p) => events.push(p),
    });
    await expectClose(model.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);

    // Only config.json, generation_config.json (absent: 404) and the weights were asked for;
    // the LFS file came from the CDN; the pickle and the tokenizer were never requested.
    const asked = hub.log
      .filter((r) => r.path.includes('/resolve/'))
      .map((r) => `${r.method} ${r.path.split('/').pop()}`);
    expect(new Set(asked)).toEqual(
      new Set([
        'HEAD config.json',
        'GET config.json',
        'HEAD generation_config.json',
        'HEAD model.safetensors',
      ]),
    );
    const weights = gpt2Files()['model.safetensors']!;
    expect(hub.requests('/cdn/', 'GET').map((r) => r.path)).toEqual([hub.cdnPath(weights)]);
    const done = events.filter((e) => e.status === 'done' && e.file === 'model.safetensors');
    expect(done).toEqual([
      {
        status: 'done',
        repo: 'lumen-test/tiny-gpt2',
        file: 'model.safetensors',
        loaded: weights.byteLength,
        total: weights.byteLength,
      },
    ]);
    expect(events.some((e) => e.status === 'progress' && e.file === 'model.safetensors')).toBe(true);

    // The layout, file by file (huggingface_hub's cache docs).
    const commit = commitOf('lumen-test/tiny-gpt2', 'main');
    const repoDir = join(cacheDir, 'models--lumen-test--tiny-gpt2');
    expect(readFileSync(join(repoDir, 'refs', 'main'), 'utf8')).toBe(commit);
    const config = gpt2Files()['config.json']!;
    expect(readdirSync(join(repoDir, 'blobs')).sort()).toEqual([gitSha1(config), sha256(weights)].sort());
    expect(readdirSync(join(repoDir, 'snapshots'))).toEqual([commit]);
    const snap = join(repoDir, 'snapshots', commit);
    expect(readdirSync(snap).sort()).toEqual(['config.json', 'model.safetensors']);
    expect(lstatSync(join(snap, 'config.json')).isSymbolicLink()).toBe(true);
    expect(readlinkSync(join(snap, 'config.json'))).toBe(`../../blobs/${gitSha1(config)}`);
    expect(readlinkSync(join(snap, 'model.safetensors'))).toBe(`../../blobs/${sha256(weights)}`);
    expect(new Uint8Array(readFileSync(join(repoDir, 'blobs', sha256(weights))))).toEqual(weights);
    // The file the repo lacks is remembered as huggingface_hub does.
    expect(existsSync(join(repoDir, '.no_exist', commit, 'generation_config.json'))).toBe(true);
    // huggingface_hub's lock files, one per downloaded blob, left in place (as filelock leaves them).
    const locks = join(cacheDir, '.locks', 'models--lumen-test--tiny-gpt2');
    expect(readdirSync(locks).sort()).toEqual([`${gitSha1(config)}.lock`, `${sha256(weights)}.lock`].sort());

    // Again: HEADs only, nothing downloaded. Offline: no request at all.
    hub.log.length = 0;
    await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    expect(hub.log.every((r) => r.method === 'HEAD')).toBe(true);
    hub.log.length = 0;
    const offline = await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', {
      cacheDir,
      localFilesOnly: true,
    });
    expect(hub.log).toEqual([]);
    await expectClose(offline.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);
  });

  it('tokenizers, AutoConfig and Auto classes resolve ids too; the tokenizer equals the local one', async () => {
    const cacheDir = freshCache();
    const tok = await AutoTokenizer.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    const local = await AutoTokenizer.fromPretrained(join(TOKENIZERS, 'gpt2'));
    expect(tok.encode('Hello Hub, hello cache')).toEqual(local.encode('Hello Hub, hello cache'));
    expect(hub.requests('config.json', 'GET').map((r) => r.path.split('/').pop())).toEqual([
      'tokenizer_config.json',
    ]);
    expect(hub.requests('/cdn/')).toEqual([]); // no weights for a tokenizer
    hub.log.length = 0;
    const config = await AutoConfig.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    expect(config).toBeInstanceOf(GPT2Config);
    expect(hub.requests('model.safetensors')).toEqual([]);
    const auto = await AutoModelForCausalLM.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    await expectClose(auto.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);
  });

  it('a sharded float16 repository: index, then every shard', async () => {
    const model = await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2-sharded-fp16', {
      cacheDir: freshCache(),
    });
    await expectClose(model.forward({ inputIds: t(hubFx.gpt2.inputIds) }).logits, hubFx.gpt2.logits, 1e-4);
    expect(hub.requests('/cdn/', 'GET').length).toBe(4);
  });

  it('a repository with only pytorch_model.bin is refused without downloading it', async () => {
    await expect(
      GPT2LMHeadModel.fromPretrained('lumen-test/pickle-only', { cacheDir: freshCache() }),
    ).rejects.toThrow(
      /pytorch_model\.bin \(in lumen-test\/pickle-only \(revision main\)\) is a PyTorch pickle/,
    );
    expect(hub.requests('/cdn/')).toEqual([]);
  });

  it('gated repositories: 401 without a token says so; token, HF_TOKEN and the token file work', async () => {
    await expect(
      BertForMaskedLM.fromPretrained('lumen-test/gated-bert', { cacheDir: freshCache() }),
    ).rejects.toThrow(
      /lumen-test\/gated-bert is a gated repository and no token was sent \(the Hub answered 401 for config\.json\).*HF_TOKEN.*hf auth login/,
    );
    await expect(
      BertForMaskedLM.fromPretrained('lumen-test/gated-bert', { cacheDir: freshCache(), token: 'hf_wrong' }),
    ).rejects.toThrow(/gated repository and this token has not been granted access \(the Hub answered 403/);
    hub.log.length = 0;
    await BertForMaskedLM.fromPretrained('lumen-test/gated-bert', {
      cacheDir: freshCache(),
      token: 'hf_granted',
    });
    // The token never goes to the CDN.
    expect(hub.requests('/cdn/').every((r) => r.auth === null)).toBe(true);
    expect(hub.requests('/resolve/').every((r) => r.auth === 'Bearer hf_granted')).toBe(true);
    process.env.HF_TOKEN = 'hf_granted';
    try {
      await BertForMaskedLM.fromPretrained('lumen-test/gated-bert', { cacheDir: freshCache() });
      await expect(
        BertForMaskedLM.fromPretrained('lumen-test/gated-bert', { cacheDir: freshCache(), token: false }),
      ).rejects.toThrow(/no token was sent/);
    } finally {
      delete process.env.HF_TOKEN;
    }
    mkdirSync(process.env.HF_HOME!, { recursive: true });
    writeFileSync(join(process.env.HF_HOME!, 'token'), 'hf_granted\n');
    try {
      await BertForMaskedLM.fromPretrained('lumen-test/gated-bert', { cacheDir: freshCache() });
    } finally {
      rmSync(join(process.env.HF_HOME!, 'token'));
    }
  });

  it('an unknown repository, a missing file, a bad revision: errors that say which', async () => {
    await expect(
      GPT2LMHeadModel.fromPretrained('lumen-test/nope', { cacheDir: freshCache() }),
    ).rejects.toThrow(
      /lumen-test\/nope was not found or is private \(the Hub answered 401 for config\.json, without a token\)/,
    );
    await expect(
      AutoTokenizer.fromPretrained('lumen-test/gated-bert', { cacheDir: freshCache(), token: 'hf_granted' }),
    ).rejects.toThrow(/lumen-test\/gated-bert \(revision main\) has no tokenizer files/);
    await expect(
      GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir: freshCache(), revision: 'v9' }),
    ).rejects.toThrow(/lumen-test\/tiny-gpt2 has no revision "v9"/);
    await expect(
      GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { revison: 'main' } as never),
    ).rejects.toThrow(/revison/);
    await expect(
      GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir: 5 } as never),
    ).rejects.toThrow(/options\.cacheDir must be a folder path, got number 5/);
  });

  it('a 500 once, then success; a connection cut mid-file resumes with a Range request', async () => {
    const weights = gpt2Files()['model.safetensors']!;
    hub.faults.fail500.add('/lumen-test/tiny-gpt2/resolve/main/config.json');
    hub.faults.cutAfter.set(hub.cdnPath(weights), 50_000);
    const cacheDir = freshCache();
    const model = await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    await expectClose(model.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);
    expect(hub.requests('resolve/main/config.json', 'HEAD').length).toBe(2);
    const gets = hub.requests('/cdn/', 'GET');
    expect(gets.length).toBe(2);
    expect(gets[0]!.range).toBeNull();
    expect(gets[1]!.range).toBe('bytes=50000-');
    const blob = join(cacheDir, 'models--lumen-test--tiny-gpt2', 'blobs', sha256(weights));
    expect(sha256(new Uint8Array(readFileSync(blob)))).toBe(sha256(weights));
  });

  it('a stalled transfer times out and resumes', async () => {
    const weights = gpt2Files()['model.safetensors']!;
    hub.faults.stallAfter.set(hub.cdnPath(weights), 30_000);
    hubSettings.timeoutMs = 300;
    const cacheDir = freshCache();
    await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    expect(hub.requests('/cdn/', 'GET').map((r) => r.range)).toEqual([null, 'bytes=30000-']);
  });

  it('bytes that do not match the SHA-256 are discarded and the cache is left as it was', async () => {
    const cacheDir = freshCache();
    // A first load at the current commit; then the repo moves to a commit whose weights arrive corrupted.
    await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir });
    const repoDir = join(cacheDir, 'models--lumen-test--tiny-gpt2');
    const before = listTree(repoDir);
    const files = gpt2Files();
    manualSeed(3);
    const other = new GPT2LMHeadModel(
      new GPT2Config({ vocabSize: 99, nPositions: 64, nEmbd: 32, nLayer: 2, nHead: 4 }),
    );
    const newWeights = await serializeSafetensors(other.stateDict(), { metadata: { format: 'pt' } });
    hub.repos.get('lumen-test/tiny-gpt2')!.revisions = {
      next: { ...files, 'model.safetensors': newWeights },
    };
    hub.faults.corrupt.add(hub.cdnPath(newWeights));
    try {
      await expect(
        GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', { cacheDir, revision: 'next' }),
      ).rejects.toThrow(
        /model\.safetensors of lumen-test\/tiny-gpt2 \(revision next\): the downloaded bytes have SHA-256 [0-9a-f]{64}, the Hub says [0-9a-f]{64}; the file was discarded/,
      );
    } finally {
      hub.faults.corrupt.clear();
    }
    const after = listTree(repoDir);
    // No ref, no snapshot, no partial file for `next`; only config.json's complete blob is new.
    expect(after.filter((p) => !before.includes(p))).toEqual([]);
    expect(existsSync(join(repoDir, 'refs', 'next'))).toBe(false);
    expect(readdirSync(join(repoDir, 'snapshots'))).toEqual([commitOf('lumen-test/tiny-gpt2', 'main')]);
    expect(readdirSync(join(repoDir, 'blobs')).some((f) => f.endsWith('.incomplete'))).toBe(false);
    // Fixed on the server: the same call now works and records refs/next.
    const model = await GPT2LMHeadModel.fromPretrained('lumen-test/tiny-gpt2', {
      cacheDir,
      revision: 'next',
    });
    expect(readFileSync(join(repoDir, 'refs', 'next'), 'utf8')).toBe(
      commitOf('lumen-test/tiny-gpt2', 'next'),
    );
    expect(model.loadingInfo!.missingKeys).toEqual([]);
  });
});

/** Every path under `dir` except blobs (content-addressed: a complete blob may be added). */
function listTree(dir: string, prefix = ''): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(dir, prefix))) {
    const p = join(prefix, e);
    if (p.startsWith('blobs')) continue;
    out.push(p);
    if (lstatSync(join(dir, p)).isDirectory()) out.push(...listTree(dir, p));
  }
  return out;
}

describe("a cache in huggingface_hub's layout, written by someone else", () => {
  /** What huggingface_hub's docs show for a downloaded model: blobs, relative snapshot links, refs/main. */
  function pythonStyleCache(): { cacheDir: string; commit: string } {
    const cacheDir = freshCache();
    const commit = 'a'.repeat(8) + '0123456789abcdef0123456789abcdef';
    const repoDir = join(cacheDir, 'models--someone--offline-gpt2');
    mkdirSync(join(repoDir, 'blobs'), { recursive: true });
    mkdirSync(join(repoDir, 'refs'), { recursive: true });
    mkdirSync(join(repoDir, 'snapshots', commit), { recursive: true });
    writeFileSync(join(repoDir, 'refs', 'main'), commit);
    for (const f of ['config.json', 'model.safetensors']) {
      const bytes = read(folder('gpt2-lm'), f);
      const etag = f.endsWith('.json') ? gitSha1(bytes) : sha256(bytes);
      writeFileSync(join(repoDir, 'blobs', etag), bytes);
      symlinkSync(`../../blobs/${etag}`, join(repoDir, 'snapshots', commit, f));
    }
    mkdirSync(join(repoDir, '.no_exist', commit), { recursive: true });
    writeFileSync(join(repoDir, '.no_exist', commit, 'generation_config.json'), '');
    return { cacheDir, commit };
  }

  it('is used with localFilesOnly, HF_HUB_OFFLINE=1 and HF_HUB_CACHE, without a request', async () => {
    const { cacheDir, commit } = pythonStyleCache();
    const a = await GPT2LMHeadModel.fromPretrained('someone/offline-gpt2', {
      cacheDir,
      localFilesOnly: true,
    });
    await expectClose(a.forward({ inputIds: t(gpt2.inputIds) }).logits, gpt2.logits, 1e-4);
    const b = await GPT2LMHeadModel.fromPretrained('someone/offline-gpt2', {
      cacheDir,
      localFilesOnly: true,
      revision: commit,
    });
    expect(b.loadingInfo!.missingKeys).toEqual([]);
    process.env.HF_HUB_OFFLINE = '1';
    process.env.HF_HUB_CACHE = cacheDir;
    try {
      await GPT2LMHeadModel.fromPretrained('someone/offline-gpt2');
      await expect(AutoTokenizer.fromPretrained('someone/offline-gpt2')).rejects.toThrow(
        new RegExp(
          `tokenizer\\.json of someone/offline-gpt2 \\(commit ${commit}\\) is not in the cache ${cacheDir} \\(localFilesOnly / HF_HUB_OFFLINE`,
        ),
      );
      await expect(GPT2LMHeadModel.fromPretrained('someone/never-downloaded')).rejects.toThrow(
        /someone\/never-downloaded at revision main is not in the cache/,
      );
    } finally {
      delete process.env.HF_HUB_OFFLINE;
      delete process.env.HF_HUB_CACHE;
    }
    expect(hub.log).toEqual([]);
  });

  it('is used when the Hub cannot be reached, at once and with a warning', async () => {
    const { cacheDir } = pythonStyleCache();
    process.env.HF_ENDPOINT = 'http://127.0.0.1:9'; // the discard port: fetch refuses it at once
    // A HEAD that cannot connect is not tried again (huggingface_hub's neither): with retries this
    // wait would make the load take minutes.
    hubSettings.retryDelayMs = 10_000;
    try {
      const t0 = Date.now();
      const model = await GPT2LMHeadModel.fromPretrained('someone/offline-gpt2', { cacheDir });
      expect(Date.now() - t0).toBeLessThan(5000);
      expect(model.loadingInfo!.missingKeys).toEqual([]);
      expect(
        warnings.some((w) =>
          /could not be reached.*using config\.json of someone\/offline-gpt2 from the cache/.test(w),
        ),
      ).toBe(true);
    } finally {
      process.env.HF_ENDPOINT = hub.url;
      hubSettings.retryDelayMs = 20;
    }
  });
});

describe('a Hub that cannot be reached and a cache without the model', () => {
  it('HubUnreachableError names the endpoint, the cause and the three ways out', async () => {
    const cacheDir = freshCache();
    // A port nobody listens on: connection refused (fetch refuses port 9 itself, as a "bad port").
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const endpoint = `http://127.0.0.1:${port}`;
    process.env.HF_ENDPOINT = endpoint;
    hubSettings.retryDelayMs = 10_000; // never waited for: a refused HEAD is not tried again
    try {
      const err = await GPT2LMHeadModel.fromPretrained('someone/never-downloaded', { cacheDir }).then(
        () => null,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(HubUnreachableError);
      const e = err as HubUnreachableError;
      expect([e.endpoint, e.repo, e.file, e.reason, e.cacheDir]).toEqual([
        endpoint,
        'someone/never-downloaded',
        'config.json',
        `connect ECONNREFUSED 127.0.0.1:${port}`,
        cacheDir,
      ]);
      expect(e.message).toContain(
        `GPT2LMHeadModel.fromPretrained: someone/never-downloaded at revision main is not in the cache ${cacheDir} ` +
          `and the Hub at ${endpoint} could not be reached (connect ECONNREFUSED 127.0.0.1:${port}). Either set HF_ENDPOINT`,
      );
      expect(e.message).toContain("pass a local folder holding the model's files instead of the id");
      expect(e.message).toContain('(HF_HOME, HF_HUB_CACHE or { cacheDir })');
    } finally {
      process.env.HF_ENDPOINT = hub.url;
      hubSettings.retryDelayMs = 20;
    }
  });

  it('a host name that does not resolve is not retried (a machine without network fails at once)', () => {
    const dns = Object.assign(new TypeError('fetch failed'), {
      cause: Object.assign(new Error('getaddrinfo ENOTFOUND huggingface.co'), { code: 'ENOTFOUND' }),
    });
    const refused = Object.assign(new TypeError('fetch failed'), { cause: { code: 'ECONNREFUSED' } });
    expect([isTransient(dns), isUnreachable(dns), networkReason(dns)]).toEqual([
      false,
      true,
      'getaddrinfo ENOTFOUND huggingface.co',
    ]);
    expect([isTransient(refused), isUnreachable(refused)]).toEqual([true, true]);
  });
});

// ---- two processes ------------------------------------------------------------------------------

function tsxLoader(): string {
  const require = createRequire(join(import.meta.dirname, '..', '..', 'package.json'));
  return pathToFileURL(require.resolve('tsx')).href;
}

interface Started {
  child: ChildProcess;
  /** Its stdout, line by line, as it arrives. */
  out: string[];
  /** Its stderr so far. */
  err: () => string;
  exit: Promise<number | null>;
}

/** Starts a process, collecting its stdout lines; its stderr is printed if it fails. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv = process.env): Started {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
  const out: string[] = [];
  let buffered = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffered += chunk.toString();
    const lines = buffered.split('\n');
    buffered = lines.pop()!;
    out.push(...lines);
  });
  let err = '';
  child.stderr!.on('data', (c: Buffer) => {
    err += c.toString();
  });
  const exit = new Promise<number | null>((r) =>
    child.on('exit', (code) => {
      if (code !== 0 && code !== null) console.error(err);
      r(code);
    }),
  );
  return { child, out, err: () => err, exit };
}

/** hubChild.ts loading `id` into `cacheDir` from the fake Hub. */
function startChild(id: string, cacheDir: string, env: NodeJS.ProcessEnv = {}): Started {
  const script = join(import.meta.dirname, 'hubChild.ts');
  return start(
    process.execPath,
    ['--import', tsxLoader(), '--conditions=@lumen/source', script, id, cacheDir],
    { ...process.env, HF_ENDPOINT: hub.url, ...env },
  );
}

/** Waits until a line of `p`'s output passes `test` (a minute at most). */
async function lineOf(p: Started, test: (line: string) => boolean, what: string): Promise<string> {
  const end = Date.now() + 60_000;
  for (;;) {
    const line = p.out.find(test);
    if (line !== undefined) return line;
    if (Date.now() > end) throw new Error(`no ${what} within a minute; output: ${p.out.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Whether nobody holds the flock(2) on `file` (within a second: a dead holder's helper exits on EOF). */
async function lockIsFree(file: string): Promise<boolean> {
  for (let i = 0; i < 20; i++) {
    if (spawnSync('flock', ['--nonblock', file, 'true']).status === 0) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

describe('two processes, one cache', () => {
  let bigWeights: Uint8Array;
  beforeAll(async () => {
    manualSeed(0);
    const model = new GPT2LMHeadModel(
      new GPT2Config({ vocabSize: 2000, nPositions: 64, nEmbd: 64, nLayer: 2, nHead: 2 }),
    );
    bigWeights = await serializeSafetensors(model.stateDict(), { metadata: { format: 'pt' } });
    await model.savePretrained(join(scratch, 'big'));
    hub.repos.set('lumen-test/bigger-gpt2', {
      files: { 'config.json': read(join(scratch, 'big'), 'config.json'), 'model.safetensors': bigWeights },
    });
  });

  it('fetching the same repository at once: both load, the file is downloaded once', async () => {
    const cacheDir = freshCache();
    hub.faults.throttleMs.set(hub.cdnPath(bigWeights), 15);
    try {
      const a = startChild('lumen-test/bigger-gpt2', cacheDir);
      const b = startChild('lumen-test/bigger-gpt2', cacheDir);
      expect(await a.exit).toBe(0);
      expect(await b.exit).toBe(0);
      const sums = [a, b].map((c) => c.out.find((l) => l.startsWith('logits '))!);
      expect(sums[0]).toBe(sums[1]);
      expect(hub.requests('/cdn/', 'GET').length).toBe(1);
    } finally {
      hub.faults.throttleMs.clear();
    }
    const blob = join(cacheDir, 'models--lumen-test--bigger-gpt2', 'blobs', sha256(bigWeights));
    expect(sha256(new Uint8Array(readFileSync(blob)))).toBe(sha256(bigWeights));
  }, 120_000);

  it('a process killed mid-download; the rerun resumes from the .incomplete file', async () => {
    const cacheDir = freshCache();
    hub.faults.throttleMs.set(hub.cdnPath(bigWeights), 15);
    const blobs = join(cacheDir, 'models--lumen-test--bigger-gpt2', 'blobs');
    const part = join(blobs, `${sha256(bigWeights)}.incomplete`);
    try {
      const first = startChild('lumen-test/bigger-gpt2', cacheDir);
      const third = bigWeights.byteLength / 3;
      await lineOf(
        first,
        (l) => l.startsWith('progress ') && Number(l.slice(9)) > third,
        'third of the file',
      );
      first.child.kill('SIGKILL');
      await first.exit;
      const kept = statSync(part).size;
      expect(kept).toBeGreaterThan(third);
      expect(kept).toBeLessThan(bigWeights.byteLength);
      // The lock file stays (as filelock leaves it) but the lock died with its process: free at once.
      const lockFile = join(
        cacheDir,
        '.locks',
        'models--lumen-test--bigger-gpt2',
        `${sha256(bigWeights)}.lock`,
      );
      expect(existsSync(lockFile)).toBe(true);
      expect(await lockIsFree(lockFile)).toBe(true);
      hub.log.length = 0;
      const second = startChild('lumen-test/bigger-gpt2', cacheDir);
      expect(await second.exit).toBe(0);
      const gets = hub.requests('/cdn/', 'GET');
      expect(gets.length).toBe(1);
      expect(gets[0]!.range).toBe(`bytes=${kept}-`);
    } finally {
      hub.faults.throttleMs.clear();
    }
    expect(existsSync(part)).toBe(false);
    expect(sha256(new Uint8Array(readFileSync(join(blobs, sha256(bigWeights)))))).toBe(sha256(bigWeights));
  }, 120_000);

  it("a flock(1) that cannot lock (a file system without locks): a warning, then Lumen's own lock", async () => {
    const cacheDir = freshCache();
    const bin = mkdtempSync(join(scratch, 'failing-flock-'));
    writeFileSync(join(bin, 'flock'), '#!/bin/sh\necho "flock: $2: No locks available" >&2\nexit 1\n', {
      mode: 0o755,
    });
    hub.faults.throttleMs.set(hub.cdnPath(bigWeights), 15);
    try {
      const a = startChild('lumen-test/bigger-gpt2', cacheDir, { PATH: bin });
      const b = startChild('lumen-test/bigger-gpt2', cacheDir, { PATH: bin });
      expect(await a.exit).toBe(0);
      expect(await b.exit).toBe(0);
      expect(hub.requests('/cdn/', 'GET').length).toBe(1);
      expect(a.err()).toContain(
        `flock(1) could not lock ${join(cacheDir, '.locks', 'models--lumen-test--bigger-gpt2', `${sha256(bigWeights)}.lock`)} (exit 1: flock:`,
      );
      expect(a.err()).toContain('No locks available); Lumen processes take turns on their own lock instead');
    } finally {
      hub.faults.throttleMs.clear();
    }
  }, 120_000);

  it('without flock(1) (macOS, Windows): Lumen processes take turns on their own lock file', async () => {
    const cacheDir = freshCache();
    const noTools = mkdtempSync(join(scratch, 'empty-path-'));
    hub.faults.throttleMs.set(hub.cdnPath(bigWeights), 15);
    try {
      const a = startChild('lumen-test/bigger-gpt2', cacheDir, { PATH: noTools });
      const b = startChild('lumen-test/bigger-gpt2', cacheDir, { PATH: noTools });
      expect(await a.exit).toBe(0);
      expect(await b.exit).toBe(0);
      expect(hub.requests('/cdn/', 'GET').length).toBe(1);
      expect(a.err() + b.err()).not.toContain('flock'); // nothing to warn about: it is simply absent
    } finally {
      hub.faults.throttleMs.clear();
    }
    // That lock is removed on release; huggingface_hub's `.lock` was never created.
    expect(readdirSync(join(cacheDir, '.locks', 'models--lumen-test--bigger-gpt2'))).toEqual([]);
  }, 120_000);
});

// ---- a Python process on the same cache --------------------------------------------------------

const PYTHON = process.env.PYTHON ?? '/usr/bin/python3';
const havePython = existsSync(PYTHON);
const requirePython = process.env.CI === 'true';
if (!havePython && !requirePython)
  console.log(`Python lock tests skipped: no ${PYTHON} (apt-get install python3-filelock, or set PYTHON)`);

describe.skipIf(!havePython && !requirePython)("a Python process using huggingface_hub's lock", () => {
  // pyHubDownload.py does what hf_hub_download does around one blob: filelock on
  // .locks/models--org--name/<etag>.lock, then <etag>.incomplete renamed to <etag>.
  let weights: Uint8Array;
  let impl = '';
  beforeAll(async () => {
    manualSeed(1);
    const model = new GPT2LMHeadModel(
      new GPT2Config({ vocabSize: 2000, nPositions: 64, nEmbd: 64, nLayer: 2, nHead: 2 }),
    );
    weights = await serializeSafetensors(model.stateDict(), { metadata: { format: 'pt' } });
    await model.savePretrained(join(scratch, 'py'));
    hub.repos.set('lumen-test/python-shared', {
      files: { 'config.json': read(join(scratch, 'py'), 'config.json'), 'model.safetensors': weights },
    });
  });
  afterAll(() => {
    if (impl) console.log(`Python side used ${impl}`);
  });

  function paths(cacheDir: string) {
    const etag = sha256(weights);
    return {
      lock: join(cacheDir, '.locks', 'models--lumen-test--python-shared', `${etag}.lock`),
      blob: join(cacheDir, 'models--lumen-test--python-shared', 'blobs', etag),
    };
  }

  function startPython(cacheDir: string): Started {
    const { lock, blob } = paths(cacheDir);
    const url = `${hub.url}/lumen-test/python-shared/resolve/main/model.safetensors`;
    const p = start(PYTHON, [join(import.meta.dirname, 'pyHubDownload.py'), lock, blob, url]);
    lineOf(p, (l) => l.startsWith('impl '), 'impl line').then(
      (l) => {
        impl = l.slice(5);
      },
      () => {},
    );
    return p;
  }

  it('Python downloading: we wait for its lock and use the blob it wrote, with no second download', async () => {
    const cacheDir = freshCache();
    hub.faults.throttleMs.set(hub.cdnPath(weights), 30);
    try {
      const py = startPython(cacheDir);
      await lineOf(py, (l) => l === 'locked', "Python's lock");
      const ours = startChild('lumen-test/python-shared', cacheDir);
      expect(await py.exit).toBe(0);
      expect(await ours.exit).toBe(0);
      expect(py.out).toContain(`downloaded ${weights.byteLength}`);
      // CI installs python3-filelock (.ci/system-deps.sh): the real lock, not the written-out one.
      if (process.env.CI === 'true') expect(py.out[0]).toMatch(/^impl filelock /);
      expect(ours.out.filter((l) => l.startsWith('progress '))).toEqual([]); // it downloaded nothing
      expect(ours.out.some((l) => l.startsWith('logits '))).toBe(true);
      expect(hub.requests('/cdn/', 'GET').length).toBe(1);
    } finally {
      hub.faults.throttleMs.clear();
    }
    const { blob } = paths(cacheDir);
    expect(sha256(new Uint8Array(readFileSync(blob)))).toBe(sha256(weights));
    expect(existsSync(`${blob}.incomplete`)).toBe(false);
  }, 120_000);

  it('us downloading: Python waits for our lock, then finds the blob and downloads nothing', async () => {
    const cacheDir = freshCache();
    hub.faults.throttleMs.set(hub.cdnPath(weights), 30);
    try {
      const ours = startChild('lumen-test/python-shared', cacheDir);
      await lineOf(ours, (l) => l.startsWith('progress '), 'download progress');
      const py = startPython(cacheDir);
      await lineOf(py, (l) => l === 'waiting', 'Python waiting for the lock');
      expect(await ours.exit).toBe(0);
      expect(await py.exit).toBe(0);
      expect(py.out.slice(-2)).toEqual(['locked', 'skipped']);
      expect(hub.requests('/cdn/', 'GET').length).toBe(1);
    } finally {
      hub.faults.throttleMs.clear();
    }
    const { lock, blob } = paths(cacheDir);
    expect(sha256(new Uint8Array(readFileSync(blob)))).toBe(sha256(weights));
    expect(await lockIsFree(lock)).toBe(true);
  }, 120_000);
});
