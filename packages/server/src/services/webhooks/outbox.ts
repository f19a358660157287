import { randomUUID } from 'node:crypto';

import type { MessageDto, WebhookEventName, WebhookPayload } from '@confab/protocol';
import type { Knex } from 'knex';

import type { Message, User } from '../../db/models/index.js';
import { toMessageDtos } from '../dto/message-dto.js';
import type { DomainEvents } from '../events.js';

// How long a node trusts its list of an app's subscribed events; a new webhook hears within it.
const SUBSCRIPTIONS_TTL_MS = 5_000;

export interface OutboxEvent {
  appId: string;
  type: WebhookEventName;
  data: unknown;
}

/**
 * The webhook outbox: deliveries are rows written in the same transaction as the event they
 * announce, so an event is announced exactly when it commits; the dispatcher sends them later.
 */
export class Outbox {
  private readonly subscriptions = new Map<string, { events: Set<string>; expires: number }>();

  constructor(private readonly events: DomainEvents) {}

  /** Queues `type` for every active webhook of the app that wants it; true when one does. */
  async enqueue(trx: Knex.Transaction, appId: string, type: WebhookEventName, data: unknown): Promise<boolean> {
    return this.enqueueMany(trx, [{ appId, type, data }]);
  }

  /**
   * Queues events of any apps in one statement, each for every active webhook of its app that
   * wants it; true when one did. Announced to the dispatchers when the transaction commits.
   */
  async enqueueMany(trx: Knex.Transaction, events: OutboxEvent[]): Promise<boolean> {
    const wanted: OutboxEvent[] = [];
    for (const event of events) if (await this.wants(trx, event.appId, event.type)) wanted.push(event);
    if (!wanted.length) return false;
    const now = new Date().toISOString();
    const payloads = wanted.map(({ appId, type, data }): WebhookPayload => ({ id: randomUUID(), type, appId, createdAt: now, data }));
    const result = await trx.raw(
      `insert into webhook_deliveries (webhook_id, event, payload, event_id)
       select w.id, v.event, v.payload, v.event_id
       from (values ${payloads.map(() => '(?::text, ?::text, ?::jsonb, ?::uuid)').join(', ')}) as v(app_id, event, payload, event_id)
       join webhooks w on w.app_id = v.app_id and w.active and v.event = any(w.events)
       returning payload->>'appId' as "appId"`,
      payloads.flatMap((p) => [p.appId, p.type, JSON.stringify(p), p.id]),
    );
    const rows: { appId: string }[] = result.rows ?? result;
    if (!rows.length) return false;
    const apps = new Set(rows.map((r) => r.appId));
    trx.executionPromise.then(
      () => apps.forEach((appId) => this.events.emit('webhooks.queued', { appId })),
      () => undefined,
    );
    return true;
  }

  /** Queues `message.created` for new messages; returns their wire forms when it built them. */
  async enqueueMessages(trx: Knex.Transaction, appId: string, messages: Message[], knownUsers: User[]): Promise<MessageDto[] | null> {
    if (!(await this.wants(trx, appId, 'message.created'))) return null;
    const dtos = await toMessageDtos(trx, messages, knownUsers);
    await this.enqueueMany(
      trx,
      dtos.map((message) => ({ appId, type: 'message.created', data: { message } })),
    );
    return dtos;
  }

  /** Whether some webhook of the app subscribes to `type` (cached for a few seconds). */
  async wants(db: Knex, appId: string, type: WebhookEventName): Promise<boolean> {
    let hit = this.subscriptions.get(appId);
    if (!hit || hit.expires < Date.now()) {
      const rows: { events: string[] }[] = await db('webhooks').where({ appId, active: true }).select('events');
      hit = { events: new Set(rows.flatMap((r) => r.events)), expires: Date.now() + SUBSCRIPTIONS_TTL_MS };
      this.subscriptions.set(appId, hit);
    }
    return hit.events.has(type);
  }

  /** Forgets what this node knew of an app's webhooks (after an admin change). */
  invalidate(appId: string): void {
    this.subscriptions.delete(appId);
  }
}
