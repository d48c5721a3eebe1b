import { existsSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import autograd from '../src/demos/autograd.ts';
import blobs from '../src/demos/blobs.ts';
import { testContext } from './helpers.ts';

// The short demos run here on cpu; every demo runs in CI's `pnpm demo --quick` tour, which fails when
// a demo's headline check fails.
describe('short demos, quick mode, cpu', () => {
  it('autograd: gradients as derived by hand, accumulation, and the tanh plot', async () => {
    const { ctx, lines, outDir } = testContext();
    const { summary } = await autograd.run(ctx);
    expect(summary).toContain('on cpu');
    expect(lines.join('\n')).toContain('w.grad = tensor([3.2000, 6.4000, 9.6000])');
    expect(existsSync(`${outDir}/autograd-tanh.svg`)).toBe(true);
  });

  it('blobs: test accuracy of at least 97% and both plots', async () => {
    const { ctx, outDir } = testContext();
    const { summary } = await blobs.run(ctx);
    const acc = Number(summary.match(/test accuracy ([\d.]+)%/)![1]);
    expect(acc).toBeGreaterThanOrEqual(97);
    for (const f of ['blobs-decision-boundary', 'blobs-loss'])
      expect(existsSync(`${outDir}/${f}.png`) && existsSync(`${outDir}/${f}.svg`)).toBe(true);
  });
});
