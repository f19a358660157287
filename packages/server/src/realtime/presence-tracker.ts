import { LIMITS, type PresenceEvent } from '@confab/protocol';

import type { Logger } from '../logger.js';
import type { Presence } from '../redis/presence.js';
import { type Actor, isStaff } from '../services/actor.js';
import type { Services } from '../services/index.js';
import { type ChatServer, type ChatSocket, roomChannel, userChannel } from './types.js';

type AnnouncedUser = Pick<Actor, 'id'> & { appId: string | null; role: Actor['role'] | null };
type Announcement = { user: AnnouncedUser; online: boolean; lastSeenAt: Date };
type PresenceChange = PresenceEvent & { roomIds: string[] };

/** Announcements wait this long to go out together: a burst of connections costs one room lookup. */
const ANNOUNCE_EVERY_MS = 100;
/** Users per room lookup. */
const ANNOUNCE_BATCH_MAX = 1_000;

/**
 * Ties sockets to presence: the first connection of a user announces them online, the last one
 * leaving announces them offline; a heartbeat keeps this node's connections alive in Redis and a
 * sweep announces users whose connections died with their node.
 */
export class PresenceTracker {
  // Keyed by socket id; presence knows a connection as `<node id>:<socket id>` (connId).
  private readonly local = new Map<string, string>(); // socket id -> user id
  private readonly arriving = new Set<string>(); // admitted sockets whose user was offline before
  /** Admitted sockets not connected yet: their closing frees the slot (connected ones: `disconnected`). */
  private readonly closeHooks = new Map<string, () => void>();
  private readonly pending = new Set<Promise<unknown>>();
  private timer: NodeJS.Timeout | null = null;
  private queued: Announcement[] = [];
  private announceTimer: NodeJS.Timeout | null = null;

  constructor(
    private readonly io: ChatServer,
    private readonly presence: Presence,
    private readonly services: Services,
    private readonly logger: Logger,
    private readonly nodeId: string,
    /** Other nodes hear the changes through Redis (one message per batch). */
    private readonly clustered: boolean,
  ) {}

  start(intervalMs: number): void {
    this.io.on('presence-changes', (changes) => this.deliver(changes));
    this.timer = setInterval(() => this.track(this.tick()), intervalMs);
    this.timer.unref();
  }

  /**
   * During the handshake: registers the socket unless its user already has `max` sockets on all
   * nodes together; false when refused. The slot is freed by `disconnected`, or when the client
   * goes away before its connection completes.
   */
  async admit(socket: ChatSocket, max: number): Promise<boolean> {
    const { actor } = socket.data;
    const { admitted, cameOnline } = await this.presence.admit(actor.id, this.connId(socket.id), max);
    if (!admitted) return false;
    this.local.set(socket.id, actor.id);
    if (cameOnline) this.arriving.add(socket.id);
    if (socket.conn.readyState !== 'open') {
      this.disconnected(socket);
    } else {
      const hook = () => this.disconnected(socket);
      this.closeHooks.set(socket.id, hook);
      socket.conn.once('close', hook);
    }
    return true;
  }

  /** The admitted socket is connected: announce its user online if it is their first. */
  connected(socket: ChatSocket): void {
    const hook = this.closeHooks.get(socket.id);
    if (hook) socket.conn.off('close', hook);
    this.closeHooks.delete(socket.id);
    if (this.arriving.delete(socket.id)) this.arrivedOrLeft(socket.data.actor, true);
  }

  disconnected(socket: ChatSocket): void {
    const { actor } = socket.data;
    this.closeHooks.delete(socket.id);
    this.arriving.delete(socket.id);
    if (!this.local.delete(socket.id)) return;
    this.track(
      this.presence
        .disconnect(actor.id, this.connId(socket.id))
        .then((wentOffline) => (wentOffline ? this.arrivedOrLeft(actor, false) : undefined)),
    );
  }

  online(userIds: string[]): Promise<Set<string>> {
    return this.presence.online(userIds);
  }

  /** Stops the timers and waits for announcements under way (and sends the waiting ones). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.io.removeAllListeners('presence-changes');
    while (this.pending.size || this.queued.length) {
      this.flushAnnouncements();
      await Promise.allSettled([...this.pending]);
    }
  }

  private connId(socketId: string): string {
    return `${this.nodeId}:${socketId}`;
  }

  private async tick(): Promise<void> {
    await this.presence.heartbeat([...this.local].map(([socketId, userId]) => ({ connId: this.connId(socketId), userId })));
    // Users whose connections died with their node: who they were comes from the database.
    for (const userId of await this.presence.sweep()) {
      const { lastSeenAt, appId, role } = await this.services.users.touchLastSeen(userId);
      this.announce({ user: { id: userId, appId, role }, online: false, lastSeenAt });
    }
  }

  /** A user of this node came or went: the time seen is written with the next batch. */
  private arrivedOrLeft(actor: Actor, online: boolean): void {
    this.announce({ user: actor, online, lastSeenAt: this.services.lastSeen.touch(actor.id) });
  }

  private announce(announcement: Announcement): void {
    this.queued.push(announcement);
    this.announceTimer ??= setTimeout(() => this.flushAnnouncements(), ANNOUNCE_EVERY_MS);
  }

  private flushAnnouncements(): void {
    if (this.announceTimer) clearTimeout(this.announceTimer);
    this.announceTimer = null;
    const queued = this.queued;
    this.queued = [];
    for (let i = 0; i < queued.length; i += ANNOUNCE_BATCH_MAX) this.track(this.tell(queued.slice(i, i + ANNOUNCE_BATCH_MAX)));
  }

  /** Tells each user's rooms (and their other devices), in the order they came and went, on every node. */
  private async tell(batch: Announcement[]): Promise<void> {
    const userIds = [...new Set(batch.map((a) => a.user.id))];
    const rooms = await this.services.users.presenceRooms(userIds, LIMITS.presenceRoomMembersMax);
    const changes = batch.map(({ user, online, lastSeenAt }) => ({
      userId: user.id,
      online,
      lastSeenAt: lastSeenAt.toISOString(),
      roomIds: rooms.get(user.id) ?? [],
    }));
    this.deliver(changes);
    if (this.clustered) this.io.serverSideEmit('presence-changes', changes);
    // An agent coming or going changes what visitors see as "agents online".
    const apps = new Set(batch.flatMap(({ user }) => (user.appId && user.role && isStaff({ role: user.role }) ? [user.appId] : [])));
    for (const appId of apps) this.services.events.emit('agents.changed', { appId });
  }

  private deliver(changes: PresenceChange[]): void {
    for (const { roomIds, ...event } of changes)
      this.io.local.to([userChannel(event.userId), ...roomIds.map(roomChannel)]).emit('presence', event);
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((err: Error) => this.logger.warn({ err: err.message }, 'presence update failed'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}
