"""Reference BERT and GPT-2 in plain PyTorch, and the fixtures our models are checked against.

Run with Debian's PyTorch:  /usr/bin/python3 packages/transformers-lite/scripts/gen-model-fixtures.py

Hugging Face `transformers` is not installable here (no PyPI), so this file re-implements the two
architectures exactly as transformers' modeling_bert.py and modeling_gpt2.py (eager attention)
do: the same module tree and parameter names (so `state_dict()` keys are Hugging Face checkpoint
keys), GELU variants, LayerNorm eps, additive masks of torch.finfo(float32).min, GPT-2's Conv1D
([in, out] weights), tied embeddings, the loss conventions, `_init_weights`, and greedy
`generate()` with left padding (position ids from the attention mask's cumsum, as
`prepare_inputs_for_generation` does), the KV cache and the logits processors.

It writes, under test/fixtures/models/:
  <name>/config.json + model.safetensors   small random checkpoints in Hugging Face layout
                                            (safetensors written by hand from the spec with
                                            struct + json: Debian 12 has no Python safetensors)
  bert.json, gpt2.json                      inputs and expected logits / losses / generations
  processors.json                           logits processors (temperature, top-k, top-p,
                                            repetition penalty, min new tokens) on random scores
  training.json                             3 AdamW steps (warmup schedule, grad clipping,
                                            no decay for biases and LayerNorm) on both models
"""
import json
import math
import os
import struct

import torch
import torch.nn as nn
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, '..', 'test', 'fixtures', 'models')
os.makedirs(OUT, exist_ok=True)
MIN = torch.finfo(torch.float32).min

# ---- file writing ------------------------------------------------------------------------------


def atomic_write(path, data):
    tmp = path + '.tmp'
    with open(tmp, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)
    print('wrote', os.path.normpath(path))


def write_json(name, obj):
    atomic_write(os.path.join(OUT, name), json.dumps(obj).encode())


def safetensors_bytes(tensors, metadata=None):
    """The safetensors format: u64le header length, JSON header, raw little-endian data."""
    header = {'__metadata__': metadata or {'format': 'pt'}}
    chunks = []
    offset = 0
    for name, t in tensors.items():
        t = t.detach().contiguous()
        if t.dtype == torch.float32:
            dtype, raw = 'F32', struct.pack('<%df' % t.numel(), *t.reshape(-1).tolist())
        elif t.dtype == torch.int64:
            dtype, raw = 'I64', struct.pack('<%dq' % t.numel(), *t.reshape(-1).tolist())
        elif t.dtype == torch.bool:
            dtype, raw = 'BOOL', bytes(int(v) for v in t.reshape(-1).tolist())
        elif t.dtype == torch.uint8:
            dtype, raw = 'U8', bytes(t.reshape(-1).tolist())
        else:
            raise ValueError(t.dtype)
        header[name] = {'dtype': dtype, 'shape': list(t.shape), 'data_offsets': [offset, offset + len(raw)]}
        offset += len(raw)
        chunks.append(raw)
    hb = json.dumps(header, separators=(',', ':')).encode()
    hb += b' ' * ((8 - len(hb) % 8) % 8)
    return struct.pack('<Q', len(hb)) + hb + b''.join(chunks)


def read_safetensors(path):
    """Reads F32/I64/BOOL/U8 tensors (used to load the checkpoints back, as transformers would)."""
    with open(path, 'rb') as f:
        data = f.read()
    (n,) = struct.unpack('<Q', data[:8])
    header = json.loads(data[8:8 + n])
    body = data[8 + n:]
    out = {}
    for name, info in header.items():
        if name == '__metadata__':
            continue
        b, e = info['data_offsets']
        raw = body[b:e]
        count = math.prod(info['shape'])
        if info['dtype'] == 'F32':
            t = torch.tensor(struct.unpack('<%df' % count, raw), dtype=torch.float32)
        elif info['dtype'] == 'I64':
            t = torch.tensor(struct.unpack('<%dq' % count, raw), dtype=torch.int64)
        elif info['dtype'] in ('BOOL', 'U8'):
            t = torch.tensor(list(raw), dtype=torch.uint8)
            if info['dtype'] == 'BOOL':
                t = t.bool()
        else:
            raise ValueError(info['dtype'])
        out[name] = t.reshape(info['shape'])
    return out


def save_checkpoint(name, config, state_dict):
    folder = os.path.join(OUT, name)
    os.makedirs(folder, exist_ok=True)
    atomic_write(os.path.join(folder, 'config.json'), (json.dumps(config, indent=2, sort_keys=True) + '\n').encode())
    atomic_write(os.path.join(folder, 'model.safetensors'), safetensors_bytes(state_dict))


def flat(t):
    # float32 values need 9 significant digits to round-trip; more only bloats the JSON.
    # JSON has no infinities: the processors' -inf is written as null.
    vals = t.detach().reshape(-1).tolist()
    if not t.is_floating_point():
        return vals
    return [None if v == -float('inf') else float('%.9g' % v) for v in vals]


def tj(t):
    dt = {torch.float32: 'float32', torch.int64: 'int32', torch.bool: 'bool'}[t.dtype]
    return {'dtype': dt, 'shape': list(t.shape), 'data': flat(t)}


