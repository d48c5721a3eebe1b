import { describe, expect, it } from 'vitest';
import { Rng } from '../src/rng.ts';
import { fuzz } from '../src/runner.ts';

describe('the fuzz runner', () => {
  it('classifies results, library errors, generic errors, hangs, crashes and heap exhaustion by input', async () => {
    const r = await fuzz('_harness', { n: 8, timeoutMs: 1500, maxHeapMb: 64 });
    const byIndex = new Map(r.findings.map((f) => [f.index, f.outcome]));
    expect(r.counts).toEqual({ ok: 3, 'library-error': 1, 'generic-error': 1, hang: 1, crash: 1, oom: 1 });
    expect([...byIndex]).toEqual([
      [2, 'generic-error'],
      [3, 'hang'],
      [4, 'crash'],
      [5, 'oom'],
    ]);
    expect(r.findings.find((f) => f.index === 4)!.message).toContain('SIGSEGV');
    expect(r.findings.find((f) => f.index === 2)!.input).toBe('kind 2');
  });

  it('draws the same input for a seed and index, whatever ran before', () => {
    const a = Rng.forInput(7, 123);
    const b = Rng.forInput(7, 123);
    const xs = Array.from({ length: 5 }, () => a.u32());
    expect(Array.from({ length: 5 }, () => b.u32())).toEqual(xs);
    expect(Rng.forInput(7, 124).u32()).not.toBe(xs[0]);
    expect(Rng.forInput(8, 123).u32()).not.toBe(xs[0]);
  });
});
