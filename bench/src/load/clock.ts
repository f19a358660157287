/**
 * CLOCK_MONOTONIC (time since boot) in microseconds: `process.hrtime()` reads the same kernel
 * clock in every process of the machine, never steps and never slews apart between processes, so
 * a timestamp taken in one generator process can be subtracted from one taken in another.
 */
export function nowUs(): number {
  const [seconds, nanos] = process.hrtime();
  return seconds * 1e6 + nanos / 1e3;
}
