import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: { '@confab/protocol': src('protocol'), '@confab/sdk': src('sdk') },
  },
  test: {
    name: 'server',
    include: ['test/**/*.test.ts', 'src/**/*.test.ts'],
    // Files run in the same worker without re-importing the server between them: importing it
    // per file was a sixth of the suite's CPU (2 cores: CPU bound). Files share no state: each
    // test server has its own schema, Redis prefix, registry and storage.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
