/**
 * A local stand-in for the Hugging Face Hub's resolve URLs, as huggingface_hub sees them:
 * HEAD/GET /{repo}/resolve/{revision}/{file} answer with X-Repo-Commit and ETag (the git blob
 * sha1 of regular files); LFS files (*.safetensors, *.bin) answer 302 to a separate /cdn/{sha256}
 * path with X-Linked-Etag and X-Linked-Size; the CDN honours Range requests. Gated repositories
 * answer 401 without a token and 403 with a wrong one, unknown repositories 401
 * (RepositoryNotFound), missing files 404 (EntryNotFound). Faults can be armed per path: a 500
 * once, a connection cut after N bytes once, a stall, throttling, corrupted bytes. Every answer
 * carries the Hub's CORS headers (and OPTIONS preflights are answered), for the browser test.
 */
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepo {
  files: Record<string, Uint8Array>;
  /** A token the repository requires (gated). */
  token?: string;
  /** Other revisions (branch names or 'refs/pr/1') → their files. */
  revisions?: Record<string, Record<string, Uint8Array>>;
}

export interface Faults {
  /** Paths answering 500 on their next request. */
  fail500: Set<string>;
  /** Paths whose next GET is cut after this many bytes. */
  cutAfter: Map<string, number>;
  /** Paths whose next GET stops sending after this many bytes (a stall, not a close). */
  stallAfter: Map<string, number>;
  /** Paths sent in 16 KiB pieces this many ms apart. */
  throttleMs: Map<string, number>;
  /** CDN paths whose bytes are served with one byte flipped. */
  corrupt: Set<string>;
}

export interface RequestLog {
  method: string;
  path: string;
  range: string | null;
  auth: string | null;
}

const isLfs = (file: string) => /\.(safetensors|bin|h5|msgpack)$/.test(file);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const gitSha1 = (b: Uint8Array) =>
  createHash('sha1').update(`blob ${b.byteLength}\0`).update(b).digest('hex');
export const commitOf = (repo: string, revision: string) =>
  createHash('sha1').update(`${repo}@${revision}`).digest('hex');

export class FakeHub {
  readonly repos = new Map<string, FakeRepo>();
  readonly log: RequestLog[] = [];
  readonly faults: Faults = {
    fail500: new Set(),
    cutAfter: new Map(),
    stallAfter: new Map(),
    throttleMs: new Map(),
    corrupt: new Set(),
  };
  private readonly blobs = new Map<string, Uint8Array>();
  private servers: Server[] = [];
  url = '';
  /** The CDN: another origin, as on the real Hub (the token must not follow the redirect there). */
  cdnUrl = '';

