import { initWebGPU, manualSeed, syncWebGPU, webgpuPoolStats } from '@lumen/tensor';
import { webgpuReady as sharedWebgpuReady } from '../../../../test-support/webgpu.ts';
import { GPT2Config, GPT2LMHeadModel } from '../../src/index.ts';
import { settleMemory } from './helpers.ts';

export async function settledMemory(): Promise<{ live: number; pool: number }> {
  await syncWebGPU();
  const live = await settleMemory('webgpu');
  return { live, pool: webgpuPoolStats()!.allocatedBytes };
}

/** The shared WebGPU test policy (test-support/webgpu.ts) for this folder's files. */
export function webgpuReady(file: string): Promise<boolean> {
  return sharedWebgpuReady(`packages/transformers-lite/test/models/${file}`, initWebGPU);
}

export function tinyGPT2(nPositions: number): GPT2LMHeadModel {
  manualSeed(0);
  return new GPT2LMHeadModel(new GPT2Config({ vocabSize: 99, nPositions, nEmbd: 32, nLayer: 2, nHead: 4 }));
}
