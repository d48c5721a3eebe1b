import { checkOptions } from '@lumen/tensor';
import { fail } from '../errors.js';
import type { Optimizer } from './optimizer.js';

// biome-ignore lint/suspicious/noExplicitAny: schedulers work with any optimizer's hyperparameters
type AnyOptimizer = Optimizer<any, any>;

/**
 * torch.optim.lr_scheduler's base: remembers each group's initial lr, and on every `step()` sets
 * group.lr from the epoch count. A subclass calls `start()` at the end of its constructor, which
 * applies epoch 0 as PyTorch's constructor does (subclass fields do not exist yet in super()).
 */
export abstract class LRScheduler {
  readonly optimizer: AnyOptimizer;
  readonly baseLrs: number[];
  lastEpoch = -1;
  private lastLr: number[] = [];

  constructor(name: string, optimizer: AnyOptimizer) {
    if (!optimizer || !Array.isArray((optimizer as { paramGroups?: unknown }).paramGroups)) {
      fail(name, 'optimizer must be an Optimizer (SGD, Adam, AdamW…)');
    }
    this.optimizer = optimizer;
    for (const g of optimizer.paramGroups) g.initialLr ??= g.lr;
    this.baseLrs = optimizer.paramGroups.map((g) => g.initialLr as number);
  }

  protected start(): void {
    this.step();
  }

  /** The learning rate of group `i` at `epoch`. */
  protected abstract lrAt(epoch: number, baseLr: number, i: number): number;

  step(): void {
    this.lastEpoch += 1;
    this.optimizer.paramGroups.forEach((g, i) => {
      g.lr = this.lrAt(this.lastEpoch, this.baseLrs[i]!, i);
    });
    this.lastLr = this.optimizer.paramGroups.map((g) => g.lr);
  }

  /** The learning rates the last step() set, one per group. */
  getLastLr(): number[] {
    return this.lastLr.slice();
  }
}

/** StepLR: lr = base · gamma^⌊epoch / stepSize⌋. */
export class StepLR extends LRScheduler {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: AnyOptimizer, options: { stepSize: number; gamma?: number }) {
    super('StepLR', optimizer);
    if (options !== undefined) checkOptions('StepLR', options, ['stepSize', 'gamma']);
    const stepSize = options?.stepSize;
    if (!Number.isInteger(stepSize) || stepSize <= 0)
      fail('StepLR', `stepSize must be a positive integer, got ${stepSize}`);
    const gamma = options.gamma ?? 0.1;
    if (typeof gamma !== 'number' || !(gamma > 0))
      fail('StepLR', `gamma must be a positive number, got ${gamma}`);
    this.stepSize = stepSize;
    this.gamma = gamma;
    this.start();
  }
  protected lrAt(epoch: number, baseLr: number): number {
    return baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** LambdaLR: lr = base · lrLambda(epoch). */
export class LambdaLR extends LRScheduler {
  private readonly lrLambda: (epoch: number) => number;
  constructor(optimizer: AnyOptimizer, lrLambda: (epoch: number) => number) {
    super('LambdaLR', optimizer);
    if (typeof lrLambda !== 'function')
      fail('LambdaLR', `lrLambda must be a function, got ${typeof lrLambda}`);
    this.lrLambda = lrLambda;
    this.start();
  }
  protected lrAt(epoch: number, baseLr: number): number {
    return baseLr * this.lrLambda(epoch);
  }
}

/**
 * transformers' get_linear_schedule_with_warmup: lr rises linearly from 0 to the base over
 * warmupSteps, then falls linearly to 0 at totalSteps. Call `step()` after each optimizer step.
 */
export function linearWarmupSchedule(
  optimizer: AnyOptimizer,
  options: { warmupSteps: number; totalSteps: number },
): LambdaLR {
  checkOptions('linearWarmupSchedule', options, ['warmupSteps', 'totalSteps']);
  const { warmupSteps, totalSteps } = options ?? ({} as { warmupSteps: number; totalSteps: number });
  if (!Number.isInteger(warmupSteps) || warmupSteps < 0)
    fail('linearWarmupSchedule', `warmupSteps must be an integer >= 0, got ${warmupSteps}`);
  if (!Number.isInteger(totalSteps) || totalSteps < warmupSteps) {
    fail(
      'linearWarmupSchedule',
      `totalSteps must be an integer >= warmupSteps (${warmupSteps}), got ${totalSteps}`,
    );
  }
  return new LambdaLR(optimizer, (step) => {
    if (step < warmupSteps) return step / Math.max(1, warmupSteps);
    return Math.max(0, (totalSteps - step) / Math.max(1, totalSteps - warmupSteps));
  });
}
