import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`../../packages/${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: { '@confab/protocol': src('protocol'), '@confab/sdk': src('sdk') },
  },
  test: {
    name: 'example-inbox',
    include: ['test/**/*.test.ts'],
    // A real server, the example's own static server and Chromium: give them room on a 2-core machine.
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // What the browser shows arrives over the network: poll for it longer than vitest's 1 s default.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
