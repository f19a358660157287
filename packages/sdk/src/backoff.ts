/**
 * Exponential backoff with full jitter: a random wait between 0 and `baseMs · 2^attempt` (at most
 * `capMs`), so clients that lost their connection together do not all come back in the same instant.
 */
export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}
