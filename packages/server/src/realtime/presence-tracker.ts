import { LIMITS } from '@confab/protocol';
import type { Logger } from '../logger.js';
import type { Presence } from '../redis/presence.js';
import { isStaff } from '../services/actor.js';
import type { Services } from '../services/index.js';
import { type ChatServer, type ChatSocket, roomChannel, userChannel } from './types.js';

/**
 * Ties sockets to presence: the first connection of a user announces them online, the last one
 * leaving announces them offline; a heartbeat keeps this node's connections alive in Redis and a
 * sweep announces users whose connections died with their node.
 */
export class PresenceTracker {
  private readonly local = new Map<string, string>(); // connId -> userId
  private readonly pending = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: ChatServer,
    private readonly presence: Presence,
    private readonly services: Services,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.track(this.tick()), intervalMs);
    this.timer.unref();
  }

  connected(socket: ChatSocket): void {
    const { actor, connId } = socket.data;
    this.local.set(connId, actor.id);
    this.track(this.presence.connect(actor.id, connId).then((cameOnline) => (cameOnline ? this.announce(actor.id, true) : undefined)));
  }

  disconnected(socket: ChatSocket): void {
    const { actor, connId } = socket.data;
    if (!this.local.delete(connId)) return;
    this.track(this.presence.disconnect(actor.id, connId).then((wentOffline) => (wentOffline ? this.announce(actor.id, false) : undefined)));
  }

  online(userIds: string[]): Promise<Set<string>> {
    return this.presence.online(userIds);
  }

  /** Stops the timers and waits for announcements under way. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  private async tick(): Promise<void> {
    await this.presence.heartbeat([...this.local].map(([connId, userId]) => ({ connId, userId })));
    for (const userId of await this.presence.sweep()) await this.announce(userId, false);
  }

  private async announce(userId: string, online: boolean): Promise<void> {
    const { lastSeenAt, appId, role } = await this.services.users.touchLastSeen(userId);
    const rooms = await this.services.rooms.presenceRoomIdsOf(userId, LIMITS.presenceRoomMembersMax);
    this.io
      .to([userChannel(userId), ...rooms.map(roomChannel)])
      .emit('presence', { userId, online, lastSeenAt: lastSeenAt.toISOString() });
    // An agent coming or going changes what visitors see as "agents online".
    if (appId && role && isStaff({ role })) this.services.events.emit('agents.changed', { appId });
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((err: Error) => this.logger.warn({ err: err.message }, 'presence update failed'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}
