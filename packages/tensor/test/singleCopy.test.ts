import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import * as L from '../src/index.ts';
import { claimSingleCopy } from '../src/singleCopy.ts';

const here = fileURLToPath(new URL('../src/tensor.ts', import.meta.url));

describe('one @lumen/tensor per process', () => {
  it('the same copy evaluated again (a dev server re-running it with ?t=…) is not a second copy', () => {
    expect(L.tensor([1]).shape).toEqual([1]);
    expect(() => claimSingleCopy(new URL('../src/tensor.ts?t=123', import.meta.url).href)).not.toThrow();
  });

  it('a second copy throws one error naming both paths, both versions and the fix', () => {
    const other = 'file:///app/node_modules/@lumen/nn/node_modules/@lumen/tensor/dist/index.js';
    let message = '';
    try {
      claimSingleCopy(other, '9.9.9');
    } catch (e) {
      expect(e).toBeInstanceOf(L.LumenError);
      message = (e as Error).message;
    }
    expect(message.split('\n')).toEqual([
      '@lumen/tensor is loaded twice in this process:',
      `  ${here} (version source, loaded first)`,
      '  /app/node_modules/@lumen/nn/node_modules/@lumen/tensor/dist/index.js (version 9.9.9)',
      expect.stringContaining('Two copies make two Tensor classes'),
      expect.any(String),
      expect.stringContaining('install matching versions and dedupe (`npm dedupe`, `pnpm dedupe`'),
      expect.stringContaining('`npm ls @lumen/tensor`'),
    ]);
  });

  const dir = mkdtempSync(join(tmpdir(), 'lumen-second-copy-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('importing a real second copy of the package fails at import, before any op', async () => {
    cpSync(fileURLToPath(new URL('../src', import.meta.url)), join(dir, 'src'), { recursive: true });
    const copy = join(dir, 'src', 'index.ts');
    await expect(import(/* @vite-ignore */ copy)).rejects.toThrow(
      `@lumen/tensor is loaded twice in this process:\n  ${here} (version source, loaded first)\n  ${join(dir, 'src', 'tensor.ts')} (version source)`,
    );
  });
});
