/** torch.nn.functional, camelCased: `F.crossEntropy(logits, target, { ignoreIndex })`. */
export * from './activations.js';
export type { DropoutOptions } from './layers.js';
export { dropout, embedding, layerNorm, linear } from './layers.js';
export type {
  BCEOptions,
  BCEWithLogitsOptions,
  CrossEntropyOptions,
  LossOptions,
  Reduction,
} from './losses.js';
export {
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  crossEntropy,
  l1Loss,
  mseLoss,
  nllLoss,
} from './losses.js';
