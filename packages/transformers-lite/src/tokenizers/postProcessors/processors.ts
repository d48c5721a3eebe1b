import {
  fail,
  isObject,
  type JsonObject,
  MAX_TOKEN_ID,
  preview,
  readArray,
  readBool,
  readIdValue,
  readObject,
} from '../config.js';
import {
  concatEncodings,
  type Encoding,
  type PostProcessor,
  specialEncoding,
  withTypeId,
} from './postProcessor.js';

type TemplatePiece =
  | { kind: 'sequence'; seq: 'A' | 'B'; typeId: number }
  | { kind: 'special'; name: string; typeId: number };
interface SpecialTokenEntry {
  ids: number[];
  tokens: string[];
}

/** Hugging Face's general post-processor: templates such as `[CLS] $A [SEP] $B:1 [SEP]:1`. */
export class TemplateProcessing implements PostProcessor {
  constructor(
    readonly single: readonly TemplatePiece[],
    readonly pair: readonly TemplatePiece[],
    readonly specialTokens: ReadonlyMap<string, SpecialTokenEntry>,
  ) {
    for (const piece of [...single, ...pair]) {
      if (piece.kind === 'special' && !specialTokens.has(piece.name)) {
        fail(
          'TemplateProcessing',
          `template uses special token ${preview(piece.name)}, missing from "special_tokens"`,
        );
      }
    }
  }

  /** BERT's template: `[CLS] $A [SEP]` and `[CLS] $A [SEP] $B:1 [SEP]:1`. */
  static bert(cls: [string, number], sep: [string, number]): TemplateProcessing {
    const special = (name: string, typeId: number): TemplatePiece => ({ kind: 'special', name, typeId });
    const seq = (s: 'A' | 'B', typeId: number): TemplatePiece => ({ kind: 'sequence', seq: s, typeId });
    return new TemplateProcessing(
      [special(cls[0], 0), seq('A', 0), special(sep[0], 0)],
      [special(cls[0], 0), seq('A', 0), special(sep[0], 0), seq('B', 1), special(sep[0], 1)],
      new Map([
        [cls[0], { ids: [cls[1]], tokens: [cls[0]] }],
        [sep[0], { ids: [sep[1]], tokens: [sep[0]] }],
      ]),
    );
  }

  static fromJSON(cfg: JsonObject): TemplateProcessing {
    const w = 'TemplateProcessing';
    const specials = new Map<string, SpecialTokenEntry>();
    for (const [name, v] of Object.entries(readObject(cfg, 'special_tokens', w))) {
      const at = `${w} special_tokens[${preview(name)}]`;
      if (
        !isObject(v) ||
        !Array.isArray(v.ids) ||
        !Array.isArray(v.tokens) ||
        v.ids.length !== v.tokens.length
      ) {
        fail(at, `must be { id, ids: number[], tokens: string[] } of equal lengths, got ${preview(v)}`);
      }
      const ids = v.ids.map((id, i) => readIdValue(id, at, `ids[${i}]`));
      v.tokens.forEach((t, i) => {
        if (typeof t !== 'string') fail(at, `"tokens[${i}]" must be a string, got ${preview(t)}`);
      });
      specials.set(name, { ids, tokens: v.tokens as string[] });
    }
    const template = (key: string) =>
      readArray(cfg, key, w).map((p, i) => parsePiece(p, `${w} ${key}[${i}]`));
    return new TemplateProcessing(template('single'), template('pair'), specials);
  }

  specialIds(): number[] {
    return [...this.specialTokens.values()].flatMap((s) => s.ids);
  }

  addedTokens(isPair: boolean): number {
    let n = 0;
    for (const p of isPair ? this.pair : this.single)
      if (p.kind === 'special') n += this.specialTokens.get(p.name)!.ids.length;
    return n;
  }

  process(a: Encoding, b: Encoding | null, addSpecialTokens: boolean): Encoding {
    const parts: Encoding[] = [];
    for (const p of b ? this.pair : this.single) {
      if (p.kind === 'sequence') {
        const e = p.seq === 'A' ? a : b;
        if (!e) fail('TemplateProcessing', 'the single-sequence template refers to $B');
        parts.push(withTypeId(e, p.typeId));
      } else if (addSpecialTokens) {
        const s = this.specialTokens.get(p.name)!;
        for (let i = 0; i < s.ids.length; i++) parts.push(specialEncoding(s.tokens[i]!, s.ids[i]!, p.typeId));
      }
    }
    return concatEncodings(parts);
  }

  toJSON(): JsonObject {
    const piece = (p: TemplatePiece) =>
      p.kind === 'sequence'
        ? { Sequence: { id: p.seq, type_id: p.typeId } }
        : { SpecialToken: { id: p.name, type_id: p.typeId } };
    return {
      type: 'TemplateProcessing',
      single: this.single.map(piece),
      pair: this.pair.map(piece),
      special_tokens: Object.fromEntries(
        [...this.specialTokens].map(([name, s]) => [name, { id: name, ids: s.ids, tokens: s.tokens }]),
      ),
    };
  }
}

function parsePiece(p: unknown, where: string): TemplatePiece {
  if (isObject(p) && isObject(p.Sequence)) {
    const { id, type_id } = p.Sequence;
    if ((id !== 'A' && id !== 'B') || !isTypeId(type_id))
      fail(where, `expected { Sequence: { id: "A"|"B", type_id: integer >= 0 } }, got ${preview(p)}`);
    return { kind: 'sequence', seq: id, typeId: type_id };
  }
  if (isObject(p) && isObject(p.SpecialToken)) {
    const { id, type_id } = p.SpecialToken;
    if (typeof id !== 'string' || !isTypeId(type_id))
      fail(where, `expected { SpecialToken: { id: string, type_id: integer >= 0 } }, got ${preview(p)}`);
    return { kind: 'special', name: id, typeId: type_id };
  }
  fail(where, `expected a { Sequence } or { SpecialToken } piece, got ${preview(p)}`);
}

