import { defaultClientConditions, defaultServerConditions } from 'vite';
import { defineProject } from 'vitest/config';

// `conditions` replaces Vite's defaults, so spread them back. Node-side tests resolve through
// `ssr.resolve`: without it they would silently import a sibling's stale dist/.
const SOURCE = '@lumen/source';
export default defineProject({
  resolve: { conditions: [SOURCE, ...defaultClientConditions] },
  ssr: { resolve: { conditions: [SOURCE, ...defaultServerConditions] } },
  test: { include: ['test/**/*.test.ts'], pool: 'forks', testTimeout: 60_000, hookTimeout: 60_000 },
});
