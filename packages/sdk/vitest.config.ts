import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    alias: { '@confab/protocol': fileURLToPath(new URL('../protocol/src/index.ts', import.meta.url)) },
  },
  test: {
    name: 'sdk',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
  },
});
