import { describe, expect, it } from 'vitest';
import { formatDuration, progressLine, terminalProgress } from '../src/lib/progress.ts';

describe('progress bar', () => {
  it('shows the count, the rate and the ETA while running', () => {
    const line = progressLine('training', 25, 100, 'batch', 5, { loss: 0.123456 });
    expect(line).toContain(' 25% 25/100 batch');
    expect(line).toContain('[5.00 batch/s, ETA 15.0s]');
    expect(line).toContain('loss 0.1235');
    expect(line.match(/█/g)).toHaveLength(6);
  });
  it('shows the total time once done, also when stopped early', () => {
    expect(progressLine('t-SNE', 100, 100, 'iter', 2, undefined, true)).toContain('[50 iter/s, 2.0s]');
    expect(progressLine('t-SNE', 80, 100, 'iter', 2, undefined, true)).toContain(
      '80/100 iter [40 iter/s, 2.0s]',
    );
  });
  it('formats durations for humans', () => {
    expect(formatDuration(3.21)).toBe('3.2s');
    expect(formatDuration(125)).toBe('2m05s');
    expect(formatDuration(3720)).toBe('1h02m');
    expect(formatDuration(Number.POSITIVE_INFINITY)).toBe('?');
  });
  it('off a terminal, prints whole lines and always the final one', () => {
    const out: string[] = [];
    const bar = terminalProgress((s) => out.push(s), false)('epochs', 3, 'epoch');
    bar.tick();
    bar.tick();
    bar.tick(1, { acc: 0.5 });
    bar.done();
    bar.done();
    expect(out).toHaveLength(1);
    expect(out[0]).toMatch(/^epochs █+ 100% 3\/3 epoch \[.* epoch\/s, \d+\.\ds\] {2}acc 0\.5000\n$/);
  });
  it('on a terminal, redraws one line in place', () => {
    const out: string[] = [];
    const bar = terminalProgress((s) => out.push(s), true)('x', 2);
    bar.done();
    expect(out[0]!.startsWith('\r\x1b[2K')).toBe(true);
    expect(out[0]!.endsWith('\n')).toBe(true);
  });
});
