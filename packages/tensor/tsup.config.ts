import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';

const { version } = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm'],
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // the version a second copy's error names (src/singleCopy.ts)
  define: { __LUMEN_TENSOR_VERSION__: JSON.stringify(version) },
  dts: { banner: '/// <reference types="@webgpu/types" />' },
});
