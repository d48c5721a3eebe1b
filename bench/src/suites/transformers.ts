import { spawnSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AdamW } from '@lumen/nn';
import { type Device, initWebGPU, onesLike, syncWebGPU, type Tensor, tensor } from '@lumen/tensor';
import {
  BertForSequenceClassification,
  GPT2LMHeadModel,
  type PreTrainedModel,
  setWarningHandler,
} from '@lumen/transformers-lite';
import type { BenchContext, Suite } from '../harness.ts';

/**
 * transformers-lite's models against PyTorch CPU (Debian python3-torch, 2 threads) running the
 * reference BERT/GPT-2 of packages/transformers-lite/scripts/gen-model-fixtures.py (transformers'
 * architecture, eager attention) on the same random weights: Python writes them once as Hugging
 * Face folders, which our fromPretrained reads.
 *  - GPT-2 small (12 × 768, 12 heads, vocab 50257): greedy generation with the KV cache, batch 1,
 *    8-token prompt, tokens/s.
 *  - GPT-2 4 × 256 (vocab 50257) and BERT-tiny (2 × 128, vocab 30522): one training step (forward
 *    with labels, backward, AdamW), tokens/s and samples/s.
 * transformers.js is not a peer here: it runs ONNX exports only, not a safetensors folder.
 */

const REFERENCE = fileURLToPath(
  new URL('../../../packages/transformers-lite/scripts/gen-model-fixtures.py', import.meta.url),
);

const GPT2_SMALL = { n_layer: 12, n_embd: 768, n_head: 12 };
const GPT2_TRAIN = { n_layer: 4, n_embd: 256, n_head: 4 };
const BERT_TINY = { num_hidden_layers: 2, hidden_size: 128, num_attention_heads: 2, intermediate_size: 512 };

const PYTHON = String.raw`
import importlib.util, json, math, os, struct, sys, time
try:
    import torch
except ImportError:
    print(json.dumps({"skipped": "python3-torch not installed"})); sys.exit(0)
d = json.load(sys.stdin)
torch.set_num_threads(d["threads"])
spec = importlib.util.spec_from_file_location("ref", d["reference"])
ref = importlib.util.module_from_spec(spec); spec.loader.exec_module(ref)

def save(folder, config, sd):
    os.makedirs(folder, exist_ok=True)
    header, chunks, off = {"__metadata__": {"format": "pt"}}, [], 0
    for k, t in sd.items():
        raw = t.detach().contiguous().float().numpy().tobytes()
        header[k] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(raw)]}
        off += len(raw); chunks.append(raw)
    hb = json.dumps(header).encode(); hb += b" " * ((8 - len(hb) % 8) % 8)
    with open(os.path.join(folder, "model.safetensors"), "wb") as f:
        f.write(struct.pack("<Q", len(hb))); f.write(hb)
        for c in chunks: f.write(c)
    with open(os.path.join(folder, "config.json"), "w") as f: json.dump(config, f)

def load(folder):
    with open(os.path.join(folder, "model.safetensors"), "rb") as f: data = bytearray(f.read())
    n = struct.unpack("<Q", bytes(data[:8]))[0]; header = json.loads(bytes(data[8:8 + n]))
    out = {}
    for k, v in header.items():
        if k == "__metadata__": continue
        b, e = v["data_offsets"]
        out[k] = torch.frombuffer(data, dtype=torch.float32, count=(e - b) // 4, offset=8 + n + b).reshape(v["shape"])
    return out

def gpt2(folder):
    c = json.load(open(os.path.join(folder, "config.json")))
    m = ref.GPT2LMHeadModel(c); sd = load(folder); sd["lm_head.weight"] = sd["transformer.wte.weight"]
    m.load_state_dict(sd); m.lm_head.weight = m.transformer.wte.weight
    return m


torch.manual_seed(0)
out = {"version": torch.__version__, "threads": torch.get_num_threads()}
if d["task"] == "make":
    for name, c in d["configs"].items():
        if c["model_type"] == "gpt2":
            m = ref.GPT2LMHeadModel(c); sd = ref.hf_state_dict(m, {"lm_head.weight"})
        else:
            m = ref.BertForSequenceClassification(dict(c, num_labels=2)); sd = m.state_dict()
        save(os.path.join(d["dir"], name), c, sd)
elif d["task"] == "generate":
    m = gpt2(d["folder"]).eval(); prompt = torch.tensor([d["prompt"]])
    with torch.no_grad():
        ref.greedy_generate(m, prompt, torch.ones_like(prompt), 2)
        times = []
        for r in range(d["reps"]):
            t0 = time.perf_counter(); ids = ref.greedy_generate(m, prompt, torch.ones_like(prompt), d["new"]); times.append(time.perf_counter() - t0)
    out["seconds"] = min(times); out["tokens"] = ids[0].tolist()
else:
    folder = d["folder"]; ids = torch.tensor(d["ids"]).reshape(d["shape"])
    if d["task"] == "train-gpt2":
        m = gpt2(folder); step_loss = lambda: m(ids, labels=ids)[0]
    else:
        c = json.load(open(os.path.join(folder, "config.json")))
        m = ref.BertForSequenceClassification(dict(c, num_labels=2)); m.load_state_dict(load(folder))
        labels = torch.tensor(d["labels"]); mask = torch.ones_like(ids)
        step_loss = lambda: m(ids, mask, None, labels)[0]
    m.train(); opt = torch.optim.AdamW(m.parameters(), lr=1e-4)
    def step():
        opt.zero_grad(); loss = step_loss(); loss.backward(); opt.step(); return loss.item()
    out["firstLoss"] = step(); step()
    times = []
    for r in range(d["reps"]):
        t0 = time.perf_counter(); step(); times.append(time.perf_counter() - t0)
    out["seconds"] = min(times)
print(json.dumps(out))
`;

