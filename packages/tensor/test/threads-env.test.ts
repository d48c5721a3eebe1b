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
