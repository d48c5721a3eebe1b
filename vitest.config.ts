import { defaultServerConditions } from 'vite';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    projects: [
      'packages/*',
      'apps/*',
      'bench',
      {
        // The cpu kernel suites again on the relaxed-SIMD WebAssembly build (fused multiply-add), which
        // Node 22 and Chrome run by default and Node 20 only with this V8 flag.
        root: './packages/tensor',
        ssr: { resolve: { conditions: ['@lumen/source', ...defaultServerConditions] } },
        test: {
          name: '@lumen/tensor (relaxed SIMD)',
          include: ['test/gemm.test.ts', 'test/wasm-kernels.test.ts'],
          pool: 'forks',
          execArgv: ['--experimental-wasm-relaxed-simd'],
          testTimeout: 60_000,
        },
      },
    ],
  },
});
