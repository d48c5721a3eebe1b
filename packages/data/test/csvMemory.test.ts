import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// What reading numbers leaves for the collector: parsing makes no JS value per cell, so a
// numeric file of any size costs the young generation next to nothing (a heap number per cell
// was 16 bytes of garbage each, ~50 MB per second of parsing, and grew the young generation).

const here = dirname(fileURLToPath(import.meta.url));

describe('readCsv memory', () => {
  it('parses 2M numeric cells without a garbage object per cell', { timeout: 60_000 }, () => {
    const child = spawnSync(
      process.execPath,
      [
        '--max-semi-space-size=1',
        '--import',
        'tsx',
        '--conditions=@lumen/source',
        join(here, 'csvGarbageChild.ts'),
      ],
      { encoding: 'utf8', cwd: join(here, '..'), timeout: 50_000 },
    );
    expect(child.stderr).toBe('');
    expect(child.status).toBe(0);
    const got = JSON.parse(child.stdout.trim().split('\n').pop()!);
    expect(got.rows).toBe(100_000);
    expect(got.sum).toBeCloseTo(got.want, 9);
    // a heap number per cell is 32 MB of garbage: some 27 scavenges of a 1 MB young generation
    expect(got.minor).toBeLessThan(8);
  });
});
