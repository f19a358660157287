import type { ConversationRatingDto, RateConversationInput } from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { RoomRecord } from '../../db/models/index.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../../errors.js';
import { registeredWrite, type RoomCache } from '../../redis/room-cache.js';
import type { Actor } from '../actor.js';
import { toConversationDto } from '../dto/conversation-dto.js';
import { type RatingRow, toRatingDto } from '../dto/rating-dto.js';
import type { DomainEvents } from '../events.js';
import type { Outbox } from '../webhooks/outbox.js';

/**
 * Satisfaction ratings (CSAT): the visitor of a resolved conversation rates that resolution 1–5,
 * with an optional comment; rating it again replaces the rating. Agents hear the conversation
 * change, and webhooks get `conversation.rated`.
 */
export class RatingsService {
  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly outbox: Outbox,
    private readonly roomCache: RoomCache,
  ) {}

  async rate(actor: Actor, roomId: string, input: RateConversationInput): Promise<ConversationRatingDto> {
    const comment = input.comment?.trim() || null;
    // Registered with the app's scope: cached inbox pages carry ratings, so they must go.
    const rating = await registeredWrite(this.roomCache, { appId: actor.appId }, () =>
      this.db.transaction(async (trx) => {
        // The room lock orders a rating after a resolve or reopen in flight.
        const room = await RoomRecord.query(trx).forUpdate().findOne({ id: roomId, appId: actor.appId });
        if (!room || room.kind !== 'support') throw new NotFoundError('Conversation');
        if (room.createdBy !== actor.id) throw new ForbiddenError('Only the visitor of this conversation can rate it');
        if (room.status !== 'resolved' || !room.resolvedAt) throw new ConflictError('Only a resolved conversation can be rated');
        const result = await trx.raw(
          `insert into conversation_ratings (room_id, resolved_at, app_id, score, comment)
           select id, resolved_at, app_id, ?, ? from rooms where id = ?
           on conflict (room_id, resolved_at)
           do update set score = excluded.score, comment = excluded.comment, updated_at = now()
           returning room_id as "roomId", resolved_at as "resolvedAt", score, comment,
                     created_at as "createdAt", updated_at as "updatedAt"`,
          [input.score, comment, roomId],
        );
        const [row] = (result.rows ?? result) as RatingRow[];
        const dto = toRatingDto(row!);
        if (await this.outbox.wants(trx, actor.appId, 'conversation.rated')) {
          const conversation = await toConversationDto(trx, room, null);
          await this.outbox.enqueue(trx, actor.appId, 'conversation.rated', { conversation, rating: dto });
        }
        return dto;
      }),
    );
    // Agents' inboxes and the visitor's other tabs see the rating at once.
    this.events.emit('support.changed', { appId: actor.appId, roomId, roomChanged: true });
    return rating;
  }
}
