/**
 * Model ids on the Hugging Face Hub (`openai-community/gpt2`): which files a class needs, fetched
 * from `{endpoint}/{repo}/resolve/{revision}/{file}` as huggingface_hub does. In Node the files go
 * into Python's own cache (nodeCache.ts), in a browser into the Cache API (browserCache.ts).
 */

import { LumenError } from '@lumen/tensor';
import { describe, fail } from '../models/errors.js';

/** What onProgress receives, per file. */
export interface HubProgress {
  /** 'download' when a transfer starts (or resumes), 'progress' per chunk, 'done' when the file is in the cache. */
  status: 'download' | 'progress' | 'done';
  repo: string;
  file: string;
  /** Bytes of the file on hand so far (a resumed download starts above 0). */
  loaded: number;
  /** The file's size when the server said it, else null. */
  total: number | null;
}

/** The Hub options every fromPretrained takes (transformers' revision, cache_dir, local_files_only, token). */
export interface HubOptions {
  /** A branch, tag or commit hash ('main' by default); pull requests as 'refs/pr/N'. */
  revision?: string;
  /** The cache folder (Node), instead of HF_HUB_CACHE / HF_HOME/hub / ~/.cache/huggingface/hub. */
  cacheDir?: string;
  /** Only the cache, no request (as HF_HUB_OFFLINE=1); a missing file is an error naming it. */
  localFilesOnly?: boolean;
  /** An access token for gated and private repositories (else HF_TOKEN, or the token file `hf auth login` writes); false sends none. */
  token?: string | false;
  /** Called as files download. */
  onProgress?: (progress: HubProgress) => void;
}

export const HUB_OPTION_KEYS = ['revision', 'cacheDir', 'localFilesOnly', 'token', 'onProgress'];

/**
 * Settings for Hub downloads, as transformers.js's `env`: change them before loading.
 * `endpoint` overrides HF_ENDPOINT; in a browser it is the only way to set it.
 */
export const hubSettings = {
  /** The Hub's address; undefined means HF_ENDPOINT, else https://huggingface.co. */
  endpoint: undefined as string | undefined,
  /** Browsers: keep downloaded files in the Cache API (transformers.js's env.useBrowserCache). */
  useBrowserCache: true,
  /** Browsers: the Cache API cache's name. */
  browserCacheName: 'lumen-hub',
  /** Tries after a 5xx, a 429 or a broken connection (huggingface_hub: 5). */
  maxRetries: 5,
  /** The first wait between tries, doubled each time up to 8 s (huggingface_hub: 1 s). */
  retryDelayMs: 1000,
  /** Milliseconds without a byte (or an answer) before a request is abandoned and retried (HF_HUB_DOWNLOAD_TIMEOUT, 10 s). */
  timeoutMs: undefined as number | undefined,
};

/** Environment variables (Node), else undefined. */
export function envVar(name: string): string | undefined {
  const proc = (globalThis as { process?: { env?: Record<string, string | undefined> } }).process;
  const v = proc?.env?.[name];
  return v === undefined || v === '' ? undefined : v;
}

function envFlag(name: string): boolean {
  const v = envVar(name);
  return v !== undefined && ['1', 'ON', 'YES', 'TRUE'].includes(v.toUpperCase());
}

export function endpoint(): string {
  return (hubSettings.endpoint ?? envVar('HF_ENDPOINT') ?? 'https://huggingface.co').replace(/\/+$/, '');
}

export function isOffline(options: HubOptions): boolean {
  return options.localFilesOnly === true || envFlag('HF_HUB_OFFLINE') || envFlag('TRANSFORMERS_OFFLINE');
}

export function timeoutMs(): number {
  if (hubSettings.timeoutMs !== undefined) return hubSettings.timeoutMs;
  const s = Number(envVar('HF_HUB_DOWNLOAD_TIMEOUT'));
  return Number.isFinite(s) && s > 0 ? s * 1000 : 10_000;
}

/**
 * huggingface_hub's validate_repo_id: `name` or `namespace/name`, letters, digits, `-`, `_`, `.`,
 * at most 96 characters, no `--` or `..`, not starting or ending with `-` or `.`.
 */
