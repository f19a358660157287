import { randomUUID } from 'node:crypto';

import type { MembershipRole, MessageDto, RoomKind } from '@confab/protocol';

import type { MessageCache } from './message-cache.js';

/**
 * What reads need of a room without asking the database: its tenant, kind and version (the
 * version the message cache must match), and its members' roles.
 *
 * Correctness rests on write scopes (docs/caching.md; its rules below):
 * - A scope (`room:<id>`, `user:<id>`, `app:<id>`) has a generation counter and a set of writes in
 *   flight. `beginWrite` bumps the counters of every scope a write touches and registers the write,
 *   BEFORE its transaction; `endWrite` removes it after commit and applies what changed.
 * - A room entry is filled at its room's generation `g` and counts the writes applied to it since
 *   (`n`); it is current while `g + n` equals the room's generation, i.e. while every write begun
 *   since the fill also ended and applied its change. A write that failed, crashed (its
 *   registration expires after `WRITE_TTL_MS`) or ended after its registration expired leaves the
 *   entry behind for good: the next read goes to the database and fills it again.
 * - A fill is refused while a write of the scope is in flight or when the generation moved since
 *   the reader looked (`stamp`): a snapshot read before a commit never lands after it.
 * - Derived entries (a room list, an inbox page) record the generations of the scopes they depend
 *   on and are served only while all are unchanged.
 */
export interface RoomCache {
  /**
   * The room and `userId`'s role when cached and current; `stamp` is what a fill after a database
   * read needs. With `latest`, also the message cache's page when it reflects the room's version
   * (one round trip for the hottest read); `'held'` instead when that is `latest.held`, the
   * version of a page the caller already holds.
   */
  peek(roomId: string, userId: string, latest?: { held?: number }): Promise<RoomPeek>;
  /** Stores what a database read that began after `peek` found (refused when anything changed since). */
  fill(stamp: Stamp, room: CachedRoom, members: Record<string, MemberRole>): Promise<void>;
  /**
   * Registers a write of the given scopes. Call it before the transaction (or before its commit at
   * the latest) and always call `endWrite` after, in a `finally`. Never throws: with Redis away the
   * write goes ahead and the cache is not trusted again until it has been invalidated as a whole.
   */
  beginWrite(scope: WriteScope): Promise<WriteTicket>;
  /**
   * Ends a write after its transaction. `applied`: what the committed transaction changed, per room
   * of the ticket (a room without an entry there changed nothing this cache holds); null when it
   * failed or its outcome is unknown, which drops the rooms' entries.
   */
  endWrite(ticket: WriteTicket, applied: Record<string, RoomChange> | null): Promise<void>;
  /** Drops everything cached for these scopes (a change made without `beginWrite`). */
  invalidate(scope: WriteScope): Promise<void>;
  /** A derived entry when every scope it depends on is unchanged; else a stamp of `guards` for a fill. */
  readDerived(key: string, guards: string[]): Promise<{ value: string } | { stamp: Stamp | null }>;
  /**
   * Stores a derived entry computed from a database read that began after `stamp` was taken. It is
   * refused when a guard scope changed or has a write in flight; the entry then depends on
   * `dependsOn`, at their generations now (the guards must cover every write that moves them).
   */
  fillDerived(key: string, stamp: Stamp, dependsOn: string[], value: string, ttlMs: number): Promise<void>;
}

/** The room bits a read checks: tenant, kind and the version the cached messages must carry. */
export interface CachedRoom {
  id: string;
  appId: string;
  kind: RoomKind;
  version: number;
}

/** A member's role; null: known not to be a member. */
export type MemberRole = MembershipRole | null;

export interface RoomPeek {
  /** Null when the cache cannot be used now (Redis away, or not yet invalidated after it was). */
  stamp: Stamp | null;
  room: CachedRoom | null;
  /** Undefined when not cached. */
  role: MemberRole | undefined;
  /** The cached latest messages (ascending seq) at the room's version, when asked for and there. */
  latest?: MessageDto[] | 'held' | null;
}

