// Exits 0 when the `webgpu` package (Dawn) finds a usable adapter, 1 otherwise. CI runs it after install.
import { create, globals } from 'webgpu';

Object.assign(globalThis, globals);
const gpu = create([]);
const adapter = await gpu.requestAdapter();
if (!adapter) {
  console.error('webgpu-probe: no WebGPU adapter (need Mesa lavapipe >= 25: see .ci/system-deps.sh)');
  process.exit(1);
}
const info = adapter.info ?? {};
console.log(
  `webgpu-probe: adapter ${info.vendor ?? '?'} / ${info.architecture ?? '?'} / ${info.description ?? ''}`,
);
const device = await adapter.requestDevice();
device.destroy();
process.exit(0);
