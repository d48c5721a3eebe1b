import { nodeBuiltin } from '../env.js';
import { openBrowserRepo } from './browserCache.js';
import { checkHubOptions, type HubOptions, type HubRepo, isRepoId } from './hub.js';
import { openNodeRepo } from './nodeCache.js';

/** Whether `source` names a Hub repository rather than a local folder. */
export async function isHubSource(source: string): Promise<boolean> {
  const fs = nodeBuiltin<typeof import('node:fs/promises')>('node:fs/promises');
  if (fs) {
    // transformers' rule: an existing local path wins over a repo id of the same spelling.
    const local = await fs.stat(source).then(
      () => true,
      () => false,
    );
    return !local && isRepoId(source);
  }
  return isRepoId(source);
}

/** Opens a Hub repository for a loader. */
export async function openHubRepo(id: string, options: HubOptions, op: string): Promise<HubRepo> {
  checkHubOptions(op, options);
  if (nodeBuiltin('node:fs/promises')) {
    return openNodeRepo(id, options, op);
  }
  return openBrowserRepo(id, options, op);
}
