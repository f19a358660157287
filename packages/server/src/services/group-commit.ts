export interface GroupCommitOptions {
  /** The most items one batch takes. */
  maxBatch: number;
  /** Batches written at once (each holds a database connection for its transaction). */
  maxFlights: number;
}

interface Pending<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (reason: unknown) => void;
}

/**
 * Gathers concurrent calls into batches that one `write` call handles together (group commit).
 * An idle writer waits for nothing: a call is flushed on the next turn of the event loop, with
 * whatever else arrived in that turn. While `maxFlights` batches are being written, calls gather
 * into the next one, so batches grow with the load and a call waits at most one batch's time.
 * `write` answers each item on its own (one may fail while the others succeed); if it throws,
 * every item of its batch fails with that error.
 */
export class GroupCommit<I, O> {
  private queue: Pending<I, O>[] = [];
  private flights = 0;
  private scheduled = false;

  constructor(
    private readonly write: (items: I[]) => Promise<PromiseSettledResult<O>[]>,
    private readonly options: GroupCommitOptions,
  ) {}

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      this.schedule();
    });
  }

  /** Calls waiting for a batch, and batches being written (for metrics and tests). */
  get pending(): { queued: number; flights: number } {
    return { queued: this.queue.length, flights: this.flights };
  }

  private schedule(): void {
    if (this.scheduled || !this.queue.length || this.flights >= this.options.maxFlights) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    if (!this.queue.length || this.flights >= this.options.maxFlights) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.flights++;
    this.write(batch.map((p) => p.item))
      .then(
        (results) =>
          batch.forEach((p, i) => {
            const result = results[i];
            if (result?.status === 'fulfilled') p.resolve(result.value);
            else p.reject(result ? result.reason : new Error('The batch gave no answer for this item'));
          }),
        (err: unknown) => batch.forEach((p) => p.reject(err)),
      )
      .finally(() => {
        this.flights--;
        this.schedule();
      });
    this.schedule();
  }
}
