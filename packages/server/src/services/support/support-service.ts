import type {
  PageDto,
  StartConversationInput,
  StartConversationResult,
  SupportConversationDto,
  SupportInboxItemDto,
  SupportStatus,
  SystemEventDto,
} from '@confab/protocol';
import type { Knex } from 'knex';

import type { Db } from '../../db/knex.js';
import { type Message, RoomRecord, User } from '../../db/models/index.js';
import { ConflictError, ForbiddenError, NotFoundError, RateLimitedError, ValidationError } from '../../errors.js';
import { appScope, registeredWrite, type RoomCache, userScope } from '../../redis/room-cache.js';
import type { Throttle } from '../../redis/throttle.js';
import { type Actor, isStaff, requireStaff } from '../actor.js';
import { displayName, toConversationDto, toConversationDtos } from '../dto/conversation-dto.js';
import type { DomainEvents } from '../events.js';
import { zip } from '../lists.js';
import type { MessagesService } from '../messages/messages-service.js';
import { splitPage } from '../pagination.js';
import { Rollback, rollbackable } from '../rollback.js';
import { appendSystemMessage } from '../room-version.js';
import { requireMember } from '../rooms/access.js';
import { activityCursor, byActivity, type WithActivity } from '../rooms/activity.js';
import type { Outbox } from '../webhooks/outbox.js';
import type { AvailabilityService } from './availability.js';
import type { InboxQuery } from './schemas.js';

// Starting conversations is cheap to ask for and costly to triage: a visitor gets a few a minute.
const STARTS_PER_MINUTE = { limit: 5, periodMs: 60_000 };
/** A cached inbox page also goes after this long (visitors' names and emails in it are not watched). */
const INBOX_TTL_MS = 60_000;

export interface Change {
  status?: SupportStatus;
  assigneeId?: string | null;
}

/** Who makes a change: an agent, or the server (`actor` null) with its own wording of the messages. */
export interface ChangeBy {
  actor: Actor | null;
  /** The agent it is assigned to (for the message's wording). */
  agent: User | null;
  text?: (meta: SystemEventDto) => string;
}

/** What a committed change wrote: its system messages, who joined, whether an agent holds fewer now. */
export interface AppliedChange {
  created: Message[];
  joined: string | null;
  freed: boolean;
}

/**
 * Support conversations: a visitor starts one, every agent of the app sees it in the inbox, agents
 * claim, assign, resolve and reopen it. Each change is a system message in the conversation.
 */
