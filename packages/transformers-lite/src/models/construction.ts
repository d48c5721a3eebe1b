import { Embedding, Linear, Parameter } from '@lumen/nn';
import { zeros } from '@lumen/tensor';

/**
 * Building a model only to overwrite every weight from a checkpoint should not cost a random
 * draw per parameter (GPT-2 small has 124M; drawing them takes longer than reading the file).
 * Inside `withoutRandomInit`, the layer factories below give zero-filled parameters of the right
 * shapes and the models skip their init; fromPretrained then initialises only what the checkpoint
 * lacks (transformers' fast init).
 */
let skipRandomInit = false;

export function withoutRandomInit<T>(fn: () => T): T {
  const previous = skipRandomInit;
  skipRandomInit = true;
  try {
    return fn();
  } finally {
    skipRandomInit = previous;
  }
}

export function randomInitSkipped(): boolean {
  return skipRandomInit;
}

/** nn.Linear(inFeatures, outFeatures). */
export function linear(inFeatures: number, outFeatures: number, options: { bias?: boolean } = {}): Linear {
  if (!skipRandomInit) return new Linear(inFeatures, outFeatures, options);
  const layer = new Linear(1, 1, options);
  // The 1×1 placeholders' memory back now (not when the collector gets to them, which made
  // memory() readings drop by their bytes at some random later step).
  layer.weight.dispose();
  layer.bias?.dispose();
  // Same properties in the same order, only with full-size zero tensors.
  Object.assign(layer, {
    weight: Parameter(zeros([outFeatures, inFeatures])),
    bias: layer.bias ? Parameter(zeros([outFeatures])) : null,
    inFeatures,
    outFeatures,
  });
  return layer;
}

/** nn.Embedding(numEmbeddings, embeddingDim, { paddingIdx }). */
export function embedding(
  numEmbeddings: number,
  embeddingDim: number,
  options: { paddingIdx?: number | null } = {},
): Embedding {
  if (!skipRandomInit) return new Embedding(numEmbeddings, embeddingDim, options);
  const pad = options.paddingIdx ?? null;
  const layer = new Embedding(pad === null ? 1 : pad + 1, 1, options);
  layer.weight.dispose(); // the placeholder's memory back now
  Object.assign(layer, {
    weight: Parameter(zeros([numEmbeddings, embeddingDim])),
    numEmbeddings,
    embeddingDim,
  });
  return layer;
}
