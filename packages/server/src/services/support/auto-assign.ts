import { ASSIGNMENT_LIMITS, type AssignmentDto, type AssignmentSettingsDto } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { RoomRecord } from '../../db/models/index.js';
import { ForbiddenError } from '../../errors.js';
import type { Logger } from '../../logger.js';
import type { Presence } from '../../redis/presence.js';
import type { RoomCache, RoomChange, WriteTicket } from '../../redis/room-cache.js';
import { type Actor, requireStaff } from '../actor.js';
import type { AppsService } from '../apps/apps-service.js';
import { displayName } from '../dto/conversation-dto.js';
import type { DomainEvents } from '../events.js';
import type { AppliedChange, SupportService } from './support-service.js';

export interface AutoAssignOptions {
  /** How often each node requeues conversations of agents away too long and drains what is left queued. */
  sweepMs: number;
}

const DEFAULTS: AutoAssignOptions = { sweepMs: 15_000 };
/** Conversations given out (or requeued) per transaction: the app's assignment lock is held for one batch. */
const BATCH = 50;
const STAFF_ROLES = ['agent', 'admin'];

/** The app's assignment settings with their defaults filled in. */
export function assignmentOf(settings: AssignmentSettingsDto | null | undefined): AssignmentDto {
  return {
    mode: settings?.mode ?? 'off',
    limit: settings?.limit ?? ASSIGNMENT_LIMITS.limitDefault,
    requeueAfterMinutes: settings?.requeueAfterMinutes ?? null,
  };
}

interface Candidate {
  id: string;
  name: string | null;
  username: string | null;
  load: number;
}

interface Batch {
  ticket?: WriteTicket;
  applied: Map<string, AppliedChange>;
}

/**
 * Gives new support conversations to online agents by the app's mode (round-robin, or least busy
 * up to a limit) and takes them back from agents away too long. Every node may do it: each batch
 * runs in one transaction holding the app's advisory lock, so two nodes never assign one
 * conversation twice and the round-robin order (`users.last_assigned_at`) stays one order.
 */
export class AutoAssigner {
  private readonly options: AutoAssignOptions;
  private timer: NodeJS.Timeout | null = null;
  private readonly unsubscribe: (() => void)[] = [];
  /** Per app, the drain under way on this node; `again`: something changed since it started. */
  private readonly draining = new Map<string, { again: boolean; track: boolean }>();
  private readonly pending = new Set<Promise<unknown>>();
  private sweeping: Promise<unknown> | null = null;

  constructor(
    private readonly db: Db,
    private readonly support: SupportService,
    private readonly apps: AppsService,
    private readonly presence: Presence,
    private readonly events: DomainEvents,
    private readonly roomCache: RoomCache,
    private readonly logger: Logger,
    options: Partial<AutoAssignOptions> = {},
  ) {
    this.options = { ...DEFAULTS, ...options };
  }

