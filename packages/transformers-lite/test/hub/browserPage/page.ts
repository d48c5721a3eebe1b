/**
 * The page browser.test.ts drives: `window.hubLoad(request)` loads a tokenizer and a GPT-2 model
 * by Hub id with the given hubSettings, runs one forward pass, and reports what the Cache API holds.
 */
import { tensor } from '@lumen/tensor';
import { AutoTokenizer, GPT2LMHeadModel, hubSettings } from '../../../src/index.ts';

export interface HubLoadRequest {
  endpoint: string;
  id: string;
  text: string;
  inputIds: number[];
  inputShape: number[];
  useBrowserCache?: boolean;
  browserCacheName?: string;
  localFilesOnly?: boolean;
}

export type HubLoadResult =
  | {
      ok: true;
      ids: number[];
      logits: number[];
      progressFiles: string[];
      caches: string[];
      cached: string[];
    }
  | { ok: false; error: string; errorName: string; caches: string[] };

async function cacheState(name: string): Promise<{ caches: string[]; cached: string[] }> {
  const names = await caches.keys();
  // caches.open would create the cache: only look into one that exists.
  const cached = names.includes(name)
    ? (await (await caches.open(name)).keys()).map((r) => r.url).sort()
    : [];
  return { caches: names.sort(), cached };
}

async function hubLoad(r: HubLoadRequest): Promise<HubLoadResult> {
  hubSettings.endpoint = r.endpoint;
  hubSettings.useBrowserCache = r.useBrowserCache ?? true;
  hubSettings.browserCacheName = r.browserCacheName ?? 'lumen-hub';
  const options = r.localFilesOnly ? { localFilesOnly: true } : {};
  const progressFiles = new Set<string>();
  try {
    const tok = await AutoTokenizer.fromPretrained(r.id, options);
    const model = await GPT2LMHeadModel.fromPretrained(r.id, {
      ...options,
      onProgress: (p) => {
        if (p.status === 'done') progressFiles.add(p.file);
      },
    });
    const inputIds = tensor(Int32Array.from(r.inputIds), { shape: r.inputShape, dtype: 'int32' });
    const logits = model.forward({ inputIds }).logits;
    return {
      ok: true,
      ids: tok.encode(r.text, { addSpecialTokens: false }) as number[],
      logits: Array.from(await logits.data()),
      progressFiles: [...progressFiles].sort(),
      ...(await cacheState(hubSettings.browserCacheName)),
    };
  } catch (e) {
    return {
      ok: false,
      error: e instanceof Error ? e.message : String(e),
      errorName: e instanceof Error ? e.name : typeof e,
      caches: (await cacheState(hubSettings.browserCacheName)).caches,
    };
  }
}

(window as unknown as { hubLoad: typeof hubLoad }).hubLoad = hubLoad;
document.body.dataset.ready = 'true';
