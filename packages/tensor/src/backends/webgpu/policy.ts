import { envVar } from '../../env.js';
import { ArgumentError } from '../../errors.js';

/**
 * Which kernel variants run: the one place that tells a real GPU from a CPU-emulated adapter
 * (Mesa lavapipe/llvmpipe, SwiftShader). On a GPU, workgroup memory and barriers are cheap and a
 * workgroup per row or tile is fastest; on an emulated adapter invocations run as coroutines, so
 * barriers are expensive and the caches do what workgroup memory does: one invocation per output,
 * no barriers. Both variants compute the same results (the parity tests run each).
 */
export interface KernelPolicy {
  readonly name: KernelVariants;
  /** matmul: 64×64 tiles staged in workgroup memory, or R×4 blocks straight from memory. */
  readonly matmul: 'tiled' | 'direct';
  /**
   * Reductions and softmax rows longer than `serialMax` run a workgroup each with a shared-memory
   * tree when this is true; otherwise (and always on emulated adapters) an invocation each.
   */
  readonly trees: boolean;
  readonly serialMax: number;
  /** A reduction into at most 64 outputs at least this long is chunked and finished by a second pass. */
  readonly twoPassMin: number;
}

export type KernelVariants = 'gpu' | 'emulated';

const POLICIES: Record<KernelVariants, KernelPolicy> = {
  gpu: { name: 'gpu', matmul: 'tiled', trees: true, serialMax: 64, twoPassMin: 32768 },
  emulated: { name: 'emulated', matmul: 'direct', trees: false, serialMax: 64, twoPassMin: 8192 },
};

/** The policy of one family of variants. */
export function kernelPolicy(variants: KernelVariants): KernelPolicy {
  return POLICIES[variants];
}

/**
 * The policy for an adapter: its own kind, unless LUMEN_WEBGPU_KERNELS=gpu|emulated says which
 * variants to run (LUMEN_MATMUL=tiled|direct, its older name, still works).
 */
export function policyFor(emulatedAdapter: boolean): KernelPolicy {
  const forced = envVar('LUMEN_WEBGPU_KERNELS');
  if (forced) {
    if (forced !== 'gpu' && forced !== 'emulated')
      throw new ArgumentError(`LUMEN_WEBGPU_KERNELS must be 'gpu' or 'emulated'; got '${forced}'`);
    return kernelPolicy(forced);
  }
  const legacy = envVar('LUMEN_MATMUL');
  if (legacy) return kernelPolicy(legacy === 'direct' ? 'emulated' : 'gpu');
  return kernelPolicy(emulatedAdapter ? 'emulated' : 'gpu');
}
