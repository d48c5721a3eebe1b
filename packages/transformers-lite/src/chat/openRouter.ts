import { checkOptions, LumenError } from '@lumen/tensor';
import { describe, fail } from '../models/errors.js';
import { SSEParser } from './sse.js';

/** One chat message (OpenAI's format, as chat templates use). */
export interface ChatCompletionMessage {
  role: 'system' | 'user' | 'assistant' | 'tool' | (string & {});
  content: string;
}

export interface ChatRequest {
  /** e.g. 'openai/gpt-4o-mini', 'meta-llama/llama-3.1-8b-instruct'. */
  model: string;
  messages: ChatCompletionMessage[];
  temperature?: number;
  /** max_tokens: the longest answer, in tokens. */
  maxTokens?: number;
  topP?: number;
  stop?: string | string[];
  /** Stream the answer as it is generated (server-sent events). */
  stream?: boolean;
  /** Other OpenAI/OpenRouter body fields, sent as given (snake_case). */
  extra?: Record<string, unknown>;
  /** Cancels the request. */
  signal?: AbortSignal;
}

export interface ChatUsage {
  promptTokens: number;
  completionTokens: number;
  totalTokens: number;
}

export interface ChatCompletion {
  id: string;
  model: string;
  /** The answer's text (choices[0].message.content). */
  content: string;
  message: ChatCompletionMessage;
  finishReason: string | null;
  usage: ChatUsage | null;
  /** The parsed response body. */
  raw: unknown;
}

export interface ChatChunk {
  /** The text added by this chunk (choices[0].delta.content; '' when none). */
  content: string;
  finishReason: string | null;
  /** Present on the chunk that carries it (usually the last). */
  usage: ChatUsage | null;
  raw: unknown;
}

/** An answer arriving piece by piece: iterate it, or await text() for the whole answer. */
export interface ChatStream extends AsyncIterable<ChatChunk> {
  text(): Promise<string>;
}

export interface OpenRouterOptions {
  /** Default: the OPENROUTER_API_KEY environment variable. Never logged or put in errors. */
  apiKey?: string;
  /** Default 'https://openrouter.ai/api/v1'; any OpenAI-compatible server works. */
  baseUrl?: string;
  /** Per attempt: waiting for the response, and, when streaming, for each next piece. Default 60 s. */
  timeoutMs?: number;
  /** Retries after 429, 5xx, timeouts and network errors (default 3). */
  maxRetries?: number;
  /** First backoff delay (default 500 ms), doubled per retry with jitter, at most maxDelayMs (default 8 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** OpenRouter's app attribution headers (HTTP-Referer, X-Title). */
  referer?: string;
  title?: string;
  /** A fetch of your own (default: globalThis.fetch). */
  fetch?: typeof fetch;
}

/** A failed request: the HTTP status (null for network errors and timeouts) and the provider's message. */
export class OpenRouterError extends LumenError {
  override name = 'OpenRouterError';
  constructor(
    message: string,
    readonly status: number | null,
    readonly providerMessage: string,
    readonly code: string | number | null = null,
    readonly body: unknown = null,
  ) {
    super(message);
  }
}

const RETRYABLE = new Set([408, 409, 425, 429, 500, 502, 503, 504, 520, 522, 524, 529]);

/**
 * A client for OpenRouter's (OpenAI-compatible) chat completions, streaming or not, with retries
 * and backoff on 429/5xx (honouring Retry-After), per-attempt timeouts, and errors that carry the
 * HTTP status and the provider's message.
 */
export class OpenRouterClient {
  /** Kept in a private field: it never shows in console.log, JSON.stringify or error messages. */
  readonly #apiKey: string;
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
  private readonly headers: Record<string, string>;
  private readonly fetchFn: typeof fetch;

