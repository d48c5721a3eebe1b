import type { Point } from '../../src/charts/charts.ts';

/** What the MNIST worker sends back while it works. */
export type MnistMessage =
  | { kind: 'status'; text: string }
  | { kind: 'pca'; points: Point[]; ratio: number[] }
  | { kind: 'tsne'; iteration: number; of: number; points: Point[]; kl: number | null }
  | { kind: 'done'; seconds: number }
  | { kind: 'error'; message: string };

export interface MnistRequest {
  urls: string[];
  /** Digits in the PCA scatter. */
  pcaRows: number;
  /** Digits in the t-SNE map, and its iterations. */
  tsneRows: number;
  tsneIter: number;
}

/** What the GPT-2 worker sends back. */
export type Gpt2Message =
  | { kind: 'status'; text: string }
  | { kind: 'loss'; step: number; of: number; loss: number }
  | { kind: 'token'; text: string }
  | { kind: 'done'; seconds: number; tokens: number; firstLoss: number; lastLoss: number }
  | { kind: 'error'; message: string };

export interface Gpt2Request {
  text: string;
  device: 'cpu' | 'webgpu';
  steps: number;
  newTokens: number;
}
