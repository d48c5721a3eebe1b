import { readFileSync, rmSync } from 'node:fs';
import { describe, expect, it, vi } from 'vitest';
import { BenchContext, printTable, timeIt, writeResults } from '../src/harness.ts';

describe('bench harness', () => {
  it('ratios are ours/peer for rates and peer/ours for times', () => {
    vi.spyOn(console, 'log').mockImplementation(() => {});
    const ctx = new BenchContext(true);
    ctx.add({ case: 'rate', unit: 'GB/s', ours: 6, peerName: 'p', peer: 2 });
    ctx.add({ case: 'time', unit: 'ms', ours: 5, peerName: 'p', peer: 20 }, false);
    ctx.add({ case: 'no peer', unit: 'ms', ours: 5, peerName: 'p', peer: null }, false);
    expect(ctx.rows.map((r) => r.ratio)).toEqual([3, 4, null]);
    const table = printTable('t', ctx.rows);
    expect(table).toContain('| rate');
    expect(table).toContain('3.00x');
    expect(table).toContain('4.00x');
  });

  it('timeIt returns the fastest of at least minReps runs', async () => {
    let calls = 0;
    const t = await timeIt(
      () => {
        calls++;
      },
      { warmup: 2, minReps: 5, minTime: 0 },
    );
    expect(calls).toBe(7);
    expect(t).toBeGreaterThanOrEqual(0);
  });

  it('writes results atomically as JSON', () => {
    const file = writeResults(
      'harness-test',
      [{ case: 'c', unit: 'ms', ours: 1, peerName: 'p', peer: 2, ratio: 2 }],
      { node: 'x' },
    );
    const json = JSON.parse(readFileSync(file, 'utf8'));
    expect(json.suite).toBe('harness-test');
    expect(json.rows[0].ratio).toBe(2);
    rmSync(file);
  });
});
