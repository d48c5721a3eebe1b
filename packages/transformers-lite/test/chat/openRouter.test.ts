import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OpenRouterClient, OpenRouterError } from '../../src/index.ts';

/**
 * A local server speaking OpenAI's chat-completions protocol as OpenRouter serves it: JSON
 * answers, server-sent events with keep-alive comments, error bodies `{ error: { message, code,
 * metadata } }`, 429/5xx with Retry-After. The model name picks the behaviour.
 */
const KEY = 'sk-or-test-SECRET-4f9d';
let server: Server;
let baseUrl: string;
let attempts: Record<string, number> = {};
let lastRequest: { headers: IncomingMessage['headers']; body: Record<string, unknown> } | null = null;

function completion(content: string) {
  return {
    id: 'gen-1',
    model: 'test/model',
    choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'stop' }],
    usage: { prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 },
  };
}

function chunk(content: string, finish: string | null = null) {
  return `data: ${JSON.stringify({ id: 'gen-2', choices: [{ index: 0, delta: { content }, finish_reason: finish }] })}\n\n`;
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let raw = '';
  for await (const c of req) raw += c;
  const body = JSON.parse(raw) as Record<string, unknown>;
  lastRequest = { headers: req.headers, body };
  const model = String(body.model);
  attempts[model] = (attempts[model] ?? 0) + 1;
  const n = attempts[model]!;
  const json = (status: number, obj: unknown, headers: Record<string, string> = {}) => {
    res.writeHead(status, { 'Content-Type': 'application/json', ...headers });
    res.end(JSON.stringify(obj));
  };
  if (req.url !== '/api/v1/chat/completions' || req.method !== 'POST')
    return json(404, { error: { message: 'no route' } });
  if (req.headers.authorization !== `Bearer ${KEY}`)
    return json(401, { error: { message: 'No auth credentials found', code: 401 } });
  switch (model) {
    case 'ok':
      return json(200, completion('Hello there.'));
    case 'flaky429':
      if (n === 1)
        return json(429, { error: { message: 'Rate limit exceeded', code: 429 } }, { 'Retry-After': '0' });
      return json(200, completion('after 429'));
    case 'flaky503':
      if (n <= 2) {
        res.writeHead(503, { 'Content-Type': 'text/plain' });
        return void res.end('upstream unavailable');
      }
      return json(200, completion('after 503'));
    case 'bad':
      return json(400, {
        error: { message: 'Invalid model id', code: 400, metadata: { raw: 'upstream said: unknown model' } },
      });
    case 'always500':
      return json(500, { error: { message: 'Internal Server Error', code: 500 } });
    case 'slow':
      if (n === 1) return void setTimeout(() => json(200, completion('too late')), 1500);
      return json(200, completion('fast enough'));
    case 'stream': {
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      // Bytes cut anywhere: inside a line, inside "é" (2 bytes), with a keep-alive comment and CRLFs.
      const payload = Buffer.from(
        `: OPENROUTER PROCESSING\n\n${chunk('Bonjour')}${chunk(', café')}`.replace(/\n\n$/, '\r\n\r\n') +
          `${chunk(' !', 'stop')}data: ${JSON.stringify({ id: 'gen-2', choices: [], usage: { prompt_tokens: 4, completion_tokens: 3, total_tokens: 7 } })}\n\ndata: [DONE]\n\n`,
      );
      const cut = payload.indexOf(Buffer.from('é')) + 1;
      const pieces = [
        payload.subarray(0, 7),
        payload.subarray(7, cut),
        payload.subarray(cut, cut + 13),
        payload.subarray(cut + 13),
      ];
      for (const p of pieces) {
        res.write(p);
        await new Promise((r) => setTimeout(r, 5));
      }
      return void res.end();
    }
    case 'streamError':
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(chunk('partial'));
      res.write(
        `data: ${JSON.stringify({ error: { message: 'Provider returned error', code: 502, metadata: { raw: 'overloaded' } } })}\n\n`,
      );
      return void res.end();
    case 'stall':
      res.writeHead(200, { 'Content-Type': 'text/event-stream' });
      res.write(chunk('first'));
      return; // never ends
    default:
      return json(400, { error: { message: `unknown test model ${model}` } });
  }
}