export class SupportService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly messages: MessagesService,
    private readonly availability: AvailabilityService,
    private readonly outbox: Outbox,
    private readonly throttle: Throttle,
    private readonly roomCache: RoomCache,
  ) {}

  /**
   * A visitor starts a conversation, optionally with a first message. With a `clientId`, a retried
   * start returns the conversation the first attempt made. When nobody can answer, the app's away
   * message follows.
   */
  async start(actor: Actor, input: StartConversationInput): Promise<StartConversationResult> {
    if (isStaff(actor)) throw new ForbiddenError('Agents answer conversations; start one as a visitor');
    const first =
      input.text || input.attachments?.length
        ? { clientId: input.clientId!, text: input.text ?? '', attachments: input.attachments }
        : null;
    if (first) {
      const retried = await this.retried(actor, first.clientId);
      if (retried) return retried;
    }
    const { allowed, retryAfterMs } = await this.throttle.consume(`support:start:${actor.id}`, STARTS_PER_MINUTE);
    if (!allowed) throw new RateLimitedError(retryAfterMs);
    if (first) await this.messages.consumeRate(actor);
    const { available, awayMessage } = await this.availability.settings(actor.appId);

    // The visitor's room list changes: registered with the room cache (a new room has no entry to drop).
    const ticket = await this.roomCache.beginWrite({ appId: actor.appId, userIds: [actor.id] });
    const outcome = await rollbackable<{ room: RoomRecord; created: Message[]; firstId: string | null }, Message>(() =>
      this.db.transaction(async (trx) => {
        const room = await RoomRecord.query(trx).insertAndFetch({
          appId: actor.appId,
          kind: 'support',
          status: 'open',
          createdBy: actor.id,
          visitor: input.visitor ?? {},
        });
        await trx('memberships').insert({ roomId: room.id, userId: actor.id, role: 'member' });
        const created: Message[] = [];
        if (first) {
          const written = await this.messages.write(trx, actor, room.id, first);
          created.push(written.message, ...written.followUps);
        }
        if (!available && awayMessage) {
          const away = await appendSystemMessage(trx, actor.appId, room.id, {
            senderId: null,
            text: awayMessage,
            meta: { event: 'away', actorId: null },
          });
          created.push(away);
          await this.outbox.enqueueMessages(trx, actor.appId, [away], []);
        }
        const conversation = await toConversationDto(trx, (await RoomRecord.query(trx).findById(room.id))!, null);
        await this.outbox.enqueue(trx, actor.appId, 'conversation.created', { conversation });
        return { room, created, firstId: first ? (created[0]?.id ?? null) : null };
      }),
    ).finally(() => this.roomCache.endWrite(ticket, {}));
    if (outcome instanceof Rollback) return (await this.retried(actor, first!.clientId))!;

    const dtos = await this.messages.announceCreated(actor.appId, outcome.created);
    const conversation = await this.view(actor.appId, outcome.room.id, actor.id);
    const { membership: _viewer, ...shared } = conversation!;
    this.events.emit('room.created', { appId: actor.appId, room: shared, memberIds: [actor.id] });
    this.events.emit('support.changed', { appId: actor.appId, roomId: outcome.room.id, roomChanged: false });
    return { ...conversation!, message: dtos.find((m) => m.id === outcome.firstId) ?? null };
  }

  /**
   * The agents' inbox: conversations by last activity, with what the caller has not read. The
   * first page comes from the room cache while nothing changed in the app since it was read.
   */
  async inbox(actor: Actor, query: InboxQuery): Promise<PageDto<SupportInboxItemDto>> {
    requireStaff(actor);
    if (query.cursor) return this.inboxFromDb(actor, query);
    const filters = [query.status, query.assignee, query.visitorId, query.label].map((f) => f ?? '').join(':');
    const key = `inbox:${actor.id}:${query.limit}:${filters}`;
    const scopes = [appScope(actor.appId), userScope(actor.id)];
    const cached = await this.roomCache.readDerived(key, scopes);
    if ('value' in cached) return JSON.parse(cached.value) as PageDto<SupportInboxItemDto>;
    const page = await this.inboxFromDb(actor, query);
    if (cached.stamp) await this.roomCache.fillDerived(key, cached.stamp, scopes, JSON.stringify(page), INBOX_TTL_MS);
    return page;
  }

  private async inboxFromDb(actor: Actor, query: InboxQuery): Promise<PageDto<SupportInboxItemDto>> {
    const q = RoomRecord.query(this.db)
      .select('rooms.*', unreadColumn(this.db, actor.id))
      .leftJoin('memberships as m', (j) => j.on('m.room_id', 'rooms.id').andOnVal('m.user_id', actor.id))
      .where({ 'rooms.app_id': actor.appId, 'rooms.kind': 'support' });
    if (query.status) q.where('rooms.status', query.status);
    if (query.assignee === 'me') q.where('rooms.assignee_id', actor.id);
    else if (query.assignee === 'none') q.whereNull('rooms.assignee_id');
    else if (query.assignee) q.where('rooms.assignee_id', query.assignee);
    if (query.visitorId) q.where('rooms.created_by', query.visitorId);
    if (query.label) {
      const label = query.label;
      q.whereExists((s) => {
        s.select(1).from('conversation_labels as cl').whereRaw('cl.room_id = rooms.id').where('cl.label_id', label);
      });
    }
    const rows = (await byActivity(this.db, q, query.limit, query.cursor)) as WithActivity<RoomRecord & { unread: number }>[];
    const { items, hasMore } = splitPage(rows, query.limit);
    const dtos = await toConversationDtos(this.db, items, actor.id);
    return {
      items: zip(items, dtos).map(([row, dto]) => ({ ...dto, unreadCount: Number(row.unread) })),
      hasMore,
      ...activityCursor(items[items.length - 1], hasMore),
    };
  }

  /** One conversation: for the app's agents and for its own visitor. */
  async get(actor: Actor, roomId: string): Promise<SupportConversationDto> {
    const { room } = await requireMember(this.db, actor, roomId, this.roomCache);
    if (room.kind !== 'support') throw new NotFoundError('Conversation');
    return forViewer(actor, await toConversationDto(this.db, room, actor.id));
  }

  /** Claims the conversation (no `agentId`), hands it to another agent, or (null) unassigns it. */
  async assign(actor: Actor, roomId: string, agentId: string | null | undefined): Promise<SupportConversationDto> {
    requireStaff(actor);
    const target = agentId === undefined ? actor.id : agentId;
    let agent: User | null = null;
    if (target) {
      agent = (await User.query(this.db).findOne({ id: target, appId: actor.appId })) ?? null;
      if (!agent || !isStaff(agent)) {
        throw new ValidationError('agentId must be an agent of this app', [{ path: 'body.agentId', message: 'not an agent of this app' }]);
      }
    }
    return this.change(actor, roomId, { assigneeId: target }, agent);
  }

  async setStatus(actor: Actor, roomId: string, status: SupportStatus): Promise<SupportConversationDto> {
    requireStaff(actor);
    return this.change(actor, roomId, { status }, null);
  }

  /** `PATCH /v1/rooms/:id` on a support room: status and assignee in one call. */
  async update(actor: Actor, roomId: string, change: Change): Promise<SupportConversationDto> {
    requireStaff(actor);
    if (change.assigneeId !== undefined) await this.assign(actor, roomId, change.assigneeId);
    if (change.status) return this.setStatus(actor, roomId, change.status);
    return this.get(actor, roomId);
  }

  /** The conversation as `viewerId` sees it (null: as agents' broadcasts show it). */
  async view(appId: string, roomId: string, viewerId: string | null): Promise<SupportConversationDto | null> {
    const room = await RoomRecord.query(this.db).findOne({ id: roomId, appId, kind: 'support' });
    return room ? await toConversationDto(this.db, room, viewerId) : null;
  }

  /** Applies a change under the room lock; a no-op change writes nothing and announces nothing. */
  private async change(actor: Actor, roomId: string, change: Change, agent: User | null): Promise<SupportConversationDto> {
    // Registered with the room cache until announced: the room's version moves, agents may join (an
    // agent's room entry is read from the database whenever it says "not a member" of a support room).
    const scope = { appId: actor.appId, roomIds: [roomId], userIds: [actor.id, ...(change.assigneeId ? [change.assigneeId] : [])] };
    await registeredWrite(
      this.roomCache,
      scope,
      () => this.changeAndAnnounce(actor, roomId, change, agent),
      (created) => ({ [roomId]: { version: Math.max(0, ...created.map((m) => Number(m.version))) } }),
    );
    return this.get(actor, roomId);
  }

  /** The change under the room lock, then its announcements; the system messages it wrote. */
  private async changeAndAnnounce(actor: Actor, roomId: string, change: Change, agent: User | null): Promise<Message[]> {
    const result = await this.db.transaction(async (trx) => {
      const room = await RoomRecord.query(trx).forUpdate().findOne({ id: roomId, appId: actor.appId });
      if (!room || room.kind !== 'support') throw new NotFoundError('Conversation');
      return this.applyChange(trx, room, change, { actor, agent });
    });
    await this.announceChange(actor.appId, roomId, result);
    return result?.created ?? [];
  }

  /**
   * Writes a change to `room` (locked by the caller in `trx`) and its system messages; null when it
   * changes nothing. Without `by.actor` the server made it (auto-assignment) and `by.text` words it.
   */
  async applyChange(trx: Knex.Transaction, room: RoomRecord, change: Change, by: ChangeBy): Promise<AppliedChange | null> {
    const { actor, agent } = by;
    const roomId = room.id;
    const actorId = actor?.id ?? null;
    const patch: Partial<RoomRecord> = {};
    const notes: SystemEventDto[] = [];
    let joined: string | null = null;
    if (change.assigneeId !== undefined && change.assigneeId !== room.assigneeId) {
      patch.assigneeId = change.assigneeId;
      notes.push(
        change.assigneeId
          ? { event: 'assigned', actorId, agentId: change.assigneeId }
          : { event: 'unassigned', actorId, ...(actor ? {} : { agentId: room.assigneeId }) },
      );
      if (change.assigneeId) joined = await this.enrol(trx, roomId, change.assigneeId);
    }
    if (change.status && change.status !== room.status) {
      patch.status = change.status;
      patch.resolvedAt = change.status === 'resolved' ? new Date() : null;
      notes.push({ event: change.status === 'open' ? 'reopened' : change.status, actorId });
    }
    if (!notes.length) return null;
    await RoomRecord.query(trx)
      .patch({ ...patch, updatedAt: new Date() })
      .where({ id: roomId });
    if (actor && !(await trx('memberships').where({ roomId, userId: actor.id }).first())) await this.enrol(trx, roomId, actor.id);
    const me = actor ? await User.query(trx).findById(actor.id) : undefined;
    const created: Message[] = [];
    for (const meta of notes) {
      const text = by.text?.(meta) ?? describe(meta, me ?? null, agent);
      created.push(await appendSystemMessage(trx, room.appId, roomId, { senderId: actorId, text, meta }));
    }
    await this.outbox.enqueueMessages(trx, room.appId, created, me ? [me] : []);
    if (patch.status === 'resolved') {
      const conversation = await toConversationDto(trx, (await RoomRecord.query(trx).findById(roomId))!, null);
      await this.outbox.enqueue(trx, room.appId, 'conversation.resolved', { conversation, resolvedBy: actorId });
    }
    // An agent holds one conversation fewer: auto-assignment may give out queued ones.
    const freed = Boolean(room.assigneeId) && (patch.assigneeId !== undefined || patch.status === 'resolved');
    return { created, joined, freed };
  }

  /** Announces a committed change: its messages, the agent who joined, the conversation to agents. */
  async announceChange(appId: string, roomId: string, applied: AppliedChange | null): Promise<void> {
    if (!applied) return;
    await this.messages.announceCreated(appId, applied.created);
    if (applied.joined) this.events.emit('member.added', { appId, roomId, userIds: [applied.joined] });
    this.events.emit('support.changed', { appId, roomId, roomChanged: true });
    if (applied.freed) this.events.emit('support.workload', { appId });
  }

  /** Makes an agent a member of the conversation; the user id when they were not one before. */
  private async enrol(trx: Knex.Transaction, roomId: string, userId: string): Promise<string | null> {
    const rows = await trx('memberships')
      .insert({ roomId, userId, role: 'agent' })
      .onConflict(['room_id', 'user_id'])
      .ignore()
      .returning('user_id');
    return rows.length ? userId : null;
  }

  private async retried(actor: Actor, clientId: string): Promise<StartConversationResult | null> {
    const previous = await this.db('messages').where({ senderId: actor.id, clientId }).first('id', 'room_id');
    if (!previous) return null;
    const conversation = await this.view(actor.appId, previous.roomId, actor.id);
    if (!conversation) throw new ConflictError('This clientId was already used for a message in another room');
    const [message] = await this.messages.dtosOf([previous.id]);
    // The node that started it may have died before announcing: the message and the conversation again.
    if (message) this.messages.replay(actor.appId, [message]);
    this.events.emit('support.changed', { appId: actor.appId, roomId: previous.roomId, roomChanged: false });
    return { ...forViewer(actor, conversation), message: message ?? null };
  }
}

