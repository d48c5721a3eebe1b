import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as L from '../src/index.ts';

// Child processes load the package from source the way a user's script loads it, under loaders and
// environments the test process itself cannot switch to.
const PKG = fileURLToPath(new URL('..', import.meta.url));
const cores = availableParallelism();

function node(args: string[], code: string, env: Record<string, string> = {}) {
  return spawnSync(process.execPath, ['--import', 'tsx', '--conditions=@lumen/source', ...args, '-e', code], {
    cwd: PKG,
    env: { ...process.env, ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
}

const PRODUCT = `
import * as L from '@lumen/tensor';
const a = L.rand([256, 256]);
const c = L.matmul(a, a);
console.log(JSON.stringify({ threads: L.getNumThreads(), sum: (await c.sum().item()) > 0 }));
`;

describe('cpu threads under every module loader (issue 13)', () => {
  it('--input-type=module: the workers start (they were CommonJS-only: 10 s, then one thread)', () => {
    const r = node(['--input-type=module'], PRODUCT);
    expect(r.stderr).not.toMatch(/could not start/);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.threads).toBe(Math.min(cores, 8));
    expect(out.sum).toBe(true);
  });

  it('a malformed LUMEN_NUM_THREADS fails at import, naming the variable and the value', () => {
    for (const bad of ['abc', '0', '1.5']) {
      const r = node(['--input-type=module'], `import '@lumen/tensor';`, { LUMEN_NUM_THREADS: bad });
      expect(r.status).not.toBe(0);
      expect(r.stderr).toContain(`LUMEN_NUM_THREADS must be an integer >= 1, got ${JSON.stringify(bad)}`);
    }
  });

  it('more threads than cores are capped at the core count, with one warning', () => {
    const r = node(['--input-type=module'], PRODUCT, { LUMEN_NUM_THREADS: '64' });
    expect(r.stderr).toContain(`LUMEN_NUM_THREADS asks for 64 threads but this machine has ${cores} cores`);
    expect(JSON.parse(r.stdout.trim().split('\n').pop()!).threads).toBe(cores);
  });

  it('a CommonJS script starts them too', () => {
    const cjs = execFileSync(
      process.execPath,
      [
        '--conditions=@lumen/source',
        '--import',
        'tsx',
        '-e',
        PRODUCT.replace("import * as L from '@lumen/tensor';", "const L = require('@lumen/tensor');").replace(
          '(await c.sum().item())',
          'c.sum().itemSync()',
        ),
      ],
      { cwd: PKG, encoding: 'utf8' },
    );
    expect(JSON.parse(cjs.trim().split('\n').pop()!).threads).toBe(Math.min(cores, 8));
  });
});

describe('allocation failures', () => {
  it('name the op, the element count and the bytes asked for (not a bare RangeError)', () => {
    expect(() => L.zeros([70000, 70000]).add(1)).toThrow(
      /full: cannot allocate the cpu result, 4900000000 float32 elements \(19600000000 bytes\)/,
    );
    expect(() => L.matmul(L.zeros([70000, 1]), L.zeros([1, 70000]))).toThrow(/^matmul: cannot allocate/);
  });
});

describe('LUMEN_WASM=relaxed', () => {
  // A float32 product on the worker threads (rows ≥ columns: the shared-item path) and its error
  // against the same product in float64 on the TypeScript reference path.
  const RELAXED = `
import * as L from '@lumen/tensor';
L.setNumThreads(2);
const a = L.randn([384, 320], { generator: new L.Generator(1) });
const b = L.randn([320, 288], { generator: new L.Generator(2) });
const c = L.matmul(a, b).dataSync();
const ref = L.matmul(a.double(), b.double()).dataSync();
let err = 0;
for (let i = 0; i < c.length; i++) err = Math.max(err, Math.abs(c[i] - ref[i]));
console.log(JSON.stringify({ kernels: L.cpuKernels(), threads: L.getNumThreads(), err }));
`;

  it("runs the fused multiply-add kernels with no node flag: on Node 20 it turns on V8's relaxed-SIMD flag", () => {
    // Without the variable, Node 20 runs SIMD128 (its V8 keeps relaxed SIMD behind a flag) and the
    // package changes no V8 flag on its own.
    const auto = node(['--input-type=module'], RELAXED);
    expect(auto.status, auto.stderr).toBe(0);
    const autoOut = JSON.parse(auto.stdout.trim().split('\n').pop()!);
    const node20 = process.versions.node.startsWith('20.');
    expect(autoOut.kernels).toBe(node20 ? 'simd128' : 'relaxed-simd');

    const r = node(['--input-type=module'], RELAXED, { LUMEN_WASM: 'relaxed' });
    expect(r.status, r.stderr).toBe(0);
    const out = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(out.kernels).toBe('relaxed-simd');
    expect(out.threads).toBe(Math.min(cores, 2));
    // 320 products of N(0,1) values summed in float32: errors of ~1e-5, far below a wrong kernel's.
    expect(out.err).toBeLessThan(1e-3);
    expect(autoOut.err).toBeLessThan(1e-3);
  });
});