type PyResult =
  | { seconds?: number; tokens?: number[]; firstLoss?: number; version: string; threads: number }
  | { skipped: string };

function python(input: Record<string, unknown>): PyResult {
  // glibc malloc settings that stop large temporaries being page-faulted in again on every call (TOOLCHAIN.md).
  const env = {
    ...process.env,
    MALLOC_MMAP_THRESHOLD_: '33554432',
    MALLOC_TRIM_THRESHOLD_: '100000000000',
    MALLOC_TOP_PAD_: '1073741824',
  };
  const r = spawnSync('/usr/bin/python3', ['-c', PYTHON], {
    input: JSON.stringify({ reference: REFERENCE, threads: 2, ...input }),
    env,
    encoding: 'utf8',
    timeout: 1_200_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error || r.status !== 0)
    return {
      skipped: `python3-torch not runnable: ${r.error?.message ?? r.stderr.trim().split('\n').pop()}`,
    };
  return JSON.parse(r.stdout.trim().split('\n').pop()!) as PyResult;
}

function gpt2Config(shape: Record<string, number>) {
  return {
    model_type: 'gpt2',
    architectures: ['GPT2LMHeadModel'],
    vocab_size: 50257,
    n_positions: 1024,
    n_inner: null,
    activation_function: 'gelu_new',
    resid_pdrop: 0.1,
    embd_pdrop: 0.1,
    attn_pdrop: 0.1,
    layer_norm_epsilon: 1e-5,
    initializer_range: 0.02,
    scale_attn_weights: true,
    scale_attn_by_inverse_layer_idx: false,
    reorder_and_upcast_attn: false,
    bos_token_id: 50256,
    eos_token_id: 50256,
    ...shape,
  };
}

function bertConfig(shape: Record<string, number>) {
  return {
    model_type: 'bert',
    architectures: ['BertForSequenceClassification'],
    vocab_size: 30522,
    max_position_embeddings: 512,
    type_vocab_size: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    attention_probs_dropout_prob: 0.1,
    initializer_range: 0.02,
    layer_norm_eps: 1e-12,
    pad_token_id: 0,
    position_embedding_type: 'absolute',
    id2label: { '0': 'LABEL_0', '1': 'LABEL_1' },
    label2id: { LABEL_0: 0, LABEL_1: 1 },
    ...shape,
  };
}

/** Deterministic token ids (a simple LCG), the same for us and for Python. */
function ids(count: number, vocab: number, seed: number): number[] {
  let s = seed;
  return Array.from({ length: count }, () => (s = (s * 48271) % 2147483647) % vocab);
}

async function oursGenerate(model: GPT2LMHeadModel, prompt: number[], newTokens: number, reps: number) {
  await model.generate([prompt], { maxNewTokens: 2, eosTokenId: null });
  const times: number[] = [];
  let tokens: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    const out = await model.generate([prompt], { maxNewTokens: newTokens, eosTokenId: null });
    times.push((performance.now() - t0) / 1000);
    tokens = (out.arraySync() as number[][])[0]!;
  }
  return { seconds: Math.min(...times), tokens };
}

