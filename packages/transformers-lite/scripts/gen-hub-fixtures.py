"""Checkpoints in the formats real Hub repositories use, made from the tiny fixtures of
gen-model-fixtures.py, with the reference model's outputs on them.

Run with Debian's PyTorch:  /usr/bin/python3 packages/transformers-lite/scripts/gen-hub-fixtures.py
(after gen-model-fixtures.py, whose gpt2-lm and bert-mlm checkpoints it reads).

It writes, under test/fixtures/models/:
  gpt2-sharded-f16/    gpt2-lm's weights in float16, split into shards with
                       model.safetensors.index.json, as transformers' save_pretrained(max_shard_size=)
                       writes them (huggingface_hub's split_state_dict_into_shards: tensors in
                       state-dict order, a new shard when the next tensor would pass the limit, a
                       tensor larger than the limit alone in its own shard; index JSON with
                       sort_keys and indent 2)
  gpt2-sharded-f32/    the same split of the float32 weights at max_shard_size=40KB: what
                       savePretrained({ maxShardSize: '40KB' }) must write
  bert-mlm-legacy-bf16/  bert-mlm's weights in bfloat16 with the LayerNorm names of old
                       checkpoints (gamma/beta)
  hub.json             the reference model's logits on the float16 / bfloat16 weights (upcast
                       to float32 as transformers does with torch_dtype=float32)
"""
import importlib.util
import json
import math
import os
import struct

import torch

HERE = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location('ref', os.path.join(HERE, 'gen-model-fixtures.py'))
ref = importlib.util.module_from_spec(spec)
spec.loader.exec_module(ref)
OUT = ref.OUT

DTYPE_NAME = {torch.float32: 'F32', torch.float16: 'F16', torch.bfloat16: 'BF16'}


def raw_bytes(t):
    t = t.detach().contiguous()
    if t.dtype == torch.float32:
        return struct.pack('<%df' % t.numel(), *t.reshape(-1).tolist())
    # float16 / bfloat16: the 16-bit patterns, little-endian.
    bits = t.reshape(-1).view(torch.int16).tolist()
    return struct.pack('<%dh' % len(bits), *bits)


def safetensors_bytes(tensors):
    header = {'__metadata__': {'format': 'pt'}}
    chunks, offset = [], 0
    for name, t in tensors.items():
        raw = raw_bytes(t)
        header[name] = {'dtype': DTYPE_NAME[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    hb = json.dumps(header, separators=(',', ':')).encode()
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    return struct.pack('<Q', len(hb)) + hb + b''.join(chunks)


def read_f32(path):
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        assert info['dtype'] == 'F32', info
        b, e = info['data_offsets']
        count = math.prod(info['shape'])
        out[name] = torch.tensor(struct.unpack('<%df' % count, data[8 + n + b:8 + n + e])).reshape(info['shape'])
    return out


def split_into_shards(state_dict, max_shard_size):
    """huggingface_hub's split_state_dict_into_shards_factory (no shared storages here)."""
    shards, current, current_size, total = [], {}, 0, 0
    for key, t in state_dict.items():
        size = t.numel() * t.element_size()
        total += size
        if size > max_shard_size:
            shards.append({key: t})
            continue
        if current_size + size > max_shard_size:
            shards.append(current)
            current, current_size = {}, 0
        current[key] = t
        current_size += size
    if current:
        shards.append(current)
    return shards, total


def save_sharded(name, config, state_dict, max_shard_size):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    for f in os.listdir(folder):
        os.remove(os.path.join(folder, f))
    ref.atomic_write(os.path.join(folder, 'config.json'), (json.dumps(config, indent=2, sort_keys=True) + '\n').encode())
    shards, total = split_into_shards(state_dict, max_shard_size)
    assert len(shards) > 1
    weight_map = {}
    for i, shard in enumerate(shards):
        fname = 'model-%05d-of-%05d.safetensors' % (i + 1, len(shards))
        ref.atomic_write(os.path.join(folder, fname), safetensors_bytes(shard))
        for k in shard:
            weight_map[k] = fname
    index = {'metadata': {'total_size': total}, 'weight_map': weight_map}
    ref.atomic_write(os.path.join(folder, 'model.safetensors.index.json'),
                     (json.dumps(index, indent=2, sort_keys=True) + '\n').encode())


def main():
    # GPT-2 in float16, sharded.
    c = dict(ref.GPT2_CONFIG)
    sd = read_f32(os.path.join(OUT, 'gpt2-lm', 'model.safetensors'))
    save_sharded('gpt2-sharded-f32', c, sd, 40_000)
    half = {k: v.half() for k, v in sd.items()}
    save_sharded('gpt2-sharded-f16', dict(c, torch_dtype='float16'), half, 20_000)
    model = ref.GPT2LMHeadModel(c)
    missing, unexpected = model.load_state_dict({k: v.float() for k, v in half.items()}, strict=False)
    assert missing == ['lm_head.weight'] and not unexpected, (missing, unexpected)
    model.lm_head.weight = model.transformer.wte.weight
    model.eval()
    gpt2_ids = torch.tensor([[5, 17, 42, 8, 91, 23, 4, 60], [7, 7, 13, 55, 2, 19, 88, 31]])
    with torch.no_grad():
        _, gpt2_logits, _ = model(gpt2_ids)

    # BERT MLM in bfloat16 with gamma/beta LayerNorm names.
    with open(os.path.join(OUT, 'bert-mlm', 'config.json')) as f:
        bc = json.load(f)
    bsd = read_f32(os.path.join(OUT, 'bert-mlm', 'model.safetensors'))
    bf = {k: v.to(torch.bfloat16) for k, v in bsd.items()}

    def old_name(k):
        if 'LayerNorm' in k:
            return k[:-len('.weight')] + '.gamma' if k.endswith('.weight') else k[:-len('.bias')] + '.beta'
        return k

    folder = os.path.join(OUT, 'bert-mlm-legacy-bf16')
    os.makedirs(folder, exist_ok=True)
    ref.atomic_write(os.path.join(folder, 'config.json'),
                     (json.dumps(dict(bc, torch_dtype='bfloat16'), indent=2, sort_keys=True) + '\n').encode())
    ref.atomic_write(os.path.join(folder, 'model.safetensors'), safetensors_bytes({old_name(k): v for k, v in bf.items()}))
    mlm = ref.BertForMaskedLM(bc)
    missing, unexpected = mlm.load_state_dict({k: v.float() for k, v in bf.items()}, strict=False)
    assert set(missing) == {'cls.predictions.decoder.weight', 'cls.predictions.decoder.bias'} and not unexpected, (missing, unexpected)
    mlm.cls.predictions.decoder.weight = mlm.bert.embeddings.word_embeddings.weight
    mlm.cls.predictions.decoder.bias = mlm.cls.predictions.bias
    mlm.eval()
    bert_ids = torch.tensor([[2, 17, 45, 9, 3, 0], [2, 5, 61, 88, 3, 12]])
    mask = torch.tensor([[1, 1, 1, 1, 1, 0], [1, 1, 1, 1, 1, 1]])
    with torch.no_grad():
        _, bert_logits = mlm(bert_ids, mask, torch.zeros_like(bert_ids))

    ref.atomic_write(os.path.join(OUT, 'hub.json'), json.dumps({
        'gpt2': {'inputIds': ref.tj(gpt2_ids), 'logits': ref.tj(gpt2_logits)},
        'bert': {'inputIds': ref.tj(bert_ids), 'attentionMask': ref.tj(mask), 'logits': ref.tj(bert_logits)},
    }).encode())


if __name__ == '__main__':
    main()
