import { randomUUID } from 'node:crypto';

import type { MessageDto, WebhookEventName, WebhookPayload } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Message, User } from '../../db/models/index.js';
import type { DomainEvents } from '../events.js';
import { toMessageDtos } from '../messages/message-dto.js';

// How long a node trusts its list of an app's subscribed events; a new webhook hears within it.
const SUBSCRIPTIONS_TTL_MS = 5_000;

/**
 * The webhook outbox: deliveries are rows written in the same transaction as the event they
 * announce, so an event is announced exactly when it commits; the dispatcher sends them later.
 */
export class Outbox {
  private readonly subscriptions = new Map<string, { events: Set<string>; expires: number }>();

  constructor(private readonly events: DomainEvents) {}

  /** Queues `type` for every active webhook of the app that wants it; true when one does. */
  async enqueue(trx: Knex.Transaction, appId: string, type: WebhookEventName, data: unknown): Promise<boolean> {
    if (!(await this.wants(trx, appId, type))) return false;
    const payload: WebhookPayload = { id: randomUUID(), type, appId, createdAt: new Date().toISOString(), data };
    const result = await trx.raw(
      `insert into webhook_deliveries (webhook_id, event, payload, event_id)
       select id, ?, ?::jsonb, ?::uuid from webhooks where app_id = ? and active and ? = any(events) returning id`,
      [type, JSON.stringify(payload), payload.id, appId, type],
    );
    const rows: unknown[] = result.rows ?? result;
    if (!rows.length) return false;
    trx.executionPromise.then(
      () => this.events.emit('webhooks.queued', { appId }),
      () => undefined,
    );
    return true;
  }

  /** Queues `message.created` for new messages; returns their wire forms when it built them. */
  async enqueueMessages(trx: Knex.Transaction, appId: string, messages: Message[], knownUsers: User[]): Promise<MessageDto[] | null> {
    if (!(await this.wants(trx, appId, 'message.created'))) return null;
    const dtos = await toMessageDtos(trx, messages, knownUsers);
    for (const message of dtos) await this.enqueue(trx, appId, 'message.created', { message });
    return dtos;
  }

  /** Forgets what this node knew of an app's webhooks (after an admin change). */
  invalidate(appId: string): void {
    this.subscriptions.delete(appId);
  }

  private async wants(db: Knex, appId: string, type: WebhookEventName): Promise<boolean> {
    let hit = this.subscriptions.get(appId);
    if (!hit || hit.expires < Date.now()) {
      const rows: { events: string[] }[] = await db('webhooks').where({ appId, active: true }).select('events');
      hit = { events: new Set(rows.flatMap((r) => r.events)), expires: Date.now() + SUBSCRIPTIONS_TTL_MS };
      this.subscriptions.set(appId, hit);
    }
    return hit.events.has(type);
  }
}