  constructor(options: OpenRouterOptions = {}) {
    if (typeof options !== 'object' || options === null)
      fail('OpenRouterClient', `options must be an object, got ${describe(options)}`);
    checkOptions('OpenRouterClient', options, [
      'apiKey',
      'baseUrl',
      'timeoutMs',
      'maxRetries',
      'initialDelayMs',
      'maxDelayMs',
      'referer',
      'title',
      'fetch',
    ]);
    const env = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process?.env;
    const key = options.apiKey ?? env?.OPENROUTER_API_KEY;
    if (typeof key !== 'string' || key.trim() === '')
      fail(
        'OpenRouterClient',
        'no API key: pass { apiKey } or set the OPENROUTER_API_KEY environment variable',
      );
    this.#apiKey = key.trim();
    this.baseUrl = (options.baseUrl ?? 'https://openrouter.ai/api/v1').replace(/\/+$/, '');
    const num = (name: string, v: number | undefined, dflt: number, min: number) => {
      const x = v ?? dflt;
      if (typeof x !== 'number' || !Number.isFinite(x) || x < min)
        fail('OpenRouterClient', `${name} must be a number ≥ ${min}, got ${describe(v)}`);
      return x;
    };
    this.timeoutMs = num('timeoutMs', options.timeoutMs, 60_000, 1);
    this.maxRetries = Math.floor(num('maxRetries', options.maxRetries, 3, 0));
    this.initialDelayMs = num('initialDelayMs', options.initialDelayMs, 500, 0);
    this.maxDelayMs = num('maxDelayMs', options.maxDelayMs, 8_000, 0);
    this.headers = {};
    if (options.referer) this.headers['HTTP-Referer'] = options.referer;
    if (options.title) this.headers['X-Title'] = options.title;
    const f = options.fetch ?? globalThis.fetch;
    if (typeof f !== 'function') fail('OpenRouterClient', 'no fetch available: pass { fetch }');
    this.fetchFn = f.bind(globalThis);
  }

  /** POST /chat/completions. With `stream: true` the answer arrives as a ChatStream. */
  chat(request: ChatRequest & { stream: true }): ChatStream;
  chat(request: ChatRequest & { stream?: false }): Promise<ChatCompletion>;
  chat(request: ChatRequest): Promise<ChatCompletion> | ChatStream;
  chat(request: ChatRequest): Promise<ChatCompletion> | ChatStream {
    const body = requestBody(request);
    if (request.stream) return this.stream(body, request.signal);
    return this.complete(body, request.signal);
  }

  toJSON(): Record<string, unknown> {
    return { baseUrl: this.baseUrl, timeoutMs: this.timeoutMs, maxRetries: this.maxRetries };
  }

  private async complete(body: Record<string, unknown>, signal?: AbortSignal): Promise<ChatCompletion> {
    const { response, attempt } = await this.send(body, signal);
    const parsed = await withTimeout(
      response.json().catch(() => null),
      this.timeoutMs,
      signal,
      attempt.abort,
    );
    if (isObject(parsed) && isObject(parsed.error)) throw providerError(200, parsed);
    const choice = isObject(parsed) && Array.isArray(parsed.choices) ? parsed.choices[0] : undefined;
    if (!isObject(choice) || !isObject(choice.message))
      throw new OpenRouterError(
        'OpenRouter: the response has no choices[0].message',
        response.status,
        '',
        null,
        parsed,
      );
    const p = parsed as Record<string, unknown>;
    const message = choice.message as unknown as ChatCompletionMessage;
    return {
      id: String(p.id ?? ''),
      model: String(p.model ?? body.model),
      content: typeof message.content === 'string' ? message.content : '',
      message,
      finishReason: typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
      usage: readUsage(p.usage),
      raw: parsed,
    };
  }

