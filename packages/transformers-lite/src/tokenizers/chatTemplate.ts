import { Template } from '@huggingface/jinja';
import { checkOptions, type Tensor, tensor } from '@lumen/tensor';
import { describe, fail, isObject } from './config.js';
import type { SpecialTokens } from './specialTokens.js';

export interface ChatMessage {
  role: string;
  content: string;
  [key: string]: unknown;
}

/** Checks `messages` is an array of `{ role: string, content }` objects, naming the first bad one. */
export function checkMessages(messages: unknown, op: string): asserts messages is ChatMessage[] {
  if (!Array.isArray(messages))
    fail(op, `messages must be an array of { role, content }, got ${describe(messages)}`);
  messages.forEach((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string') {
      fail(op, `messages[${i}] must be an object with a string "role", got ${describe(m)}`);
    }
  });
}

const compiled = new Map<string, Template>();

/**
 * Renders a Jinja chat template as transformers does: the template sees `messages`,
 * `add_generation_prompt`, the special tokens (`bos_token`, `eos_token`, ...), any extra
 * variables, and `raise_exception(message)` (from @huggingface/jinja).
 */
export function renderChatTemplate(source: string, context: Record<string, unknown>, op: string): string {
  let template = compiled.get(source);
  if (!template) {
    try {
      template = new Template(source);
    } catch (e) {
      fail(op, `the chat template does not parse: ${(e as Error).message}`);
    }
    if (compiled.size > 32) compiled.clear();
    compiled.set(source, template);
  }
  // @huggingface/jinja itself provides raise_exception(message), which throws an Error.
  return template.render(context);
}

export interface ChatTemplateOptions {
  addGenerationPrompt?: boolean;
  /** Return ids (default) or the rendered text (`tokenize: false`). */
  tokenize?: boolean;
  returnTensors?: boolean | 'pt';
  /** A template to use instead of the tokenizer's (or the name of one of its named templates). */
  chatTemplate?: string;
  /** Tool definitions and documents, passed to the template as `tools` / `documents`. */
  tools?: readonly unknown[];
  documents?: readonly unknown[];
  /** Further variables for the template. */
  templateVars?: Record<string, unknown>;
}

/** What applyChatTemplate needs of a tokenizer. */
export interface ChatTemplateContext {
  readonly chatTemplate: string | Record<string, string> | null;
  /** The special tokens, seen by the template as `bos_token`, …, `additional_special_tokens`. */
  readonly specials: SpecialTokens;
  /** The template's text to ids, without adding special tokens (the template wrote those it wants). */
  encodeRendered(text: string): number[];
}

/** PreTrainedTokenizer.applyChatTemplate: the rendered text, its ids, or the ids as an int32 [1, n] Tensor. */
export function applyChatTemplate(
  tok: ChatTemplateContext,
  messages: readonly ChatMessage[],
  opts: ChatTemplateOptions,
): string | number[] | Tensor {
  const op = 'applyChatTemplate';
  checkMessages(messages, op);
  checkOptions(op, opts, [
    'addGenerationPrompt',
    'tokenize',
    'returnTensors',
    'chatTemplate',
    'tools',
    'documents',
    'templateVars',
  ]);
  const source = pickChatTemplate(tok.chatTemplate, opts.chatTemplate, op);
  const specials: Record<string, string> = {};
  for (const [role, token] of tok.specials.roles) specials[`${role}_token`] = token;
  const text = renderChatTemplate(
    source,
    {
      ...specials,
      additional_special_tokens: tok.specials.additional,
      ...(opts.templateVars ?? {}),
      messages,
      tools: opts.tools,
      documents: opts.documents,
      add_generation_prompt: opts.addGenerationPrompt ?? false,
    },
    op,
  );
  if (opts.tokenize === false) return text;
  const ids = tok.encodeRendered(text);
  return opts.returnTensors === true || opts.returnTensors === 'pt'
    ? tensor(Int32Array.from(ids), { dtype: 'int32', shape: [1, ids.length] })
    : ids;
}

function pickChatTemplate(
  own: string | Record<string, string> | null,
  requested: string | undefined,
  op: string,
): string {
  if (requested !== undefined) {
    if (typeof requested !== 'string') fail(op, `chatTemplate must be a string, got ${describe(requested)}`);
    if (own && typeof own === 'object' && requested in own) return own[requested]!;
    return requested;
  }
  if (typeof own === 'string') return own;
  if (own && typeof own === 'object') {
    if (own.default !== undefined) return own.default;
    fail(
      op,
      `this tokenizer has several chat templates (${Object.keys(own).join(', ')}) and none named "default": pass { chatTemplate: name }`,
    );
  }
  fail(
    op,
    'this tokenizer has no chat template (no "chat_template" in tokenizer_config.json, no chat_template.jinja): set tok.chatTemplate or pass { chatTemplate }',
  );
}

/** tokenizer_config.json's "chat_template": one template, or a list of named ones. */
export function readChatTemplate(v: unknown): string | Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v;
  // Several named templates: [{ name, template }, ...]
  if (Array.isArray(v)) {
    const out: Record<string, string> = {};
    v.forEach((entry, i) => {
      if (!isObject(entry) || typeof entry.name !== 'string' || typeof entry.template !== 'string') {
        fail(
          'tokenizer_config.json',
          `chat_template[${i}] must be { name, template }, got ${describe(entry)}`,
        );
      }
      out[entry.name] = entry.template;
    });
    return out;
  }
  fail(
    'tokenizer_config.json',
    `"chat_template" must be a string or a list of { name, template }, got ${describe(v)}`,
  );
}
