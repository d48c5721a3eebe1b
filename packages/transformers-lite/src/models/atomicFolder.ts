import { LumenError } from '@lumen/tensor';
import { nodeFiles } from '../env.js';
import { describe, fail } from './errors.js';

/**
 * Saving a folder (a checkpoint: config.json + model.safetensors + …) atomically as a whole.
 *
 * Every file goes into a temporary sibling folder `.<name>.tmp-<pid>-<id>`, each fsynced, along with
 * the folder's other entries (carried over as hard links, or copies where links are refused), and
 * the temporary folder is fsynced. Then the swap: the old folder is renamed aside to
 * `.<name>.old-<pid>-<id>`, the new one renamed in, the parent fsynced, the old one removed. A crash
 * at any point leaves either the old folder or the new one at `<name>`, or (between the two renames)
 * neither, with both siblings on disk: `recoverFolder` (run by every save and load) then finishes
 * the swap, since a folder is only ever moved aside after its replacement is complete. Temporaries
 * of a save that died are removed by the next save. A rename over a folder is never needed, so the
 * same steps work on Windows (which cannot fsync folders; that step is skipped there).
 */

type Fs = typeof import('node:fs/promises');

/** A failing layer in tests (a full disk); node:fs/promises otherwise. */
export interface AtomicFolderOptions {
  /** Entries of the existing folder that this save replaces: dropped when the save does not write them. */
  owns?: (name: string) => boolean;
  fs?: Fs;
}

const TMP = 'tmp';
const OLD = 'old';
/** Saves in flight in this process (their temporaries are not stale). */
const active = new Set<string>();
/** A temporary whose process is alive is left alone, unless it is older than this (a reused pid). */
const STALE_MS = 24 * 3600 * 1000;

async function nodeModules(fs?: Fs): Promise<{ fs: Fs; path: typeof import('node:path') }> {
  const node = nodeFiles('saving a folder');
  return { fs: fs ?? node.fs, path: node.path };
}

/** `.<base>.<kind>-<pid>-<id>` → { kind, pid, id } for the siblings of `base`, else null. */
function parseSibling(base: string, entry: string): { kind: string; pid: number; id: string } | null {
  const prefix = `.${base}.`;
  if (!entry.startsWith(prefix)) return null;
  const m = /^(tmp|old)-(\d+)-([a-z0-9]+)$/.exec(entry.slice(prefix.length));
  return m ? { kind: m[1]!, pid: Number(m[2]), id: `${m[2]}-${m[3]}` } : null;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function exists(fs: Fs, p: string): Promise<boolean> {
  return fs.lstat(p).then(
    () => true,
    () => false,
  );
}

/** fsync a folder (its entries' names survive a power loss); Windows cannot, and needs not. */
async function syncFolder(fs: Fs, dir: string): Promise<void> {
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (process.platform !== 'win32' && code !== 'EISDIR' && code !== 'EPERM' && code !== 'EINVAL') throw e;
  } finally {
    await handle?.close().catch(() => {});
  }
}

