import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

/**
 * End to end: builds the browser demo with Vite, serves it on localhost, and drives Debian's
 * Chromium (never a downloaded browser) through every panel, with WebGPU and without it.
 * Screenshots go to apps/demos/out/browser-*.png.
 */
const APP = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(APP, 'out');
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
const required = process.env.CI === 'true' || process.env.LUMEN_REQUIRE_WEBGPU === '1';
if (!haveChromium && !required)
  console.log(
    `browser demo test skipped: no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  );

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.css': 'text/css',
  '.json': 'application/json',
  '.txt': 'text/plain',
};

/** A static file server for the built page, on a free localhost port (a secure context for WebGPU). */
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

/** Console errors and uncaught exceptions of a page, which must stay empty. */
function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  page.on('pageerror', (e) => errors.push(e.message));
  return errors;
}

async function runPanel(page: Page, id: string, timeout: number): Promise<void> {
  await page.click(`#${id}-run`);
  await page.waitForSelector(`#${id}[data-state="done"], #${id}[data-state="failed"]`, { timeout });
  const state = await page.getAttribute(`#${id}`, 'data-state');
  if (state !== 'done') throw new Error(`${id} panel failed: ${await page.textContent(`#${id}-status`)}`);
}

/** Marks drawn by vega inside a chart's SVG (one <path> per point or cell). */
function countMarks(page: Page, chart: string, markClass: string): Promise<number> {
  return page.$$eval(`#${chart} g.${markClass}.role-mark path`, (paths) => paths.length);
}

describe.skipIf(!haveChromium && !required)('browser demo (Vite build, headless Chromium)', () => {
  let dist = '';
  let server: Server;
  let url = '';
  let browser: Browser | undefined;

  beforeAll(async () => {
    dist = mkdtempSync(join(tmpdir(), 'lumen-demos-web-'));
    await build({
      configFile: join(APP, 'vite.config.ts'),
      root: join(APP, 'web'),
      logLevel: 'error',
      build: { outDir: dist, emptyOutDir: true },
    });
    server = await serve(dist);
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    mkdirSync(OUT, { recursive: true });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('with WebGPU: trains the blobs classifier, draws PCA and a converging t-SNE, streams GPT-2 text', async () => {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ['--enable-unsafe-webgpu', ...FLAGS],
    });
    const page = await browser.newPage({ viewport: { width: 1200, height: 1500 } });
    const errors = watchErrors(page);
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getAttribute('body', 'data-device')).toBe('webgpu');
    expect(await page.isVisible('#notice')).toBe(false);

    await runPanel(page, 'blobs', 120_000);
    expect(Number(await page.getAttribute('#blobs', 'data-accuracy'))).toBeGreaterThanOrEqual(0.97);
    expect(await countMarks(page, 'blobs-boundary', 'mark-rect')).toBe(900); // the 30 × 30 probability grid
    expect(await countMarks(page, 'blobs-boundary', 'mark-symbol')).toBe(120); // the test points
    expect(await page.textContent('#blobs-status')).toMatch(/test accuracy \d+\.\d%/);

    await runPanel(page, 'mnist', 180_000);
    expect(await page.getAttribute('#mnist', 'data-pca-points')).toBe('5000');
    expect(await countMarks(page, 'mnist-pca', 'mark-symbol')).toBe(5000);
    expect(await page.getAttribute('#mnist', 'data-tsne-iteration')).toBe('400');
    expect(await countMarks(page, 'mnist-tsne', 'mark-symbol')).toBe(1000);
    const ratio = (await page.getAttribute('#mnist', 'data-pca-ratio'))!.split(',').map(Number);
    expect(ratio[0]).toBeGreaterThan(ratio[1]!);
    expect(ratio[0]! + ratio[1]!).toBeGreaterThan(0.1);

    await runPanel(page, 'gpt2', 180_000);
    expect(await page.getAttribute('#gpt2', 'data-tokens')).toBe('40');
    // The text arrived in many pieces (one message per token), not at the end in one block.
    expect(Number(await page.getAttribute('#gpt2', 'data-pieces'))).toBeGreaterThanOrEqual(20);
    const text = (await page.textContent('#gpt2-text'))!;
    expect(text.startsWith('The state of our Union')).toBe(true);
    expect(text.length).toBeGreaterThan('The state of our Union'.length + 40);
    expect(Number(await page.getAttribute('#gpt2', 'data-last-loss'))).toBeLessThan(
      Number(await page.getAttribute('#gpt2', 'data-first-loss')),
    );

    await page.screenshot({ path: join(OUT, 'browser-webgpu.png'), fullPage: true });
    expect(errors).toEqual([]);
    await browser.close();
    browser = undefined;
  }, 480_000);

  it('without WebGPU: says so in a visible notice and trains on cpu', async () => {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: FLAGS });
    const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    const errors = watchErrors(page);
    await page.goto(url);
    await page.waitForSelector('body[data-ready="true"]');
    expect(await page.getAttribute('body', 'data-device')).toBe('cpu');
    expect(await page.isVisible('#notice')).toBe(true);
    expect(await page.textContent('#notice')).toContain('WebGPU is not available');
    await runPanel(page, 'blobs', 120_000);
    expect(Number(await page.getAttribute('#blobs', 'data-accuracy'))).toBeGreaterThanOrEqual(0.97);
    await page.screenshot({ path: join(OUT, 'browser-cpu-fallback.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 240_000);
});
