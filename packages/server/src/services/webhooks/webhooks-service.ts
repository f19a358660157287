import {
  type DeliveriesQuery as DeliveriesQueryBody,
  LIMITS,
  type PageDto,
  type WebhookDeliveryDto,
  type WebhookDto,
  type WebhookEventName,
  type WebhookInput,
} from '@confab/protocol';

import type { Db } from '../../db/knex.js';
import { type Webhook, type WebhookDelivery } from '../../db/models/index.js';
import { ConflictError, NotFoundError } from '../../errors.js';
import type { DomainEvents } from '../events.js';
import type { WithDefaults } from '../fields.js';
import { decodeCursor, encodeCursor, splitPage } from '../pagination.js';
import type { Outbox } from './outbox.js';
import { newWebhookSecret } from './signature.js';

const iso = (d: Date | string | null) => (d === null ? null : new Date(d).toISOString());

export type { WebhookInput };
export type DeliveriesQuery = WithDefaults<DeliveriesQueryBody, 'limit'>;

function toWebhookDto(w: Webhook): WebhookDto {
  return { id: w.id, url: w.url, events: w.events as WebhookEventName[], active: w.active, createdAt: iso(w.createdAt)! };
}

function toDeliveryDto(d: WebhookDelivery): WebhookDeliveryDto {
  return {
    id: d.id,
    webhookId: d.webhookId,
    eventId: d.eventId,
    event: d.event as WebhookEventName,
    status: d.status,
    attempts: d.attempts,
    nextAttemptAt: d.status === 'pending' ? iso(d.nextAttemptAt) : null,
    lastStatusCode: d.lastStatusCode,
    lastError: d.lastError,
    createdAt: iso(d.createdAt)!,
    deliveredAt: iso(d.deliveredAt),
  };
}

/** The operator's view of an app's webhooks (admin API): endpoints, and every delivery's fate. */
export class WebhooksService {
  constructor(
    private readonly db: Db,
    private readonly outbox: Outbox,
    private readonly events: DomainEvents,
  ) {}

  async list(appId: string): Promise<PageDto<WebhookDto>> {
    await this.requireApp(appId);
    const rows: Webhook[] = await this.db('webhooks').where({ appId }).orderBy('created_at');
    return { items: rows.map(toWebhookDto), hasMore: false };
  }

  /** The reply is the only time the signing secret is shown. */
  async create(appId: string, input: WebhookInput): Promise<WebhookDto & { secret: string }> {
    await this.requireApp(appId);
    const [counted] = await this.db('webhooks').where({ appId }).count({ count: '*' });
    if (Number(counted?.count ?? 0) >= LIMITS.webhooksPerAppMax)
      throw new ConflictError(`An app has at most ${LIMITS.webhooksPerAppMax} webhooks`);
    const [row] = await this.db('webhooks')
      .insert({ appId, url: input.url, events: input.events, active: input.active ?? true, secret: newWebhookSecret() })
      .returning('*');
    this.outbox.invalidate(appId);
    return { ...toWebhookDto(row), secret: row.secret };
  }

  async update(appId: string, id: string, input: Partial<WebhookInput>): Promise<WebhookDto> {
    const [row] = await this.db('webhooks').where({ appId, id }).update(input).returning('*');
    if (!row) throw new NotFoundError('Webhook');
    this.outbox.invalidate(appId);
    return toWebhookDto(row);
  }

  async delete(appId: string, id: string): Promise<void> {
    const deleted = await this.db('webhooks').where({ appId, id }).delete();
    if (!deleted) throw new NotFoundError('Webhook');
    this.outbox.invalidate(appId);
  }

  /** A webhook's deliveries, newest first. */
  async deliveries(appId: string, webhookId: string, query: DeliveriesQuery): Promise<PageDto<WebhookDeliveryDto>> {
    await this.requireWebhook(appId, webhookId);
    const q = this.db('webhook_deliveries')
      .where({ webhookId })
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .limit(query.limit + 1);
    if (query.status) q.where({ status: query.status });
    if (query.cursor) {
      const [at, id] = decodeCursor(query.cursor, ['iso-date', 'uuid']);
      q.whereRaw('(created_at, id) < (?::timestamptz, ?::uuid)', [at, id]);
    }
    const { items, hasMore } = splitPage((await q) as WebhookDelivery[], query.limit);
    const last = items[items.length - 1];
    return {
      items: items.map(toDeliveryDto),
      hasMore,
      ...(hasMore && last ? { nextCursor: encodeCursor([iso(last.createdAt), last.id]) } : {}),
    };
  }

  /** Sends a delivery again now (e.g. one given up after the endpoint was fixed). */
  async redeliver(appId: string, webhookId: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.requireWebhook(appId, webhookId);
    const [row] = await this.db('webhook_deliveries')
      .where({ id: deliveryId, webhookId })
      .update({ status: 'pending', nextAttemptAt: this.db.fn.now() })
      .returning('*');
    if (!row) throw new NotFoundError('Delivery');
    this.events.emit('webhooks.queued', { appId });
    return toDeliveryDto(row);
  }

  private async requireApp(appId: string): Promise<void> {
    if (!(await this.db('apps').where({ id: appId }).first('id'))) throw new NotFoundError('App');
  }

  private async requireWebhook(appId: string, webhookId: string): Promise<void> {
    if (!(await this.db('webhooks').where({ appId, id: webhookId }).first('id'))) throw new NotFoundError('Webhook');
  }
}