  async start(): Promise<this> {
    for (let i = 0; i < 2; i++) {
      const server = createServer((req, res) => {
        this.handle(req, res).catch((e) => {
          res.destroy(e as Error);
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      this.servers.push(server);
    }
    const port = (s: Server) => (s.address() as AddressInfo).port;
    this.url = `http://127.0.0.1:${port(this.servers[0]!)}`;
    this.cdnUrl = `http://localhost:${port(this.servers[1]!)}`;
    return this;
  }

  async stop(): Promise<void> {
    for (const s of this.servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  }

  /** The requests for paths containing `part`. */
  requests(part: string, method?: string): RequestLog[] {
    return this.log.filter((r) => r.path.includes(part) && (!method || r.method === method));
  }

  commit(repo: string, revision = 'main'): string {
    return commitOf(repo, revision);
  }

  cdnPath(bytes: Uint8Array): string {
    return `/cdn/${sha256(bytes)}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const path = decodeURI((req.url ?? '/').split('?')[0]!);
    this.log.push({
      method: req.method ?? 'GET',
      path,
      range: req.headers.range ?? null,
      auth: req.headers.authorization ?? null,
    });
    // CORS as the Hub and its CDN answer it, so a page on another origin can fetch and read the headers.
    res.setHeader('Access-Control-Allow-Origin', '*');
    res.setHeader(
      'Access-Control-Expose-Headers',
      'X-Repo-Commit, X-Error-Code, ETag, X-Linked-Etag, X-Linked-Size, Content-Range, Accept-Ranges',
    );
    if (req.method === 'OPTIONS') {
      res
        .writeHead(204, {
          'Access-Control-Allow-Headers': 'authorization, range',
          'Access-Control-Allow-Methods': 'GET, HEAD',
        })
        .end();
      return;
    }
    if (this.faults.fail500.delete(path)) {
      res.writeHead(500).end('internal error');
      return;
    }
    if (path.startsWith('/cdn/')) return this.serveBlob(req, res, path);
    const m = /^\/(.+?)\/resolve\/([^/]+)\/(.+)$/.exec(req.url!.split('?')[0]!);
    if (!m) {
      res.writeHead(404).end();
      return;
    }
    const repoId = m[1]!;
    const revision = decodeURIComponent(m[2]!);
    const file = m[3]!.split('/').map(decodeURIComponent).join('/');
    const repo = this.repos.get(repoId);
    if (!repo) {
      res.writeHead(401, { 'X-Error-Code': 'RepositoryNotFound' }).end('Repository not found');
      return;
    }
    if (repo.token) {
      const auth = req.headers.authorization;
      if (!auth) {
        res.writeHead(401, { 'X-Error-Code': 'GatedRepo' }).end('gated');
        return;
      }
      if (auth !== `Bearer ${repo.token}`) {
        res.writeHead(403, { 'X-Error-Code': 'GatedRepo' }).end('not granted');
        return;
      }
    }
    const files =
      revision === 'main' || revision === commitOf(repoId, 'main') ? repo.files : repo.revisions?.[revision];
    if (!files) {
      res.writeHead(404, { 'X-Error-Code': 'RevisionNotFound' }).end();
      return;
    }
    const commit = commitOf(repoId, revision === commitOf(repoId, 'main') ? 'main' : revision);
    const bytes = files[file];
    if (!bytes) {
      res.writeHead(404, { 'X-Error-Code': 'EntryNotFound', 'X-Repo-Commit': commit }).end();
      return;
    }
    if (isLfs(file)) {
      const sha = sha256(bytes);
      this.blobs.set(sha, bytes);
      res
        .writeHead(302, {
          Location: `${this.cdnUrl}/cdn/${sha}?expires=soon`,
          'X-Repo-Commit': commit,
          'X-Linked-Etag': `"${sha}"`,
          'X-Linked-Size': String(bytes.byteLength),
          ETag: `"${gitSha1(new TextEncoder().encode(`pointer ${sha}`))}"`,
          'Content-Length': '0',
        })
        .end();
      return;
    }
    res.writeHead(200, {
      'X-Repo-Commit': commit,
      ETag: `"${gitSha1(bytes)}"`,
      'Content-Length': String(bytes.byteLength),
    });
    if (req.method === 'HEAD') res.end();
    else await this.send(res, path, bytes);
  }

  private async serveBlob(req: IncomingMessage, res: ServerResponse, path: string): Promise<void> {
    const sha = path.slice('/cdn/'.length);
    let bytes = this.blobs.get(sha);
    if (!bytes) {
      res.writeHead(404).end();
      return;
    }
    if (this.faults.corrupt.has(path)) {
      bytes = bytes.slice();
      bytes[bytes.length >> 1]! ^= 0xff;
    }
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    const start = range ? Number(range[1]) : 0;
    if (start > bytes.byteLength) {
      res.writeHead(416).end();
      return;
    }
    const body = bytes.subarray(start);
    res.writeHead(range ? 206 : 200, {
      'Content-Length': String(body.byteLength),
      ...(range ? { 'Content-Range': `bytes ${start}-${bytes.byteLength - 1}/${bytes.byteLength}` } : {}),
    });
    if (req.method === 'HEAD') res.end();
    else await this.send(res, path, body);
  }

  private async send(res: ServerResponse, path: string, body: Uint8Array): Promise<void> {
    const cut = this.faults.cutAfter.get(path);
    const stall = this.faults.stallAfter.get(path);
    const throttle = this.faults.throttleMs.get(path);
    if (cut !== undefined) {
      this.faults.cutAfter.delete(path);
      res.write(body.subarray(0, cut));
      await new Promise((r) => setTimeout(r, 50));
      res.socket?.destroy();
      return;
    }
    if (stall !== undefined) {
      this.faults.stallAfter.delete(path);
      res.write(body.subarray(0, stall));
      return; // never ends: the client's timeout must notice
    }
    if (throttle !== undefined) {
      for (let at = 0; at < body.byteLength; at += 16384) {
        if (res.destroyed) return;
        res.write(body.subarray(at, at + 16384));
        await new Promise((r) => setTimeout(r, throttle));
      }
      res.end();
      return;
    }
    res.end(body);
  }
}
