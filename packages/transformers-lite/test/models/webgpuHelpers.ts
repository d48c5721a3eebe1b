import v8 from 'node:v8';
import vm from 'node:vm';
import { initWebGPU, manualSeed, memory, syncWebGPU, webgpuPoolStats } from '@lumen/tensor';
import { webgpuReady as sharedWebgpuReady } from '../../../../test-support/webgpu.ts';
import { GPT2Config, GPT2LMHeadModel } from '../../src/index.ts';

/** A full garbage collection, so live-memory readings count reachable tensors only. */
const collectGarbage: () => void = (() => {
  v8.setFlagsFromString('--expose-gc');
  return vm.runInNewContext('gc') as () => void;
})();

export async function settledMemory(): Promise<{ live: number; pool: number }> {
  await syncWebGPU();
  // FinalizationRegistry callbacks run on later turns of the event loop: collect until nothing more goes.
  // One quiet round is not enough (a collection's callbacks can land after the 5 ms wait), so
  // stop only after three rounds in a row freed nothing.
  let before = Number.NaN;
  for (let i = 0, quiet = 0; i < 40 && quiet < 3; i++) {
    const now = memory().byDevice.webgpu.bytes;
    quiet = now === before ? quiet + 1 : 0;
    before = now;
    collectGarbage();
    await new Promise((r) => setTimeout(r, 5));
  }
  return { live: memory().byDevice.webgpu.bytes, pool: webgpuPoolStats()!.allocatedBytes };
}

/** The shared WebGPU test policy (test-support/webgpu.ts) for this folder's files. */
export function webgpuReady(file: string): Promise<boolean> {
  return sharedWebgpuReady(`packages/transformers-lite/test/models/${file}`, initWebGPU);
}

export function tinyGPT2(nPositions: number): GPT2LMHeadModel {
  manualSeed(0);
  return new GPT2LMHeadModel(new GPT2Config({ vocabSize: 99, nPositions, nEmbd: 32, nLayer: 2, nHead: 4 }));
}
