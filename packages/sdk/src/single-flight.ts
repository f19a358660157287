/**
 * Runs `work` one at a time: a call while it runs returns the same promise and makes it run once
 * more afterwards (so what changed meanwhile is seen), however many calls came in.
 */
export class SingleFlight {
  private running: Promise<void> | null = null;
  private again = false;

  constructor(private readonly work: () => Promise<void>) {}

  get busy(): boolean {
    return this.running !== null;
  }

  run(): Promise<void> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        do {
          this.again = false;
          await this.work();
        } while (this.again);
      } finally {
        this.running = null;
      }
    })();
    return this.running;
  }
}