export function isRepoId(s: string): boolean {
  if (s.length === 0 || s.length > 96 || s.includes('--') || s.includes('..')) return false;
  const parts = s.split('/');
  return parts.length <= 2 && parts.every((p) => /^[\w.-]+$/.test(p) && !/^[-.]|[-.]$/.test(p));
}

/** Checks the Hub options of a fromPretrained call (after checkOptions refused unknown keys). */
export function checkHubOptions(op: string, options: HubOptions): void {
  const o = options;
  if (
    o.revision !== undefined &&
    (typeof o.revision !== 'string' || o.revision === '' || o.revision.includes('..'))
  )
    fail(
      op,
      `options.revision must be a branch, tag or commit hash such as 'main', got ${describe(o.revision)}`,
    );
  if (o.cacheDir !== undefined && (typeof o.cacheDir !== 'string' || o.cacheDir === ''))
    fail(op, `options.cacheDir must be a folder path, got ${describe(o.cacheDir)}`);
  if (o.localFilesOnly !== undefined && typeof o.localFilesOnly !== 'boolean')
    fail(op, `options.localFilesOnly must be true or false, got ${describe(o.localFilesOnly)}`);
  if (o.token !== undefined && o.token !== false && (typeof o.token !== 'string' || o.token === ''))
    fail(op, `options.token must be an access token string (hf_…) or false, got ${describe(o.token)}`);
  if (o.onProgress !== undefined && typeof o.onProgress !== 'function')
    fail(op, `options.onProgress must be a function, got ${describe(o.onProgress)}`);
}

/** The Hub options out of a fromPretrained option bag. */
export function hubOptionsOf(options: object): HubOptions {
  const o = options as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const k of HUB_OPTION_KEYS) if (o[k] !== undefined) out[k] = o[k];
  return out as HubOptions;
}

/** A repository's files, as a loader asks for them. */
export interface HubRepo {
  /** "openai-community/gpt2 (revision main)", for messages. */
  readonly where: string;
  /** Fetches `file` into the cache; false when the repository has no such file. */
  get(file: string): Promise<boolean>;
  /** Whether the repository has `file`, without downloading it. */
  has(file: string): Promise<boolean>;
  /** The fetched file's text (after get). */
  text(file: string): Promise<string>;
  /** Called when every file the load needs has arrived: the cache's snapshot links and refs are updated. */
  finish(): Promise<void>;
  /** What the folder / `{ files }` loaders read: the snapshot folder (Node) or the fetched files (browsers). */
  source(): string | { files: Record<string, Uint8Array> };
}

// ---- HTTP with retries ---------------------------------------------------------------------------

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Waits before try `attempt` (1-based): retryDelayMs · 2^(attempt−1), at most 8 s. */
export function backoff(attempt: number): Promise<void> {
  return sleep(Math.min(hubSettings.retryDelayMs * 2 ** (attempt - 1), 8000));
}

/**
 * The Hub could not be reached (no network, a host name that does not resolve, a refused
 * connection) and the cache holds no copy of a file the load needs. The message says what to do.
 */
export class HubUnreachableError extends LumenError {
  override name = 'HubUnreachableError';
  constructor(
    message: string,
    /** The address asked (HF_ENDPOINT or hubSettings.endpoint, else https://huggingface.co). */
    readonly endpoint: string,
    readonly repo: string,
    readonly file: string,
    /** What the network said ('getaddrinfo ENOTFOUND huggingface.co', 'connect ECONNREFUSED …'). */
    readonly reason: string,
    /** The cache folder that was looked in (in a browser: `Cache API "<browserCacheName>"`). */
    readonly cacheDir: string,
  ) {
    super(message);
  }
}

/** Errors of a machine with no way out: asking again in a second changes nothing. */
const NO_ROUTE = ['ENOTFOUND', 'ENETUNREACH'];

const errorCode = (e: unknown): string => {
  const err = e as { code?: string; cause?: { code?: string } };
  return err?.cause?.code ?? err?.code ?? '';
};

