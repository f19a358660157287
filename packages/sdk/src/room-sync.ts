import type { RoomSyncEvent } from '@confab/protocol';

import { backoffDelay } from './backoff.js';
import { ChatError } from './errors.js';
import type { RoomContext } from './room-context.js';
import { hasHole, type RoomAction, type RoomModel } from './room-model.js';
import { SingleFlight } from './single-flight.js';

/** How long a hole in live messages may stay open before it is fetched (a late event may still close it). */
export const HOLE_WAIT_MS = 150;
const FILL_PAGE = 100;
const DELIVERED_EVERY_MS = 300;

/** What live sync needs of its room. */
export interface SyncedRoom {
  readonly id: string;
  model(): RoomModel;
  apply(action: RoomAction): void;
}

/**
 * Keeps one watched room equal to the server's: joins (and rejoins after every reconnect) with
 * catch-up from the end of what it holds contiguously, fills every hole it sees (a gap in live
 * seqs, a catch-up page with more to come, a `room:sync` hint), and reports deliveries.
 */
export class RoomSync {
  private readonly joins = new SingleFlight(() => this.joinWithRetries());
  private readonly fills = new SingleFlight(() => this.fillOnce());
  private holeTimer: ReturnType<typeof setTimeout> | null = null;
  private deliveredTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly room: SyncedRoom,
    private readonly ctx: RoomContext,
  ) {}

  /**
   * Joins the room (single-flight: a call during a join makes it run once more after). A join
   * that fails for a passing reason is retried with backoff while the connection is up; rejects
   * only with a lasting refusal (not a member, say).
   */
  join(): Promise<void> {
    return this.joins.run();
  }

  /** A message arrived live: a seq beyond the end of what is held contiguously opens a hole. */
  received(fromOther: boolean): void {
    this.check();
    if (fromOther) this.acknowledge();
  }

  /** Fetches what is missing, soon, when the room is known to hold more than is held (not during a join: it fills). */
  check(): void {
    if (hasHole(this.room.model()) && !this.joins.busy) this.scheduleFill();
  }

  /** The server says the room has moved on (after an outage between nodes): catch up if behind. */
  sync(event: RoomSyncEvent): void {
    const before = this.room.model();
    this.room.apply({ type: 'sync', lastSeq: event.lastSeq });
    // Changes not heard of (edits, reactions): a catch-up join returns them; new messages only: fill.
    if (event.version > before.version && before.floor !== null) void this.join().catch(() => undefined);
    else this.check();
  }

  stop(): void {
    if (this.holeTimer) clearTimeout(this.holeTimer);
    if (this.deliveredTimer) clearTimeout(this.deliveredTimer);
    this.holeTimer = this.deliveredTimer = null;
  }

  private async joinWithRetries(): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.joinOnce();
        return;
      } catch (err) {
        const retryable = err instanceof ChatError && err.retryable;
        // Offline: the next connect rejoins. Not watching any more: nothing to do.
        if (!retryable || !this.room.model().watching) throw err;
        if (!this.ctx.socket.connected) return;
        await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, 250, 5_000)));
        if (!this.ctx.socket.connected || !this.room.model().watching) return;
      }
    }
  }

  private async joinOnce(): Promise<void> {
    const held = this.room.model();
    const since = held.floor === null ? undefined : held.through;
    const result = await this.ctx.socket.request('room:join', { roomId: this.room.id, since });
    this.room.apply({ type: 'joined', result, catchUp: since !== undefined });
    // The server took the join as delivery of what it returned; a fill that brought more is reported.
    const joinedThrough = this.room.model().through;
    await this.fill();
    if (this.room.model().through > joinedThrough) this.acknowledge();
  }

  /** Fetches what lies between the end of the contiguous history and the newest seq known. */
  private fill(): Promise<void> {
    return this.fills.run();
  }

  private async fillOnce(): Promise<void> {
    while (hasHole(this.room.model())) {
      const { through, lastSeq } = this.room.model();
      const page = await this.ctx.http.call('GET /v1/rooms/:id/messages', {
        params: { id: this.room.id },
        query: { after: through, limit: FILL_PAGE },
      });
      this.room.apply({ type: 'messages', messages: page.items });
      const first = page.items.reduce((min, m) => Math.min(min, m.seq), Infinity);
      // The server has nothing at through+1 (or nothing at all after it): don't ask again.
      if (!page.items.length) this.room.apply({ type: 'skipped', through: lastSeq });
      else if (first > through + 1) this.room.apply({ type: 'skipped', through: first - 1 });
      if (this.room.model().through === through) return; // no progress: stop rather than loop
    }
  }

  private scheduleFill(): void {
    if (this.holeTimer) return;
    this.holeTimer = setTimeout(() => {
      this.holeTimer = null;
      if (!hasHole(this.room.model()) || !this.ctx.socket.connected) return;
      this.fill().catch(() => {
        // Offline or refused: the next message, hint or reconnect tries again.
      });
    }, HOLE_WAIT_MS);
  }

  /** Tells the server this device holds everything up to `through` (batched): the delivered watermark. */
  private acknowledge(): void {
    if (this.deliveredTimer || !this.room.model().watching) return;
    this.deliveredTimer = setTimeout(() => {
      this.deliveredTimer = null;
      const { through, watching } = this.room.model();
      if (!watching || !through || !this.ctx.socket.connected) return;
      this.ctx.socket.request('room:delivered', { roomId: this.room.id, seq: through }).catch(() => undefined);
    }, DELIVERED_EVERY_MS);
  }
}