function isTypeId(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 && v <= MAX_TOKEN_ID;
}

function readTokenPair(cfg: JsonObject, key: string, where: string): [string, number] {
  const v = cfg[key];
  if (!Array.isArray(v) || v.length !== 2 || typeof v[0] !== 'string') {
    fail(where, `"${key}" must be [token, id], got ${preview(v)}`);
  }
  return [v[0], readIdValue(v[1], where, `${key}[1]`)];
}

/** BERT's older processor: `[CLS] A [SEP]`, pairs `[CLS] A [SEP] B [SEP]` with B's type id 1. */
export class BertProcessing implements PostProcessor {
  constructor(
    readonly sep: [string, number],
    readonly cls: [string, number],
  ) {}
  static fromJSON(cfg: JsonObject): BertProcessing {
    return new BertProcessing(
      readTokenPair(cfg, 'sep', 'BertProcessing'),
      readTokenPair(cfg, 'cls', 'BertProcessing'),
    );
  }
  addedTokens(isPair: boolean): number {
    return isPair ? 3 : 2;
  }
  specialIds(): number[] {
    return [this.sep[1], this.cls[1]];
  }
  process(a: Encoding, b: Encoding | null, addSpecialTokens: boolean): Encoding {
    if (!addSpecialTokens) return concatEncodings(b ? [a, b] : [a]);
    const [cls, clsId] = this.cls;
    const [sep, sepId] = this.sep;
    const parts = [specialEncoding(cls, clsId, 0), withTypeId(a, 0), specialEncoding(sep, sepId, 0)];
    if (b) parts.push(withTypeId(b, 1), specialEncoding(sep, sepId, 1));
    return concatEncodings(parts);
  }
  toJSON(): JsonObject {
    return { type: 'BertProcessing', sep: this.sep, cls: this.cls };
  }
}

/** RoBERTa's: `<s> A </s>`, pairs `<s> A </s> </s> B </s>`, every type id 0. */
export class RobertaProcessing implements PostProcessor {
  constructor(
    readonly sep: [string, number],
    readonly cls: [string, number],
    readonly trimOffsets = true,
    readonly addPrefixSpace = true,
  ) {}
  static fromJSON(cfg: JsonObject): RobertaProcessing {
    const w = 'RobertaProcessing';
    return new RobertaProcessing(
      readTokenPair(cfg, 'sep', w),
      readTokenPair(cfg, 'cls', w),
      readBool(cfg, 'trim_offsets', w, true),
      readBool(cfg, 'add_prefix_space', w, true),
    );
  }
  addedTokens(isPair: boolean): number {
    return isPair ? 4 : 2;
  }
  specialIds(): number[] {
    return [this.sep[1], this.cls[1]];
  }
  process(a: Encoding, b: Encoding | null, addSpecialTokens: boolean): Encoding {
    a = withTypeId(a, 0);
    b = b && withTypeId(b, 0);
    if (!addSpecialTokens) return concatEncodings(b ? [a, b] : [a]);
    const [cls, clsId] = this.cls;
    const [sep, sepId] = this.sep;
    const parts = [specialEncoding(cls, clsId, 0), a, specialEncoding(sep, sepId, 0)];
    if (b) parts.push(specialEncoding(sep, sepId, 0), b, specialEncoding(sep, sepId, 0));
    return concatEncodings(parts);
  }
  toJSON(): JsonObject {
    return {
      type: 'RobertaProcessing',
      sep: this.sep,
      cls: this.cls,
      trim_offsets: this.trimOffsets,
      add_prefix_space: this.addPrefixSpace,
    };
  }
}

/** GPT-2's: only trims offsets in Hugging Face, so ids pass through unchanged. */
export class ByteLevelProcessing implements PostProcessor {
  constructor(
    readonly addPrefixSpace = true,
    readonly trimOffsets = true,
    readonly useRegex = true,
  ) {}
  static fromJSON(cfg: JsonObject): ByteLevelProcessing {
    const w = 'ByteLevel post-processor';
    return new ByteLevelProcessing(
      readBool(cfg, 'add_prefix_space', w, true),
      readBool(cfg, 'trim_offsets', w, true),
      readBool(cfg, 'use_regex', w, true),
    );
  }
  addedTokens(): number {
    return 0;
  }
  process(a: Encoding, b: Encoding | null): Encoding {
    return concatEncodings(b ? [a, b] : [a]);
  }
  toJSON(): JsonObject {
    return {
      type: 'ByteLevel',
      add_prefix_space: this.addPrefixSpace,
      trim_offsets: this.trimOffsets,
      use_regex: this.useRegex,
    };
  }
}

export class PostProcessorSequence implements PostProcessor {
  constructor(readonly processors: readonly PostProcessor[]) {}
  addedTokens(isPair: boolean): number {
    return this.processors.reduce((n, p) => n + p.addedTokens(isPair), 0);
  }
  specialIds(): number[] {
    return this.processors.flatMap((p) => p.specialIds?.() ?? []);
  }
  process(a: Encoding, b: Encoding | null, addSpecialTokens: boolean): Encoding {
    // Hugging Face runs each processor on the output of the previous one (pairs are merged by the first).
    let out = this.processors.length
      ? this.processors[0]!.process(a, b, addSpecialTokens)
      : concatEncodings(b ? [a, b] : [a]);
    for (const p of this.processors.slice(1)) out = p.process(out, null, addSpecialTokens);
    return out;
  }
  toJSON(): JsonObject {
    return { type: 'Sequence', processors: this.processors.map((p) => p.toJSON()) };
  }
}
