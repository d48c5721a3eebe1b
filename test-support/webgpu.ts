import { describe } from 'vitest';

/**
 * The one WebGPU test policy of the repository (imported by every package's tests):
 * - where the machine has a WebGPU adapter, webgpu tests run;
 * - where it has none, they are still registered and reported as skipped (counted, not absent),
 *   with one printed line per file saying why;
 * - under CI (CI=true) or LUMEN_REQUIRE_WEBGPU=1, a missing adapter is a failure instead.
 * `initWebGPU` is passed in by the caller so that the test and this probe share one @lumen/tensor.
 */
export type TestDevice = 'cpu' | 'webgpu';

/** Both devices, in the order suites run on them. */
export const DEVICES: readonly TestDevice[] = ['cpu', 'webgpu'];

export function webgpuRequired(): boolean {
  return process.env.LUMEN_REQUIRE_WEBGPU === '1' || process.env.CI === 'true';
}

/**
 * Whether the webgpu tests of `file` can run here (see the policy above). Throws where a missing
 * adapter is a failure; otherwise prints why they are skipped and returns false.
 */
export async function webgpuReady(file: string, initWebGPU: () => Promise<boolean>): Promise<boolean> {
  let reason = '';
  try {
    if (!(await initWebGPU()))
      reason = 'no WebGPU adapter (in Node on Linux install Mesa lavapipe >= 25, see .ci/system-deps.sh)';
  } catch (e) {
    reason = `initWebGPU failed: ${(e as Error).message.split('\n')[0]}`;
  }
  if (!reason) return true;
  if (webgpuRequired())
    throw new Error(`webgpu tests are required here (CI or LUMEN_REQUIRE_WEBGPU=1) but ${reason}`);
  console.log(`skipped webgpu tests in ${file}: ${reason}`);
  return false;
}

/**
 * describe.each over `devices` (default both): the webgpu suite is registered but skipped where
 * `ready` is false, so its tests are counted as skipped. `name` may hold `%s` for the device. The
 * callback must only create tensors inside its tests (it also runs to collect a skipped suite).
 */
export function describeDevices(
  ready: boolean,
  name: string,
  fn: (device: TestDevice) => void,
  devices: readonly TestDevice[] = DEVICES,
): void {
  for (const device of devices) {
    const label = name.includes('%s') ? name.replace('%s', device) : `${name} (${device})`;
    (device === 'webgpu' && !ready ? describe.skip : describe)(label, () => fn(device));
  }
}
