import type { LabelInput, PageDto, SupportConversationDto, SupportLabelDto } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { RoomRecord } from '../../db/models/index.js';
import { ConflictError, dbErrorCode, NotFoundError } from '../../errors.js';
import { registeredWrite, type RoomCache } from '../../redis/room-cache.js';
import { type Actor, requireStaff } from '../actor.js';
import { toConversationDto } from '../dto/conversation-dto.js';
import { type LabelRow, toLabelDto } from '../dto/label-dto.js';
import type { DomainEvents } from '../events.js';

const STAFF_ONLY = 'Only agents and admins of this app use labels';
// A team's labels are few and returned whole: a cap keeps "whole" honest.
export const LABELS_PER_APP_MAX = 200;

function rethrowTaken(err: unknown): never {
  if (dbErrorCode(err) === '23505') throw new ConflictError('A label with that name already exists');
  throw err;
}

/**
 * Per-app labels and the labels on support conversations. Conversations carry them in their DTO
 * (services/dto/label-dto.ts); a change to a conversation's labels is announced like any other
 * support change, and a change to the labels themselves as `support:labels`. Every write here
 * is registered with the room cache under the app's scope: cached inbox pages show labels.
 */
export class LabelsService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly roomCache: RoomCache,
  ) {}

  async list(actor: Actor): Promise<PageDto<SupportLabelDto>> {
    requireStaff(actor, STAFF_ONLY);
    return { items: await this.of(actor.appId), hasMore: false };
  }

  /** The app's labels, by name. */
  async of(appId: string): Promise<SupportLabelDto[]> {
    const rows: LabelRow[] = await this.db('support_labels').where({ appId }).orderByRaw('lower(name), id').limit(LABELS_PER_APP_MAX);
    return rows.map(toLabelDto);
  }

  async create(actor: Actor, input: LabelInput): Promise<SupportLabelDto> {
    requireStaff(actor, STAFF_ONLY);
    // Two creates at once may both pass the cap by one: the cap bounds the list, it need not be exact.
    const [counted] = (await this.db('support_labels').where({ appId: actor.appId }).count({ count: '*' })) as { count: number | string }[];
    if (Number(counted?.count ?? 0) >= LABELS_PER_APP_MAX) throw new ConflictError(`An app has at most ${LABELS_PER_APP_MAX} labels`);
    const [row] = (await this.db('support_labels')
      .insert({ appId: actor.appId, name: input.name, colour: input.colour })
      .returning('*')
      .catch(rethrowTaken)) as LabelRow[];
    this.events.emit('support.labels', { appId: actor.appId });
    return toLabelDto(row!);
  }

  async update(actor: Actor, id: string, patch: Partial<LabelInput>): Promise<SupportLabelDto> {
    requireStaff(actor, STAFF_ONLY);
    const row = await registeredWrite(this.roomCache, { appId: actor.appId }, async () => {
      const [updated] = (await this.db('support_labels')
        .update(patch)
        .where({ id, appId: actor.appId })
        .returning('*')
        .catch(rethrowTaken)) as LabelRow[];
      if (!updated) throw new NotFoundError('Label');
      return updated;
    });
    this.events.emit('support.labels', { appId: actor.appId });
    return toLabelDto(row);
  }

  /** Deletes the label and takes it off every conversation. */
  async remove(actor: Actor, id: string): Promise<void> {
    requireStaff(actor, STAFF_ONLY);
    await registeredWrite(this.roomCache, { appId: actor.appId }, async () => {
      const deleted = await this.db('support_labels').delete().where({ id, appId: actor.appId });
      if (!deleted) throw new NotFoundError('Label');
    });
    this.events.emit('support.labels', { appId: actor.appId });
  }

  /** Puts the label on the conversation; already there, nothing changes and nothing is announced. */
  async apply(actor: Actor, roomId: string, labelId: string): Promise<SupportConversationDto> {
    return this.change(actor, roomId, labelId, async (trx) => {
      const rows = await trx('conversation_labels')
        .insert({ roomId, labelId, addedBy: actor.id })
        .onConflict(['room_id', 'label_id'])
        .ignore()
        .returning('label_id');
      return rows.length > 0;
    });
  }

  /** Takes the label off the conversation; not there, nothing changes and nothing is announced. */
  async unapply(actor: Actor, roomId: string, labelId: string): Promise<SupportConversationDto> {
    return this.change(actor, roomId, labelId, async (trx) => (await trx('conversation_labels').delete().where({ roomId, labelId })) > 0);
  }

  private async change(
    actor: Actor,
    roomId: string,
    labelId: string,
    write: (trx: Db) => Promise<boolean>,
  ): Promise<SupportConversationDto> {
    requireStaff(actor, STAFF_ONLY);
    const changed = await registeredWrite(this.roomCache, { appId: actor.appId }, () =>
      this.db.transaction(async (trx) => {
        const room = await RoomRecord.query(trx).findOne({ id: roomId, appId: actor.appId, kind: 'support' });
        if (!room) throw new NotFoundError('Conversation');
        const label = await trx('support_labels').where({ id: labelId, appId: actor.appId }).first('id');
        if (!label) throw new NotFoundError('Label');
        return write(trx);
      }),
    );
    if (changed) this.events.emit('support.changed', { appId: actor.appId, roomId, roomChanged: false });
    const room = await RoomRecord.query(this.db).findOne({ id: roomId, appId: actor.appId });
    if (!room) throw new NotFoundError('Conversation');
    return toConversationDto(this.db, room, actor.id);
  }
}
