import v8 from 'node:v8';
import vm from 'node:vm';
import { initWebGPU, manualSeed, memory, syncWebGPU, webgpuPoolStats } from '@lumen/tensor';
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

/**
 * Whether the webgpu tests can run: they skip with one printed line when this machine has no
 * adapter, unless LUMEN_REQUIRE_WEBGPU=1 (CI), which makes that a failure.
 */
export async function webgpuReady(file: string): Promise<boolean> {
  let reason = '';
  try {
    if (!(await initWebGPU()))
      reason = 'no WebGPU adapter (in Node on Linux install Mesa lavapipe >= 25, see .ci/system-deps.sh)';
  } catch (e) {
    reason = `initWebGPU failed: ${(e as Error).message.split('\n')[0]}`;
  }
  if (!reason) return true;
  if (process.env.LUMEN_REQUIRE_WEBGPU === '1') throw new Error(`LUMEN_REQUIRE_WEBGPU=1 but ${reason}`);
  console.log(`skipped webgpu tests in transformers-lite/test/models/${file}: ${reason}`);
  return false;
}

export function tinyGPT2(nPositions: number): GPT2LMHeadModel {
  manualSeed(0);
  return new GPT2LMHeadModel(new GPT2Config({ vocabSize: 99, nPositions, nEmbd: 32, nLayer: 2, nHead: 4 }));
}
