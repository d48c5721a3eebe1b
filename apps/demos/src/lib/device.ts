import { type Device, initWebGPU } from '@lumen/tensor';

export type DeviceChoice = Device | 'auto';

/**
 * `--device auto` (the default) means webgpu when this machine has an adapter, else cpu; an
 * explicit `--device webgpu` without one is an error. Returns the device and a sentence saying
 * why, which the CLI prints.
 */
export async function resolveDevice(choice: DeviceChoice): Promise<{ device: Device; why: string }> {
  if (choice === 'cpu') return { device: 'cpu', why: 'cpu (asked for with --device cpu)' };
  const found = await initWebGPU();
  if (found)
    return {
      device: 'webgpu',
      why: `webgpu (${choice === 'auto' ? 'a WebGPU adapter was found; --device cpu for the CPU backend' : 'asked for with --device webgpu'})`,
    };
  if (choice === 'webgpu')
    throw new Error(
      '--device webgpu: no WebGPU adapter on this machine (on Linux without a GPU, install Mesa lavapipe >= 25: see .ci/system-deps.sh)',
    );
  return { device: 'cpu', why: 'cpu (no WebGPU adapter was found; see .ci/system-deps.sh to get one)' };
}
