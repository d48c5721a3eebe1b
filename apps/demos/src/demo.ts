import type { Device } from '@lumen/tensor';
import type { TopLevelSpec } from 'vega-lite';
import type { ProgressFactory } from './lib/progress.ts';

/** What every demo gets, so the same program runs alone, in the tour, in tests. */
export interface DemoContext {
  /** The device to compute on, already resolved: 'webgpu' only when an adapter was found. */
  device: Device;
  /** Smaller data and fewer steps (the tour, CI): under a minute on cpu. */
  quick: boolean;
  /** Where plots and files go (apps/demos/out/ from the CLI). */
  outDir: string;
  /** `--model`: a Hub id or local folder for the demos that load a pretrained model (gpt2). */
  model?: string;
  log: (line: string) => void;
  /** A progress bar with rate and ETA for anything that takes more than a moment. */
  progress: ProgressFactory;
  /** Renders a Vega-Lite spec to `<outDir>/<name>.svg` and `.png` and prints the paths. */
  plot: (name: string, spec: TopLevelSpec) => Promise<void>;
}

export interface DemoResult {
  /** One line for the tour's table: the headline numbers. */
  summary: string;
}

export interface Demo {
  name: string;
  description: string;
  run(ctx: DemoContext): Promise<DemoResult>;
}