async function oursTrain(model: PreTrainedModel, loss: () => Tensor, device: Device, reps: number) {
  model.train();
  const opt = new AdamW(model.parameters(), { lr: 1e-4 });
  const step = async () => {
    opt.zeroGrad();
    const l = loss();
    l.backward();
    opt.step();
    if (device === 'webgpu') await syncWebGPU();
    return l;
  };
  const first = (await (await step()).item()) as number;
  await step();
  const times: number[] = [];
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now();
    await step();
    times.push((performance.now() - t0) / 1000);
  }
  return { seconds: Math.min(...times), firstLoss: first };
}

/** A model that does not fit the device (past its maxBufferSize, or out of memory) is reported, not fatal. */
async function loadOrSkip<M>(load: () => Promise<M>, what: string): Promise<M | null> {
  try {
    return await load();
  } catch (e) {
    console.log(`  ${what}: not run: ${(e as Error).message.split('\n')[0]}`);
    return null;
  }
}

const suite: Suite = {
  name: 'transformers',
  description:
    'GPT-2 small generation (KV cache, batch 1) and GPT-2 4×256 / BERT-tiny training steps: ours (cpu, webgpu) vs PyTorch CPU (2 threads) on the same weights',
  async run(ctx: BenchContext) {
    const previous = setWarningHandler(() => {});
    const dir = join(tmpdir(), `lumen-bench-transformers-${process.pid}`);
    mkdirSync(dir, { recursive: true });
    try {
      const made = python({
        task: 'make',
        dir,
        configs: {
          'gpt2-small': gpt2Config(GPT2_SMALL),
          'gpt2-4x256': gpt2Config(GPT2_TRAIN),
          'bert-tiny': bertConfig(BERT_TINY),
        },
      });
      if ('skipped' in made) {
        console.log(
          `  PyTorch CPU unavailable (${made.skipped}): the models need its random weights; nothing to compare`,
        );
        return;
      }
      // Each side's time is the fastest of `reps` runs (after a warm-up): these machines swing 2× run to run.
      const reps = ctx.quick ? 2 : 5;
      const torchNote = `PyTorch ${made.version}, ${made.threads} threads, reference modeling (eager), MALLOC_* tuned; fastest of ${reps} runs each side`;
      const gpu = await initWebGPU().catch(() => false);
      const devices: Device[] = gpu ? ['cpu', 'webgpu'] : ['cpu'];
      if (!gpu) console.log('  webgpu: no adapter, only cpu rows');

      // ---- GPT-2 small generation --------------------------------------------------------------
      const newTokens = ctx.quick ? 8 : 32;
      const prompt = ids(8, 50257, 7);
      const folder = join(dir, 'gpt2-small');
      const torchGen = python({ task: 'generate', folder, prompt, new: newTokens, reps });
      const torchRate = 'seconds' in torchGen ? newTokens / torchGen.seconds! : null;
      for (const device of devices) {
        const model = await loadOrSkip(
          () => GPT2LMHeadModel.fromPretrained(folder, { device }),
          `GPT-2 small (${device})`,
        );
        if (!model) continue;
        const ours = await oursGenerate(model, prompt, newTokens, reps);
        const same = 'tokens' in torchGen && JSON.stringify(torchGen.tokens) === JSON.stringify(ours.tokens);
        ctx.add({
          case: `GPT-2 small generate, ${newTokens} new tokens, batch 1 (${device})`,
          unit: 'tokens/s',
          ours: newTokens / ours.seconds,
          peerName: 'PyTorch CPU',
          peer: torchRate,
          note: `${torchNote}; greedy tokens ${same ? 'identical' : 'DIFFER'}`,
        });
      }

      // ---- training steps -----------------------------------------------------------------------
      const [gb, gt] = ctx.quick ? [2, 32] : [4, 64];
      const gptIds = ids(gb * gt, 50257, 11);
      const gptFolder = join(dir, 'gpt2-4x256');
      const torchGpt = python({ task: 'train-gpt2', folder: gptFolder, ids: gptIds, shape: [gb, gt], reps });
      for (const device of devices) {
        const model = await loadOrSkip(
          () => GPT2LMHeadModel.fromPretrained(gptFolder, { device }),
          `GPT-2 4×256 (${device})`,
        );
        if (!model) continue;
        const x = tensor(gptIds, { dtype: 'int32', device }).reshape([gb, gt]);
        const ours = await oursTrain(
          model,
          () => model.forward({ inputIds: x, labels: x }).loss!,
          device,
          reps,
        );
        ctx.add({
          case: `GPT-2 4×256 train step, batch ${gb}×${gt} (${device})`,
          unit: 'tokens/s',
          ours: (gb * gt) / ours.seconds,
          peerName: 'PyTorch CPU',
          peer: 'seconds' in torchGpt ? (gb * gt) / torchGpt.seconds! : null,
          note: `${torchNote}; first loss ours ${ours.firstLoss.toFixed(4)} vs ${'firstLoss' in torchGpt ? torchGpt.firstLoss!.toFixed(4) : '-'} (dropout differs)`,
        });
      }
      const [bb, bt] = ctx.quick ? [8, 32] : [16, 64];
      const bertIds = ids(bb * bt, 30522, 13);
      const labels = ids(bb, 2, 17);
      const bertFolder = join(dir, 'bert-tiny');
      const torchBert = python({
        task: 'train-bert',
        folder: bertFolder,
        ids: bertIds,
        shape: [bb, bt],
        labels,
        reps,
      });
      for (const device of devices) {
        const model = await loadOrSkip(
          () => BertForSequenceClassification.fromPretrained(bertFolder, { device }),
          `BERT-tiny (${device})`,
        );
        if (!model) continue;
        const x = tensor(bertIds, { dtype: 'int32', device }).reshape([bb, bt]);
        const y = tensor(labels, { dtype: 'int32', device });
        const mask = onesLike(x);
        const ours = await oursTrain(
          model,
          () => model.forward({ inputIds: x, attentionMask: mask, labels: y }).loss!,
          device,
          reps,
        );
        ctx.add({
          case: `BERT-tiny (2×128) train step, batch ${bb}×${bt} (${device})`,
          unit: 'samples/s',
          ours: bb / ours.seconds,
          peerName: 'PyTorch CPU',
          peer: 'seconds' in torchBert ? bb / torchBert.seconds! : null,
          note: torchNote,
        });
      }
      console.log(
        '  transformers.js: not run. It executes ONNX exports (onnx/model.onnx through onnxruntime), not a config.json + model.safetensors folder, and no ONNX exporter (optimum) is installable here.',
      );
    } finally {
      setWarningHandler(previous);
      rmSync(dir, { recursive: true, force: true });
    }
  },
};

export default suite;
