/**
 * Hub downloads in Node, into the cache Python's huggingface_hub uses, in its layout:
 *
 *   {cache}/models--{org}--{name}/blobs/{etag}              the file's bytes (etag: sha256 for LFS files)
 *   {cache}/models--{org}--{name}/snapshots/{commit}/{file} a relative symlink to ../../blobs/{etag}
 *                                                           (a copy where links are refused)
 *   {cache}/models--{org}--{name}/refs/{revision}           the commit hash the revision pointed to
 *   {cache}/models--{org}--{name}/.no_exist/{commit}/{file} an empty file: the repo has no such file
 *   {cache}/.locks/models--{org}--{name}/{etag}.lock        flock(2)ed while a process (Python's too)
 *                                                           downloads the blob; left in place
 *
 * so a model Python downloaded is found here without a request, and the reverse. A blob is
 * downloaded to `{etag}.incomplete` (resumed with a Range request after a cut or a killed
 * process), checked (size; SHA-256 for LFS files), fsynced and renamed into place; only then do the
 * snapshot link and the ref appear. A failed download changes nothing else in the cache.
 */

import { nodeBuiltin } from '../env.js';
import { fail, warn } from '../models/errors.js';
import {
  accessError,
  backoff,
  endpoint,
  envVar,
  fetchRetrying,
  type HubOptions,
  type HubRepo,
  HubUnreachableError,
  hubSettings,
  isOffline,
  isTransient,
  isUnreachable,
  networkReason,
  readBody,
  resolveUrl,
} from './hub.js';

type Fs = typeof import('node:fs/promises');
type Path = typeof import('node:path');

interface Node {
  fs: Fs;
  path: Path;
  os: typeof import('node:os');
  crypto: typeof import('node:crypto');
}

function node(): Node {
  return {
    fs: nodeBuiltin<Fs>('node:fs/promises')!,
    path: nodeBuiltin<Path>('node:path')!,
    os: nodeBuiltin<typeof import('node:os')>('node:os')!,
    crypto: nodeBuiltin<typeof import('node:crypto')>('node:crypto')!,
  };
}

const COMMIT = /^[0-9a-f]{40}$/;

/** huggingface_hub's cache folder: HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub. */
export function hubCacheDir(n: Node, cacheDir?: string): string {
  const home = n.os.homedir();
  const expand = (p: string) => (p === '~' || p.startsWith('~/') ? n.path.join(home, p.slice(1)) : p);
  if (cacheDir) return n.path.resolve(expand(cacheDir));
  const hub = envVar('HF_HUB_CACHE') ?? envVar('HUGGINGFACE_HUB_CACHE');
  if (hub) return n.path.resolve(expand(hub));
  return n.path.join(hfHome(n), 'hub');
}

function hfHome(n: Node): string {
  const home = envVar('HF_HOME');
  if (home) return n.path.resolve(home.startsWith('~') ? n.path.join(n.os.homedir(), home.slice(1)) : home);
  const xdg = envVar('XDG_CACHE_HOME') ?? n.path.join(n.os.homedir(), '.cache');
  return n.path.join(xdg, 'huggingface');
}

/** options.token, else HF_TOKEN, else the token file huggingface_hub's login writes (HF_TOKEN_PATH or HF_HOME/token). */
async function findToken(n: Node, options: HubOptions): Promise<string | null> {
  if (options.token === false) return null;
  if (options.token) return options.token;
  const env = envVar('HF_TOKEN') ?? envVar('HUGGING_FACE_HUB_TOKEN');
  if (env) return env.trim();
  const file = envVar('HF_TOKEN_PATH') ?? n.path.join(hfHome(n), 'token');
  const text = await n.fs.readFile(file, 'utf8').catch(() => '');
  return text.trim() || null;
}

const exists = (fs: Fs, p: string) =>
  fs.lstat(p).then(
    () => true,
    () => false,
  );

