import { defaultClientConditions, defineConfig } from 'vite';

/**
 * The browser demo: web/index.html and the panels in web/, importing the workspace packages from
 * source (the `@lumen/source` condition). `pnpm --filter @lumen/demos build` writes dist/;
 * test/browser.test.ts builds its own copy and drives it in headless Chromium.
 */
export default defineConfig({
  root: 'web',
  base: './',
  resolve: { conditions: ['@lumen/source', ...defaultClientConditions] },
  worker: { format: 'es' },
  build: { outDir: '../dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 4000 },
});
