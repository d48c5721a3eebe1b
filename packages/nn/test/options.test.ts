import { randn, tensor, zeros } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  Adam,
  AdamW,
  CrossEntropyLoss,
  clipGradNorm,
  Dropout,
  Embedding,
  F,
  init,
  LayerNorm,
  Linear,
  linearWarmupSchedule,
  MSELoss,
  Parameter,
  SGD,
  StepLR,
  serializeSafetensors,
} from '../src/index.js';

describe('nn option bags are checked (an unknown key is an error, snake_case gets did-you-mean)', () => {
  const params = () => [Parameter(zeros([2]))];

  it('optimizers', () => {
    expect(() => new SGD(params(), { lr: 0.1, weight_decay: 1e-4 } as never)).toThrow(
      'SGD: unknown option "weight_decay" (did you mean `weightDecay`?); the options are lr, momentum, dampening, weightDecay, nesterov, maximize',
    );
    expect(() => new Adam(params(), { beta: [0.9, 0.99] } as never)).toThrow('did you mean `betas`?');
    expect(() => new AdamW(params(), { lr: 1e-3, amsGrad: true } as never)).toThrow(
      'AdamW: unknown option "amsGrad" (did you mean `amsgrad`?)',
    );
    expect(() => new Adam([{ params: params(), learningRate: 1 }] as never)).toThrow(
      'Adam paramGroups[0]: unknown option "learningRate"',
    );
    // the options still reach every group, group overrides win
    const opt = new SGD([{ params: params() }, { params: params(), lr: 0.5 }], { lr: 0.1, momentum: 0.9 });
    expect(opt.paramGroups.map((g) => [g.lr, g.momentum])).toEqual([
      [0.1, 0.9],
      [0.5, 0.9],
    ]);
    expect(new AdamW(params()).paramGroups[0]!.weightDecay).toBe(0.01);
  });

  it('schedulers, clipGradNorm, layers, losses, init, safetensors', () => {
    const opt = new SGD(params(), { lr: 0.1 });
    expect(() => new StepLR(opt, { step_size: 2 } as never)).toThrow('did you mean `stepSize`?');
    expect(() => linearWarmupSchedule(opt, { warmupSteps: 1, totalSteps: 2, numCycles: 1 } as never)).toThrow(
      'linearWarmupSchedule: unknown option "numCycles"',
    );
    expect(() => clipGradNorm(params(), 1, { norm_type: 2 } as never)).toThrow('did you mean `normType`?');
    expect(() => new Linear(2, 3, { useBias: false } as never)).toThrow('Linear: unknown option "useBias"');
    expect(() => new Embedding(4, 2, { padding_idx: 0 } as never)).toThrow('did you mean `paddingIdx`?');
    expect(() => new LayerNorm(4, { elementwise_affine: false } as never)).toThrow(
      'did you mean `elementwiseAffine`?',
    );
    expect(() => new Dropout(0.1, { inplace: true } as never)).toThrow('Dropout: unknown option "inplace"');
    expect(() => new CrossEntropyLoss({ ignore_index: 0 } as never)).toThrow(
      'CrossEntropyLoss: unknown option "ignore_index" (did you mean `ignoreIndex`?)',
    );
    expect(() => new MSELoss({ size_average: true } as never)).toThrow(
      'MSELoss: unknown option "size_average"; the options are reduction',
    );
    const x = randn([2, 3]);
    expect(() =>
      F.crossEntropy(x, tensor([0, 1], { dtype: 'int32' }), { label_smoothing: 0.1 } as never),
    ).toThrow('crossEntropy: unknown option "label_smoothing" (did you mean `labelSmoothing`?)');
    expect(() => F.dropout(x, { P: 0.5 } as never)).toThrow('did you mean `p`?');
    expect(() =>
      init.kaimingUniform_(zeros([2, 2]), { mode: 'fanIn', non_linearity: 'relu' } as never),
    ).toThrow('kaimingUniform_: unknown option "non_linearity" (did you mean `nonlinearity`?)');
    expect(() => init.xavierUniform_(zeros([2, 2]), { gain: 1, generator: undefined })).not.toThrow();
    return expect(serializeSafetensors({ a: zeros([1]) }, { meta: {} } as never)).rejects.toThrow(
      'saveSafetensors: unknown option "meta" (did you mean `metadata`?)',
    );
  });

  it('module methods', () => {
    const lin = new Linear(2, 2);
    expect(() => lin.loadStateDict(lin.stateDict(), { Strict: false } as never)).toThrow(
      'did you mean `strict`?',
    );
    expect(() => lin.zeroGrad({ set_to_none: false } as never)).toThrow(
      'Linear.zeroGrad: unknown option "set_to_none" (did you mean `setToNone`?)',
    );
    expect(() => new SGD(lin.parameters(), { lr: 1 }).zeroGrad({ setToNone: 0 } as never)).toThrow(
      'SGD.zeroGrad: setToNone must be true or false, got 0',
    );
  });
});
