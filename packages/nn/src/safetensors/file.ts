import type { Device } from '@lumen/tensor';
import { fail } from '../errors.js';
import { parseSafetensors, type StateDict, serializeSafetensors } from './format.js';

type Fs = typeof import('node:fs/promises');

async function nodeFs(op: string): Promise<Fs> {
  try {
    return await import('node:fs/promises');
  } catch {
    fail(op, 'file access needs Node; in a browser use serializeSafetensors / parseSafetensors with bytes');
  }
}

/**
 * Writes a state dict as a .safetensors file. Atomic: the bytes go to a temporary file in the same
 * folder, renamed over `path` only when complete, so no reader ever sees half a file.
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
    await fs.writeFile(tmp, bytes);
    await fs.rename(tmp, path);
  } catch (e) {
    await fs.rm(tmp, { force: true });
    throw e;
  }
}

/** Reads a .safetensors file into a state dict (on `device`, cpu by default). */
export async function loadSafetensors(path: string, options: { device?: Device } = {}): Promise<StateDict> {
  if (typeof path !== 'string' || path === '')
    fail('loadSafetensors', `path must be a non-empty string, got ${JSON.stringify(path)}`);
  const fs = await nodeFs('loadSafetensors');
  const buf = await fs.readFile(path);
  try {
    return parseSafetensors(new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength), options).tensors;
  } catch (e) {
    if (e instanceof Error) e.message = `${e.message} (file ${path})`;
    throw e;
  }
}
