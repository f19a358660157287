import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Prometheus metrics of one server instance (own registry: several may share a process in tests). */
export interface Metrics {
  registry: Registry;
  httpDuration: Histogram<'method' | 'route' | 'status'>;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpErrors: Counter<'code'>;
  socketConnections: Gauge;
  socketEvents: Counter<'event' | 'outcome'>;
  socketEventDuration: Histogram<'event'>;
  messagesPersisted: Counter;
  fanoutLatency: Histogram;
  throttled: Counter<'kind'>;
  webhookDeliveries: Counter<'outcome'>;
  uploads: Counter<'outcome'>;
  mailSent: Counter<'kind'>;
  /** Sends that failed and will be tried again. */
  mailRetries: Counter<'kind'>;
  /** Mails given up (`failed`). */
  mailFailed: Counter<'kind'>;
  mailOutboxPending: Gauge;
  /** What `confab_mail_outbox_pending` reports, counted when scraped (the mail sender sets it). */
  countPendingMail(source: () => Promise<number>): void;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  let pendingMail: (() => Promise<number>) | null = null;
  collectDefaultMetrics({ register: registry, prefix: 'confab_' });
  return {
    registry,
    httpDuration: new Histogram({
      name: 'confab_http_request_duration_seconds',
      help: 'HTTP request duration by method, route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    httpRequests: new Counter({
      name: 'confab_http_requests_total',
      help: 'HTTP requests by method, route and status',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpErrors: new Counter({
      name: 'confab_http_errors_total',
      help: 'HTTP error replies by error code',
      labelNames: ['code'],
      registers: [registry],
    }),
    socketConnections: new Gauge({
      name: 'confab_socket_connections',
      help: 'Sockets connected to this node',
      registers: [registry],
    }),
    socketEvents: new Counter({
      name: 'confab_socket_events_total',
      help: 'Socket events handled, by event and outcome (ok or the error code)',
      labelNames: ['event', 'outcome'],
      registers: [registry],
    }),
    socketEventDuration: new Histogram({
      name: 'confab_socket_event_duration_seconds',
      help: 'Time to handle a socket event, by event',
      labelNames: ['event'],
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
      registers: [registry],
    }),
    messagesPersisted: new Counter({
      name: 'confab_messages_persisted_total',
      help: 'Messages committed to the database by this node',
      registers: [registry],
    }),
    fanoutLatency: new Histogram({
      name: 'confab_fanout_latency_seconds',
      help: 'From a message being stored (its createdAt) to its broadcast being handed to the adapter',
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1],
      registers: [registry],
    }),
    throttled: new Counter({
      name: 'confab_throttled_total',
      help: 'Requests refused by a throttle, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    webhookDeliveries: new Counter({
      name: 'confab_webhook_deliveries_total',
      help: 'Webhook delivery attempts by outcome (delivered, retry, failed)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    uploads: new Counter({
      name: 'confab_uploads_total',
      help: 'Uploads by outcome (stored, or the error code)',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    mailSent: new Counter({
      name: 'confab_mail_sent_total',
      help: 'Mails accepted by the SMTP server (or written as .eml files), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    mailRetries: new Counter({
      name: 'confab_mail_retries_total',
      help: 'Mail sends that failed and are tried again later, by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    mailFailed: new Counter({
      name: 'confab_mail_failed_total',
      help: 'Mails given up (a permanent refusal, or too many attempts), by kind',
      labelNames: ['kind'],
      registers: [registry],
    }),
    mailOutboxPending: new Gauge({
      name: 'confab_mail_outbox_pending',
      help: 'Mails in the outbox not yet sent nor given up (all nodes), counted when scraped',
      registers: [registry],
      async collect() {
        if (!pendingMail) return;
        try {
          this.set(await pendingMail());
        } catch {
          // The database away: the last value stays, and the rest of the scrape still answers.
        }
      },
    }),
    countPendingMail(source) {
      pendingMail = source;
    },
  };
}
