"""Checks transformers-lite against Hugging Face transformers itself, where it is installed.

  python3 packages/transformers-lite/scripts/check-with-transformers.py EXPORT_DIR

1. The reference checkpoints of gen-model-fixtures.py load into transformers with no missing or
   unexpected weights, and transformers' logits, losses and greedy generations equal the
   fixtures (so the hand-written reference is transformers' architecture).
2. The folders written by our savePretrained (export-hf-check.ts) load into transformers
   unchanged, with no missing, unexpected or mismatched weights, and give our logits and our
   greedy generations.
Exits 1 on any failure; prints one line per check.
"""
import json
import os
import sys

import torch
import transformers
from transformers import AutoModelForCausalLM, AutoModelForMaskedLM, AutoModelForSequenceClassification

HERE = os.path.dirname(os.path.abspath(__file__))
FIX = os.path.join(HERE, '..', 'test', 'fixtures', 'models')
EXPORT = sys.argv[1]
failures = []


def t(x, dtype=torch.float32):
    return torch.tensor(x['data'], dtype=dtype).reshape(x['shape'])


def check(name, ok, detail=''):
    print(('ok   ' if ok else 'FAIL ') + name + (f'  ({detail})' if detail else ''))
    if not ok:
        failures.append(name)


def close(name, actual, expected, atol=1e-4):
    d = (actual - expected).abs().max().item()
    check(name, d < atol, f'max |diff| {d:.2e}')


def load(cls, folder, **kw):
    model, info = cls.from_pretrained(folder, attn_implementation='eager', output_loading_info=True, **kw)
    problems = {k: v for k, v in info.items() if v and k in ('missing_keys', 'unexpected_keys', 'mismatched_keys', 'error_msgs')}
    check(f'{os.path.basename(folder)}: transformers loads it with nothing missing, unexpected or mismatched', not problems, str(problems))
    return model.eval()


print(f'transformers {transformers.__version__}, torch {torch.__version__}')
bert = json.load(open(os.path.join(FIX, 'bert.json')))
gpt2 = json.load(open(os.path.join(FIX, 'gpt2.json')))
ids, mask, types = t(bert['inputIds'], torch.long), t(bert['attentionMask'], torch.long), t(bert['tokenTypeIds'], torch.long)

with torch.no_grad():
    # 1. The reference fixtures are transformers' numbers.
    m = load(AutoModelForSequenceClassification, os.path.join(FIX, 'bert-seqcls'))
    out = m(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=t(bert['seqcls']['labels'], torch.long))
    close('reference BertForSequenceClassification logits = transformers', out.logits, t(bert['seqcls']['logits']))
    close('reference cross-entropy loss = transformers', out.loss, torch.tensor(bert['seqcls']['loss']))
    m = load(AutoModelForSequenceClassification, os.path.join(FIX, 'bert-regression'))
    out = m(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=t(bert['regression']['labels']))
    close('reference regression (MSE) loss = transformers', out.loss, torch.tensor(bert['regression']['loss']))
    m = load(AutoModelForMaskedLM, os.path.join(FIX, 'bert-mlm'))
    out = m(input_ids=ids, attention_mask=mask, token_type_ids=types, labels=t(bert['mlm']['labels'], torch.long))
    close('reference BertForMaskedLM logits = transformers', out.logits, t(bert['mlm']['logits']))
    close('reference masked-LM loss = transformers', out.loss, torch.tensor(bert['mlm']['loss']))
    g = load(AutoModelForCausalLM, os.path.join(FIX, 'gpt2-lm'))
    gids = t(gpt2['inputIds'], torch.long)
    out = g(input_ids=gids, labels=t(gpt2['labels'], torch.long))
    close('reference GPT2LMHeadModel logits = transformers', out.logits, t(gpt2['logits']))
    close('reference causal-LM loss = transformers', out.loss, torch.tensor(gpt2['loss']))
    lp = gpt2['leftPadded']
    out = g(input_ids=t(lp['inputIds'], torch.long), attention_mask=t(lp['attentionMask'], torch.long),
            position_ids=t(lp['positionIds'], torch.long))
    # Only real tokens: what a padding query computes is never used, and transformers 5 masks those
    # rows differently from 4.x (whose eager attention the reference follows).
    real = t(lp['attentionMask'], torch.long).bool()
    close('reference left-padded logits = transformers (real tokens)', out.logits[real], t(lp['logits'])[real])
    legacy, info = AutoModelForCausalLM.from_pretrained(os.path.join(FIX, 'gpt2-legacy'), attn_implementation='eager', output_loading_info=True)
    check('gpt2-legacy: transformers loads the hub-style file', not info['missing_keys'], str(info['missing_keys']))
    close('gpt2-legacy logits = transformers', legacy.eval()(input_ids=gids).logits, t(gpt2['logits']))
    for name, gen in gpt2['generate'].items():
        if 'prompt' in gen:
            inp = torch.tensor(gen['prompt'])
            am = torch.ones_like(inp)
        else:
            inp, am = t(lp['inputIds'], torch.long), t(lp['attentionMask'], torch.long)
        kwargs = dict(max_new_tokens=gen['maxNewTokens'], do_sample=False, attention_mask=am,
                      eos_token_id=gen.get('eosTokenId'), pad_token_id=gen.get('padTokenId', 98))
        if 'repetitionPenalty' in gen:
            kwargs['repetition_penalty'] = gen['repetitionPenalty']
        if 'minNewTokens' in gen:
            kwargs['min_new_tokens'] = gen['minNewTokens']
        res = g.generate(inp, **kwargs).tolist()
        check(f'reference greedy generation "{name}" = transformers generate()', res == gen['output'], f'{res} vs {gen["output"]}' if res != gen['output'] else '')

    # 2. Our savePretrained output loads into transformers and gives our numbers.
    ours = json.load(open(os.path.join(EXPORT, 'ours.json')))
    for folder, cls in [('bert-seqcls', AutoModelForSequenceClassification), ('bert-mlm', AutoModelForMaskedLM),
                        ('bert-fresh', AutoModelForSequenceClassification)]:
        m = load(cls, os.path.join(EXPORT, folder))
        close(f'{folder} saved by Lumen: transformers logits = ours', m(input_ids=ids, attention_mask=mask, token_type_ids=types).logits, t(ours[folder]))
    for folder in ['gpt2-lm', 'gpt2-fresh']:
        g = load(AutoModelForCausalLM, os.path.join(EXPORT, folder))
        close(f'{folder} saved by Lumen: transformers logits = ours', g(input_ids=gids).logits, t(ours[folder]))
    padded = torch.tensor([[11, 22, 33], [98, 5, 6]])
    res = g.generate(padded, attention_mask=torch.tensor([[1, 1, 1], [0, 1, 1]]), max_new_tokens=10, do_sample=False,
                     pad_token_id=98, eos_token_id=None).tolist()
    check('gpt2-fresh: transformers generate() on left-padded prompts = ours', res == ours['gpt2-fresh-generate'], f'{res} vs {ours["gpt2-fresh-generate"]}')

print(f'{len(failures)} failed' if failures else 'all checks passed')
sys.exit(1 if failures else 0)
