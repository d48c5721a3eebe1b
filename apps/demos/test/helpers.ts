import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Device } from '@lumen/tensor';
import type { DemoContext } from '../src/demo.ts';
import { nodeContext } from '../src/lib/nodeContext.ts';

/** A quick-mode context that collects the demo's output lines and writes plots to a fresh folder. */
export function testContext(device: Device = 'cpu'): { ctx: DemoContext; lines: string[]; outDir: string } {
  const lines: string[] = [];
  const outDir = mkdtempSync(join(tmpdir(), 'lumen-demos-'));
  const ctx = nodeContext({
    device,
    quick: true,
    outDir,
    log: (l) => lines.push(l),
    progressWrite: () => {},
  });
  return { ctx, lines, outDir };
}
