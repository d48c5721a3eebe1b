import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { Adam, BCEWithLogitsLoss, Linear, ReLU, Sequential } from '@lumen/nn';
import { cat, manualSeed, ones, randn, syncWebGPU, type Tensor, tensor, zeros } from '@lumen/tensor';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { type BenchContext, runPython, type Suite } from '../harness.ts';
import { shareDawnWithTfjs, tfjsGpuSync } from '../tfjsGpu.ts';

/**
 * Training throughput of the notes' MLP (2 → 64 → ReLU → 1, BCE with logits, Adam lr 0.01,
 * batch 64) in samples/s: ours on cpu and webgpu, @tensorflow/tfjs's layers API (trainOnBatch) on
 * its cpu and wasm backends, and PyTorch CPU (Debian python3-torch) in a subprocess. Every library
 * trains on the same 64-sample batches of 2-D blobs.
 */

const BATCH = 64;
const HIDDEN = 64;
const BATCHES = 16;

function blobs(): { X: Tensor; y: Tensor } {
  manualSeed(0);
  const n = (BATCH * BATCHES) / 2;
  const a = randn([n, 2]).add(tensor([1.5, 1.5]));
  const b = randn([n, 2]).add(tensor([-1.5, -1.5]));
  const X = cat([a, b], 0);
  const y = cat([ones([n, 1]), zeros([n, 1])], 0);
  // Shuffle so every batch holds both classes.
  const perm = tensor(
    Array.from({ length: 2 * n }, (_, i) => (i * 389) % (2 * n)),
    { dtype: 'int32' },
  );
  return { X: X.indexSelect(0, perm), y: y.indexSelect(0, perm) };
}

type Stepper = { step: (i: number) => unknown; finish: () => Promise<void>; dispose?: () => void };

/**
 * Seconds per step of each contender: the fastest of `reps` blocks of `steps` steps, the blocks of
 * the contenders alternating so that load from other processes on a shared machine hits all of them
 * alike.
 */
async function race(contenders: Stepper[], steps: number, reps: number): Promise<number[]> {
  for (const c of contenders) {
    // one untimed block first, every side (PyTorch's script too): a JIT-compiled loop reaches its
    // steady speed over the first few hundred steps, and a training run is thousands of them
    for (let i = 0; i < steps; i++) await c.step(i);
    await c.finish();
  }
  const times = contenders.map(() => [] as number[]);
  for (let r = 0; r < reps; r++) {
    for (const [k, c] of contenders.entries()) {
      const t0 = performance.now();
      for (let i = 0; i < steps; i++) await c.step(i);
      await c.finish();
      times[k]!.push((performance.now() - t0) / 1000 / steps);
    }
  }
  return times.map((t) => Math.min(...t));
}

function lumen(device: 'cpu' | 'webgpu', X: Tensor, y: Tensor): Stepper {
  const model = new Sequential(new Linear(2, HIDDEN), new ReLU(), new Linear(HIDDEN, 1)).to(device);
  const opt = new Adam(model.parameters(), { lr: 0.01 });
  const lossFn = new BCEWithLogitsLoss();
  const xs = Array.from({ length: BATCHES }, (_, b) =>
    X.slice(0, b * BATCH, (b + 1) * BATCH)
      .contiguous()
      .to(device),
  );
  const ys = Array.from({ length: BATCHES }, (_, b) =>
    y
      .slice(0, b * BATCH, (b + 1) * BATCH)
      .contiguous()
      .to(device),
  );
  return {
    step: (i) => {
      opt.zeroGrad();
      lossFn.forward(model.forward(xs[i % BATCHES]!), ys[i % BATCHES]!).backward();
      opt.step();
    },
    finish: device === 'webgpu' ? syncWebGPU : async () => {},
  };
}

/** The same MLP with tfjs's layers API on the current backend; trainOnBatch resolves with the loss. */
function tfjs(X: Tensor, y: Tensor): Stepper {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [2] }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  model.compile({
    optimizer: tf.train.adam(0.01),
    loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.sigmoidCrossEntropy(yTrue, yPred),
  });
  const xData = X.dataSync() as Float32Array;
  const yData = y.dataSync() as Float32Array;
  const xs = Array.from({ length: BATCHES }, (_, b) =>
    tf.tensor2d(xData.slice(b * BATCH * 2, (b + 1) * BATCH * 2), [BATCH, 2]),
  );
  const ys = Array.from({ length: BATCHES }, (_, b) =>
    tf.tensor2d(yData.slice(b * BATCH, (b + 1) * BATCH), [BATCH, 1]),
  );
  return {
    step: (i) => model.trainOnBatch(xs[i % BATCHES]!, ys[i % BATCHES]!),
    finish: async () => {},
    dispose: () => {
      model.dispose();
      for (const t of [...xs, ...ys]) t.dispose();
    },
  };
}

