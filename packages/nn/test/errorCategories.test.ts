import { FileFormatError, LumenError, ShapeError, tensor } from '@lumen/tensor';
import { describe, expect, it } from 'vitest';
import { functional as F, parseSafetensors } from '../src/index.js';

describe('@lumen/nn: errors by category', () => {
  it('parseSafetensors of a truncated file is a FileFormatError', () => {
    let e: unknown;
    try {
      parseSafetensors(new Uint8Array([1, 2, 3]));
    } catch (err) {
      e = err;
    }
    expect(e).toBeInstanceOf(FileFormatError);
    expect(e).toBeInstanceOf(LumenError);
    expect((e as Error).message).toBe(
      'loadSafetensors: the file is 3 bytes, too short to hold the 8-byte header length',
    );
  });

  it('a loss whose target does not match the input is a ShapeError', () => {
    expect(() => F.mseLoss(tensor([1, 2, 3]), tensor([1, 2]))).toThrow(ShapeError);
  });
});
