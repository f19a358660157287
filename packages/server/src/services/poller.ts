import type { Logger } from '../logger.js';

export interface PollerOptions {
  /** How often a round runs without being asked (for work other nodes made, or now due). */
  intervalMs: number;
  /** One round of work; resolves true when more may be waiting (a full batch), to run again at once. */
  round: () => Promise<boolean>;
  logger: Logger;
  /** What a failed round was doing, for its log line ("sending queued mail"). */
  doing: string;
  /** Whether a round runs as soon as the poller starts (default true). */
  runAtStart?: boolean;
}

/**
 * A background loop of rounds: on a timer, and whenever `kick()` says there is work. Rounds never
 * overlap; kicks during a round coalesce into one more round after it. A failed round is logged and
 * the loop goes on. The mail sender, the mail scheduler, the webhook dispatcher and housekeeping all
 * run on one.
 */
export class Poller {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private again = false;
  private stopped = false;

  constructor(private readonly options: PollerOptions) {}

  start(): void {
    this.stopped = false;
    this.timer = setInterval(() => this.kick(), this.options.intervalMs);
    this.timer.unref();
    if (this.options.runAtStart ?? true) this.kick();
  }

  /** Runs a round now, or right after the one under way. */
  kick(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.options
      .round()
      .then((more) => {
        if (more) this.again = true;
      })
      .catch((err: Error) => this.options.logger.warn({ err: err.message }, `${this.options.doing} failed`))
      .finally(() => {
        this.running = null;
        if (this.again) {
          this.again = false;
          this.kick();
        }
      });
  }

  /** Stops the timer and kicks; resolves when the round under way has ended. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.running;
  }
}