/** A failed request worth another try: a broken or refused connection, a timeout. */
export function isTransient(e: unknown): boolean {
  const err = e as { name?: string };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') return true;
  if (NO_ROUTE.includes(errorCode(e))) return false;
  // Node's fetch: TypeError('fetch failed') with the socket error as its cause; a body cut short: 'terminated'.
  return (
    e instanceof TypeError || ['ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'UND_ERR_SOCKET'].includes(errorCode(e))
  );
}

/** A request that never reached the Hub: the cache is used instead (huggingface_hub does the same). */
export function isUnreachable(e: unknown): boolean {
  return isTransient(e) || NO_ROUTE.includes(errorCode(e));
}

/** A network error in a few words: fetch's own "fetch failed" says nothing, its cause does. */
export function networkReason(e: unknown): string {
  const err = e as { message?: string; cause?: { message?: string } };
  return err?.cause?.message ?? err?.message ?? String(e);
}

/**
 * fetch with huggingface_hub's http_backoff: a 5xx, a 429 or a broken connection is retried
 * after a doubling wait, up to hubSettings.maxRetries times; the answer must start within timeoutMs.
 * With `retryNetwork: false` (the HEAD before a download, as huggingface_hub's) a connection that
 * fails or times out is not tried again: the caller falls back to the cache at once.
 */
export async function fetchRetrying(
  url: string,
  init: RequestInit,
  { retryNetwork = true }: { retryNetwork?: boolean } = {},
): Promise<Response> {
  for (let attempt = 0; ; attempt++) {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(new DOMException('timed out', 'TimeoutError')), timeoutMs());
    try {
      const res = await fetch(url, { ...init, signal: ctrl.signal });
      clearTimeout(timer);
      if ((res.status >= 500 || res.status === 429) && attempt < hubSettings.maxRetries) {
        await res.body?.cancel().catch(() => {});
        await backoff(attempt + 1);
        continue;
      }
      return res;
    } catch (e) {
      clearTimeout(timer);
      if (!retryNetwork || !isTransient(e) || attempt >= hubSettings.maxRetries) throw e;
      await backoff(attempt + 1);
    }
  }
}

/** Reads a body chunk by chunk, giving up when no byte comes for timeoutMs. */
export async function* readBody(res: Response): AsyncGenerator<Uint8Array> {
  if (!res.body) return;
  const reader = res.body.getReader();
  try {
    for (;;) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const timeout = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new DOMException(`no data for ${timeoutMs()} ms`, 'TimeoutError')),
          timeoutMs(),
        );
      });
      try {
        const { done, value } = await Promise.race([reader.read(), timeout]);
        if (done) return;
        yield value;
      } finally {
        clearTimeout(timer);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}

/** The error for a 401/403: gated, private or absent, with how to log in. */
export function accessError(
  op: string,
  repo: string,
  file: string,
  status: number,
  code: string | null,
  hasToken: boolean,
): never {
  const base = endpoint();
  if (code === 'GatedRepo' || (status === 403 && hasToken))
    fail(
      op,
      `${repo} is a gated repository and ${hasToken ? 'this token has not been granted access' : 'no token was sent'} ` +
        `(the Hub answered ${status} for ${file}). Request access at ${base}/${repo}, then pass { token } or set HF_TOKEN ` +
        '(or log in once with `hf auth login`, which stores the token where Lumen reads it)',
    );
  fail(
    op,
    `${repo} was not found or is private (the Hub answered ${status} for ${file}${hasToken ? ' with the token given' : ', without a token'}). ` +
      `Check the id at ${base}/${repo}; for a private or gated repository pass { token } or set HF_TOKEN ` +
      '(or log in once with `hf auth login`)',
  );
}

/** The URL of a file at a revision (huggingface_hub's hf_hub_url). */
export function resolveUrl(repo: string, revision: string, file: string): string {
  const path = file.split('/').map(encodeURIComponent).join('/');
  return `${endpoint()}/${repo}/resolve/${encodeURIComponent(revision)}/${path}`;
}
