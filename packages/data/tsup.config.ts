import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts', 'src/arrow.ts'],
  format: ['esm'],
  // Maps name src/ files and lines for stack traces; the sources themselves are not embedded (nor shipped).
  sourcemap: true,
  esbuildOptions(options) {
    options.sourcesContent = false;
  },
  clean: true,
  target: 'es2022',
  dts: true,
});
