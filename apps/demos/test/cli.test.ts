import { describe, expect, it } from 'vitest';
import tensorDemo from '../src/demos/tensor.ts';

describe('tensor demo', () => {
  it('prints the product and softmax computed on cpu', async () => {
    const lines: string[] = [];
    const r = await tensorDemo.run({ device: 'cpu', quick: true, outDir: '/tmp', log: (l) => lines.push(l) });
    const text = lines.join('\n');
    expect(text).toContain('[cpu] a @ b =');
    // Each softmax row sums to 1.
    const soft = text.split('[cpu] softmax(a @ b, dim=-1) =\n')[1]!.split('\n').slice(0, 2).join(' ');
    const nums = soft.match(/-?\d+\.\d+(?:e[-+]\d+)?/g)!.map(Number);
    expect(nums).toHaveLength(8);
    expect(nums.slice(0, 4).reduce((a, b) => a + b, 0)).toBeCloseTo(1, 3);
    expect(r.summary).toMatch(/^cpu \d+\.\d+ GFLOP\/s$/);
  });
});
