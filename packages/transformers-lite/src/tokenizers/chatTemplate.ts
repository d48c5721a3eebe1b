import { Template } from '@huggingface/jinja';
import { describe, fail, isObject } from './config.js';

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
