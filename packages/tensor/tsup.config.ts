import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  // Maps name src/ files and lines for stack traces; the sources themselves are not embedded (nor shipped).
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
  target: 'es2022',
  // the version a second copy's error names (src/singleCopy.ts)
  define: { __LUMEN_TENSOR_VERSION__: JSON.stringify(version) },
  // Only tensor's API names GPU types (GPUDevice in initWebGPU's options), and only tensor depends
  // on @webgpu/types: the packages above import those types from here, so under pnpm's strict
  // layout their .d.ts never needs to resolve @webgpu/types themselves.
  dts: { banner: '/// <reference types="@webgpu/types" />' },
});
