import { afterAll, expect, it, vi } from 'vitest';
import { setDawnPackageForTests } from '../src/backends/webgpu/init.ts';
import {
  getDefaultDevice,
  initWebGPU,
  tensor,
  webgpuAvailable,
  webgpuUnavailableReason,
} from '../src/index.ts';

// `webgpu` (Dawn) is an optional peer dependency: a Node app that did not install it gets false and
// a reason that says what to install, and cpu keeps working. CI's LUMEN_REQUIRE_WEBGPU=1 would turn
// the missing adapter into an error; this test is about the user without it.
afterAll(() => {
  setDawnPackageForTests('webgpu');
  vi.unstubAllEnvs();
});

it('initWebGPU() in Node without the webgpu package resolves false, with a reason naming `npm install webgpu`', async () => {
  vi.stubEnv('LUMEN_REQUIRE_WEBGPU', '');
  expect(webgpuUnavailableReason()).toBe(null);
  setDawnPackageForTests('webgpu-not-installed');
  expect(await initWebGPU()).toBe(false);
  expect(webgpuUnavailableReason()).toBe(
    "WebGPU in Node needs Dawn, the optional peer dependency 'webgpu-not-installed', which is not installed: run `npm install webgpu-not-installed` (pnpm: `pnpm add webgpu-not-installed`, and allow its build); everything runs on cpu meanwhile",
  );
  expect(webgpuAvailable()).toBe(false);
  expect(getDefaultDevice()).toBe('cpu');
  expect(tensor([1, 2]).add(1).dataSync()).toEqual(new Float32Array([2, 3]));
});

it('with LUMEN_REQUIRE_WEBGPU=1 the same reason is an error', async () => {
  vi.stubEnv('LUMEN_REQUIRE_WEBGPU', '1');
  setDawnPackageForTests('webgpu-not-installed');
  await expect(initWebGPU()).rejects.toThrow(
    "initWebGPU: LUMEN_REQUIRE_WEBGPU=1 but WebGPU in Node needs Dawn, the optional peer dependency 'webgpu-not-installed', which is not installed: run `npm install webgpu-not-installed`",
  );
});
