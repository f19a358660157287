import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: { '@confab/protocol': src('protocol'), '@confab/sdk': src('sdk') },
  },
  test: {
    name: 'example-bot',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // A real Confab server and several SDK clients on a small machine: give them room.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    expect: { poll: { timeout: 10_000, interval: 50 } },
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
