import { initWebGPU, tensor, randn, manualSeed } from '@lumen/tensor';
await initWebGPU();
manualSeed(1);
for (const shape of [[250, 1], [5, 50], [2, 125], [1, 250]]) {
  const x = randn(shape).to('webgpu');
  try { const y = x.softmax(-1); console.log(shape, (await y.data()).length); } catch (e) { console.log(shape, String(e).slice(0, 200)); }
  try { const y = x.softmax(0); console.log(shape, (await y.data()).length); } catch (e) { console.log(shape, String(e).slice(0, 200)); }
}
