import { fileURLToPath } from 'node:url';

import { defineConfig } from 'vitest/config';

const src = (pkg: string) => fileURLToPath(new URL(`../${pkg}/src/index.ts`, import.meta.url));

export default defineConfig({
  resolve: {
    alias: { '@confab/protocol': src('protocol'), '@confab/sdk': src('sdk') },
  },
  test: {
    name: 'widget',
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    // Browser tests drive a real server and Chromium: give them room on a 2-core machine.
    // Files run in the same worker without re-importing the server between them: importing it
    // per file was a sixth of the suite's CPU (2 cores: CPU bound). Files share no state: each
    // test server has its own schema, Redis prefix, registry and storage.
    isolate: false,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // What the browser shows arrives over the network: poll for it longer than vitest's 1 s default.
    expect: { poll: { timeout: 10_000, interval: 50 } },
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent' },
  },
});