  private stream(body: Record<string, unknown>, signal?: AbortSignal): ChatStream {
    const client = this;
    async function* chunks(): AsyncGenerator<ChatChunk> {
      const { response, attempt } = await client.send(body, signal);
      if (!response.body)
        throw new OpenRouterError('OpenRouter: the streamed response has no body', response.status, '');
      const reader = response.body.getReader();
      const parser = new SSEParser();
      try {
        for (;;) {
          const { done, value } = await withTimeout(reader.read(), client.timeoutMs, signal, attempt.abort);
          const events = done ? parser.end() : parser.push(value);
          for (const e of events) {
            if (e.data === '[DONE]') return;
            let json: unknown;
            try {
              json = JSON.parse(e.data);
            } catch {
              throw new OpenRouterError(
                `OpenRouter: a streamed event is not JSON: ${e.data.slice(0, 200)}`,
                response.status,
                '',
              );
            }
            // Errors after the response started arrive as an event with an `error` object.
            if (isObject(json) && isObject(json.error)) throw providerError(response.status, json);
            const choice = isObject(json) && Array.isArray(json.choices) ? json.choices[0] : undefined;
            const delta = isObject(choice) && isObject(choice.delta) ? choice.delta : {};
            yield {
              content: typeof delta.content === 'string' ? delta.content : '',
              finishReason:
                isObject(choice) && typeof choice.finish_reason === 'string' ? choice.finish_reason : null,
              usage: isObject(json) ? readUsage(json.usage) : null,
              raw: json,
            };
          }
          if (done) return;
        }
      } finally {
        await reader.cancel().catch(() => {});
      }
    }
    return {
      [Symbol.asyncIterator]: () => chunks(),
      async text() {
        let out = '';
        for await (const c of chunks()) out += c.content;
        return out;
      },
    };
  }

  /** One request with retries; resolves with a 2xx response. */
  private async send(
    body: Record<string, unknown>,
    signal?: AbortSignal,
  ): Promise<{ response: Response; attempt: { abort: () => void } }> {
    const url = `${this.baseUrl}/chat/completions`;
    for (let attemptNo = 0; ; attemptNo++) {
      const controller = new AbortController();
      const onAbort = () => controller.abort(signal?.reason);
      signal?.addEventListener('abort', onAbort, { once: true });
      let response: Response | null = null;
      let failure: OpenRouterError;
      let retryAfterMs: number | null = null;
      try {
        if (signal?.aborted)
          throw new OpenRouterError('OpenRouter: the request was aborted', null, 'aborted');
        response = await withTimeout(
          this.fetchFn(url, {
            method: 'POST',
            headers: {
              Authorization: `Bearer ${this.#apiKey}`,
              'Content-Type': 'application/json',
              Accept: body.stream ? 'text/event-stream' : 'application/json',
              ...this.headers,
            },
            body: JSON.stringify(body),
            signal: controller.signal,
          }),
          this.timeoutMs,
          signal,
          () => controller.abort(),
        );
        if (response.ok) return { response, attempt: { abort: () => controller.abort() } };
        const text = await response.text().catch(() => '');
        let parsed: unknown = text;
        try {
          parsed = JSON.parse(text);
        } catch {}
        failure = providerError(response.status, parsed);
        retryAfterMs = parseRetryAfter(response.headers.get('retry-after'));
      } catch (e) {
        if (e instanceof OpenRouterError) failure = e;
        else
          failure = new OpenRouterError(
            `OpenRouter: network error: ${(e as Error).message}`,
            null,
            (e as Error).message,
          );
      } finally {
        signal?.removeEventListener('abort', onAbort);
      }
      const retryable =
        !signal?.aborted &&
        (failure.status === null ? failure.providerMessage !== 'aborted' : RETRYABLE.has(failure.status));
      if (!retryable || attemptNo >= this.maxRetries) {
        if (attemptNo > 0 && retryable)
          throw new OpenRouterError(
            `${failure.message} (after ${attemptNo + 1} attempts)`,
            failure.status,
            failure.providerMessage,
            failure.code,
            failure.body,
          );
        throw failure;
      }
      const backoff =
        Math.min(this.maxDelayMs, this.initialDelayMs * 2 ** attemptNo) * (0.5 + Math.random() / 2);
      await sleep(
        retryAfterMs === null
          ? backoff
          : Math.min(Math.max(retryAfterMs, 0), Math.max(this.maxDelayMs, 0) * 4),
        signal,
      );
    }
  }
}

