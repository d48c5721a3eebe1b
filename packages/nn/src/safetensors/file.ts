import { checkOptions, type Device } from '@lumen/tensor';
import { nodeBuiltin } from '../env.js';
import { fail } from '../errors.js';
import { parseSafetensors, type StateDict, serializeSafetensors } from './format.js';

type Fs = typeof import('node:fs/promises');

async function nodeFs(op: string): Promise<Fs> {
  const fs = nodeBuiltin<Fs>('node:fs/promises');
  if (!fs)
    fail(op, 'file access needs Node; in a browser use serializeSafetensors / parseSafetensors with bytes');
  return fs;
}

/**
 * Writes a state dict as a .safetensors file. Atomic and durable: the bytes go to a temporary file
 * in the same folder, flushed to disk (fsync), renamed over `path` only when complete, and the
 * folder is flushed too, so no reader (nor a crash or power loss) ever sees half a file.
 */
export async function saveSafetensors(
  stateDict: StateDict,
  path: string,
  options: { metadata?: Record<string, string> } = {},
): Promise<void> {
  if (typeof path !== 'string' || path === '')
    fail('saveSafetensors', `path must be a non-empty string, got ${JSON.stringify(path)}`);
  const bytes = await serializeSafetensors(stateDict, options);
  const fs = await nodeFs('saveSafetensors');
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}${Math.random().toString(36).slice(2)}.tmp`;
  try {
    const handle = await fs.open(tmp, 'w');
    try {
      await handle.writeFile(bytes);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await syncFolder(fs, path);
}

/** fsyncs the folder holding `path`, so a rename in it survives a power loss (not possible on Windows). */
async function syncFolder(fs: Fs, path: string): Promise<void> {
  const { dirname } = nodeBuiltin<typeof import('node:path')>('node:path')!;
  let handle: Awaited<ReturnType<Fs['open']>> | undefined;
  try {
    handle = await fs.open(dirname(path), 'r');
    await handle.sync();
  } catch {
    // Windows cannot open a folder for fsync; the rename is still atomic there.
  } finally {
    await handle?.close();
  }
}

/** Reads a .safetensors file into a state dict (on `device`, cpu by default). */
export async function loadSafetensors(path: string, options: { device?: Device } = {}): Promise<StateDict> {
  if (typeof path !== 'string' || path === '')
    fail('loadSafetensors', `path must be a non-empty string, got ${JSON.stringify(path)}`);
  checkOptions('loadSafetensors', options, ['device']);
  const fs = await nodeFs('loadSafetensors');
  const buf = await fs.readFile(path);
  try {
    return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), options).tensors;
  } catch (e) {
    if (e instanceof Error) e.message = `${e.message} (file ${path})`;
    throw e;
  }
}
