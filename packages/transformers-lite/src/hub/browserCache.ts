/**
 * Hub downloads in a browser: fetch (the CDN redirect is followed by the browser), kept in the
 * Cache API under the resolve URL as transformers.js does (hubSettings.useBrowserCache,
 * hubSettings.browserCacheName). A file the repository lacks is remembered too, so a second load
 * makes no request at all.
 */

import { fail } from '../models/errors.js';
import {
  accessError,
  endpoint,
  fetchRetrying,
  type HubOptions,
  type HubRepo,
  HubUnreachableError,
  hubSettings,
  isOffline,
  isUnreachable,
  networkReason,
  readBody,
  resolveUrl,
} from './hub.js';

const MISSING = 'x-lumen-missing';

class BrowserRepo implements HubRepo {
  readonly where: string;
  private readonly revision: string;
  private readonly files: Record<string, Uint8Array> = {};

  constructor(
    private readonly id: string,
    private readonly options: HubOptions,
    private readonly op: string,
  ) {
    this.revision = options.revision ?? 'main';
    this.where = `${id} (revision ${this.revision})`;
  }

  async finish(): Promise<void> {}

  source(): { files: Record<string, Uint8Array> } {
    return { files: this.files };
  }

  async text(file: string): Promise<string> {
    const bytes = this.files[file];
    if (!bytes) fail(this.op, `internal: ${file} of ${this.where} was not fetched`);
    return new TextDecoder().decode(bytes);
  }

  private async cache(): Promise<Cache | null> {
    const caches = (globalThis as { caches?: CacheStorage }).caches;
    if (!hubSettings.useBrowserCache || !caches) return null;
    return caches.open(hubSettings.browserCacheName).catch(() => null);
  }

  async has(file: string): Promise<boolean> {
    if (isOffline(this.options)) return false;
    const token = this.options.token;
    const res = await fetchRetrying(resolveUrl(this.id, this.revision, file), {
      method: 'HEAD',
      ...(token ? { headers: { Authorization: `Bearer ${token}` } } : {}),
    });
    return res.ok;
  }

  async get(file: string): Promise<boolean> {
    const url = resolveUrl(this.id, this.revision, file);
    const cache = await this.cache();
    const hit = await cache?.match(url);
    if (hit) {
      if (hit.headers.get(MISSING)) return false;
      this.files[file] = new Uint8Array(await hit.arrayBuffer());
      return true;
    }
    if (isOffline(this.options))
      fail(this.op, `${file} of ${this.where} is not in the browser cache and localFilesOnly is set`);
    const token = this.options.token;
    let res: Response;
    try {
      // A request that cannot connect is not tried again (no network, a name that does not
      // resolve, an answer without CORS headers all look alike here): the error says what to do.
      res = await fetchRetrying(url, token ? { headers: { Authorization: `Bearer ${token}` } } : {}, {
        retryNetwork: false,
      });
    } catch (e) {
      if (!isUnreachable(e)) throw e;
      const reason = networkReason(e);
      throw new HubUnreachableError(
        `${this.op}: ${file} of ${this.where} is not in the browser cache ` +
          `${JSON.stringify(hubSettings.browserCacheName)} and the Hub at ${endpoint()} could not be reached ` +
          `(${reason}). Set hubSettings.endpoint to a Hub or mirror this page can reach (it must answer ` +
          'with CORS headers, as huggingface.co does), or pass the files themselves ({ files })',
        endpoint(),
        this.id,
        file,
        reason,
        `Cache API ${JSON.stringify(hubSettings.browserCacheName)}`,
      );
    }
    if (res.status === 401 || res.status === 403)
      accessError(this.op, this.id, file, res.status, res.headers.get('x-error-code'), Boolean(token));
    if (res.status === 404) {
      const code = res.headers.get('x-error-code');
      if (code === 'RepositoryNotFound') accessError(this.op, this.id, file, 404, code, Boolean(token));
      if (code === 'RevisionNotFound')
        fail(this.op, `${this.id} has no revision ${JSON.stringify(this.revision)} (branch, tag or commit)`);
      await cache?.put(url, new Response(null, { status: 404, headers: { [MISSING]: '1' } })).catch(() => {});
      return false;
    }
    if (!res.ok)
      fail(this.op, `the Hub answered ${res.status} ${res.statusText} for ${file} of ${this.where} (${url})`);
    // A compressed body's Content-Length counts the compressed bytes, not the file's.
    const total = res.headers.get('content-encoding')
      ? null
      : Number(res.headers.get('content-length')) || null;
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    this.options.onProgress?.({ status: 'download', repo: this.id, file, loaded, total });
    for await (const chunk of readBody(res)) {
      chunks.push(chunk);
      loaded += chunk.byteLength;
      this.options.onProgress?.({ status: 'progress', repo: this.id, file, loaded, total });
    }
    if (total !== null && loaded !== total)
      fail(this.op, `${file} of ${this.where}: received ${loaded} bytes of ${total}; try again`);
    const bytes = new Uint8Array(loaded);
    let at = 0;
    for (const c of chunks) {
      bytes.set(c, at);
      at += c.byteLength;
    }
    this.files[file] = bytes;
    await cache?.put(url, new Response(bytes)).catch(() => {});
    this.options.onProgress?.({ status: 'done', repo: this.id, file, loaded, total });
    return true;
  }
}

export async function openBrowserRepo(id: string, options: HubOptions, op: string): Promise<HubRepo> {
  if (options.cacheDir !== undefined)
    fail(
      op,
      'options.cacheDir is for Node; in a browser files are kept in the Cache API (hubSettings.browserCacheName)',
    );
  return new BrowserRepo(id, options, op);
}