/**
 * What `viewerId` has not read of each room, as `unread`: for queries of `rooms` joined with the
 * viewer's membership as `m` (the inbox, and search results).
 */
export function unreadColumn(db: Db, viewerId: string): Knex.Raw {
  return db.raw(
    `(select count(*)::int from messages x
       where x.room_id = rooms.id and x.seq > coalesce(m.read_seq, 0) and x.type = 'text'
         and x.deleted_at is null and x.sender_id is distinct from ?) as unread`,
    [viewerId],
  );
}

/** Labels are the team's: a visitor sees their conversation without them. */
function forViewer<T extends SupportConversationDto>(actor: Actor, conversation: T): T {
  return isStaff(actor) ? conversation : { ...conversation, labels: [] };
}

/** The English text of a system message (clients render `system` in their own language). */
function describe(meta: SystemEventDto, actor: User | null, agent: User | null): string {
  const who = displayName(actor);
  switch (meta.event) {
    case 'assigned':
      return meta.agentId === actor?.id ? `${who} joined` : `${who} assigned ${displayName(agent)}`;
    case 'unassigned':
      return `${who} unassigned the conversation`;
    case 'resolved':
      return `Resolved by ${who}`;
    case 'pending':
      return `${who} marked the conversation pending`;
    case 'reopened':
      return `Reopened by ${who}`;
    default:
      return '';
  }
}
