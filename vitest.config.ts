import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      'bench',
      'fuzz',
      {
        // The cpu kernel suites again on the relaxed-SIMD WebAssembly build (fused multiply-add), which
        // Node 22 and Chrome run by default and Node 20 only with this V8 flag.
        root: './packages/tensor',
        ssr: { resolve: { conditions: ['@lumen/source', ...defaultServerConditions] } },
        test: {
          name: '@lumen/tensor (relaxed SIMD)',
          include: ['test/gemm.test.ts', 'test/wasm-kernels.test.ts', 'test/conformance.test.ts'],
          pool: 'forks',
          execArgv: ['--experimental-wasm-relaxed-simd'],
          testTimeout: 60_000,
        },
      },
      {
        // The PyTorch fixtures on the TypeScript kernels too: the fallback where WebAssembly SIMD is missing.
        root: './packages/tensor',
        ssr: { resolve: { conditions: ['@lumen/source', ...defaultServerConditions] } },
        test: {
          name: '@lumen/tensor (TypeScript kernels)',
          include: ['test/conformance.test.ts'],
          pool: 'forks',
          env: { LUMEN_WASM: 'off' },
          testTimeout: 60_000,
        },
      },
    ],
  },
});
