import { ChatError } from './errors.js';

interface Job {
  run: () => Promise<void>;
}

/** A send during which the connection dropped this many times is given up, not retried forever. */
export const DROPS_BEFORE_GIVING_UP = 3;

/**
 * Sends wait here, in order, until the connection can take them. A job that fails with a
 * retryable error (offline, timeout, server error) stays at the head and runs again after
 * `wake()` (reconnect) or a backoff; `rate_limited` waits what the server said. A job during
 * which the connection dropped `DROPS_BEFORE_GIVING_UP` times (the server closing the socket on
 * it, say) fails, so one poisoned message never holds back the ones after it.
 */
export class SendQueue {
  private readonly jobs: Job[] = [];
  private running = false;
  private timer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly canSend: () => boolean) {}

  /** Queues `attempt`; resolves with its result, rejects only with a non-retryable error. */
  push<T>(attempt: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      let drops = 0;
      this.jobs.push({
        run: async () => {
          try {
            resolve(await attempt());
          } catch (err) {
            const dropped = err instanceof ChatError && (err.details as { dropped?: boolean } | undefined)?.dropped === true;
            if (dropped && ++drops >= DROPS_BEFORE_GIVING_UP) {
              reject(
                new ChatError(
                  'bad_request',
                  `The connection dropped ${drops} times while this was being sent: given up (retry() sends it again)`,
                  0,
                ),
              );
              return;
            }
            if (err instanceof ChatError && err.retryable) throw err;
            reject(err);
          }
        },
      });
      this.wake();
    });
  }

  get size(): number {
    return this.jobs.length;
  }

  /** Tries the queue now (call when the connection comes back). */
  wake(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    void this.drain();
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      for (let job = this.jobs[0]; job && this.canSend(); job = this.jobs[0]) {
        try {
          await job.run();
          this.jobs.shift();
        } catch (err) {
          const wait =
            err instanceof ChatError && err.code === 'rate_limited'
              ? Number((err.details as { retryAfterMs?: number } | undefined)?.retryAfterMs ?? 1_000)
              : 2_000;
          this.timer = setTimeout(() => this.wake(), wait);
          return;
        }
      }
    } finally {
      this.running = false;
    }
  }
}