/**
 * The same MLP trained by a custom tfjs loop (optimizer.minimize, loss not read back): on a GPU
 * backend this queues work like ours does, where trainOnBatch would wait for the loss every step.
 */
function tfjsLoop(X: Tensor, y: Tensor): Stepper {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ units: HIDDEN, activation: 'relu', inputShape: [2] }),
      tf.layers.dense({ units: 1 }),
    ],
  });
  const opt = tf.train.adam(0.01);
  const xData = X.dataSync() as Float32Array;
  const yData = y.dataSync() as Float32Array;
  const xs = Array.from({ length: BATCHES }, (_, b) =>
    tf.tensor2d(xData.slice(b * BATCH * 2, (b + 1) * BATCH * 2), [BATCH, 2]),
  );
  const ys = Array.from({ length: BATCHES }, (_, b) =>
    tf.tensor2d(yData.slice(b * BATCH, (b + 1) * BATCH), [BATCH, 1]),
  );
  return {
    step: (i) =>
      tf.tidy(() => {
        opt.minimize(
          () =>
            tf.losses.sigmoidCrossEntropy(
              ys[i % BATCHES]!,
              model.apply(xs[i % BATCHES]!) as tf.Tensor,
            ) as tf.Scalar,
        );
      }),
    finish: () => tfjsGpuSync(tf),
    dispose: () => {
      model.dispose();
      opt.dispose();
      for (const t of [...xs, ...ys]) t.dispose();
    },
  };
}

/** Ours on cpu against tfjs on `backend`, interleaved; returns samples/s of both. */
async function versusTfjs(
  backend: 'cpu' | 'wasm',
  X: Tensor,
  y: Tensor,
  steps: number,
  reps: number,
): Promise<[number, number]> {
  await tf.setBackend(backend);
  await tf.ready();
  const peer = tfjs(X, y);
  const [ours, theirs] = await race([lumen('cpu', X, y), peer], steps, reps);
  peer.dispose?.();
  return [BATCH / ours!, BATCH / theirs!];
}

const TORCH_SCRIPT = `
import json, sys, time
try:
    import torch
except ImportError:
    print(json.dumps({"skipped": "python3-torch not installed"})); sys.exit(0)
d = json.load(sys.stdin)
torch.manual_seed(0)
X = torch.tensor(d["X"], dtype=torch.float32).reshape(-1, 2); y = torch.tensor(d["y"], dtype=torch.float32).reshape(-1, 1)
B, H, NB, steps, reps = d["batch"], d["hidden"], d["batches"], d["steps"], d["reps"]
xs = [X[i*B:(i+1)*B].contiguous() for i in range(NB)]; ys = [y[i*B:(i+1)*B].contiguous() for i in range(NB)]
model = torch.nn.Sequential(torch.nn.Linear(2, H), torch.nn.ReLU(), torch.nn.Linear(H, 1))
opt = torch.optim.Adam(model.parameters(), lr=0.01)
lossf = torch.nn.BCEWithLogitsLoss()
def step(i):
    opt.zero_grad(); lossf(model(xs[i % NB]), ys[i % NB]).backward(); opt.step()
for i in range(steps): step(i)  # one untimed block first, as the JS side
times = []
for r in range(reps):
    t0 = time.perf_counter()
    for i in range(steps): step(i)
    times.append((time.perf_counter() - t0) / steps)
print(json.dumps({"rate": B / min(times), "threads": torch.get_num_threads(), "version": torch.__version__}))
`;

function torchRate(
  X: Tensor,
  y: Tensor,
  steps: number,
  reps: number,
): { rate: number; note: string } | { skipped: string } {
  const input = JSON.stringify({
    X: Array.from(X.dataSync()),
    y: Array.from(y.dataSync()),
    batch: BATCH,
    hidden: HIDDEN,
    batches: BATCHES,
    steps,
    reps,
  });
  const out = runPython<{ rate: number; threads: number; version: string }>(
    TORCH_SCRIPT,
    input,
    'python3-torch',
  );
  if ('skipped' in out) return out;
  return {
    rate: out.rate,
    note: `torch ${out.version}, ${out.threads} threads, MALLOC_* tuned; fastest of 2×${reps} blocks of ${steps} steps each side`,
  };
}

