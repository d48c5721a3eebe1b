import { mkdirSync } from 'node:fs';
import type { Device } from '@lumen/tensor';
import type { DemoContext } from '../demo.ts';
import { savePlot } from './plot.ts';
import { terminalProgress } from './progress.ts';

/** The context a demo gets in Node: console output, a terminal progress bar, plots as files. */
export function nodeContext(opts: {
  device: Device;
  quick: boolean;
  outDir: string;
  model?: string;
  log?: (line: string) => void;
  progressWrite?: (s: string) => void;
}): DemoContext {
  const log = opts.log ?? ((line: string) => console.log(line));
  mkdirSync(opts.outDir, { recursive: true });
  return {
    device: opts.device,
    quick: opts.quick,
    outDir: opts.outDir,
    ...(opts.model === undefined ? {} : { model: opts.model }),
    log,
    progress: terminalProgress(opts.progressWrite),
    async plot(name, spec) {
      const { svg, png } = await savePlot(spec, opts.outDir, name);
      log(`  plot: ${svg}`);
      log(`        ${png}`);
    },
  };
}
