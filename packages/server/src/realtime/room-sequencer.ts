import { bounded } from '../bounded.js';
import type { Logger } from '../logger.js';

/** A message event of one room, tagged with the room version its change got at commit. */
export interface RoomEvent {
  roomId: string;
  version: number;
  event: 'message:created' | 'message:updated' | 'message:deleted' | 'reaction:updated';
  payload: unknown;
  /** Socket.IO rooms to deliver to on this node. */
  channels: string[];
  /** A stored message announced again (a retried send): goes out even with an old version, starts no order. */
  replay?: boolean;
}

/** Events rebuilt from the database for versions whose announcements never came. */
export interface RecoveredEvents {
  events: RoomEvent[];
  /** Every version up to here is accounted for (less than asked when one read could not carry them all). */
  through: number;
}

/** Reads the changes that got versions `fromVersion`..`toVersion` of a room, as the events that announced them. */
export type RecoverChanges = (roomId: string, fromVersion: number, toVersion: number) => Promise<RecoveredEvents>;

export interface Recovery {
  recover: RecoverChanges;
  logger: Logger;
  /** A read taking longer than this is given up (the gap is skipped) so held events do not wait on a stuck database. */
  timeoutMs?: number;
}

interface RoomState {
  roomId: string;
  next: number;
  held: Map<number, RoomEvent>;
  /** The highest version known to exist, announced after an outage (a gap while it is >= next). */
  known: number;
  timer: NodeJS.Timeout | null;
  /** The read of missing versions in flight: one per room at a time. */
  recovering: Promise<void> | null;
  touchedAt: number;
}

const IDLE_MS = 5 * 60_000;
const RECOVER_TIMEOUT_MS = 3_000;

/**
 * Puts each room's message events back in commit order on this node. Writers finish their
 * post-commit work concurrently and other nodes' events arrive a Redis hop later, so events can
 * come in out of order; versions are gap-free per room, so an event waits until its predecessor
 * has gone out. A gap that does not close within `gapWaitMs` (its writer died after commit, or
 * Redis dropped it) is filled from the database through `recovery` (each version belongs to one
 * message row) or, when that read fails, skipped; clients then fill it themselves. An event
 * arriving after its turn still goes out: late, never lost.
 */
export class RoomSequencer {
  private readonly rooms = new Map<string, RoomState>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly deliver: (event: RoomEvent) => void,
    private readonly gapWaitMs = 500,
    private readonly recovery: Recovery | null = null,
  ) {
    this.sweeper = setInterval(() => this.forgetIdle(), 60_000);
    this.sweeper.unref();
  }

  /** A socket on this node just read the room at `version`: what follows must come in order. */
  prime(roomId: string, version: number): void {
    if (!this.rooms.has(roomId)) this.rooms.set(roomId, this.fresh(roomId, version + 1));
  }

  push(event: RoomEvent): void {
    const state = this.rooms.get(event.roomId);
    if (!state) {
      if (!event.replay) this.rooms.set(event.roomId, this.fresh(event.roomId, event.version + 1));
      this.deliver(event);
      return;
    }
    state.touchedAt = Date.now();
    if (event.version < state.next) {
      this.deliver(event);
      return;
    }
    state.held.set(event.version, event);
    this.drain(state);
    this.scheduleGap(state);
  }

  /**
   * The room has reached `version` (announced by a node that wrote while Redis was away): reads
   * and delivers, in order, the changes this node has not delivered yet. Resolves once done (or
   * given up); a no-op for rooms nobody on this node watches.
   */
  async sync(roomId: string, version: number): Promise<void> {
    const state = this.rooms.get(roomId);
    if (!state || version < state.next) return;
    state.known = Math.max(state.known, version);
    state.touchedAt = Date.now();
    while (state.recovering) await state.recovering;
    if (this.closed || state.known < state.next) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    await this.fillGap(state);
  }

  /** Delivers whatever is held, in order, and stops the timers. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const state of this.rooms.values()) {
      if (state.timer) clearTimeout(state.timer);
      this.skipTo(state, Infinity);
    }
    this.rooms.clear();
  }

  private fresh(roomId: string, next: number): RoomState {
    return { roomId, next, held: new Map(), known: 0, timer: null, recovering: null, touchedAt: Date.now() };
  }

  private drain(state: RoomState): void {
    for (let event = state.held.get(state.next); event; event = state.held.get(state.next)) {
      state.held.delete(state.next);
      state.next++;
      this.deliver(event);
    }
    if (!this.hasGap(state) && state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  private hasGap(state: RoomState): boolean {
    return state.held.size > 0 || state.known >= state.next;
  }

  private scheduleGap(state: RoomState): void {
    if (this.closed || state.timer || state.recovering || !this.hasGap(state)) return;
    state.timer = setTimeout(() => {
      state.timer = null;
      void this.fillGap(state);
    }, this.gapWaitMs);
    state.timer.unref();
  }

  /** Reads the missing versions from `next` to the highest one held or known, then delivers in order. */
  private fillGap(state: RoomState): Promise<void> {
    if (state.recovering) return state.recovering;
    const from = state.next;
    const to = Math.max(state.known, ...state.held.keys());
    if (to < from) return Promise.resolve();
    if (!this.recovery) {
      this.giveUp(state);
      return Promise.resolve();
    }
    const { recover, logger, timeoutMs = RECOVER_TIMEOUT_MS } = this.recovery;
    state.recovering = bounded(recover(state.roomId, from, to), timeoutMs, 'reading missed room changes')
      .then(
        ({ events, through }) => {
          if (this.closed) return;
          for (const event of events)
            if (event.version >= state.next && !state.held.has(event.version)) state.held.set(event.version, event);
          // A version in range that no row carries any more was changed again later: that later version brings it.
          this.skipTo(state, through + 1);
        },
        (err: Error) => {
          logger.warn(
            { err: err.message, roomId: state.roomId, from, to },
            'could not read missed room changes; skipping them (clients catch up)',
          );
          if (!this.closed) this.giveUp(state);
        },
      )
      .finally(() => {
        state.recovering = null;
        if (this.closed) return;
        this.drain(state);
        this.scheduleGap(state);
      });
    return state.recovering;
  }

  /** Without the database: goes on from the first held event (or past the known version). */
  private giveUp(state: RoomState): void {
    this.skipTo(state, state.held.size ? Math.min(...state.held.keys()) : state.known + 1);
    this.drain(state);
  }

  /** Delivers, in order, the held events below `next`, and moves on to `next`. */
  private skipTo(state: RoomState, next: number): void {
    for (const version of [...state.held.keys()].filter((v) => v < next).sort((a, b) => a - b)) {
      this.deliver(state.held.get(version)!);
      state.held.delete(version);
    }
    state.next = Math.max(state.next, next);
  }

  private forgetIdle(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [roomId, state] of this.rooms) {
      if (!state.held.size && !state.recovering && state.touchedAt < cutoff) this.rooms.delete(roomId);
    }
  }
}