/** The generations a reader saw before reading the database. */
export interface Stamp {
  epoch: string;
  gens: Record<string, string>;
}

/** Who a write touches. Every write that changes a room must name the room's app. */
export interface WriteScope {
  appId?: string;
  /** Several apps (a batch of sends from several tenants). */
  appIds?: readonly string[];
  roomIds?: readonly string[];
  userIds?: readonly string[];
}

export interface WriteTicket {
  readonly token: string;
  readonly scopes: readonly string[];
}

/** What a committed write changed in a room: its new version, and members' roles (null: removed). */
export interface RoomChange {
  version?: number;
  members?: Record<string, MemberRole>;
}

/** How long a registered write may take before it counts as dead (its fills are then allowed again). */
export const WRITE_TTL_MS = 30_000;
/** Room entries live this long without a fill. */
export const ROOM_TTL_MS = 3_600_000;

// Ids are spelled as the database spells them (a client may send a uuid in capitals): one key per thing.
export const roomScope = (roomId: string) => `room:${roomId.toLowerCase()}`;
export const userScope = (userId: string) => `user:${userId.toLowerCase()}`;
export const appScope = (appId: string) => `app:${appId}`;

/** `applied` of `endWrite` by scope, with its ids spelled as the scopes spell them. */
export function changesByScope(applied: Record<string, RoomChange>): Map<string, RoomChange> {
  return new Map(
    Object.entries(applied).map(([roomId, change]) => [
      roomScope(roomId),
      change.members
        ? { ...change, members: Object.fromEntries(Object.entries(change.members).map(([u, role]) => [u.toLowerCase(), role])) }
        : change,
    ]),
  );
}

export function scopesOf({ appId, appIds = [], roomIds = [], userIds = [] }: WriteScope): string[] {
  const apps = appId ? [appId, ...appIds] : appIds;
  return [...new Set([...apps.map(appScope), ...roomIds.map(roomScope), ...userIds.map(userScope)])];
}

export function newTicket(scope: WriteScope): WriteTicket {
  return { token: randomUUID(), scopes: scopesOf(scope) };
}

interface MemoryRoom {
  base: number;
  applied: number;
  room: CachedRoom;
  members: Map<string, MemberRole>;
}

interface MemoryDerived {
  deps: [string, number][];
  value: string;
  expiresAt: number;
}

/**
 * Single-node twin in process memory (no Redis): the same rules, bounded in size. Past the bound
 * everything is forgotten at once, under a new epoch so that no fill begun before lands after.
 */
