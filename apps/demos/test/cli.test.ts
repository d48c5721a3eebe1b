import { describe, expect, it } from 'vitest';
import { DEMOS, parseArgs } from '../src/cli.ts';
import tensorDemo from '../src/demos/tensor.ts';
import { testContext } from './helpers.ts';

describe('pnpm demo arguments', () => {
  it('defaults to the tour on the auto device', () => {
    expect(parseArgs([])).toEqual({ names: [], device: 'auto', quick: false, help: false });
  });
  it('reads names, --device in both spellings and --quick', () => {
    expect(parseArgs(['blobs', '--device', 'cpu', '--quick'])).toEqual({
      names: ['blobs'],
      device: 'cpu',
      quick: true,
      help: false,
    });
    expect(parseArgs(['--device=webgpu', 'autograd', 'blobs']).device).toBe('webgpu');
  });
  it('names what was wrong', () => {
    expect(() => parseArgs(['--device', 'cuda'])).toThrow('--device must be cpu, webgpu or auto, got "cuda"');
    expect(() => parseArgs(['--device'])).toThrow('got null');
    expect(() => parseArgs(['nope'])).toThrow(
      `unknown demo "nope"; the demos are: ${Object.keys(DEMOS).join(', ')}`,
    );
    expect(() => parseArgs(['--fast'])).toThrow('unknown option --fast');
  });
});

describe('tensor demo', () => {
  it('prints the product and a softmax whose rows sum to 1, computed on cpu', async () => {
    const { ctx, lines } = testContext();
    const r = await tensorDemo.run(ctx);
    const text = lines.join('\n');
    expect(text).toContain('[cpu] a @ b =');
    const soft = text.split('[cpu] softmax(a @ b, dim=-1) =\n')[1]!.split('\n').slice(0, 2).join(' ');
    const nums = soft.match(/-?\d+\.\d+(?:e[-+]\d+)?/g)!.map(Number);
    expect(nums).toHaveLength(8);
    expect(nums.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    expect(r.summary).toMatch(/^cpu \d+\.\d+ GFLOP\/s$/);
  });
});

describe('demo registry', () => {
  it('every entry loads a demo whose name is its key', async () => {
    for (const [key, load] of Object.entries(DEMOS)) {
      const demo = (await load()).default;
      expect(demo.name).toBe(key);
      expect(demo.description.length).toBeGreaterThan(10);
    }
  });
});
