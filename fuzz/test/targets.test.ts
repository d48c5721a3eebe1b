import { describe, expect, it } from 'vitest';
import { formatReport, fuzz } from '../src/runner.ts';
import { TARGETS } from '../src/targets/index.ts';

// Every library target, 2,000 inputs each: any generic error, hang, crash or oom fails CI.
const names = Object.keys(TARGETS).filter((t) => !t.startsWith('_'));

describe.each(names)('fuzz target %s', (name) => {
  it('2,000 seeded inputs: every one loads or gets a library error', { timeout: 600_000 }, async () => {
    const report = await fuzz(name, { n: 2000, seed: 1 });
    console.log(formatReport(report));
    expect(report.findings, formatReport(report)).toEqual([]);
  });
});