/** Writes `data` to `file` atomically (temp + fsync + rename). */
async function writeAtomically(n: Node, file: string, data: string): Promise<void> {
  await n.fs.mkdir(n.path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${n.crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    const h = await n.fs.open(tmp, 'w');
    try {
      await h.writeFile(data);
      await h.sync();
    } finally {
      await h.close();
    }
    await n.fs.rename(tmp, file);
  } catch (e) {
    await n.fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Points `pointer` at `blob` with a relative symlink (a copy where links are refused), atomically. */
async function linkPointer(n: Node, blob: string, pointer: string): Promise<void> {
  await n.fs.mkdir(n.path.dirname(pointer), { recursive: true });
  const tmp = `${pointer}.${process.pid}.${n.crypto.randomBytes(4).toString('hex')}.tmp`;
  try {
    try {
      await n.fs.symlink(n.path.relative(n.path.dirname(pointer), blob), tmp);
    } catch {
      await n.fs.copyFile(blob, tmp); // Windows without developer mode, some network drives
    }
    await n.fs.rename(tmp, pointer);
  } catch (e) {
    await n.fs.rm(tmp, { force: true });
    throw e;
  }
}

// ---- the lock ----------------------------------------------------------------------------------

/** Releases a lock taken by `lock`. */
type Release = () => Promise<void>;

/** After this long waiting for a lock, say so once (huggingface_hub logs every 10 s). */
const LOCK_NOTICE_MS = 10_000;

/**
 * Takes `{etag}.lock` as huggingface_hub does (filelock's UnixFileLock): flock(2), exclusive, on
 * that file, which stays in place afterwards. Python and Lumen processes therefore take turns on one
 * blob, and the kernel drops the lock of a process that dies. Node has no flock call, so util-linux's
 * `flock(1)` holds it for us: it says `locked` once it has the lock and keeps it until its stdin
 * closes (our release, or our exit). Resolves to null where there is no `flock(1)` (macOS, Windows)
 * or where it cannot lock (a file system without locks).
 */
async function flockFile(file: string, what: string): Promise<Release | null> {
  const cp = nodeBuiltin<typeof import('node:child_process')>('node:child_process')!;
  const child = cp.spawn('flock', ['--exclusive', file, '--command', 'echo locked; exec cat >/dev/null'], {
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin!.on('error', () => {}); // EPIPE when the holder is gone already
  const notice = setTimeout(
    () =>
      warn(`waiting for another process (Python's huggingface_hub or Lumen) downloading ${what}: ${file}`),
    LOCK_NOTICE_MS,
  );
  try {
    const got = await new Promise<boolean>((resolve, reject) => {
      let err = '';
      child.stderr!.on('data', (c: Buffer) => {
        err += c.toString();
      });
      child.stdout!.once('data', () => resolve(true));
      let spawnFailed = false;
      child.once('error', (e: NodeJS.ErrnoException) => {
        spawnFailed = true;
        if (e.code === 'ENOENT') resolve(false);
        else reject(e);
      });
      // flock(1) that gives up (a file system without locks): huggingface_hub's WeakFileLock falls
      // back to a soft lock there, and so do we.
      child.once('close', (code, signal) => {
        if (spawnFailed) return; // no flock(1) at all: settled above, nothing to say
        warn(
          `flock(1) could not lock ${file} (${signal ?? `exit ${code}`}: ${err.trim()}); ` +
            "Lumen processes take turns on their own lock instead, which Python's filelock does not see",
        );
        resolve(false);
      });
    });
    if (!got) return null;
  } catch (e) {
    child.kill();
    throw e;
  } finally {
    clearTimeout(notice);
  }
  child.removeAllListeners('close');
  const exited = new Promise<void>((r) => child.once('close', () => r()));
  return async () => {
    child.stdin!.end();
    await exited;
  };
}

interface LockInfo {
  pid: number;
  host: string;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A lock not refreshed for this long belongs to a process that is gone (another machine, a reused pid). */
const LOCK_STALE_MS = 60_000;
const LOCK_HEARTBEAT_MS = 5_000;

/**
 * The lock where there is no `flock(1)`: `{etag}.lock.lumen`, created complete with a hard link
 * (atomic, fails when it exists), holding the owner's pid and host, refreshed every few seconds. A
 * lock whose process is dead or that went unrefreshed is taken over. Lumen processes take turns on
 * it; Python's filelock does not see it. Resolves to null when `done()` became true while waiting.
 */
async function linkLock(n: Node, file: string, done: () => Promise<boolean>): Promise<Release | null> {
  await n.fs.mkdir(n.path.dirname(file), { recursive: true });
  const me: LockInfo = { pid: process.pid, host: n.os.hostname() };
  const tmp = `${file}.${process.pid}.${n.crypto.randomBytes(4).toString('hex')}`;
  await n.fs.writeFile(tmp, JSON.stringify(me));
  try {
    for (;;) {
      try {
        await n.fs.link(tmp, file);
        break;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      }
      if (await done()) return null;
      const [text, stat] = await Promise.all([
        n.fs.readFile(file, 'utf8').catch(() => null),
        n.fs.stat(file).catch(() => null),
      ]);
      if (text === null || !stat) continue; // released meanwhile
      let owner: LockInfo | null = null;
      try {
        owner = JSON.parse(text) as LockInfo;
      } catch {}
      const stale =
        !owner ||
        typeof owner.pid !== 'number' ||
        (owner.host === me.host && !alive(owner.pid)) ||
        Date.now() - stat.mtimeMs > LOCK_STALE_MS;
      if (stale) {
        // Only remove the lock we judged: a rename to a private name, then a check of what we took.
        const aside = `${file}.stale.${process.pid}`;
        if (
          await n.fs.rename(file, aside).then(
            () => true,
            () => false,
          )
        ) {
          const took = await n.fs.readFile(aside, 'utf8').catch(() => null);
          if (took !== text) await n.fs.link(aside, file).catch(() => {});
          await n.fs.rm(aside, { force: true });
        }
        continue;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await n.fs.rm(tmp, { force: true });
  }
  const beat = setInterval(() => {
    const now = new Date();
    n.fs.utimes(file, now, now).catch(() => {});
  }, LOCK_HEARTBEAT_MS);
  beat.unref?.();
  return async () => {
    clearInterval(beat);
    await n.fs.rm(file, { force: true });
  };
}

/**
 * The download lock of one blob: huggingface_hub's `{etag}.lock` through flock(2) where `flock(1)`
 * exists, else Lumen's own link lock beside it. Null when `done()` turned true while waiting.
 */
async function lock(
  n: Node,
  file: string,
  what: string,
  done: () => Promise<boolean>,
): Promise<Release | null> {
  await n.fs.mkdir(n.path.dirname(file), { recursive: true });
  return (await flockFile(file, what)) ?? linkLock(n, `${file}.lumen`, done);
}

// ---- downloading one blob ----------------------------------------------------------------------

interface Head {
  commit: string;
  etag: string;
  size: number | null;
  /** Where the bytes are (a CDN for LFS files), or null for the resolve URL itself. */
  location: string | null;
  lfs: boolean;
}

class Missing {}

/** SHA-256 of a file, streamed. */
async function sha256(n: Node, file: string): Promise<string> {
  const hash = n.crypto.createHash('sha256');
  const h = await n.fs.open(file, 'r');
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const { bytesRead } = await h.read(buf, 0, buf.length, null);
      if (bytesRead === 0) break;
      hash.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await h.close();
  }
  return hash.digest('hex');
}

class NodeRepo implements HubRepo {
  readonly where: string;
  private readonly repoDir: string;
  private readonly revision: string;
  private commit: string | null = null;
  private token: string | null = null;
  private offline: boolean;
  /** Why the Hub could not be reached, once a HEAD of this load failed that way. */
  private unreachable: string | null = null;
  /** file → its blob (or snapshot file), fetched by this load. */
  private readonly fetched = new Map<string, string>();
  /** Snapshot links to make once every file of the load has arrived. */
  private readonly pending: [blob: string, pointer: string][] = [];
  /** `.no_exist` markers to write then. */
  private readonly absent: string[] = [];

  constructor(
    private readonly n: Node,
    private readonly id: string,
    private readonly options: HubOptions,
    private readonly op: string,
    private readonly cache: string,
  ) {
    this.revision = options.revision ?? 'main';
    this.where = `${id} (revision ${this.revision})`;
    this.repoDir = n.path.join(cache, `models--${id.replace(/\//g, '--')}`);
    this.offline = isOffline(options);
  }

  async init(): Promise<this> {
    this.token = await findToken(this.n, this.options);
    return this;
  }

  source(): string {
    return this.snapshotDir();
  }

  /**
   * Makes the snapshot links and moves refs/{revision}, once every file arrived: a load that fails
   * halfway leaves the snapshots and refs as they were (its complete blobs stay, unreferenced).
   */
  async finish(): Promise<void> {
    for (const [blob, pointer] of this.pending) await linkPointer(this.n, blob, pointer);
    this.pending.length = 0;
    for (const marker of this.absent) {
      await this.n.fs.mkdir(this.n.path.dirname(marker), { recursive: true });
      await this.n.fs.writeFile(marker, '');
    }
    this.absent.length = 0;
    if (!this.commit || COMMIT.test(this.revision) || this.offline) return;
    const ref = this.n.path.join(this.repoDir, 'refs', this.revision);
    const current = await this.n.fs.readFile(ref, 'utf8').catch(() => null);
    if (current?.trim() !== this.commit) await writeAtomically(this.n, ref, this.commit);
  }

  private snapshotDir(): string {
    if (!this.commit) fail(this.op, `internal: no file of ${this.where} was fetched yet`);
    return this.n.path.join(this.repoDir, 'snapshots', this.commit);
  }

  async text(file: string): Promise<string> {
    const at = this.fetched.get(file);
    if (!at) fail(this.op, `internal: ${file} of ${this.where} was not fetched`);
    return this.n.fs.readFile(at, 'utf8');
  }

  async has(file: string): Promise<boolean> {
    if (this.offline) return this.fromCache(file, 'offline').catch(() => false);
    return !((await this.head(file)) instanceof Missing);
  }

  async get(file: string): Promise<boolean> {
    if (this.offline) return this.fromCache(file, 'offline');
    // The Hub did not answer for an earlier file of this load: the rest come from the cache too.
    if (this.unreachable !== null) return this.fromCache(file, this.unreachable);
    let head: Head | Missing;
    try {
      head = await this.head(file);
    } catch (e) {
      // As huggingface_hub: a Hub that cannot be reached falls back to what the cache holds.
      if (!isUnreachable(e)) throw e;
      this.unreachable = networkReason(e);
      return this.fromCache(file, this.unreachable);
    }
    if (head instanceof Missing) return false;
    this.setCommit(head.commit);
    const { fs, path } = this.n;
    const pointer = path.join(this.repoDir, 'snapshots', head.commit, file);
    const blob = path.join(this.repoDir, 'blobs', head.etag);
    if (await exists(fs, pointer)) this.fetched.set(file, pointer);
    else {
      if (!(await exists(fs, blob))) await this.download(file, head, blob);
      this.fetched.set(file, blob);
      this.pending.push([blob, pointer]);
    }
    this.progress(file, 'done', head.size ?? 0, head.size);
    return true;
  }

  /** The commit this load reads: every file must come from the same one. */
  private setCommit(commit: string): void {
    if (this.commit && this.commit !== commit)
      fail(
        this.op,
        `${this.where} moved from commit ${this.commit} to ${commit} while its files were downloading; load it again (or pin { revision: '${commit}' })`,
      );
    this.commit = commit;
  }

  /** The file from the cache alone; `why` is 'offline' or why the Hub could not be reached. */
  private async fromCache(file: string, why: string): Promise<boolean> {
    const { fs, path } = this.n;
    const offline = why === 'offline';
    const how = offline
      ? 'localFilesOnly / HF_HUB_OFFLINE: only the cache is used'
      : `the Hub at ${endpoint()} could not be reached (${why})`;
    const missing = (what: string): never => {
      if (offline)
        fail(
          this.op,
          `${what} is not in the cache ${this.cache} (${how}); download it once with network access, without localFilesOnly / HF_HUB_OFFLINE`,
        );
      throw new HubUnreachableError(
        `${this.op}: ${what} is not in the cache ${this.cache} and ${how}. Either set HF_ENDPOINT to a ` +
          "Hub or mirror this machine can reach, or pass a local folder holding the model's files instead " +
          "of the id, or download it once where the Hub can be reached (Lumen or Python's huggingface_hub) " +
          'and bring that cache here (HF_HOME, HF_HUB_CACHE or { cacheDir })',
        endpoint(),
        this.id,
        file,
        why,
        this.cache,
      );
    };
    let commit = this.commit;
    if (!commit) {
      if (COMMIT.test(this.revision)) commit = this.revision;
      else {
        const ref = await fs
          .readFile(path.join(this.repoDir, 'refs', this.revision), 'utf8')
          .catch(() => null);
        if (ref === null) missing(`${this.id} at revision ${this.revision}`);
        commit = ref!.trim();
      }
    }
    const pointer = path.join(this.repoDir, 'snapshots', commit, file);
    if (await exists(fs, pointer)) {
      this.commit = commit;
      this.fetched.set(file, pointer);
      if (!offline) warn(`${this.op}: ${how}; using ${file} of ${this.id} from the cache (commit ${commit})`);
      return true;
    }
    if (await exists(fs, path.join(this.repoDir, '.no_exist', commit, file))) {
      this.commit = commit;
      return false;
    }
    return missing(`${file} of ${this.id} (commit ${commit})`);
  }

  private headers(url: string): Record<string, string> {
    const h: Record<string, string> = {
      'Accept-Encoding': 'identity',
      'User-Agent': 'lumen-transformers-lite',
    };
    // The token goes to the Hub only, never to the CDN a file redirects to.
    if (this.token && new URL(url).origin === new URL(endpoint()).origin)
      h.Authorization = `Bearer ${this.token}`;
    return h;
  }

  /** HEAD: the commit, the ETag (X-Linked-Etag for LFS files), the size and the CDN location. */
  private async head(file: string): Promise<Head | Missing> {
    let url = resolveUrl(this.id, this.revision, file);
    for (let hops = 0; ; hops++) {
      const res = await fetchRetrying(
        url,
        { method: 'HEAD', redirect: 'manual', headers: this.headers(url) },
        { retryNetwork: false },
      );
      const h = (k: string) => res.headers.get(k);
      const location = h('location');
      // A relative redirect is a renamed repository: follow it. An absolute one is the CDN.
      if (res.status >= 300 && res.status < 400 && location?.startsWith('/') && hops < 5) {
        url = new URL(location, url).toString();
        continue;
      }
      const code = h('x-error-code');
      if (res.status === 401 || res.status === 403)
        accessError(this.op, this.id, file, res.status, code, this.token !== null);
      if (res.status === 404) {
        if (code === 'RepositoryNotFound')
          accessError(this.op, this.id, file, 404, code, this.token !== null);
        if (code === 'RevisionNotFound')
          fail(
            this.op,
            `${this.id} has no revision ${JSON.stringify(this.revision)} (branch, tag or commit)`,
          );
        const commit = h('x-repo-commit');
        if (commit && COMMIT.test(commit)) {
          // huggingface_hub's marker, so the next load (ours or Python's) need not ask again.
          this.absent.push(this.n.path.join(this.repoDir, '.no_exist', commit, file));
          this.setCommit(commit);
        }
        return new Missing();
      }
      if (res.status >= 400)
        fail(
          this.op,
          `the Hub answered ${res.status} ${res.statusText} for ${file} of ${this.where} (${url})`,
        );
      const commit = h('x-repo-commit');
      const linked = h('x-linked-etag');
      const etag = (linked ?? h('etag'))?.replace(/^W\//, '').replace(/"/g, '');
      if (!commit || !COMMIT.test(commit) || !etag || !/^[\w.-]+$/.test(etag))
        fail(
          this.op,
          `${url} did not answer as the Hub does (no X-Repo-Commit or ETag header; got ${res.status}); check HF_ENDPOINT (${endpoint()})`,
        );
      const size = Number(h('x-linked-size') ?? h('content-length'));
      return {
        commit,
        etag,
        size: Number.isSafeInteger(size) && size >= 0 ? size : null,
        location:
          res.status >= 300 && res.status < 400 && location ? new URL(location, url).toString() : null,
        lfs: linked !== null,
      };
    }
  }

  private progress(
    file: string,
    status: 'download' | 'progress' | 'done',
    loaded: number,
    total: number | null,
  ) {
    this.options.onProgress?.({ status, repo: this.id, file, loaded, total });
  }

  /** Downloads the blob under its lock, resuming `{etag}.incomplete`, and renames it into place. */
  private async download(file: string, head: Head, blob: string): Promise<void> {
    const { fs, path } = this.n;
    const lockFile = path.join(this.cache, '.locks', path.basename(this.repoDir), `${head.etag}.lock`);
    const release = await lock(this.n, lockFile, `${file} of ${this.where}`, () => exists(fs, blob));
    if (!release) return; // another process finished it while we waited
    try {
      if (await exists(fs, blob)) return;
      await fs.mkdir(path.dirname(blob), { recursive: true });
      const part = `${blob}.incomplete`;
      const url = head.location ?? resolveUrl(this.id, this.revision, file);
      for (let attempt = 0; ; attempt++) {
        try {
          await this.transfer(file, url, part, head);
          break;
        } catch (e) {
          // A cut connection or a stall: try again from where the file ends (Range).
          if (!isTransient(e) || attempt >= hubSettings.maxRetries) throw e;
          await backoff(attempt + 1);
        }
      }
      const got = (await fs.stat(part)).size;
      if (head.size !== null && got !== head.size) {
        await fs.rm(part, { force: true });
        fail(
          this.op,
          `${file} of ${this.where}: received ${got} bytes, the Hub announced ${head.size}; nothing was kept`,
        );
      }
      if (head.lfs && /^[0-9a-f]{64}$/.test(head.etag)) {
        const digest = await sha256(this.n, part);
        if (digest !== head.etag) {
          await fs.rm(part, { force: true });
          fail(
            this.op,
            `${file} of ${this.where}: the downloaded bytes have SHA-256 ${digest}, the Hub says ${head.etag}; the file was discarded, try again`,
          );
        }
      }
      await fs.rename(part, blob);
    } finally {
      await release();
    }
  }

  /** One GET of the rest of the file, appended to `part`. */
  private async transfer(file: string, url: string, part: string, head: Head): Promise<void> {
    const { fs } = this.n;
    let start = (await fs.stat(part).catch(() => null))?.size ?? 0;
    if (head.size !== null && start === head.size) return;
    if (head.size !== null && start > head.size) {
      await fs.rm(part, { force: true });
      start = 0;
    }
    const headers = this.headers(url);
    if (start > 0) headers.Range = `bytes=${start}-`;
    const res = await fetchRetrying(url, { headers });
    if (res.status === 401 || res.status === 403)
      accessError(this.op, this.id, file, res.status, res.headers.get('x-error-code'), this.token !== null);
    if (res.status !== 200 && res.status !== 206) {
      await res.body?.cancel().catch(() => {});
      fail(
        this.op,
        `the Hub answered ${res.status} ${res.statusText} downloading ${file} of ${this.where} (${url})`,
      );
    }
    // A server that ignores Range sends the whole file again: start over.
    if (res.status === 200 && start > 0) {
      await fs.truncate(part, 0);
      start = 0;
    }
    this.progress(file, 'download', start, head.size);
    const out = await fs.open(part, 'a');
    let loaded = start;
    try {
      for await (const chunk of readBody(res)) {
        await out.write(chunk);
        loaded += chunk.byteLength;
        this.progress(file, 'progress', loaded, head.size);
      }
      await out.sync();
    } finally {
      await out.close();
    }
    if (head.size !== null && loaded < head.size) {
      // The body ended early without an error: a cut the server did not report.
      throw new TypeError(`terminated: ${file} ended at ${loaded} of ${head.size} bytes`);
    }
  }
}

export async function openNodeRepo(id: string, options: HubOptions, op: string): Promise<HubRepo> {
  const n = node();
  return new NodeRepo(n, id, options, op, hubCacheDir(n, options.cacheDir)).init();
}
