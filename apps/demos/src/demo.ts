/** What every demo gets and returns, so the tour can run them all and print one table. */
export interface DemoContext {
  /** 'cpu', 'webgpu', or 'auto' (webgpu when an adapter exists, else cpu). */
  device: 'cpu' | 'webgpu' | 'auto';
  /** Smaller data and fewer steps, for the tour and for tests. */
  quick: boolean;
  /** Where plots and files go. */
  outDir: string;
  log: (line: string) => void;
}

export interface Demo {
  name: string;
  description: string;
  run(ctx: DemoContext): Promise<{ summary: string }>;
}
