import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { chromium } from 'playwright-core';
import { build, defaultClientConditions } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * The published shape of @lumen/tensor (its tsup build in dist/, not the workspace sources) carries
 * its WebAssembly kernels inside the JavaScript: a Vite bundle runs them in Chromium (a page that is
 * not cross-origin isolated, so the private-memory build), and a Node worker thread runs them from
 * dist/index.js. Each side computes a matrix product we check against a float64 loop. (A browser's
 * main thread compiles the module in the background: the page awaits cpuKernelsReady().)
 */
const APP = fileURLToPath(new URL('..', import.meta.url));
const TENSOR = fileURLToPath(new URL('../../../packages/tensor/', import.meta.url));
const DIST = join(TENSOR, 'dist/index.js');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const haveChromium = existsSync(CHROMIUM);
const required = process.env.CI === 'true' || process.env.LUMEN_REQUIRE_WEBGPU === '1';
if (!haveChromium && !required) {
  console.log(
    `dist kernels in the browser skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );
}

const [M, N, K] = [37, 29, 70];
/** The product both sides compute, as source text: a(i,k) = sin(i·K + k), b(k,j) = cos(k·N + j). */
const PROGRAM = `
await L.cpuKernelsReady();
const a = Float32Array.from({ length: ${M * K} }, (_, i) => Math.sin(i));
const b = Float32Array.from({ length: ${K * N} }, (_, i) => Math.cos(i));
const c = L.tensor(a, { shape: [${M}, ${K}] }).matmul(L.tensor(b, { shape: [${K}, ${N}] }));
const result = { kernels: L.cpuKernels(), values: Array.from(c.dataSync()) };
`;

function expected(): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += Math.fround(Math.sin(i * K + k)) * Math.fround(Math.cos(k * N + j));
      out.push(s);
    }
  return out;
}

function checkResult(r: { kernels: string; values: number[] }): void {
  expect(['simd128', 'relaxed-simd']).toContain(r.kernels);
  const want = expected();
  expect(r.values.length).toBe(want.length);
  for (let x = 0; x < want.length; x++) {
    expect(Math.abs(r.values[x]! - want[x]!)).toBeLessThanOrEqual(
      2e-6 * Math.sqrt(K) * (1 + Math.abs(want[x]!)),
    );
  }
}

describe('@lumen/tensor built package: WebAssembly kernels from the bundle', () => {
  let dir = '';
  beforeAll(() => {
    // CI builds every package before the tests; a developer's checkout may not have yet.
    if (!existsSync(DIST)) execFileSync('npx', ['tsup'], { cwd: TENSOR, stdio: 'ignore' });
    // Inside the app (out/ is git-ignored), so '@lumen/tensor' resolves through node_modules as in a user's project.
    mkdirSync(join(APP, 'out'), { recursive: true });
    dir = mkdtempSync(join(APP, 'out', 'dist-kernels-'));
  }, 120_000);
  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('in a Node worker thread, importing dist/index.js', async () => {
    const src = `
      const { parentPort } = require('node:worker_threads');
      import(${JSON.stringify(pathToFileURL(DIST).href)}).then(async (L) => {
        ${PROGRAM}
        parentPort.postMessage(result);
      }, (e) => parentPort.postMessage({ error: String(e && e.stack || e) }));`;
    const w = new Worker(src, { eval: true });
    const r = await new Promise<{ kernels: string; values: number[]; error?: string }>((resolve, reject) => {
      w.once('message', resolve);
      w.once('error', reject);
    });
    await w.terminate();
    expect(r.error).toBeUndefined();
    checkResult(r);
  });

  it.skipIf(!haveChromium && !required)(
    'in Chromium, from a Vite build that resolves the package as a user would (dist/)',
    async () => {
      const root = join(dir, 'app');
      mkdirSync(root);
      writeFileSync(
        join(root, 'index.html'),
        '<!doctype html><script type="module" src="./main.js"></script>',
      );
      writeFileSync(
        join(root, 'main.js'),
        `import * as L from '@lumen/tensor';\n${PROGRAM}\nwindow.__result = result;\n`,
      );
      const out = join(dir, 'out');
      await build({
        root,
        logLevel: 'error',
        configFile: false,
        // No @lumen/source condition: the package's exports map sends Vite to dist/.
        resolve: { conditions: [...defaultClientConditions] },
        build: { outDir: out, emptyOutDir: true, target: 'es2022' },
      });
      const bundle = readFileSync(join(out, 'assets', readdirJs(out)), 'utf8');
      expect(bundle).not.toContain('/src/backends'); // built from dist, not the sources
      const server: Server = createServer((req, res) => {
        const file = join(out, req.url === '/' ? 'index.html' : (req.url ?? ''));
        if (!file.startsWith(out) || !existsSync(file)) return void res.writeHead(404).end();
        res.writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'text/html' });
        res.end(readFileSync(file));
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const browser = await chromium.launch({
        executablePath: CHROMIUM,
        headless: true,
        args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking'],
      });
      try {
        const page = await browser.newPage();
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        await page.goto(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`);
        await page.waitForFunction(() => (window as { __result?: unknown }).__result !== undefined, null, {
          timeout: 60_000,
        });
        const r = (await page.evaluate(() => (window as { __result?: unknown }).__result)) as {
          kernels: string;
          values: number[];
        };
        expect(errors).toEqual([]);
        checkResult(r);
        expect(await page.evaluate(() => crossOriginIsolated)).toBe(false);
      } finally {
        await browser.close();
        server.close();
      }
    },
    120_000,
  );
});

function readdirJs(out: string): string {
  const files = execFileSync('ls', [join(out, 'assets')], { encoding: 'utf8' }).split('\n');
  const js = files.find((f) => f.endsWith('.js'));
  if (!js) throw new Error(`no .js in ${out}/assets`);
  return js;
}
