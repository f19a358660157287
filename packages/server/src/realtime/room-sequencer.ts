/** A message event of one room, tagged with the room version its change got at commit. */
export interface RoomEvent {
  roomId: string;
  version: number;
  event: 'message:created' | 'message:updated' | 'message:deleted' | 'reaction:updated';
  payload: unknown;
  /** Socket.IO rooms to deliver to on this node. */
  channels: string[];
}

interface RoomState {
  next: number;
  held: Map<number, RoomEvent>;
  timer: NodeJS.Timeout | null;
  touchedAt: number;
}

const IDLE_MS = 5 * 60_000;

/**
 * Puts each room's message events back in commit order on this node. Writers finish their
 * post-commit work concurrently and other nodes' events arrive a Redis hop later, so events can
 * come in out of order; versions are gap-free per room, so an event waits until its predecessor
 * has gone out. A gap that does not close within `gapWaitMs` (its writer died after commit, or
 * Redis dropped it) is skipped, and an event arriving after its turn still goes out: late, never lost.
 */
export class RoomSequencer {
  private readonly rooms = new Map<string, RoomState>();
  private readonly sweeper: NodeJS.Timeout;

  constructor(
    private readonly deliver: (event: RoomEvent) => void,
    private readonly gapWaitMs = 500,
  ) {
    this.sweeper = setInterval(() => this.forgetIdle(), 60_000);
    this.sweeper.unref();
  }

  /** A socket on this node just read the room at `version`: what follows must come in order. */
  prime(roomId: string, version: number): void {
    if (!this.rooms.has(roomId)) this.rooms.set(roomId, { next: version + 1, held: new Map(), timer: null, touchedAt: Date.now() });
  }

  push(event: RoomEvent): void {
    const state = this.rooms.get(event.roomId);
    if (!state) {
      this.rooms.set(event.roomId, { next: event.version + 1, held: new Map(), timer: null, touchedAt: Date.now() });
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
    if (state.held.size && !state.timer) this.armGapTimer(state);
  }

  /** Delivers whatever is held, in order, and stops the timers. */
  close(): void {
    clearInterval(this.sweeper);
    for (const state of this.rooms.values()) {
      if (state.timer) clearTimeout(state.timer);
      for (const version of [...state.held.keys()].sort((a, b) => a - b)) this.deliver(state.held.get(version)!);
    }
    this.rooms.clear();
  }

  private drain(state: RoomState): void {
    for (let event = state.held.get(state.next); event; event = state.held.get(state.next)) {
      state.held.delete(state.next);
      state.next++;
      this.deliver(event);
    }
    if (!state.held.size && state.timer) {
      clearTimeout(state.timer);
      state.timer = null;
    }
  }

  private armGapTimer(state: RoomState): void {
    state.timer = setTimeout(() => {
      state.timer = null;
      state.next = Math.min(...state.held.keys());
      this.drain(state);
      if (state.held.size) this.armGapTimer(state);
    }, this.gapWaitMs);
    state.timer.unref();
  }

  private forgetIdle(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const [roomId, state] of this.rooms) if (!state.held.size && state.touchedAt < cutoff) this.rooms.delete(roomId);
  }
}
