import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    name: 'packages',
    include: ['test/**/*.test.ts'],
    // Packing, a registry install and a real server: minutes on a busy 2-core machine, not seconds.
    testTimeout: 60_000,
    hookTimeout: 180_000,
  },
});
