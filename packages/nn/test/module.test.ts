import { ones, type Tensor, tensor, zeros } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import {
  Dropout,
  Embedding,
  LayerNorm,
  Linear,
  Module,
  Parameter,
  ReLU,
  Sequential,
  SGD,
} from '../src/index.js';

class Block extends Module {
  ln = new LayerNorm(4);
  fc = new Linear(4, 4);
  forward(x: Tensor): Tensor {
    return this.fc.forward(this.ln.forward(x)).relu();
  }
}

class Net extends Module {
  embed = new Embedding(10, 4);
  blocks = [new Block(), new Block()];
  scale = Parameter(ones([1]));
  head = new Sequential(new Linear(4, 8), new ReLU(), new Dropout(0.1), new Linear(8, 2));
  constructor() {
    super();
    this.registerBuffer('positions', tensor([0, 1, 2], { dtype: 'int32' }));
    this.registerBuffer('scratch', zeros([2]), { persistent: false });
  }
  forward(ids: Tensor): Tensor {
    let h = this.embed.forward(ids);
    for (const b of this.blocks) h = b.forward(h);
    return this.head.forward(h.mul(this.scale));
  }
}

describe('Module', () => {
  it('registers class-field children and parameters in declaration order with dotted names', () => {
    const net = new Net();
    expect(net.namedParameters().map(([k, p]) => `${k} [${p.shape}]`)).toEqual([
      'scale [1]',
      'embed.weight [10,4]',
      'blocks.0.ln.weight [4]',
      'blocks.0.ln.bias [4]',
      'blocks.0.fc.weight [4,4]',
      'blocks.0.fc.bias [4]',
      'blocks.1.ln.weight [4]',
      'blocks.1.ln.bias [4]',
      'blocks.1.fc.weight [4,4]',
      'blocks.1.fc.bias [4]',
      'head.0.weight [8,4]',
      'head.0.bias [8]',
      'head.3.weight [2,8]',
      'head.3.bias [2]',
    ]);
    expect(net.parameters().every((p) => p.requiresGrad && p.isLeaf)).toBe(true);
    expect(net.namedChildren().map(([k]) => k)).toEqual(['embed', 'blocks.0', 'blocks.1', 'head']);
  });

  it('lists a shared parameter once', () => {
    class Tied extends Module {
      a = new Linear(3, 3);
      b = new Linear(3, 3);
      constructor() {
        super();
        this.b.weight = this.a.weight;
      }
    }
    expect(new Tied().namedParameters().map(([k]) => k)).toEqual(['a.weight', 'a.bias', 'b.bias']);
  });

  it('train()/eval() reach every descendant', () => {
    const net = new Net();
    net.eval();
    expect(net.modules().every((m) => !m.training)).toBe(true);
    net.train();
    expect(net.modules().every((m) => m.training)).toBe(true);
  });

  it('stateDict holds parameters and persistent buffers; loadStateDict round-trips in place', () => {
    const a = new Net();
    const b = new Net();
    const sd = a.stateDict();
    expect(Object.keys(sd)).toContain('positions');
    expect(Object.keys(sd)).not.toContain('scratch');
    const weightBefore = b.embed.weight;
    const opt = new SGD(b.parameters(), { lr: 0.1 });
    b.loadStateDict(sd);
    expect(b.embed.weight).toBe(weightBefore); // same tensor, new values: optimizers still hold it
    expect(Array.from(b.embed.weight.dataSync())).toEqual(Array.from(a.embed.weight.dataSync()));
    expect(opt.paramGroups[0]!.params).toContain(b.embed.weight);
  });

  it('loadStateDict is strict by default and lists every problem at once', () => {
    const net = new Net();
    const sd = net.stateDict();
    delete sd['head.3.bias'];
    sd['head.9.weight'] = zeros([1]);
    sd['embed.weight'] = zeros([9, 4]);
    expect(() => net.loadStateDict(sd)).toThrow(
      /missing keys: head\.3\.bias\. unexpected keys: head\.9\.weight\. size mismatches: embed\.weight: the checkpoint has shape \[9, 4\], the model \[10, 4\]/,
    );
    delete sd['embed.weight'];
    const r = net.loadStateDict(sd, { strict: false });
    expect(r).toEqual({ missingKeys: ['embed.weight', 'head.3.bias'], unexpectedKeys: ['head.9.weight'] });
  });

  it('zeroGrad clears gradients; to("cpu") keeps the same tensors', () => {
    const net = new Linear(2, 1);
    net
      .forward(ones([3, 2]))
      .sum()
      .backward();
    expect(net.weight.grad).not.toBeNull();
    net.zeroGrad();
    expect(net.weight.grad).toBeNull();
    const w = net.weight;
    net.to('cpu');
    expect(net.weight).toBe(w);
    expect(() => net.to('tpu' as 'cpu')).toThrow(/device must be 'cpu' or 'webgpu'/);
  });

  it('frozen parameters stay parameters; plain tensors without grad are not', () => {
    class M extends Module {
      w = Parameter(ones([2]), false);
      notAParam = zeros([2]);
    }
    const m = new M();
    expect(m.namedParameters().map(([k]) => k)).toEqual(['w']);
    expect(Object.keys(m.stateDict())).toEqual(['w']);
  });

  it('prints like PyTorch', () => {
    expect(new Sequential(new Linear(2, 3), new ReLU()).toString()).toBe(
      'Sequential(\n  (0): Linear(in_features=2, out_features=3, bias=True)\n  (1): ReLU()\n)',
    );
  });

  it('Sequential checks its arguments', () => {
    expect(() => new Sequential(new Linear(1, 1), {} as Linear)).toThrow(/argument 1 must be a Module/);
  });
});