  start(): void {
    this.unsubscribe.push(
      this.events.on('room.created', ({ appId, room }) => {
        if (room.kind === 'support') this.kick(appId);
      }),
      this.events.on('support.workload', ({ appId }) => this.kick(appId)),
      this.events.on('agents.changed', ({ appId }) => this.kick(appId, true)),
    );
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep()
        .catch((err: Error) => this.logger.warn({ err: err.message }, 'auto-assignment sweep failed'))
        .finally(() => (this.sweeping = null));
    }, this.options.sweepMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    for (const off of this.unsubscribe.splice(0)) off();
    await this.sweeping;
    while (this.pending.size) await Promise.allSettled([...this.pending]);
  }

  /** `GET /v1/support/assignment`: for the app's agents and admins. */
  async get(actor: Actor): Promise<AssignmentDto> {
    requireStaff(actor);
    return assignmentOf(await this.settingsOf(this.db, actor.appId));
  }

  /** `PUT /v1/support/assignment`: admins of the app only; the queue is drained by the new rule at once. */
  async set(actor: Actor, input: AssignmentSettingsDto): Promise<AssignmentDto> {
    requireStaff(actor);
    if (actor.role !== 'admin') throw new ForbiddenError('Only admins of this app change auto-assignment');
    const value = assignmentOf(input);
    await this.apps.updateSettings(actor.appId, { assignment: value });
    this.kick(actor.appId, true);
    return value;
  }

  /**
   * Asks this node to drain the app's queue (after noting who is away, with `track`): one drain at a
   * time per app, and a request during one makes it run once more.
   */
  kick(appId: string, track = false): void {
    const running = this.draining.get(appId);
    if (running) {
      running.again = true;
      running.track ||= track;
      return;
    }
    const state = { again: true, track };
    this.draining.set(appId, state);
    const work = (async () => {
      try {
        while (state.again) {
          const tracked = state.track;
          state.again = state.track = false;
          // Read from the database, not the apps cache: another node may have turned it on a moment ago.
          if (assignmentOf(await this.settingsOf(this.db, appId)).mode === 'off') continue;
          if (tracked) await this.trackAvailability(appId);
          await this.drain(appId);
        }
      } finally {
        this.draining.delete(appId);
      }
    })();
    this.track(work);
  }

  /** Every app with auto-assignment on: note who is away, requeue what they held too long, drain the queue. */
  async sweep(): Promise<void> {
    const apps: { id: string; settings: { assignment?: AssignmentSettingsDto } | null }[] = await this.db('apps')
      .whereRaw("settings->'assignment'->>'mode' in ('round_robin', 'least_busy')")
      .select('id', 'settings');
    for (const app of apps) {
      const { requeueAfterMinutes } = assignmentOf(app.settings?.assignment);
      await this.trackAvailability(app.id);
      let requeued = requeueAfterMinutes ? BATCH : 0;
      while (requeued === BATCH) requeued = await this.requeue(app.id, requeueAfterMinutes!);
      await this.drain(app.id);
    }
  }

  /** Gives queued conversations (oldest first) to agents until none is left or nobody can take one; how many. */
  async drain(appId: string): Promise<number> {
    let total = 0;
    for (;;) {
      const assigned = await this.assignBatch(appId);
      total += assigned;
      if (assigned < BATCH) return total;
    }
  }

  /** Staff of the app who take conversations now: availability `online` and connected. */
  private async eligible(appId: string): Promise<string[]> {
    const rows: { id: string }[] = await this.db('users')
      .where({ appId, kind: 'member', availability: 'online' })
      .whereIn('role', STAFF_ROLES)
      .select('id');
    const online = await this.presence.online(rows.map((r) => r.id));
    return rows.map((r) => r.id).filter((id) => online.has(id));
  }

  /** `users.unavailable_since`: set when first seen away or offline, cleared when seen available. */
  private async trackAvailability(appId: string): Promise<void> {
    const staff: { id: string; availability: string }[] = await this.db('users')
      .where({ appId, kind: 'member' })
      .whereIn('role', STAFF_ROLES)
      .select('id', 'availability');
    const online = await this.presence.online(staff.map((u) => u.id));
    const available = staff.filter((u) => u.availability === 'online' && online.has(u.id)).map((u) => u.id);
    const gone = staff.filter((u) => !available.includes(u.id)).map((u) => u.id);
    if (gone.length)
      await this.db('users').whereIn('id', gone).whereNull('unavailable_since').update({ unavailableSince: this.db.fn.now() });
    if (available.length)
      await this.db('users').whereIn('id', available).whereNotNull('unavailable_since').update({ unavailableSince: null });
  }

  /** One batch of the queue under the app's lock; how many conversations got an agent. */
  private async assignBatch(appId: string): Promise<number> {
    const eligible = await this.eligible(appId);
    if (!eligible.length) return 0;
    return this.inBatch(appId, async (trx, batch) => {
      const settings = assignmentOf(await this.settingsOf(trx, appId));
      if (settings.mode === 'off') return 0;
      const rooms = await RoomRecord.query(trx)
        .forUpdate()
        .where({ appId, kind: 'support', status: 'open' })
        .whereNull('assignee_id')
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .limit(BATCH);
      if (!rooms.length) return 0;
      // Round-robin order: assigned longest ago first (never assigned before anyone), then by id.
      const candidates: Candidate[] = await trx('users as u')
        .where('u.app_id', appId)
        .whereIn('u.id', eligible)
        .where('u.availability', 'online')
        .select('u.id', 'u.name', 'u.username', this.loadColumn(trx))
        .orderByRaw('u.last_assigned_at asc nulls first, u.id');
      if (!candidates.length) return 0;
      batch.ticket = await this.roomCache.beginWrite({ appId, roomIds: rooms.map((r) => r.id), userIds: candidates.map((c) => c.id) });
      let assigned = 0;
      for (const room of rooms) {
        const agent = pick(candidates, settings);
        if (!agent) break;
        const text = () => `Assigned to ${displayName(agent)} automatically`;
        const applied = await this.support.applyChange(trx, room, { assigneeId: agent.id }, { actor: null, agent: null, text });
        if (applied) batch.applied.set(room.id, applied);
        // clock_timestamp, not now(): under the lock each assignment is later than the one before, on any node.
        await trx('users')
          .where({ id: agent.id })
          .update({ lastAssignedAt: trx.raw('clock_timestamp()') });
        agent.load += 1;
        candidates.push(...candidates.splice(candidates.indexOf(agent), 1));
        assigned += 1;
      }
      return assigned;
    });
  }

  /** Open conversations of agents away or offline longer than `minutes` go back to the queue; how many. */
  private async requeue(appId: string, minutes: number): Promise<number> {
    return this.inBatch(appId, async (trx, batch) => {
      const away: { id: string; name: string | null; username: string | null }[] = await trx('users')
        .where({ appId })
        .whereIn('role', STAFF_ROLES)
        .where('unavailable_since', '<', trx.raw("now() - interval '1 minute' * ?", [minutes]))
        .select('id', 'name', 'username');
      if (!away.length) return 0;
      const rooms = await RoomRecord.query(trx)
        .forUpdate()
        .where({ appId, kind: 'support', status: 'open' })
        .whereIn(
          'assignee_id',
          away.map((u) => u.id),
        )
        .orderBy([{ column: 'created_at' }, { column: 'id' }])
        .limit(BATCH);
      if (!rooms.length) return 0;
      batch.ticket = await this.roomCache.beginWrite({ appId, roomIds: rooms.map((r) => r.id) });
      for (const room of rooms) {
        const agent = away.find((u) => u.id === room.assigneeId);
        const text = () => `Returned to the queue (${displayName(agent)} was away)`;
        const applied = await this.support.applyChange(trx, room, { assigneeId: null }, { actor: null, agent: null, text });
        if (applied) batch.applied.set(room.id, applied);
      }
      return rooms.length;
    });
  }

  /**
   * Runs `work` in a transaction holding the app's assignment lock (nodes take turns), registered
   * with the room cache from when it knows its rooms; announces each change after the commit.
   */
  private async inBatch(appId: string, work: (trx: Knex.Transaction, batch: Batch) => Promise<number>): Promise<number> {
    const batch: Batch = { applied: new Map() };
    let changes: Record<string, RoomChange> | null = null;
    try {
      const count = await this.db.transaction(async (trx) => {
        await trx.raw("select pg_advisory_xact_lock(hashtext('confab:assign:' || current_schema() || ':' || ?))", [appId]);
        return work(trx, batch);
      });
      changes = Object.fromEntries(
        [...batch.applied].map(([roomId, { created }]) => [roomId, { version: Math.max(0, ...created.map((m) => Number(m.version))) }]),
      );
      for (const [roomId, applied] of batch.applied) await this.support.announceChange(appId, roomId, applied);
      return count;
    } finally {
      if (batch.ticket) await this.roomCache.endWrite(batch.ticket, changes);
    }
  }

  /** Each candidate's open and pending conversations, as `load`. */
  private loadColumn(trx: Knex.Transaction): Knex.Raw {
    return trx.raw(
      `(select count(*)::int from rooms r
         where r.app_id = u.app_id and r.assignee_id = u.id and r.kind = 'support' and r.status in ('open', 'pending')) as load`,
    );
  }

  private async settingsOf(db: Knex, appId: string): Promise<AssignmentSettingsDto | null> {
    const row: { settings: { assignment?: AssignmentSettingsDto } | null } | undefined = await db('apps')
      .where({ id: appId })
      .first('settings');
    return row?.settings?.assignment ?? null;
  }

  private track(work: Promise<unknown>): void {
    const guarded = work.catch((err: Error) => this.logger.warn({ err: err.message }, 'auto-assignment failed'));
    this.pending.add(guarded);
    void guarded.finally(() => this.pending.delete(guarded));
  }
}

/** The next agent: the first in round-robin order, or the least busy under the limit (ties in that order). */
function pick(candidates: Candidate[], settings: AssignmentDto): Candidate | null {
  if (settings.mode === 'round_robin') return candidates[0] ?? null;
  let best: Candidate | null = null;
  for (const c of candidates) if (c.load < settings.limit && (!best || c.load < best.load)) best = c;
  return best;
}