# ---- activations as transformers' activations.py -------------------------------------------------


class NewGELUActivation(nn.Module):
    """gelu_new: the tanh approximation used by GPT-2 (and Google BERT's repo)."""

    def forward(self, x):
        return 0.5 * x * (1.0 + torch.tanh(math.sqrt(2.0 / math.pi) * (x + 0.044715 * torch.pow(x, 3.0))))


ACT2FN = {
    'gelu': lambda: nn.GELU(),
    'gelu_new': lambda: NewGELUActivation(),
    'gelu_pytorch_tanh': lambda: nn.GELU(approximate='tanh'),
    'relu': lambda: nn.ReLU(),
}

# ---- BERT (modeling_bert.py, eager attention) ----------------------------------------------------


class BertEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.word_embeddings = nn.Embedding(c['vocab_size'], c['hidden_size'], padding_idx=c['pad_token_id'])
        self.position_embeddings = nn.Embedding(c['max_position_embeddings'], c['hidden_size'])
        self.token_type_embeddings = nn.Embedding(c['type_vocab_size'], c['hidden_size'])
        self.LayerNorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.dropout = nn.Dropout(c['hidden_dropout_prob'])
        self.register_buffer('position_ids', torch.arange(c['max_position_embeddings']).expand((1, -1)), persistent=False)

    def forward(self, input_ids, token_type_ids=None, position_ids=None):
        seq_length = input_ids.shape[1]
        if position_ids is None:
            position_ids = self.position_ids[:, :seq_length]
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        emb = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        emb = emb + self.position_embeddings(position_ids)
        return self.dropout(self.LayerNorm(emb))


class BertSelfAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_attention_heads = c['num_attention_heads']
        self.attention_head_size = c['hidden_size'] // c['num_attention_heads']
        self.all_head_size = self.num_attention_heads * self.attention_head_size
        self.query = nn.Linear(c['hidden_size'], self.all_head_size)
        self.key = nn.Linear(c['hidden_size'], self.all_head_size)
        self.value = nn.Linear(c['hidden_size'], self.all_head_size)
        self.dropout = nn.Dropout(c['attention_probs_dropout_prob'])

    def transpose_for_scores(self, x):
        return x.view(x.size()[:-1] + (self.num_attention_heads, self.attention_head_size)).permute(0, 2, 1, 3)

    def forward(self, hidden_states, attention_mask=None):
        q = self.transpose_for_scores(self.query(hidden_states))
        k = self.transpose_for_scores(self.key(hidden_states))
        v = self.transpose_for_scores(self.value(hidden_states))
        scores = torch.matmul(q, k.transpose(-1, -2)) / math.sqrt(self.attention_head_size)
        if attention_mask is not None:
            scores = scores + attention_mask
        probs = self.dropout(F.softmax(scores, dim=-1))
        ctx = torch.matmul(probs, v).permute(0, 2, 1, 3).contiguous()
        return ctx.view(ctx.size()[:-2] + (self.all_head_size,))


class BertSelfOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['hidden_size'])
        self.LayerNorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.dropout = nn.Dropout(c['hidden_dropout_prob'])

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertAttention(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self = BertSelfAttention(c)
        self.output = BertSelfOutput(c)

    def forward(self, x, mask):
        return self.output(self.self(x, mask), x)


class BertIntermediate(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['intermediate_size'])
        self.intermediate_act_fn = ACT2FN[c['hidden_act']]()

    def forward(self, x):
        return self.intermediate_act_fn(self.dense(x))


class BertOutput(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['intermediate_size'], c['hidden_size'])
        self.LayerNorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])
        self.dropout = nn.Dropout(c['hidden_dropout_prob'])

    def forward(self, h, x):
        return self.LayerNorm(self.dropout(self.dense(h)) + x)


class BertLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.attention = BertAttention(c)
        self.intermediate = BertIntermediate(c)
        self.output = BertOutput(c)

    def forward(self, x, mask):
        a = self.attention(x, mask)
        return self.output(self.intermediate(a), a)


class BertEncoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layer = nn.ModuleList([BertLayer(c) for _ in range(c['num_hidden_layers'])])

    def forward(self, x, mask):
        for layer in self.layer:
            x = layer(x, mask)
        return x


class BertPooler(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['hidden_size'])
        self.activation = nn.Tanh()

    def forward(self, h):
        return self.activation(self.dense(h[:, 0]))


class BertModel(nn.Module):
    def __init__(self, c, add_pooling_layer=True):
        super().__init__()
        self.config = c
        self.embeddings = BertEmbeddings(c)
        self.encoder = BertEncoder(c)
        self.pooler = BertPooler(c) if add_pooling_layer else None

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, position_ids=None):
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        ext = (1.0 - attention_mask[:, None, None, :].to(torch.float32)) * MIN
        h = self.encoder(self.embeddings(input_ids, token_type_ids, position_ids), ext)
        return h, (self.pooler(h) if self.pooler is not None else None)


