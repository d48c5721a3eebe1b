import { tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { CrossEntropyLoss, F, Linear, NLLLoss } from '../src/index.js';

describe('dtype traps name the fix', () => {
  it('Linear on float64 input (makeBlobs, DataFrame.toTensor) says x.float()', () => {
    const lin = new Linear(2, 3);
    const x = tensor([[1, 2]], { dtype: 'float64' });
    expect(() => lin.forward(x)).toThrow(
      "Linear: Linear weights are float32 but input is float64; convert with x.float() (or create the layer with { dtype: 'float64' })",
    );
    expect(lin.forward(x.float()).shape).toEqual([1, 3]);
    const lin64 = new Linear(2, 3, { dtype: 'float64' });
    expect(() => lin64.forward(tensor([[1, 2]]))).toThrow(
      'Linear weights are float64 but input is float32; convert with x.double()',
    );
    expect(() => lin.forward(tensor([[1, 2]], { dtype: 'int32' }))).toThrow(
      'Linear weights are float32 but input is int32; convert with x.float()',
    );
  });

  it('CrossEntropyLoss with float class indices says they must be an integer tensor', () => {
    const logits = tensor([
      [1, 2, 3],
      [3, 2, 1],
    ]);
    const loss = new CrossEntropyLoss();
    // PyTorch: RuntimeError: expected scalar type Long but found Float
    expect(() => loss.forward(logits, tensor([0, 2]))).toThrow(
      'crossEntropy: class indices must be an integer tensor (int32 here, int64 in PyTorch: .long()), got target of dtype float32 and shape [2]; convert with target.int()',
    );
    expect(() => loss.forward(logits, tensor([0, 2]))).toThrow(
      "class probabilities instead are a float target of the input's shape [2, 3]",
    );
    expect(() => new NLLLoss().forward(logits.logSoftmax(1), tensor([0, 2]))).toThrow(
      'nllLoss: class indices must be an integer tensor',
    );
    // the fix works, and a float target of the input's shape is still probabilities (PyTorch's rule)
    const byIndex = loss.forward(logits, tensor([0, 2]).int()).itemSync() as number;
    const byProb = loss
      .forward(
        logits,
        tensor([
          [1, 0, 0],
          [0, 0, 1],
        ]),
      )
      .itemSync() as number;
    expect(byProb).toBeCloseTo(byIndex, 6);
    // torch.nn.functional.cross_entropy(torch.tensor([[1.,2,3],[3,2,1]]), torch.tensor([0,2])) = 2.4076
    expect(byIndex).toBeCloseTo(2.4076059644443806, 5);
    // a 1-d input and a float target of its shape: probabilities
    expect(F.crossEntropy(tensor([1, 2, 3]), tensor([0, 0, 1])).itemSync()).toBeCloseTo(0.4076059644, 5);
  });
});
