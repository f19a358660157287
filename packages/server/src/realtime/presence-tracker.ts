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
  private readonly arriving = new Set<string>(); // admitted connIds whose user was offline before
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

  /**
   * During the handshake: registers the socket unless its user already has `max` sockets on all
   * nodes together; false when refused. The slot is freed by `disconnected`, or when the client
   * goes away before its connection completes.
   */
  async admit(socket: ChatSocket, max: number): Promise<boolean> {
    const { actor, connId } = socket.data;
    const { admitted, cameOnline } = await this.presence.admit(actor.id, connId, max);
    if (!admitted) return false;
    this.local.set(connId, actor.id);
    if (cameOnline) this.arriving.add(connId);
    if (socket.conn.readyState !== 'open') this.disconnected(socket);
    else socket.conn.once('close', () => this.disconnected(socket));
    return true;
  }

  /** The admitted socket is connected: announce its user online if it is their first. */
  connected(socket: ChatSocket): void {
    const { actor, connId } = socket.data;
    if (this.arriving.delete(connId)) this.track(this.announce(actor.id, true));
  }

  disconnected(socket: ChatSocket): void {
    const { actor, connId } = socket.data;
    this.arriving.delete(connId);
    if (!this.local.delete(connId)) return;
    this.track(
      this.presence.disconnect(actor.id, connId).then((wentOffline) => (wentOffline ? this.announce(actor.id, false) : undefined)),
    );
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
    this.io.to([userChannel(userId), ...rooms.map(roomChannel)]).emit('presence', { userId, online, lastSeenAt: lastSeenAt.toISOString() });
    // An agent coming or going changes what visitors see as "agents online".
    if (appId && role && isStaff({ role })) this.services.events.emit('agents.changed', { appId });
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((err: Error) => this.logger.warn({ err: err.message }, 'presence update failed'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}
