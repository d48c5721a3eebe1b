import { checkOptions, type Tensor } from '@lumen/tensor';
import {
  BCE_KEYS,
  BCE_LOGITS_KEYS,
  type BCEOptions,
  type BCEWithLogitsOptions,
  binaryCrossEntropy,
  binaryCrossEntropyWithLogits,
  CROSS_ENTROPY_KEYS,
  type CrossEntropyOptions,
  crossEntropy,
  LOSS_KEYS,
  type LossOptions,
  l1Loss,
  mseLoss,
  NLL_KEYS,
  nllLoss,
} from '../functional/losses.js';
import { Module } from '../module/module.js';

/** The loss modules: options in the constructor, `forward(input, target)` → loss tensor. */

export class MSELoss extends Module {
  constructor(readonly options: LossOptions = {}) {
    super();
    checkOptions('MSELoss', options, LOSS_KEYS);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return mseLoss(input, target, this.options);
  }
}

export class L1Loss extends Module {
  constructor(readonly options: LossOptions = {}) {
    super();
    checkOptions('L1Loss', options, LOSS_KEYS);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return l1Loss(input, target, this.options);
  }
}

export class BCELoss extends Module {
  constructor(readonly options: BCEOptions = {}) {
    super();
    checkOptions('BCELoss', options, BCE_KEYS);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropy(input, target, this.options);
  }
}

export class BCEWithLogitsLoss extends Module {
  constructor(readonly options: BCEWithLogitsOptions = {}) {
    super();
    checkOptions('BCEWithLogitsLoss', options, BCE_LOGITS_KEYS);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return binaryCrossEntropyWithLogits(input, target, this.options);
  }
}

export class CrossEntropyLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
    checkOptions('CrossEntropyLoss', options, CROSS_ENTROPY_KEYS);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return crossEntropy(input, target, this.options);
  }
}

export class NLLLoss extends Module {
  constructor(readonly options: CrossEntropyOptions = {}) {
    super();
    checkOptions('NLLLoss', options, NLL_KEYS);
  }
  forward(input: Tensor, target: Tensor): Tensor {
    return nllLoss(input, target, this.options);
  }
}
