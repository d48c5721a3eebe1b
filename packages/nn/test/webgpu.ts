import { initWebGPU, randn } from '@lumen/tensor';

/**
 * Whether the webgpu tests can run here. They skip, printing one line saying why, when this
 * machine has no adapter or the backend fails a known-bug probe — unless LUMEN_REQUIRE_WEBGPU=1,
 * which makes either a failure.
 */
export async function webgpuReady(file: string): Promise<boolean> {
  let reason = '';
  try {
    if (!(await initWebGPU()))
      reason = 'no WebGPU adapter (in Node on Linux install Mesa lavapipe >= 25, see .ci/system-deps.sh)';
    else {
      // Known @lumen/tensor bug: the elementwise pipeline key abbreviates the operand layout to its
      // first letter, so 'strided' and 'scalar' collide (a.T.mul(a.T) then a.T.mul(2) fails).
      const a = randn([4, 3], { device: 'webgpu' });
      await a.T.mul(a.T).data();
      await a.T.mul(2).data();
    }
  } catch (e) {
    reason = `the webgpu backend failed its probe: ${(e as Error).message.split('\n')[0]}`;
  }
  if (!reason) return true;
  if (process.env.LUMEN_REQUIRE_WEBGPU === '1') throw new Error(`LUMEN_REQUIRE_WEBGPU=1 but ${reason}`);
  console.log(`skipped webgpu tests in ${file}: ${reason}`);
  return false;
}
