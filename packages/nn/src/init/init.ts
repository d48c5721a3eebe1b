import { noGrad } from '@lumen/autograd';
import {
  checkOptions,
  type Generator,
  normal as normalTensor,
  type Tensor,
  uniform as uniformTensor,
} from '@lumen/tensor';
import { fail, fmtShape } from '../errors.js';

/**
 * torch.nn.init: each helper overwrites a tensor's values in place (`copy_` under noGrad, like
 * PyTorch's trailing-underscore functions), on any device, and returns it. Random draws come from
 * the default generator (seed it with manualSeed) or the `generator` option.
 */

export type Nonlinearity =
  | 'linear'
  | 'conv1d'
  | 'conv2d'
  | 'conv3d'
  | 'sigmoid'
  | 'tanh'
  | 'relu'
  | 'leaky_relu'
  | 'selu';
export type FanMode = 'fanIn' | 'fanOut';

interface RandomInit {
  generator?: Generator;
}

/** nn.init.calculate_gain. */
export function calculateGain(nonlinearity: Nonlinearity, param?: number): number {
  switch (nonlinearity) {
    case 'linear':
    case 'conv1d':
    case 'conv2d':
    case 'conv3d':
    case 'sigmoid':
      return 1;
    case 'tanh':
      return 5 / 3;
    case 'relu':
      return Math.SQRT2;
    case 'leaky_relu': {
      const slope = param ?? 0.01;
      return Math.sqrt(2 / (1 + slope * slope));
    }
    case 'selu':
      return 3 / 4;
    default:
      fail('calculateGain', `unsupported nonlinearity ${JSON.stringify(nonlinearity)}`);
  }
}

/** (fanIn, fanOut) as PyTorch computes them: dim 1 and dim 0 times the receptive field size. */
export function calculateFans(t: Tensor): { fanIn: number; fanOut: number } {
  if (t.ndim < 2)
    fail('init', `fan in and fan out need a tensor with at least 2 dims, got shape ${fmtShape(t.shape)}`);
  const receptive = t.shape.slice(2).reduce((a, b) => a * b, 1);
  return { fanIn: t.shape[1]! * receptive, fanOut: t.shape[0]! * receptive };
}

/** Writes values (made for this call) into t and frees them. */
function write(t: Tensor, values: Tensor | number): Tensor {
  noGrad(() => t.copy_(values));
  if (typeof values !== 'number') values.dispose();
  return t;
}

function checkFloat(op: string, t: Tensor): void {
  if (t.dtype !== 'float32' && t.dtype !== 'float64') fail(op, `expected a float tensor, got ${t.dtype}`);
}

export function uniform_(t: Tensor, a = 0, b = 1, opts: RandomInit = {}): Tensor {
  checkOptions('uniform_', opts, ['generator']);
  checkFloat('uniform_', t);
  return write(
    t,
    uniformTensor(t.shape, a, b, { dtype: t.dtype, device: t.device, generator: opts.generator }),
  );
}

export function normal_(t: Tensor, mean = 0, std = 1, opts: RandomInit = {}): Tensor {
  checkOptions('normal_', opts, ['generator']);
  checkFloat('normal_', t);
  return write(
    t,
    normalTensor(t.shape, mean, std, { dtype: t.dtype, device: t.device, generator: opts.generator }),
  );
}

export function constant_(t: Tensor, value: number): Tensor {
  if (typeof value !== 'number') fail('constant_', `value must be a number, got ${typeof value}`);
  return write(t, value);
}

export function zeros_(t: Tensor): Tensor {
  return constant_(t, 0);
}

export function ones_(t: Tensor): Tensor {
  return constant_(t, 1);
}

/** Glorot uniform: U(-a, a) with a = gain·sqrt(6 / (fanIn + fanOut)). */
export function xavierUniform_(t: Tensor, opts: RandomInit & { gain?: number } = {}): Tensor {
  checkOptions('xavierUniform_', opts, ['gain', 'generator']);
  const { fanIn, fanOut } = calculateFans(t);
  const a = (opts.gain ?? 1) * Math.sqrt(6 / (fanIn + fanOut));
  return uniform_(t, -a, a, { generator: opts.generator });
}

/** Glorot normal: N(0, std²) with std = gain·sqrt(2 / (fanIn + fanOut)). */
export function xavierNormal_(t: Tensor, opts: RandomInit & { gain?: number } = {}): Tensor {
  checkOptions('xavierNormal_', opts, ['gain', 'generator']);
  const { fanIn, fanOut } = calculateFans(t);
  return normal_(t, 0, (opts.gain ?? 1) * Math.sqrt(2 / (fanIn + fanOut)), { generator: opts.generator });
}

interface KaimingOptions extends RandomInit {
  /** Negative slope of the rectifier after this layer (leaky_relu only). */
  a?: number;
  mode?: FanMode;
  nonlinearity?: Nonlinearity;
}

function kaimingStd(op: string, t: Tensor, opts: KaimingOptions): number {
  checkOptions(op, opts, ['a', 'mode', 'nonlinearity', 'generator']);
  const mode = opts.mode ?? 'fanIn';
  if (mode !== 'fanIn' && mode !== 'fanOut')
    fail(op, `mode must be 'fanIn' or 'fanOut', got ${JSON.stringify(mode)}`);
  const fans = calculateFans(t);
  const gain = calculateGain(opts.nonlinearity ?? 'leaky_relu', opts.a ?? 0);
  return gain / Math.sqrt(mode === 'fanIn' ? fans.fanIn : fans.fanOut);
}

/** He uniform: U(-b, b) with b = gain·sqrt(3 / fan). */
export function kaimingUniform_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  const bound = Math.sqrt(3) * kaimingStd('kaimingUniform_', t, opts);
  return uniform_(t, -bound, bound, { generator: opts.generator });
}

/** He normal: N(0, (gain / sqrt(fan))²). */
export function kaimingNormal_(t: Tensor, opts: KaimingOptions = {}): Tensor {
  return normal_(t, 0, kaimingStd('kaimingNormal_', t, opts), { generator: opts.generator });
}
