import { BaseModel } from './base.js';

export class Webhook extends BaseModel {
  static override tableName = 'webhooks';

  id!: string;
  appId!: string;
  url!: string;
  secret!: string;
  events!: string[];
  active!: boolean;
  createdAt!: Date;
}

/** One queued delivery of a webhook event (the outbox row). */
export class WebhookDelivery extends BaseModel {
  static override tableName = 'webhook_deliveries';
  static override jsonAttributes = ['payload'];

  id!: string;
  webhookId!: string;
  eventId!: string | null;
  event!: string;
  payload!: Record<string, unknown>;
  status!: 'pending' | 'delivered' | 'failed';
  attempts!: number;
  nextAttemptAt!: Date;
  lastStatusCode!: number | null;
  lastError!: string | null;
  createdAt!: Date;
  deliveredAt!: Date | null;
}
