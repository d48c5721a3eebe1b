import type { DType } from './dtype.js';
import type { Operand } from './ops/core.js';
import { binary, cast as castOp, clamp as clampOp, unary, where as whereOp } from './ops/elementwise.js';
import type { Tensor } from './tensor.js';

/** Function forms of the Tensor methods, as torch.add(a, b) etc. */

export const add = (a: Operand, b: Operand): Tensor => binary('add', a, b);
export const sub = (a: Operand, b: Operand): Tensor => binary('sub', a, b);
export const mul = (a: Operand, b: Operand): Tensor => binary('mul', a, b);
export const div = (a: Operand, b: Operand): Tensor => binary('div', a, b);
export const pow = (a: Operand, b: Operand): Tensor => binary('pow', a, b);
export const remainder = (a: Operand, b: Operand): Tensor => binary('remainder', a, b);
export const maximum = (a: Operand, b: Operand): Tensor => binary('maximum', a, b);
export const minimum = (a: Operand, b: Operand): Tensor => binary('minimum', a, b);
export const atan2 = (a: Operand, b: Operand): Tensor => binary('atan2', a, b);
/**
 * relu's gradient in one pass (PyTorch's `torch.ops.aten.threshold_backward(grad, output, 0)`):
 * `grad` where `output` (relu's result) > 0, else 0. What autograd's relu rule runs.
 */
export const reluBackward = (grad: Operand, output: Operand): Tensor => binary('reluBackward', grad, output);
/** The gradient of exact GELU at `input` times `grad` (PyTorch's gelu_backward), in one pass. */
export const geluBackward = (grad: Operand, input: Operand): Tensor => binary('geluBackward', grad, input);
export const eq = (a: Operand, b: Operand): Tensor => binary('eq', a, b);
export const ne = (a: Operand, b: Operand): Tensor => binary('ne', a, b);
export const lt = (a: Operand, b: Operand): Tensor => binary('lt', a, b);
export const le = (a: Operand, b: Operand): Tensor => binary('le', a, b);
export const gt = (a: Operand, b: Operand): Tensor => binary('gt', a, b);
export const ge = (a: Operand, b: Operand): Tensor => binary('ge', a, b);
export const logicalAnd = (a: Operand, b: Operand): Tensor => binary('logicalAnd', a, b);
export const logicalOr = (a: Operand, b: Operand): Tensor => binary('logicalOr', a, b);
export const logicalXor = (a: Operand, b: Operand): Tensor => binary('logicalXor', a, b);
export const logicalNot = (x: Tensor): Tensor => unary('logicalNot', x);
export const neg = (x: Tensor): Tensor => unary('neg', x);
export const abs = (x: Tensor): Tensor => unary('abs', x);
export const exp = (x: Tensor): Tensor => unary('exp', x);
export const log = (x: Tensor): Tensor => unary('log', x);
export const sqrt = (x: Tensor): Tensor => unary('sqrt', x);
export const sin = (x: Tensor): Tensor => unary('sin', x);
export const cos = (x: Tensor): Tensor => unary('cos', x);
export const tanh = (x: Tensor): Tensor => unary('tanh', x);
export const sigmoid = (x: Tensor): Tensor => unary('sigmoid', x);
export const relu = (x: Tensor): Tensor => unary('relu', x);
export const gelu = (x: Tensor, opts?: { approximate?: 'none' | 'tanh' }): Tensor => x.gelu(opts);
export const clamp = (x: Tensor, min?: Operand | null, max?: Operand | null): Tensor => clampOp(x, min, max);
export const where = (cond: Tensor, a: Operand, b: Operand): Tensor => whereOp(cond, a, b);
export const cast = (x: Tensor, dtype: DType): Tensor => castOp(x, dtype);