export function createMemoryRoomCache({
  maxEntries = 50_000,
  writeTtlMs = WRITE_TTL_MS,
  messages,
}: { maxEntries?: number; writeTtlMs?: number; messages?: MessageCache } = {}): RoomCache {
  let epoch = 0;
  let gens = new Map<string, number>();
  let pending = new Map<string, Map<string, number>>();
  let rooms = new Map<string, MemoryRoom>();
  let derived = new Map<string, MemoryDerived>();
  const gen = (scope: string) => gens.get(scope) ?? 0;
  const bump = (scope: string) => gens.set(scope, gen(scope) + 1);
  const inFlight = (scope: string) => {
    const writes = pending.get(scope);
    if (!writes) return false;
    const now = Date.now();
    for (const [token, expiresAt] of writes) if (expiresAt <= now) writes.delete(token);
    if (!writes.size) pending.delete(scope);
    return writes.size > 0;
  };
  const current = (roomId: string) => {
    const entry = rooms.get(roomId);
    return entry && entry.base + entry.applied === gen(roomScope(roomId)) ? entry : null;
  };
  const unchanged = (stamp: Stamp) =>
    stamp.epoch === String(epoch) && Object.entries(stamp.gens).every(([scope, g]) => String(gen(scope)) === g && !inFlight(scope));
  const forgetAllIfFull = () => {
    if (gens.size + rooms.size + derived.size <= maxEntries) return;
    epoch++;
    gens = new Map();
    pending = new Map();
    rooms = new Map();
    derived = new Map();
  };
  const stampOf = (scopes: string[]): Stamp => ({
    epoch: String(epoch),
    gens: Object.fromEntries(scopes.map((s) => [s, String(gen(s))])),
  });

  return {
    async peek(id, user, latest) {
      const [roomId, userId] = [id.toLowerCase(), user.toLowerCase()];
      const stamp = stampOf([roomScope(roomId)]);
      const entry = current(roomId);
      const page = latest && entry && messages ? await messages.read(roomId, entry.room.version) : null;
      const held = page && latest?.held === entry?.room.version;
      return { stamp, room: entry?.room ?? null, role: entry?.members.get(userId), latest: held ? 'held' : page };
    },
    async fill(stamp, { id, ...bits }, members) {
      const room = { id: id.toLowerCase(), ...bits };
      if (!unchanged(stamp)) return;
      let entry = current(room.id);
      if (!entry) {
        forgetAllIfFull();
        entry = { base: gen(roomScope(room.id)), applied: 0, room, members: new Map() };
        rooms.set(room.id, entry);
      }
      for (const [userId, role] of Object.entries(members)) entry.members.set(userId.toLowerCase(), role);
    },
    async beginWrite(scope) {
      forgetAllIfFull();
      const ticket = newTicket(scope);
      for (const s of ticket.scopes) {
        bump(s);
        if (!pending.has(s)) pending.set(s, new Map());
        pending.get(s)!.set(ticket.token, Date.now() + writeTtlMs);
      }
      return ticket;
    },
    async endWrite(ticket, applied) {
      const changes = applied && changesByScope(applied);
      for (const s of ticket.scopes) {
        const writes = pending.get(s);
        const registered = writes?.delete(ticket.token) ?? false;
        if (writes && !writes.size) pending.delete(s);
        if (!registered) bump(s);
        else if (changes && s.startsWith('room:')) apply(s.slice(5), changes.get(s) ?? {});
      }
    },
    async invalidate(scope) {
      for (const s of scopesOf(scope)) bump(s);
    },
    async readDerived(key, guards) {
      const entry = derived.get(key);
      if (entry && entry.expiresAt > Date.now() && entry.deps.every(([s, g]) => gen(s) === g)) return { value: entry.value };
      if (entry) derived.delete(key);
      return { stamp: stampOf(guards) };
    },
    async fillDerived(key, stamp, dependsOn, value, ttlMs) {
      if (!unchanged(stamp)) return;
      forgetAllIfFull();
      derived.set(key, { deps: dependsOn.map((s) => [s, gen(s)]), value, expiresAt: Date.now() + ttlMs });
    },
  };

  function apply(roomId: string, change: RoomChange): void {
    const entry = rooms.get(roomId);
    if (!entry) return;
    entry.applied++;
    if (change.version !== undefined) entry.room = { ...entry.room, version: Math.max(entry.room.version, change.version) };
    for (const [userId, role] of Object.entries(change.members ?? {})) entry.members.set(userId, role);
  }
}

/**
 * Runs `work` (a transaction and what follows its commit) as a registered write of `scope`:
 * `beginWrite` before, `endWrite` after, with `changes` of the result, or as failed when it threw.
 */
export async function registeredWrite<T>(
  cache: RoomCache,
  scope: WriteScope,
  work: () => Promise<T>,
  changes: (result: T) => Record<string, RoomChange> = () => ({}),
): Promise<T> {
  const ticket = await cache.beginWrite(scope);
  let applied: Record<string, RoomChange> | null = null;
  try {
    const result = await work();
    applied = changes(result);
    return result;
  } finally {
    await cache.endWrite(ticket, applied);
  }
}
