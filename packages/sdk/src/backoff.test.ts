import { describe, expect, it } from 'vitest';

import { backoffDelay } from './backoff.js';

describe('backoffDelay', () => {
  it('draws from the whole range [0, base · 2^attempt), capped', () => {
    expect(backoffDelay(0, 500, 15_000, () => 0.999)).toBe(499);
    expect(backoffDelay(3, 500, 15_000, () => 0.5)).toBe(2_000);
    expect(backoffDelay(10, 500, 15_000, () => 0.999)).toBe(14_985);
    expect(backoffDelay(1_000, 500, 15_000, () => 0)).toBe(0);
  });

  it('spreads a crowd over the range instead of one instant', () => {
    const delays = Array.from({ length: 1_000 }, () => backoffDelay(2, 500, 15_000));
    expect(Math.min(...delays)).toBeLessThan(200);
    expect(Math.max(...delays)).toBeGreaterThan(1_800);
    expect(new Set(delays).size).toBeGreaterThan(500);
  });
});
