import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AutoTokenizer } from '../../src/index.ts';
import { fixture, folder, type TJ } from '../models/helpers.ts';
import type { HubLoadRequest, HubLoadResult } from './browserPage/page.ts';
import { FakeHub } from './fakeHub.ts';

/**
 * Hub ids in a browser: browserPage/ is built with Vite and served on its own origin; headless
 * Debian Chromium (never a downloaded browser) loads a tokenizer and a GPT-2 model by id through
 * `fetch` from the fake Hub (another origin; its LFS redirect to a third), keeps them in the Cache
 * API, and loads them again after a reload without a single request reaching the Hub.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const FLAGS = [
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const haveChromium = existsSync(CHROMIUM);
const required = process.env.CI === 'true';
if (!haveChromium && !required)
  console.log(
    `browser Hub test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );

const ID = 'lumen-test/tiny-gpt2';
const TEXT = 'Hello world, from the browser cache.';
const gpt2 = fixture<{ inputIds: TJ; logits: TJ }>('gpt2.json');
const TOKENIZER = join(import.meta.dirname, '..', 'fixtures', 'generated', 'gpt2');
const read = (dir: string, file: string) => new Uint8Array(readFileSync(join(dir, file)));

const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript' };

/** The built page on its own localhost origin (a secure context: the Cache API needs one). */
function serve(root: string): Promise<Server> {
  const server = createServer((req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname));
    const file = join(root, path === '/' ? 'index.html' : path);
    if (!file.startsWith(root) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

describe.skipIf(!haveChromium && !required)('Hub ids in Chromium (fetch + the Cache API)', () => {
  let dist = '';
  let server: Server | undefined;
  let hub: FakeHub;
  let url = '';
  let browser: Browser | undefined;
  let nodeIds: number[] = [];

  beforeAll(async () => {
    hub = await new FakeHub().start();
    hub.repos.set(ID, {
      files: {
        'config.json': read(folder('gpt2-lm'), 'config.json'),
        'model.safetensors': read(folder('gpt2-lm'), 'model.safetensors'),
        'tokenizer.json': read(TOKENIZER, 'tokenizer.json'),
        'tokenizer_config.json': read(TOKENIZER, 'tokenizer_config.json'),
      },
    });
    nodeIds = (await AutoTokenizer.fromPretrained(TOKENIZER)).encode(TEXT, {
      addSpecialTokens: false,
    }) as number[];
    dist = mkdtempSync(join(tmpdir(), 'lumen-hub-web-'));
    await build({
      configFile: false,
      root: join(import.meta.dirname, 'browserPage'),
      logLevel: 'error',
      resolve: { conditions: ['@lumen/source', ...defaultClientConditions] },
      build: { outDir: dist, emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 8000 },
    });
    server = await serve(dist);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    await hub?.stop();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  /** A page of its own browser context (its own Cache API storage), console errors collected. */
  async function open(context?: BrowserContext): Promise<{ page: Page; errors: string[] }> {
    const page = await (context ?? (await browser!.newContext())).newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    return { page, errors };
  }

  function load(page: Page, request: Partial<HubLoadRequest> = {}): Promise<HubLoadResult> {
    const r: HubLoadRequest = {
      endpoint: hub.url,
      id: ID,
      text: TEXT,
      inputIds: gpt2.inputIds.data,
      inputShape: gpt2.inputIds.shape,
      ...request,
    };
    return page.evaluate(
      (req) => (window as unknown as { hubLoad: (r: HubLoadRequest) => Promise<HubLoadResult> }).hubLoad(req),
      r,
    );
  }

  function expectLoaded(r: HubLoadResult): asserts r is Extract<HubLoadResult, { ok: true }> {
    if (!r.ok) throw new Error(`the page failed to load ${ID}: ${r.error}`);
    expect(r.ids).toEqual(nodeIds);
    expect(r.logits).toHaveLength(gpt2.logits.data.length);
    let worst = 0;
    r.logits.forEach((v, i) => {
      worst = Math.max(worst, Math.abs(v - gpt2.logits.data[i]!));
    });
    expect(worst).toBeLessThan(1e-4);
  }

  it('the first load fetches the files into the Cache API; after a reload, not one request', async () => {
    const { page, errors } = await open();
    hub.log.length = 0;
    const first = await load(page);
    expectLoaded(first);
    // Only the files the classes need, by GET (a browser follows the CDN redirect itself).
    const asked = hub.log.map(
      (r) => `${r.method} ${r.path.startsWith('/cdn/') ? '/cdn/' : r.path.split('/').pop()}`,
    );
    expect(new Set(asked)).toEqual(
      new Set([
        'GET tokenizer.json',
        'GET tokenizer_config.json',
        'GET special_tokens_map.json',
        'GET added_tokens.json',
        'GET chat_template.jinja',
        'GET config.json',
        'GET generation_config.json',
        'GET model.safetensors',
        'GET /cdn/',
      ]),
    );
    expect(first.progressFiles).toEqual(['config.json', 'model.safetensors']);
    expect(first.caches).toEqual(['lumen-hub']);
    const resolve = (f: string) => `${hub.url}/${ID}/resolve/main/${f}`;
    expect(first.cached).toContain(resolve('model.safetensors'));
    expect(first.cached).toContain(resolve('generation_config.json')); // remembered as missing

    hub.log.length = 0;
    await page.reload();
    await page.waitForSelector('body[data-ready="true"]', { state: 'attached' });
    const second = await load(page);
    expectLoaded(second);
    expect(hub.log).toEqual([]);
    expect(second.progressFiles).toEqual([]);
    expect(second.logits).toEqual(first.logits);
    // Offline now works too: everything is in the cache.
    expectLoaded(await load(page, { localFilesOnly: true }));
    expect(hub.log).toEqual([]);
    expect(errors).toEqual([]);
  }, 120_000);

  it('hubSettings.browserCacheName names the cache; useBrowserCache false keeps nothing and asks again', async () => {
    const named = await open();
    expectLoaded(await load(named.page, { browserCacheName: 'my-models' }));
    expect(await named.page.evaluate(() => caches.keys())).toEqual(['my-models']);

    const uncached = await open();
    hub.log.length = 0;
    const a = await load(uncached.page, { useBrowserCache: false });
    expectLoaded(a);
    expect(a.caches).toEqual([]);
    const firstRequests = hub.log.length;
    expect(firstRequests).toBeGreaterThan(0);
    hub.log.length = 0;
    expectLoaded(await load(uncached.page, { useBrowserCache: false }));
    expect(hub.log.length).toBe(firstRequests);
  }, 120_000);

  it('localFilesOnly with an empty cache names the file; an unreachable Hub says what to do; a local folder path says it needs Node', async () => {
    const { page } = await open();
    hub.log.length = 0;
    const offline = await load(page, { localFilesOnly: true });
    expect(offline.ok).toBe(false);
    if (offline.ok) return;
    expect(offline.error).toContain(`tokenizer.json of ${ID} (revision main) is not in the browser cache`);
    expect(hub.log).toEqual([]);

    // A Hub this page cannot reach: at once (no retries), saying what to do.
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const closed = `http://127.0.0.1:${(probe.address() as AddressInfo).port}`;
    await new Promise((r) => probe.close(r));
    const t0 = Date.now();
    const unreachable = await load(page, { endpoint: closed });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(unreachable.ok).toBe(false);
    if (unreachable.ok) return;
    expect(unreachable.errorName).toBe('HubUnreachableError');
    expect(unreachable.error).toBe(
      `AutoTokenizer.fromPretrained: tokenizer.json of ${ID} (revision main) is not in the browser cache ` +
        `"lumen-hub" and the Hub at ${closed} could not be reached (Failed to fetch). Set hubSettings.endpoint ` +
        'to a Hub or mirror this page can reach (it must answer with CORS headers, as huggingface.co does), ' +
        'or pass the files themselves ({ files })',
    );

    const local = await load(page, { id: './models/tiny-gpt2' });
    expect(local.ok).toBe(false);
    if (local.ok) return;
    expect(local.error).toBe(
      `AutoTokenizer.fromPretrained: "./models/tiny-gpt2" is not a Hub model id ('org/name'), and local ` +
        "folders load only in Node; in a browser pass a Hub id such as 'openai-community/gpt2' " +
        '(fetched, kept in the Cache API) or the files themselves ({ files })',
    );
  }, 120_000);
});