async function writeDurably(fs: Fs, file: string, data: string | Uint8Array): Promise<void> {
  const handle = await fs.open(file, 'wx');
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Copies `src` (an entry of the old folder) to `dst` in the new one: hard links, else copies. */
async function carry(fs: Fs, path: typeof import('node:path'), src: string, dst: string): Promise<void> {
  const st = await fs.lstat(src);
  if (st.isDirectory()) {
    await fs.mkdir(dst);
    for (const name of await fs.readdir(src))
      await carry(fs, path, path.join(src, name), path.join(dst, name));
    await syncFolder(fs, dst);
  } else if (st.isSymbolicLink()) {
    await fs.symlink(await fs.readlink(src), dst);
  } else if (st.isFile()) {
    try {
      await fs.link(src, dst);
    } catch {
      await fs.copyFile(src, dst);
      const handle = await fs.open(dst, 'r+');
      await handle.sync().finally(() => handle.close());
    }
  } else {
    throw new Error(`${src} is neither a file, a folder nor a symbolic link, so it cannot be carried over`);
  }
}

/**
 * Finishes a swap a crash interrupted and removes what a dead save left. With `clean: false`
 * (loads) only the interrupted swap is finished, the one step needed for `dir` to exist again.
 * Best effort: a folder that cannot be changed (read-only) is left as it is.
 */
export async function recoverFolder(dir: string, options: { clean?: boolean; fs?: Fs } = {}): Promise<void> {
  const { fs, path } = await nodeModules(options.fs);
  const abs = await fs.realpath(path.resolve(dir)).catch(() => path.resolve(dir));
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  let entries: string[];
  try {
    entries = await fs.readdir(parent);
  } catch {
    return;
  }
  const siblings = entries.flatMap((e) => {
    const s = parseSibling(base, e);
    return s ? [{ ...s, path: path.join(parent, e) }] : [];
  });
  if (siblings.length === 0) return;
  const remove = (p: string) => fs.rm(p, { recursive: true, force: true }).catch(() => {});
  for (const old of siblings.filter((s) => s.kind === OLD)) {
    const tmp = siblings.find((s) => s.kind === TMP && s.id === old.id);
    if (!(await exists(fs, abs))) {
      // Killed between the two renames: the new folder was complete before the old one moved aside.
      await fs.rename(tmp ? tmp.path : old.path, abs).catch(() => {});
      if (tmp) await syncFolder(fs, parent).catch(() => {});
    }
    if (options.clean !== false && (await exists(fs, abs))) await remove(old.path);
  }
  if (options.clean === false) return;
  for (const tmp of siblings.filter((s) => s.kind === TMP)) {
    if (active.has(tmp.path) || !(await exists(fs, tmp.path))) continue;
    const age = await fs.lstat(tmp.path).then(
      (st) => Date.now() - st.mtimeMs,
      () => 0,
    );
    // Ours but not in flight, or its process is gone, or it is too old to be a live save.
    if (tmp.pid === process.pid || !processAlive(tmp.pid) || age > STALE_MS) await remove(tmp.path);
  }
}

/**
 * Writes `contents` (file name → text or bytes) into `dir` as one atomic, durable step (see the
 * comment at the top). Entries of an existing `dir` that the save does not write are kept, unless
 * `owns(name)` says the save replaces them. Returns the written files' paths.
 */
export async function saveFolderAtomically(
  dir: string,
  contents: Record<string, string | Uint8Array>,
  op: string,
  options: AtomicFolderOptions = {},
): Promise<string[]> {
  if (typeof dir !== 'string' || dir.length === 0)
    fail(op, `directory must be a non-empty string, got ${describe(dir)}`);
  const { fs, path } = await nodeModules(options.fs);
  // A symbolic link to a folder (`latest -> run-5`) stays a link: the folder it points at is swapped.
  const abs = await fs.realpath(path.resolve(dir)).catch(() => path.resolve(dir));
  const parent = path.dirname(abs);
  const base = path.basename(abs);
  if (abs === parent) fail(op, `directory cannot be the root of the file system, got ${JSON.stringify(dir)}`);
  for (const name of Object.keys(contents)) {
    if (name === '' || name === '.' || name === '..' || /[/\\]/.test(name))
      fail(op, `file names must be plain names inside the folder, got ${JSON.stringify(name)}`);
  }
  const owns = options.owns ?? (() => false);
  const id = `${process.pid}-${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const tmp = path.join(parent, `.${base}.${TMP}-${id}`);
  const aside = path.join(parent, `.${base}.${OLD}-${id}`);
  const written = Object.keys(contents).map((name) => path.join(dir, name));
  active.add(tmp);
  try {
    await fs.mkdir(parent, { recursive: true });
    await recoverFolder(abs, { fs });
    const old = await fs.lstat(abs).catch(() => null);
    if (old && !old.isDirectory()) fail(op, `${abs} exists and is not a folder`);
    await fs.mkdir(tmp);
    for (const [name, data] of Object.entries(contents)) await writeDurably(fs, path.join(tmp, name), data);
    if (old) {
      for (const name of await fs.readdir(abs)) {
        if (name in contents || owns(name)) continue;
        await carry(fs, path, path.join(abs, name), path.join(tmp, name));
      }
    }
    await syncFolder(fs, tmp);
    await syncFolder(fs, parent); // the complete new folder is on disk before the old one moves
    if (old) await fs.rename(abs, aside);
    try {
      await fs.rename(tmp, abs);
    } catch (e) {
      // Put the old folder back, unless a concurrent recovery already finished our swap.
      if (old && !(await exists(fs, abs))) await fs.rename(aside, abs).catch(() => {});
      if (!(await exists(fs, abs)) || (await exists(fs, tmp))) throw e;
    }
    await syncFolder(fs, parent);
  } catch (e) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
    if (e instanceof LumenError) throw e;
    fail(
      op,
      `cannot save into ${abs}: ${(e as Error).message}. Nothing was changed: the folder holds what it held before`,
    );
  } finally {
    active.delete(tmp);
  }
  // The new checkpoint is in place; the old one is garbage (a later save removes it if this fails).
  await fs.rm(aside, { recursive: true, force: true }).catch(() => {});
  return written;
}
