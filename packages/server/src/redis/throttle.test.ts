import { describe, expect, it } from 'vitest';

import { createMemoryThrottle, gcraStep } from './throttle.js';

describe('GCRA throttle', () => {
  const rate = { limit: 3, periodMs: 1_000 };

  it('allows a burst of `limit`, then one per period/limit', () => {
    let tat: number | undefined;
    const at = (now: number) => {
      const step = gcraStep(tat, now, rate);
      tat = step.tat;
      return step.result;
    };
    expect([at(0), at(0), at(0)].every((r) => r.allowed)).toBe(true);
    const denied = at(0);
    expect(denied.allowed).toBe(false);
    expect(denied.retryAfterMs).toBe(334);
    expect(at(333).allowed).toBe(false);
    expect(at(334).allowed).toBe(true);
    expect(at(334).allowed).toBe(false);
  });

  it('keeps keys apart in the in-process limiter', async () => {
    const throttle = createMemoryThrottle();
    const one = { limit: 1, periodMs: 60_000 };
    expect((await throttle.consume('a', one)).allowed).toBe(true);
    expect((await throttle.consume('a', one)).allowed).toBe(false);
    expect((await throttle.consume('b', one)).allowed).toBe(true);
  });
});