const suite: Suite = {
  name: 'nn',
  description: `MLP training (2→${HIDDEN}→1, batch ${BATCH}, BCEWithLogits, Adam): samples/s, ours vs tfjs layers API and PyTorch CPU`,
  async run(ctx: BenchContext) {
    const steps = ctx.quick ? 50 : 300;
    const reps = 5; // the fastest of 5 blocks, every side
    const { X, y } = blobs();
    const require = createRequire(import.meta.url);
    setWasmPaths(`${dirname(require.resolve('@tensorflow/tfjs-backend-wasm'))}/`);

    const [oursVsCpu, tfCpu] = await versusTfjs('cpu', X, y, steps, reps);
    ctx.add({
      case: 'MLP train, cpu vs tfjs cpu',
      unit: 'samples/s',
      ours: oursVsCpu,
      peerName: 'tfjs-cpu 4.22',
      peer: tfCpu,
    });
    const [oursVsWasm, tfWasm] = await versusTfjs('wasm', X, y, steps, reps);
    ctx.add({
      case: 'MLP train, cpu vs tfjs wasm',
      unit: 'samples/s',
      ours: oursVsWasm,
      peerName: 'tfjs-wasm 4.22 (1 thread)',
      peer: tfWasm,
    });
    // PyTorch runs in a subprocess, so the two sides cannot alternate block by block: each side runs
    // twice, in the order ours, PyTorch, ours, PyTorch, and keeps its fastest block, so a slow
    // stretch of this shared machine does not land on one side only.
    let oursSec = Number.POSITIVE_INFINITY;
    let torch: ReturnType<typeof torchRate> | null = null;
    for (let round = 0; round < 2; round++) {
      oursSec = Math.min(oursSec, (await race([lumen('cpu', X, y)], steps, reps))[0]!);
      const t = torchRate(X, y, steps, reps);
      if (torch === null || 'skipped' in t || ('rate' in torch && t.rate > torch.rate)) torch = t;
    }
    const oursCpu = BATCH / oursSec;
    torch = torch!;
    if ('skipped' in torch) {
      console.log(`  PyTorch CPU skipped: ${torch.skipped}`);
      ctx.add({
        case: 'MLP train, cpu vs PyTorch CPU',
        unit: 'samples/s',
        ours: oursCpu,
        peerName: 'PyTorch CPU',
        peer: null,
        note: `skipped: ${torch.skipped}`,
      });
    } else {
      ctx.add({
        case: 'MLP train, cpu vs PyTorch CPU',
        unit: 'samples/s',
        ours: oursCpu,
        peerName: 'PyTorch CPU',
        peer: torch.rate,
        note: torch.note,
      });
    }
    const { ok: gpu, adapter } = await shareDawnWithTfjs();
    if (gpu) {
      console.log(`  adapter: ${adapter}`);
      const gpuSteps = Math.max(20, Math.round(steps / 3));
      let peer: Stepper | null = null;
      try {
        await import('@tensorflow/tfjs-backend-webgpu');
        if ((await tf.setBackend('webgpu')) && tf.getBackend() === 'webgpu') peer = tfjsLoop(X, y);
      } catch (e) {
        console.log(`  tfjs-webgpu unavailable: ${(e as Error).message}`);
      }
      const [gpuSec, tfSec] = await race(
        peer ? [lumen('webgpu', X, y), peer] : [lumen('webgpu', X, y)],
        gpuSteps,
        reps,
      );
      peer?.dispose?.();
      ctx.add({
        case: 'MLP train, webgpu vs tfjs webgpu',
        unit: 'samples/s',
        ours: BATCH / gpuSec!,
        peerName: 'tfjs-webgpu 4.22 (custom loop, same adapter)',
        peer: tfSec === undefined ? null : BATCH / tfSec,
        note: adapter,
      });
      ctx.add({
        case: 'MLP train, webgpu vs tfjs wasm',
        unit: 'samples/s',
        ours: BATCH / gpuSec!,
        peerName: 'tfjs-wasm 4.22 (1 thread)',
        peer: tfWasm,
      });
    } else {
      console.log(`  ours on webgpu skipped: no WebGPU adapter (${adapter})`);
    }
  },
};

export default suite;