function requestBody(r: ChatRequest): Record<string, unknown> {
  const where = 'OpenRouterClient.chat';
  if (typeof r !== 'object' || r === null)
    fail(where, `expects { model, messages, ... }, got ${describe(r)}`);
  checkOptions(where, r, [
    'model',
    'messages',
    'temperature',
    'maxTokens',
    'topP',
    'stop',
    'stream',
    'extra',
    'signal',
  ]);
  if (typeof r.model !== 'string' || r.model === '')
    fail(where, `model must be a model id string, got ${describe(r.model)}`);
  if (!Array.isArray(r.messages) || r.messages.length === 0)
    fail(where, `messages must be a non-empty array of { role, content }, got ${describe(r.messages)}`);
  r.messages.forEach((m, i) => {
    if (!isObject(m) || typeof m.role !== 'string' || typeof m.content !== 'string')
      fail(where, `messages[${i}] must be { role: string, content: string }, got ${describe(m)}`);
  });
  const body: Record<string, unknown> = { ...(r.extra ?? {}), model: r.model, messages: r.messages };
  if (r.temperature !== undefined) {
    if (typeof r.temperature !== 'number' || !(r.temperature >= 0 && r.temperature <= 2))
      fail(where, `temperature must be a number in [0, 2], got ${describe(r.temperature)}`);
    body.temperature = r.temperature;
  }
  if (r.maxTokens !== undefined) {
    if (!Number.isInteger(r.maxTokens) || r.maxTokens < 1)
      fail(where, `maxTokens must be a positive integer, got ${describe(r.maxTokens)}`);
    body.max_tokens = r.maxTokens;
  }
  if (r.topP !== undefined) body.top_p = r.topP;
  if (r.stop !== undefined) body.stop = r.stop;
  if (r.stream) body.stream = true;
  return body;
}

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

function readUsage(u: unknown): ChatUsage | null {
  if (!isObject(u)) return null;
  return {
    promptTokens: Number(u.prompt_tokens ?? 0),
    completionTokens: Number(u.completion_tokens ?? 0),
    totalTokens: Number(u.total_tokens ?? 0),
  };
}

/** OpenAI-style `{ error: { message, code, metadata } }`, or whatever text the server sent. */
function providerError(status: number, body: unknown): OpenRouterError {
  let message = '';
  let code: string | number | null = null;
  if (isObject(body) && isObject(body.error)) {
    const e = body.error;
    message = typeof e.message === 'string' ? e.message : JSON.stringify(e);
    code = typeof e.code === 'string' || typeof e.code === 'number' ? e.code : null;
    // OpenRouter puts the upstream provider's own message in metadata.raw.
    const raw = isObject(e.metadata) ? e.metadata.raw : undefined;
    if (typeof raw === 'string' && raw !== '' && !message.includes(raw))
      message += ` (provider: ${raw.slice(0, 500)})`;
  } else if (typeof body === 'string') message = body.slice(0, 500);
  else if (body !== null && body !== undefined) message = JSON.stringify(body).slice(0, 500);
  return new OpenRouterError(
    `OpenRouter: HTTP ${status}: ${message || '(no message)'}`,
    status,
    message,
    code,
    body,
  );
}

/** Retry-After in seconds or as an HTTP date → milliseconds, or null. */
function parseRetryAfter(v: string | null): number | null {
  if (v === null || v.trim() === '') return null;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return seconds * 1000;
  const date = Date.parse(v);
  return Number.isFinite(date) ? date - Date.now() : null;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(new OpenRouterError('OpenRouter: the request was aborted', null, 'aborted'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(new OpenRouterError('OpenRouter: the request was aborted', null, 'aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Rejects with a timeout error (and calls onTimeout) when p takes longer than ms. */
function withTimeout<T>(
  p: Promise<T>,
  ms: number,
  signal: AbortSignal | undefined,
  onTimeout: () => void,
): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      onTimeout();
      reject(new OpenRouterError(`OpenRouter: no response within ${ms} ms (timeoutMs)`, null, 'timeout'));
    }, ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        if (signal?.aborted)
          reject(new OpenRouterError('OpenRouter: the request was aborted', null, 'aborted'));
        else reject(e);
      },
    );
  });
}
