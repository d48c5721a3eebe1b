import { type Device, initWebGPU } from '@lumen/tensor';
import { blobsPanel } from './panels/blobs.ts';
import { gpt2Panel } from './panels/gpt2.ts';
import { mnistPanel } from './panels/mnist.ts';

/**
 * The page: find a device (webgpu when the browser has an adapter, else cpu with a visible
 * notice; `?device=cpu` forces cpu), then wire each panel's button. Panels record what they show
 * in data- attributes too, for test/browser.test.ts.
 */
async function chooseDevice(): Promise<Device> {
  const el = document.getElementById('device')!;
  const notice = document.getElementById('notice')!;
  const forced = new URLSearchParams(location.search).get('device');
  if (forced === 'cpu') {
    el.textContent = 'Device: cpu (chosen with ?device=cpu)';
    return 'cpu';
  }
  if (await initWebGPU()) {
    el.textContent = 'Device: webgpu';
    return 'webgpu';
  }
  el.textContent = 'Device: cpu';
  notice.hidden = false;
  notice.textContent =
    'WebGPU is not available in this browser (no adapter), so everything runs on the CPU backend: slower, same results. Chrome and Edge have WebGPU; on Linux start Chromium with --enable-unsafe-webgpu.';
  return 'cpu';
}

const device = await chooseDevice();
document.body.dataset.device = device;
document.body.dataset.ready = 'true';
for (const panel of [blobsPanel, mnistPanel, gpt2Panel]) {
  const button = document.getElementById(`${panel.id}-run`) as HTMLButtonElement;
  const status = document.getElementById(`${panel.id}-status`)!;
  button.addEventListener('click', async () => {
    button.disabled = true;
    status.classList.remove('error');
    const section = document.getElementById(panel.id)!;
    section.dataset.state = 'running';
    try {
      await panel.run(device, (text) => {
        status.textContent = text;
      });
      section.dataset.state = 'done';
    } catch (e) {
      console.error(e);
      status.classList.add('error');
      status.textContent = `failed: ${e instanceof Error ? e.message : String(e)}`;
      section.dataset.state = 'failed';
    } finally {
      button.disabled = false;
    }
  });
}