beforeAll(async () => {
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
beforeEach(() => {
  attempts = {};
});

const client = (extra: ConstructorParameters<typeof OpenRouterClient>[0] = {}) =>
  new OpenRouterClient({ apiKey: KEY, baseUrl, initialDelayMs: 1, maxDelayMs: 5, ...extra });
const messages = [
  { role: 'system', content: 'Be brief.' },
  { role: 'user', content: 'Say hello.' },
];

describe('OpenRouterClient against a local OpenAI-compatible server', () => {
  it('a completion: the request body and headers, the answer, usage', async () => {
    const r = await client({ referer: 'https://example.org', title: 'Lumen tests' }).chat({
      model: 'ok',
      messages,
      temperature: 0.2,
      maxTokens: 16,
    });
    expect(r.content).toBe('Hello there.');
    expect(r.finishReason).toBe('stop');
    expect(r.usage).toEqual({ promptTokens: 5, completionTokens: 3, totalTokens: 8 });
    expect(lastRequest!.body).toEqual({ model: 'ok', messages, temperature: 0.2, max_tokens: 16 });
    expect(lastRequest!.headers['http-referer']).toBe('https://example.org');
    expect(lastRequest!.headers['x-title']).toBe('Lumen tests');
  });

  it('streams server-sent events cut at arbitrary bytes, with comments and CRLFs', async () => {
    const stream = client().chat({ model: 'stream', messages, stream: true });
    const pieces: string[] = [];
    let usage = null;
    let finish = null;
    for await (const c of stream) {
      if (c.content) pieces.push(c.content);
      usage = c.usage ?? usage;
      finish = c.finishReason ?? finish;
    }
    expect(pieces).toEqual(['Bonjour', ', café', ' !']);
    expect(finish).toBe('stop');
    expect(usage).toEqual({ promptTokens: 4, completionTokens: 3, totalTokens: 7 });
    expect(lastRequest!.body.stream).toBe(true);
    expect(await client().chat({ model: 'stream', messages, stream: true }).text()).toBe('Bonjour, café !');
  });

  it('retries 429 (honouring Retry-After) and 5xx with backoff, then succeeds', async () => {
    expect((await client().chat({ model: 'flaky429', messages })).content).toBe('after 429');
    expect(attempts.flaky429).toBe(2);
    expect((await client().chat({ model: 'flaky503', messages })).content).toBe('after 503');
    expect(attempts.flaky503).toBe(3);
  });

  it('errors carry the HTTP status and the provider message; 4xx is not retried', async () => {
    const err = await client()
      .chat({ model: 'bad', messages })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(OpenRouterError);
    const e = err as OpenRouterError;
    expect(e.status).toBe(400);
    expect(e.code).toBe(400);
    expect(e.message).toBe('OpenRouter: HTTP 400: Invalid model id (provider: upstream said: unknown model)');
    expect(attempts.bad).toBe(1);
    const gaveUp = (await client({ maxRetries: 2 })
      .chat({ model: 'always500', messages })
      .catch((x: unknown) => x)) as OpenRouterError;
    expect(gaveUp.status).toBe(500);
    expect(gaveUp.message).toMatch(/HTTP 500: Internal Server Error \(after 3 attempts\)/);
    expect(attempts.always500).toBe(3);
    const unauthorized = (await new OpenRouterClient({ apiKey: 'wrong', baseUrl })
      .chat({ model: 'ok', messages })
      .catch((x: unknown) => x)) as OpenRouterError;
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.providerMessage).toBe('No auth credentials found');
  });

  it('times out per attempt (and retries); a stalled stream times out between pieces', async () => {
    const r = await client({ timeoutMs: 300 }).chat({ model: 'slow', messages });
    expect(r.content).toBe('fast enough');
    expect(attempts.slow).toBe(2);
    attempts = {};
    const err = (await client({ timeoutMs: 300, maxRetries: 0 })
      .chat({ model: 'slow', messages })
      .catch((x: unknown) => x)) as OpenRouterError;
    expect(err.status).toBeNull();
    expect(err.message).toMatch(/no response within 300 ms/);
    const got: string[] = [];
    const stalled = await (async () => {
      for await (const c of client({ timeoutMs: 300 }).chat({ model: 'stall', messages, stream: true }))
        got.push(c.content);
    })().catch((x: unknown) => x);
    expect(got).toEqual(['first']);
    expect((stalled as Error).message).toMatch(/no response within 300 ms/);
  });

  it('an error event in the middle of a stream is thrown with the provider message', async () => {
    const got: string[] = [];
    const err = await (async () => {
      for await (const c of client().chat({ model: 'streamError', messages, stream: true }))
        got.push(c.content);
    })().catch((x: unknown) => x);
    expect(got).toEqual(['partial']);
    expect((err as OpenRouterError).message).toMatch(/Provider returned error \(provider: overloaded\)/);
  });

  it('can be aborted', async () => {
    const controller = new AbortController();
    const p = client({ timeoutMs: 5000 }).chat({ model: 'slow', messages, signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    await expect(p).rejects.toThrow(/aborted/);
  });
});

describe('the API key', () => {
  it('comes from OPENROUTER_API_KEY when not passed, and is never printed or put in errors', async () => {
    const saved = process.env.OPENROUTER_API_KEY;
    process.env.OPENROUTER_API_KEY = KEY;
    try {
      const c = new OpenRouterClient({ baseUrl, maxRetries: 0 });
      expect((await c.chat({ model: 'ok', messages })).content).toBe('Hello there.');
      expect(inspect(c, { depth: 5, showHidden: true })).not.toContain('SECRET');
      expect(JSON.stringify(c)).not.toContain('SECRET');
      expect(String(Object.values(c))).not.toContain('SECRET');
      const err = (await c.chat({ model: 'bad', messages }).catch((x: unknown) => x)) as OpenRouterError;
      expect(`${err.message} ${JSON.stringify(err.body)} ${inspect(err)}`).not.toContain('SECRET');
      delete process.env.OPENROUTER_API_KEY;
      expect(() => new OpenRouterClient()).toThrow(
        /no API key: pass \{ apiKey \} or set the OPENROUTER_API_KEY/,
      );
    } finally {
      if (saved === undefined) delete process.env.OPENROUTER_API_KEY;
      else process.env.OPENROUTER_API_KEY = saved;
    }
  });

  it('bad requests are caught before sending', () => {
    const c = client();
    expect(() => c.chat({ model: '', messages })).toThrow(/model must be a model id string/);
    expect(() => c.chat({ model: 'ok', messages: [] })).toThrow(/messages must be a non-empty array/);
    expect(() => c.chat({ model: 'ok', messages: [{ role: 'user' } as never] })).toThrow(
      /messages\[0\] must be \{ role/,
    );
    expect(() => c.chat({ model: 'ok', messages, temperature: 3 })).toThrow(
      /temperature must be a number in \[0, 2\]/,
    );
  });
});
