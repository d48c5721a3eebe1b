import { describe, expect, it } from 'vitest';
import {
  checkOptions,
  LumenError,
  randn,
  scaledDotProductAttention,
  suggestOption,
  tensor,
  zeros,
} from '../src/index.js';

describe('checkOptions (the helper every Lumen package uses)', () => {
  it('names the valid keys and suggests the camelCase name for a snake_case key', () => {
    expect(() => checkOptions('tok', { max_length: 8 }, ['padding', 'maxLength'])).toThrow(LumenError);
    expect(() => checkOptions('tok', { max_length: 8 }, ['padding', 'maxLength'])).toThrow(
      'tok: unknown option "max_length" (did you mean `maxLength`?); the options are padding, maxLength',
    );
  });

  it('suggests near misses, not unrelated words', () => {
    expect(suggestOption('sepp', ['sep', 'header'])).toBe('sep');
    expect(suggestOption('KeepDim', ['keepdim'])).toBe('keepdim');
    expect(suggestOption('colour', ['sep', 'header'])).toBeNull();
    expect(suggestOption('warmup', ['warmupSteps', 'totalSteps'])).toBe('warmupSteps');
    expect(suggestOption('max', ['maxLength', 'maxNewTokens'])).toBeNull();
    expect(() => checkOptions('f', { colour: 1 }, ['sep'])).toThrow(
      'f: unknown option "colour"; the options are sep',
    );
  });

  it('takes aliases for renamed keys, accepts undefined and refuses non-objects', () => {
    expect(() => checkOptions('f', { old: 1 }, ['fresh'], { old: 'fresh' })).toThrow('did you mean `fresh`?');
    expect(() => checkOptions('save', { safe_serialization: true }, [])).toThrow(
      'save: unknown option "safe_serialization"; it takes no options',
    );
    expect(() => checkOptions('f', undefined, ['a'])).not.toThrow();
    expect(() => checkOptions('f', { a: undefined }, ['a'])).not.toThrow();
    expect(() => checkOptions('f', 3, ['a'])).toThrow('f: options must be an object, got number 3');
    expect(() => checkOptions('f', [1], ['a'])).toThrow('options must be an object');
  });
});

describe('tensor option bags are checked', () => {
  it('creation', () => {
    expect(() => tensor([1, 2], { requires_grad: true } as never)).toThrow(
      'tensor: unknown option "requires_grad" (did you mean `requiresGrad`?)',
    );
    expect(() => zeros([2], { dtpye: 'int32' } as never)).toThrow('did you mean `dtype`?');
    expect(() => randn([2], { seed: 1 } as never)).toThrow(
      'randn: unknown option "seed"; the options are dtype, device, requiresGrad, generator',
    );
    expect(tensor(new Float32Array([1, 2, 3, 4]), { shape: [2, 2] }).shape).toEqual([2, 2]);
  });

  it('reductions, add/sub alpha, gelu, attention', () => {
    const x = tensor([
      [1, 2],
      [3, 4],
    ]);
    expect(() => x.sum(0, { keepDim: true } as never)).toThrow(
      'sum: unknown option "keepDim" (did you mean `keepdim`?)',
    );
    expect(() => x.mean(0, { keep_dim: true } as never)).toThrow('mean: unknown option "keep_dim"');
    expect(() => x.var(0, { unbiased: false } as never)).toThrow(
      'var: unknown option "unbiased"; the options are keepdim, correction',
    );
    expect(x.var(0, { correction: 0 }).arraySync()).toEqual([1, 1]);
    expect(() => x.argmax(1, { keepdims: true } as never)).toThrow('did you mean `keepdim`?');
    expect(() => x.add(1, { alhpa: 2 } as never)).toThrow('did you mean `alpha`?');
    expect(() => x.gelu({ approximation: 'tanh' } as never)).toThrow('gelu: unknown option "approximation"');
    const q = randn([1, 2, 4]);
    expect(() => scaledDotProductAttention(q, q, q, { is_causal: true } as never)).toThrow(
      'did you mean `isCausal`?',
    );
  });
});