class BertPredictionHeadTransform(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dense = nn.Linear(c['hidden_size'], c['hidden_size'])
        self.transform_act_fn = ACT2FN[c['hidden_act']]()
        self.LayerNorm = nn.LayerNorm(c['hidden_size'], eps=c['layer_norm_eps'])

    def forward(self, x):
        return self.LayerNorm(self.transform_act_fn(self.dense(x)))


class BertLMPredictionHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.transform = BertPredictionHeadTransform(c)
        self.decoder = nn.Linear(c['hidden_size'], c['vocab_size'], bias=False)
        self.bias = nn.Parameter(torch.zeros(c['vocab_size']))
        self.decoder.bias = self.bias

    def forward(self, x):
        return self.decoder(self.transform(x))


class BertOnlyMLMHead(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.predictions = BertLMPredictionHead(c)

    def forward(self, x):
        return self.predictions(x)


def bert_init_weights(model, c):
    """BertPreTrainedModel._init_weights."""
    for m in model.modules():
        if isinstance(m, nn.Linear):
            m.weight.data.normal_(mean=0.0, std=c['initializer_range'])
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(mean=0.0, std=c['initializer_range'])
            if m.padding_idx is not None:
                m.weight.data[m.padding_idx].zero_()
        elif isinstance(m, nn.LayerNorm):
            m.bias.data.zero_()
            m.weight.data.fill_(1.0)
        elif isinstance(m, BertLMPredictionHead):
            m.bias.data.zero_()


def perturb(model, scale=0.1):
    """Non-trivial biases and LayerNorm parameters, so a test notices a missing or swapped one."""
    with torch.no_grad():
        for name, p in model.named_parameters():
            if name.endswith('bias'):
                p.add_(torch.randn_like(p) * scale)
            elif 'LayerNorm.weight' in name or name.endswith(('ln_1.weight', 'ln_2.weight', 'ln_f.weight')):
                p.add_(torch.randn_like(p) * scale)


class BertForSequenceClassification(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.num_labels = c['num_labels']
        self.config = c
        self.bert = BertModel(c)
        p = c.get('classifier_dropout')
        self.dropout = nn.Dropout(p if p is not None else c['hidden_dropout_prob'])
        self.classifier = nn.Linear(c['hidden_size'], c['num_labels'])
        bert_init_weights(self, c)

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        _, pooled = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.classifier(self.dropout(pooled))
        loss = None
        if labels is not None:
            problem = self.config.get('problem_type')
            if problem is None:
                if self.num_labels == 1:
                    problem = 'regression'
                elif labels.dtype in (torch.long, torch.int):
                    problem = 'single_label_classification'
                else:
                    problem = 'multi_label_classification'
            if problem == 'regression':
                loss = F.mse_loss(logits.squeeze(), labels.squeeze()) if self.num_labels == 1 else F.mse_loss(logits, labels)
            elif problem == 'single_label_classification':
                loss = F.cross_entropy(logits.view(-1, self.num_labels), labels.view(-1))
            else:
                loss = F.binary_cross_entropy_with_logits(logits, labels)
        return loss, logits


class BertForMaskedLM(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.bert = BertModel(c, add_pooling_layer=False)
        self.cls = BertOnlyMLMHead(c)
        bert_init_weights(self, c)
        self.cls.predictions.decoder.weight = self.bert.embeddings.word_embeddings.weight  # tie_weights()

    def forward(self, input_ids, attention_mask=None, token_type_ids=None, labels=None):
        h, _ = self.bert(input_ids, attention_mask, token_type_ids)
        logits = self.cls(h)
        loss = None
        if labels is not None:
            loss = F.cross_entropy(logits.view(-1, self.config['vocab_size']), labels.view(-1))
        return loss, logits


# ---- GPT-2 (modeling_gpt2.py, eager attention) ---------------------------------------------------


class Conv1D(nn.Module):
    """transformers' Conv1D: a linear layer whose weight is stored transposed, [nx, nf]."""

    def __init__(self, nf, nx):
        super().__init__()
        self.nf = nf
        self.weight = nn.Parameter(torch.empty(nx, nf))
        self.bias = nn.Parameter(torch.zeros(nf))
        nn.init.normal_(self.weight, std=0.02)

    def forward(self, x):
        size_out = x.size()[:-1] + (self.nf,)
        x = torch.addmm(self.bias, x.view(-1, x.size(-1)), self.weight)
        return x.view(size_out)


class GPT2Attention(nn.Module):
    def __init__(self, c):
        super().__init__()
        n = c['n_positions']
        self.register_buffer('bias', torch.tril(torch.ones((n, n), dtype=torch.bool)).view(1, 1, n, n), persistent=False)
        self.embed_dim = c['n_embd']
        self.num_heads = c['n_head']
        self.head_dim = self.embed_dim // self.num_heads
        self.c_attn = Conv1D(3 * self.embed_dim, self.embed_dim)
        self.c_proj = Conv1D(self.embed_dim, self.embed_dim)
        self.attn_dropout = nn.Dropout(c['attn_pdrop'])
        self.resid_dropout = nn.Dropout(c['resid_pdrop'])

    def _attn(self, q, k, v, attention_mask=None):
        w = torch.matmul(q, k.transpose(-1, -2))
        w = w / torch.full([], v.size(-1) ** 0.5, dtype=w.dtype)
        ql, kl = q.size(-2), k.size(-2)
        causal = self.bias[:, :, kl - ql:kl, :kl]
        w = torch.where(causal, w, torch.full([], MIN, dtype=w.dtype))
        if attention_mask is not None:
            w = w + attention_mask
        w = self.attn_dropout(F.softmax(w, dim=-1))
        return torch.matmul(w, v)

    def _split_heads(self, t):
        return t.view(t.size()[:-1] + (self.num_heads, self.head_dim)).permute(0, 2, 1, 3)

    def forward(self, x, layer_past=None, attention_mask=None, use_cache=False):
        q, k, v = self.c_attn(x).split(self.embed_dim, dim=2)
        q, k, v = self._split_heads(q), self._split_heads(k), self._split_heads(v)
        if layer_past is not None:
            k = torch.cat((layer_past[0], k), dim=-2)
            v = torch.cat((layer_past[1], v), dim=-2)
        present = (k, v) if use_cache else None
        a = self._attn(q, k, v, attention_mask).permute(0, 2, 1, 3).contiguous()
        a = a.view(a.size()[:-2] + (self.embed_dim,))
        return self.resid_dropout(self.c_proj(a)), present


class GPT2MLP(nn.Module):
    def __init__(self, inner, c):
        super().__init__()
        self.c_fc = Conv1D(inner, c['n_embd'])
        self.c_proj = Conv1D(c['n_embd'], inner)
        self.act = ACT2FN[c['activation_function']]()
        self.dropout = nn.Dropout(c['resid_pdrop'])

    def forward(self, x):
        return self.dropout(self.c_proj(self.act(self.c_fc(x))))


class GPT2Block(nn.Module):
    def __init__(self, c):
        super().__init__()
        inner = c['n_inner'] if c.get('n_inner') is not None else 4 * c['n_embd']
        self.ln_1 = nn.LayerNorm(c['n_embd'], eps=c['layer_norm_epsilon'])
        self.attn = GPT2Attention(c)
        self.ln_2 = nn.LayerNorm(c['n_embd'], eps=c['layer_norm_epsilon'])
        self.mlp = GPT2MLP(inner, c)

    def forward(self, x, layer_past=None, attention_mask=None, use_cache=False):
        a, present = self.attn(self.ln_1(x), layer_past, attention_mask, use_cache)
        x = x + a
        x = x + self.mlp(self.ln_2(x))
        return x, present


class GPT2Model(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.wte = nn.Embedding(c['vocab_size'], c['n_embd'])
        self.wpe = nn.Embedding(c['n_positions'], c['n_embd'])
        self.drop = nn.Dropout(c['embd_pdrop'])
        self.h = nn.ModuleList([GPT2Block(c) for _ in range(c['n_layer'])])
        self.ln_f = nn.LayerNorm(c['n_embd'], eps=c['layer_norm_epsilon'])

    def forward(self, input_ids, past_key_values=None, attention_mask=None, position_ids=None, use_cache=False):
        B, T = input_ids.shape
        past_length = 0 if past_key_values is None else past_key_values[0][0].size(-2)
        if position_ids is None:
            position_ids = torch.arange(past_length, T + past_length, dtype=torch.long).unsqueeze(0)
        if attention_mask is not None:
            attention_mask = attention_mask.view(B, -1)[:, None, None, :].to(torch.float32)
            attention_mask = (1.0 - attention_mask) * MIN
        x = self.drop(self.wte(input_ids) + self.wpe(position_ids))
        presents = []
        for i, block in enumerate(self.h):
            x, present = block(x, None if past_key_values is None else past_key_values[i], attention_mask, use_cache)
            presents.append(present)
        return self.ln_f(x), (presents if use_cache else None)


def gpt2_init_weights(model, c):
    """GPT2PreTrainedModel._init_weights, including the scaled c_proj init."""
    for m in model.modules():
        if isinstance(m, (nn.Linear, Conv1D)):
            m.weight.data.normal_(mean=0.0, std=c['initializer_range'])
            if m.bias is not None:
                m.bias.data.zero_()
        elif isinstance(m, nn.Embedding):
            m.weight.data.normal_(mean=0.0, std=c['initializer_range'])
        elif isinstance(m, nn.LayerNorm):
            m.bias.data.zero_()
            m.weight.data.fill_(1.0)
    for name, p in model.named_parameters():
        if name.endswith('c_proj.weight'):
            p.data.normal_(mean=0.0, std=c['initializer_range'] / math.sqrt(2 * c['n_layer']))


class GPT2LMHeadModel(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.config = c
        self.transformer = GPT2Model(c)
        self.lm_head = nn.Linear(c['n_embd'], c['vocab_size'], bias=False)
        gpt2_init_weights(self, c)
        self.lm_head.weight = self.transformer.wte.weight  # tie_weights()

    def forward(self, input_ids, past_key_values=None, attention_mask=None, position_ids=None, use_cache=False, labels=None):
        h, presents = self.transformer(input_ids, past_key_values, attention_mask, position_ids, use_cache)
        logits = self.lm_head(h)
        loss = None
        if labels is not None:
            shift_logits = logits[..., :-1, :].contiguous()
            shift_labels = labels[..., 1:].contiguous()
            loss = F.cross_entropy(shift_logits.view(-1, shift_logits.size(-1)), shift_labels.view(-1))
        return loss, logits, presents


# ---- generation (GenerationMixin._sample with do_sample=False) -----------------------------------


def repetition_penalty(input_ids, scores, penalty):
    score = torch.gather(scores, 1, input_ids)
    score = torch.where(score < 0, score * penalty, score / penalty)
    return scores.scatter(1, input_ids, score)


def top_k_warp(scores, top_k, filter_value=-float('inf'), min_tokens_to_keep=1):
    top_k = min(max(top_k, min_tokens_to_keep), scores.size(-1))
    indices_to_remove = scores < torch.topk(scores, top_k)[0][..., -1, None]
    return scores.masked_fill(indices_to_remove, filter_value)


def top_p_warp(scores, top_p, filter_value=-float('inf'), min_tokens_to_keep=1):
    sorted_logits, sorted_indices = torch.sort(scores, descending=False)
    cumulative_probs = sorted_logits.softmax(dim=-1).cumsum(dim=-1)
    sorted_indices_to_remove = cumulative_probs <= (1 - top_p)
    sorted_indices_to_remove[..., -min_tokens_to_keep:] = 0
    indices_to_remove = sorted_indices_to_remove.scatter(1, sorted_indices, sorted_indices_to_remove)
    return scores.masked_fill(indices_to_remove, filter_value)


def greedy_generate(model, input_ids, attention_mask, max_new_tokens, eos_token_id=None, pad_token_id=None,
                    rep_penalty=1.0, min_new_tokens=0, use_cache=True):
    """Greedy decoding as transformers does it for a decoder-only model (left padding)."""
    B, prompt_len = input_ids.shape
    max_length = prompt_len + max_new_tokens
    if pad_token_id is None and eos_token_id is not None:
        pad_token_id = eos_token_id
    unfinished = torch.ones(B, dtype=torch.long)
    past = None
    ids = input_ids
    mask = attention_mask
    while ids.shape[1] < max_length:
        position_ids = mask.long().cumsum(-1) - 1
        position_ids.masked_fill_(mask == 0, 1)
        if use_cache and past is not None:
            step_ids, position_ids = ids[:, -1:], position_ids[:, -1:]
        else:
            step_ids = ids
        _, logits, presents = model(step_ids, past if use_cache else None, mask, position_ids, use_cache)
        past = presents if use_cache else None
        scores = logits[:, -1, :].clone()
        if rep_penalty != 1.0:
            scores = repetition_penalty(ids, scores, rep_penalty)
        if eos_token_id is not None and ids.shape[1] - prompt_len < min_new_tokens:
            scores[:, eos_token_id] = -float('inf')
        nxt = torch.argmax(scores, dim=-1)
        if eos_token_id is not None:
            nxt = nxt * unfinished + pad_token_id * (1 - unfinished)
        ids = torch.cat([ids, nxt[:, None]], dim=-1)
        mask = torch.cat([mask, mask.new_ones((B, 1))], dim=-1)
        if eos_token_id is not None:
            unfinished = unfinished & (nxt != eos_token_id).long()
            if unfinished.max() == 0:
                break
    return ids


# ---- configs -----------------------------------------------------------------------------------

BERT_CONFIG = {
    'architectures': ['BertForSequenceClassification'],
    'attention_probs_dropout_prob': 0.1,
    'classifier_dropout': None,
    'hidden_act': 'gelu',
    'hidden_dropout_prob': 0.1,
    'hidden_size': 32,
    'initializer_range': 0.2,
    'intermediate_size': 37,
    'layer_norm_eps': 1e-12,
    'max_position_embeddings': 64,
    'model_type': 'bert',
    'num_attention_heads': 4,
    'num_hidden_layers': 2,
    'pad_token_id': 0,
    'position_embedding_type': 'absolute',
    'torch_dtype': 'float32',
    'transformers_version': '4.46.3',
    'type_vocab_size': 2,
    'use_cache': True,
    'vocab_size': 99,
}

GPT2_CONFIG = {
    'activation_function': 'gelu_new',
    'architectures': ['GPT2LMHeadModel'],
    'attn_pdrop': 0.1,
    'bos_token_id': 98,
    'embd_pdrop': 0.1,
    'eos_token_id': 98,
    'initializer_range': 0.2,
    'layer_norm_epsilon': 1e-05,
    'model_type': 'gpt2',
    'n_embd': 32,
    'n_head': 4,
    'n_inner': None,
    'n_layer': 2,
    'n_positions': 64,
    'reorder_and_upcast_attn': False,
    'resid_pdrop': 0.1,
    'scale_attn_by_inverse_layer_idx': False,
    'scale_attn_weights': True,
    'summary_activation': None,
    'summary_first_dropout': 0.1,
    'summary_proj_to_labels': True,
    'summary_type': 'cls_index',
    'summary_use_proj': True,
    'torch_dtype': 'float32',
    'transformers_version': '4.46.3',
    'use_cache': True,
    'vocab_size': 99,
}


def hf_state_dict(model, tied):
    """state_dict() minus the tied copies, as save_pretrained writes it."""
    return {k: v for k, v in model.state_dict().items() if k not in tied}


# ---- BERT fixtures -------------------------------------------------------------------------------


def gen_bert():
    torch.manual_seed(1)
    c = dict(BERT_CONFIG, id2label={'0': 'negative', '1': 'neutral', '2': 'positive'},
             label2id={'negative': 0, 'neutral': 1, 'positive': 2}, num_labels=3)
    model = BertForSequenceClassification(c)
    perturb(model)
    model.eval()
    cfg = {k: v for k, v in c.items() if k != 'num_labels'}
    save_checkpoint('bert-seqcls', cfg, hf_state_dict(model, set()))

    # A padded batch with a sentence pair (token type ids) and [CLS]=2, [SEP]=3, [PAD]=0.
    input_ids = torch.tensor([[2, 17, 45, 9, 3, 0, 0, 0], [2, 5, 61, 88, 3, 12, 40, 3], [2, 33, 3, 0, 0, 0, 0, 0]])
    attention_mask = (input_ids != 0).long()
    token_type_ids = torch.tensor([[0] * 8, [0, 0, 0, 0, 0, 1, 1, 1], [0] * 8])
    labels = torch.tensor([2, 0, 1])
    with torch.no_grad():
        loss, logits = model(input_ids, attention_mask, token_type_ids, labels)
        hidden, pooled = model.bert(input_ids, attention_mask, token_type_ids)
        _, logits_nomask = model(input_ids)
        model.config = dict(c, problem_type='multi_label_classification')
        ml_labels = torch.tensor([[1.0, 0.0, 1.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]])
        ml_loss, _ = model(input_ids, attention_mask, token_type_ids, ml_labels)
        model.config = c

    torch.manual_seed(2)
    creg = dict(BERT_CONFIG, id2label={'0': 'LABEL_0'}, label2id={'LABEL_0': 0}, num_labels=1)
    reg = BertForSequenceClassification(creg)
    perturb(reg)
    reg.eval()
    save_checkpoint('bert-regression', {k: v for k, v in creg.items() if k != 'num_labels'}, hf_state_dict(reg, set()))
    reg_labels = torch.tensor([0.5, -1.25, 2.0])
    with torch.no_grad():
        reg_loss, reg_logits = reg(input_ids, attention_mask, token_type_ids, reg_labels)

    torch.manual_seed(3)
    cm = dict(BERT_CONFIG, architectures=['BertForMaskedLM'])
    mlm = BertForMaskedLM(cm)
    perturb(mlm)
    mlm.eval()
    tied = {'cls.predictions.decoder.weight', 'cls.predictions.decoder.bias'}
    save_checkpoint('bert-mlm', cm, hf_state_dict(mlm, tied))
    mlm_labels = torch.full_like(input_ids, -100)
    mlm_labels[0, 2] = 45
    mlm_labels[1, 3] = 88
    mlm_labels[2, 1] = 33
    with torch.no_grad():
        mlm_loss, mlm_logits = mlm(input_ids, attention_mask, token_type_ids, mlm_labels)

    # A checkpoint as old transformers (and the hub's bert-base-uncased) wrote it: a pretraining
    # model with the NSP head, the position_ids buffer saved, and the tied decoder weight present.
    pre_sd = {k: v for k, v in model.state_dict().items() if k.startswith('bert.')}
    pre_sd['bert.embeddings.position_ids'] = torch.arange(64).unsqueeze(0)
    pre_sd['cls.predictions.bias'] = torch.randn(99)
    pre_sd['cls.predictions.transform.dense.weight'] = torch.randn(32, 32)
    pre_sd['cls.predictions.transform.dense.bias'] = torch.randn(32)
    pre_sd['cls.predictions.transform.LayerNorm.weight'] = torch.randn(32)
    pre_sd['cls.predictions.transform.LayerNorm.bias'] = torch.randn(32)
    pre_sd['cls.predictions.decoder.weight'] = pre_sd['bert.embeddings.word_embeddings.weight']
    pre_sd['cls.seq_relationship.weight'] = torch.randn(2, 32)
    pre_sd['cls.seq_relationship.bias'] = torch.randn(2)
    save_checkpoint('bert-pretraining', dict(BERT_CONFIG, architectures=['BertForPreTraining']), pre_sd)

    write_json('bert.json', {
        'inputIds': tj(input_ids),
        'attentionMask': tj(attention_mask),
        'tokenTypeIds': tj(token_type_ids),
        'seqcls': {'labels': tj(labels), 'loss': loss.item(), 'logits': tj(logits),
                   'lastHiddenState': tj(hidden), 'pooled': tj(pooled), 'logitsNoMask': tj(logits_nomask),
                   'multiLabel': {'labels': tj(ml_labels), 'loss': ml_loss.item()}},
        'regression': {'labels': tj(reg_labels), 'loss': reg_loss.item(), 'logits': tj(reg_logits)},
        'mlm': {'labels': tj(mlm_labels), 'loss': mlm_loss.item(), 'logits': tj(mlm_logits)},
        'stateDictKeys': {
            'seqcls': list(model.state_dict().keys()),
            'mlm': list(hf_state_dict(mlm, tied).keys()),
        },
    })
    return model, mlm


# ---- GPT-2 fixtures ------------------------------------------------------------------------------


def gen_gpt2():
    torch.manual_seed(4)
    c = dict(GPT2_CONFIG)
    model = GPT2LMHeadModel(c)
    perturb(model)
    model.eval()
    save_checkpoint('gpt2-lm', c, hf_state_dict(model, {'lm_head.weight'}))

    # The layout of the hub's original gpt2 file: a GPT2Model (no 'transformer.' prefix) with the
    # attn.bias / attn.masked_bias buffers of older transformers saved alongside.
    legacy = {k[len('transformer.'):]: v for k, v in model.state_dict().items() if k.startswith('transformer.')}
    for i in range(c['n_layer']):
        legacy['h.%d.attn.bias' % i] = torch.tril(torch.ones(64, 64, dtype=torch.uint8)).view(1, 1, 64, 64)
        legacy['h.%d.attn.masked_bias' % i] = torch.tensor(-1e4)
    save_checkpoint('gpt2-legacy', dict(c, architectures=['GPT2LMHeadModel']), legacy)

    # Plain forward on a full batch; labels with an ignored (-100) position.
    input_ids = torch.tensor([[5, 17, 42, 8, 91, 23, 4, 60], [7, 7, 13, 55, 2, 19, 88, 31]])
    labels = input_ids.clone()
    labels[1, 5] = -100
    with torch.no_grad():
        loss, logits, _ = model(input_ids, labels=labels)
        hidden, _ = model.transformer(input_ids)

    # Left-padded batch (pad = eos = 98) with the position ids generate() would use.
    pad = c['eos_token_id']
    prompts = [[11, 22, 33, 44, 55], [61, 62], [7, 80, 3]]
    T = max(len(p) for p in prompts)
    padded = torch.tensor([[pad] * (T - len(p)) + p for p in prompts])
    mask = torch.tensor([[0] * (T - len(p)) + [1] * len(p) for p in prompts])
    pos = mask.cumsum(-1) - 1
    pos.masked_fill_(mask == 0, 1)
    with torch.no_grad():
        _, padded_logits, _ = model(padded, attention_mask=mask, position_ids=pos)
        # The same prompts one at a time, unpadded: the last-position logits must agree.
        single_last = [model(torch.tensor([p]))[1][0, -1].tolist() for p in prompts]

        # A KV-cache step by step equals the full forward.
        _, full_logits, presents = model(input_ids, use_cache=True)
        _, first, past = model(input_ids[:, :5], use_cache=True)
        _, rest, _ = model(input_ids[:, 5:], past_key_values=past, use_cache=True)

        gens = {}
        gens['greedy'] = greedy_generate(model, torch.tensor([[11, 22, 33]]), torch.ones(1, 3, dtype=torch.long), 12)
        gens['greedyNoCache'] = greedy_generate(model, torch.tensor([[11, 22, 33]]), torch.ones(1, 3, dtype=torch.long), 12, use_cache=False)
        gens['batchedLeftPadded'] = greedy_generate(model, padded, mask, 10, eos_token_id=None)
        gens['repetitionPenalty'] = greedy_generate(model, torch.tensor([[11, 22, 33]]), torch.ones(1, 3, dtype=torch.long), 12, rep_penalty=1.3)
        # eos chosen among the greedy continuation so that it stops early; pad differs from eos.
        eos = int(gens['greedy'][0, 6])
        gens['eos'] = greedy_generate(model, torch.tensor([[11, 22, 33]]), torch.ones(1, 3, dtype=torch.long), 12, eos_token_id=eos, pad_token_id=0)
        gens['minNewTokens'] = greedy_generate(model, torch.tensor([[11, 22, 33]]), torch.ones(1, 3, dtype=torch.long), 12, eos_token_id=eos, pad_token_id=0, min_new_tokens=8)
        gens['batchedEos'] = greedy_generate(model, padded, mask, 10, eos_token_id=int(gens['batchedLeftPadded'][1, T + 3]), pad_token_id=pad)
    assert torch.equal(gens['greedy'], gens['greedyNoCache'])

    write_json('gpt2.json', {
        'inputIds': tj(input_ids),
        'labels': tj(labels),
        'loss': loss.item(),
        'logits': tj(logits),
        'lastHiddenState': tj(hidden),
        'cacheSplit': 5,
        'cachedLogits': tj(torch.cat([first, rest], dim=1)),
        'presentKey0': tj(presents[0][0]),
        'leftPadded': {'inputIds': tj(padded), 'attentionMask': tj(mask), 'positionIds': tj(pos),
                       'logits': tj(padded_logits), 'singleLastLogits': single_last, 'prompts': prompts},
        'generate': {
            'greedy': {'prompt': [[11, 22, 33]], 'maxNewTokens': 12, 'output': gens['greedy'].tolist()},
            'batchedLeftPadded': {'maxNewTokens': 10, 'output': gens['batchedLeftPadded'].tolist()},
            'repetitionPenalty': {'prompt': [[11, 22, 33]], 'maxNewTokens': 12, 'repetitionPenalty': 1.3,
                                  'output': gens['repetitionPenalty'].tolist()},
            'eos': {'prompt': [[11, 22, 33]], 'maxNewTokens': 12, 'eosTokenId': eos, 'padTokenId': 0,
                    'output': gens['eos'].tolist()},
            'minNewTokens': {'prompt': [[11, 22, 33]], 'maxNewTokens': 12, 'eosTokenId': eos, 'padTokenId': 0,
                             'minNewTokens': 8, 'output': gens['minNewTokens'].tolist()},
            'batchedEos': {'maxNewTokens': 10, 'eosTokenId': int(gens['batchedLeftPadded'][1, T + 3]),
                           'padTokenId': pad, 'output': gens['batchedEos'].tolist()},
        },
        'stateDictKeys': list(hf_state_dict(model, {'lm_head.weight'}).keys()),
    })
    return model


# ---- logits processors ---------------------------------------------------------------------------


def gen_processors():
    torch.manual_seed(5)
    scores = torch.randn(3, 40) * 2
    scores[1, 7] = scores[1, 9] = scores[1].max() + 1  # a tie at the top
    scores[2, :] = torch.arange(40, dtype=torch.float32) * 0.05  # nearly flat, for top-p
    ids = torch.tensor([[1, 5, 5, 30], [7, 2, 0, 39], [12, 13, 14, 12]])
    out = {'scores': tj(scores), 'inputIds': tj(ids)}
    out['temperature0.7'] = tj(scores / 0.7)
    out['topK5'] = tj(top_k_warp(scores, 5))
    out['topK1'] = tj(top_k_warp(scores, 1))
    out['topP0.9'] = tj(top_p_warp(scores, 0.9))
    out['topP0.3'] = tj(top_p_warp(scores, 0.3))
    out['repetitionPenalty1.5'] = tj(repetition_penalty(ids, scores, 1.5))
    # transformers' sampling order: repetition penalty, then temperature, top-k, top-p.
    chain = top_p_warp(top_k_warp(repetition_penalty(ids, scores, 1.2) / 0.8, 10), 0.85)
    out['chain'] = tj(chain)
    write_json('processors.json', out)


# ---- training: 3 AdamW steps ---------------------------------------------------------------------


def no_decay_groups(model, weight_decay):
    """The usual fine-tuning grouping: no weight decay for biases and LayerNorm weights."""
    decay, no_decay = [], []
    for n, p in model.named_parameters():
        (no_decay if n.endswith('bias') or 'LayerNorm.weight' in n or '.ln_' in n else decay).append(p)
    return [{'params': decay, 'weight_decay': weight_decay}, {'params': no_decay, 'weight_decay': 0.0}]


def train3(model, batch_fn, lr=1e-3, warmup=2, total=6):
    model.train()
    opt = torch.optim.AdamW(no_decay_groups(model, 0.01), lr=lr, betas=(0.9, 0.999), eps=1e-8)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(1, warmup) if s < warmup else max(0.0, (total - s) / max(1, total - warmup)))
    losses, norms, lrs = [], [], []
    for step in range(3):
        opt.zero_grad()
        loss = batch_fn(step)
        loss.backward()
        norms.append(float(torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)))
        opt.step()
        sched.step()
        losses.append(loss.item())
        lrs.append(sched.get_last_lr()[0])
    return losses, norms, lrs


def gen_training():
    bert_folder = os.path.join(OUT, 'bert-seqcls')
    c = json.load(open(os.path.join(bert_folder, 'config.json')))
    c = dict(c, num_labels=len(c['id2label']), hidden_dropout_prob=0.0, attention_probs_dropout_prob=0.0)
    bert = BertForSequenceClassification(c)
    bert.load_state_dict(read_safetensors(os.path.join(bert_folder, 'model.safetensors')))
    ids = torch.tensor([[2, 17, 45, 9, 3, 0], [2, 5, 61, 88, 3, 12], [2, 33, 3, 0, 0, 0], [2, 8, 8, 70, 71, 3]])
    mask = (ids != 0).long()
    labels = torch.tensor([2, 0, 1, 1])
    bert_losses, bert_norms, lrs = train3(bert, lambda s: bert(ids, mask, None, labels)[0])

    gpt_folder = os.path.join(OUT, 'gpt2-lm')
    g = json.load(open(os.path.join(gpt_folder, 'config.json')))
    g = dict(g, resid_pdrop=0.0, embd_pdrop=0.0, attn_pdrop=0.0)
    gpt = GPT2LMHeadModel(g)
    sd = read_safetensors(os.path.join(gpt_folder, 'model.safetensors'))
    sd['lm_head.weight'] = sd['transformer.wte.weight']
    gpt.load_state_dict(sd)
    gpt.lm_head.weight = gpt.transformer.wte.weight
    gids = torch.tensor([[5, 17, 42, 8, 91, 23, 4, 60], [7, 7, 13, 55, 2, 19, 88, 31]])
    gpt_losses, gpt_norms, _ = train3(gpt, lambda s: gpt(gids, labels=gids)[0])

    write_json('training.json', {
        'lr': 1e-3, 'warmupSteps': 2, 'totalSteps': 6, 'weightDecay': 0.01, 'maxGradNorm': 1.0, 'lrs': lrs,
        'bert': {'inputIds': tj(ids), 'attentionMask': tj(mask), 'labels': tj(labels), 'losses': bert_losses,
                 'gradNorms': bert_norms, 'weights': {k: tj(v) for k, v in bert.state_dict().items()}},
        'gpt2': {'inputIds': tj(gids), 'losses': gpt_losses, 'gradNorms': gpt_norms,
                 'weights': {k: tj(v) for k, v in hf_state_dict(gpt, {'lm_head.weight'}).items()}},
    })


if __name__ == '__main__':
    gen_bert()
    gen_gpt2()
    gen_processors()
    gen_training()
