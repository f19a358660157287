import { describe, expect, it } from 'vitest';

import { SingleFlight } from './single-flight.js';

describe('SingleFlight', () => {
  it('runs once at a time and once more after calls that came in meanwhile, however many', async () => {
    let runs = 0;
    let release: () => void = () => undefined;
    const flight = new SingleFlight(async () => {
      runs += 1;
      if (runs === 1) await new Promise<void>((resolve) => (release = resolve));
    });
    const first = flight.run();
    expect(flight.busy).toBe(true);
    const second = flight.run();
    void flight.run();
    expect(second).toBe(first);
    release();
    await first;
    expect(runs).toBe(2);
    expect(flight.busy).toBe(false);
  });

  it('is free again after the work rejects, and passes the rejection on', async () => {
    let fail = true;
    const flight = new SingleFlight(async () => {
      if (fail) throw new Error('boom');
    });
    await expect(flight.run()).rejects.toThrow('boom');
    fail = false;
    await expect(flight.run()).resolves.toBeUndefined();
  });
});
