import type { Backend } from './backend.js';
import { CpuBackend } from './backends/cpu/backend.js';
import type { Device } from './dtype.js';
import { isDevice } from './dtype.js';
import { DeviceError, fail, setCurrentOp } from './errors.js';
import { setReleaser } from './memory.js';

const cpu = new CpuBackend();
const backends: Partial<Record<Device, Backend>> = { cpu };
setReleaser('cpu', (s) => cpu.release(s));
let defaultDevice: Device = 'cpu';

export function cpuBackend(): CpuBackend {
  return cpu;
}

export function getBackend(device: Device, op = 'tensor'): Backend {
  setCurrentOp(op);
  const b = backends[device];
  if (b) return b;
  if (device === 'webgpu') {
    fail(
      op,
      'the webgpu backend is not initialized: call `await initWebGPU()` first (it returns false when this machine has no WebGPU adapter)',
      DeviceError,
    );
  }
  fail(op, `unknown device ${JSON.stringify(device)}: expected 'cpu' or 'webgpu'`, DeviceError);
}

export function registerBackend(backend: Backend): void {
  backends[backend.device] = backend;
  setReleaser(backend.device, (s) => backend.release(s));
}

export function unregisterBackend(device: Device): void {
  if (device === 'cpu') return;
  delete backends[device];
  if (defaultDevice === device) defaultDevice = 'cpu';
}

export function checkDevice(op: string, device: unknown, arg = 'device'): Device {
  if (!isDevice(device))
    fail(op, `${arg} must be 'cpu' or 'webgpu', got ${JSON.stringify(device)}`, DeviceError);
  return device;
}

/** The device factories use when no `device` option is given (starts as 'cpu'). */
export function setDefaultDevice(device: Device): void {
  checkDevice('setDefaultDevice', device);
  getBackend(device, 'setDefaultDevice');
  defaultDevice = device;
}

export function getDefaultDevice(): Device {
  return defaultDevice;
}

/** True once initWebGPU() has found an adapter and created a device. */
export function webgpuAvailable(): boolean {
  return backends.webgpu !== undefined;
}
