import type { Db } from '../../db/knex.js';
import type { Logger } from '../../logger.js';
import type { Metrics } from '../../metrics.js';
import type { DomainEvents } from '../events.js';
import { Poller } from '../poller.js';
import { SIGNATURE_HEADER, signWebhook } from './signature.js';

export interface DispatcherOptions {
  /** How often every node looks for due deliveries (retries, and events other nodes queued). */
  pollMs: number;
  /** First retry delay; each next one is 3× longer, up to `maxDelayMs`. */
  retryBaseMs: number;
  maxDelayMs: number;
  /** A delivery still failing this long after its event is given up. */
  giveUpAfterMs: number;
  /** An endpoint gets this long to answer. */
  timeoutMs: number;
  /** Deliveries in flight at once on this node. */
  concurrency: number;
}

export const DISPATCHER_DEFAULTS: DispatcherOptions = {
  pollMs: 2_000,
  retryBaseMs: 5_000,
  maxDelayMs: 6 * 3600_000,
  giveUpAfterMs: 26 * 3600_000,
  timeoutMs: 10_000,
  concurrency: 8,
};

interface Due {
  id: string;
  webhookId: string;
  event: string;
  payload: unknown;
  attempts: number;
  createdAt: Date;
}

// Deliveries in flight to one webhook at once, per node.
const PER_WEBHOOK = 2;
const USER_AGENT = 'Confab-Webhooks/0.1 (+https://github.com/confab)';

/**
 * Sends queued webhook deliveries, apart from any request: a slow or failing endpoint delays only
 * its own deliveries. Each node claims due rows with `skip locked` and a lease (a node that dies
 * mid-delivery leaves the row to be claimed again when the lease ends): at-least-once delivery,
 * with the event id in the payload for receivers to drop repeats.
 */
export class WebhookDispatcher {
  private readonly options: DispatcherOptions;
  private readonly poller: Poller;
  private stopped = false;
  private readonly abort = new AbortController();
  /** Deliveries in flight, by webhook: one slow endpoint may not take every slot. */
  private readonly inFlight = new Map<Promise<void>, string>();
  private offQueued: () => void = () => undefined;

  constructor(
    private readonly db: Db,
    private readonly events: DomainEvents,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    options: Partial<DispatcherOptions> = {},
  ) {
    this.options = { ...DISPATCHER_DEFAULTS, ...options };
    this.poller = new Poller({
      intervalMs: this.options.pollMs,
      round: () => this.round(),
      logger,
      doing: 'claiming webhook deliveries',
    });
  }

  start(): void {
    this.offQueued = this.events.on('webhooks.queued', () => this.poller.kick());
    this.poller.start();
  }

  /** Stops polling and aborts deliveries in flight (they are retried, here or on another node). */
  async stop(): Promise<void> {
    this.stopped = true;
    this.offQueued();
    const claiming = this.poller.stop();
    this.abort.abort();
    await claiming;
    await Promise.allSettled([...this.inFlight.keys()]);
  }

  /** Claims what is due and free slots allow; true when more may be due. Each delivery ending kicks again. */
  private async round(): Promise<boolean> {
    const free = this.options.concurrency - this.inFlight.size;
    if (free <= 0) return false;
    const perHook = new Map<string, number>();
    for (const hook of this.inFlight.values()) perHook.set(hook, (perHook.get(hook) ?? 0) + 1);
    const busy = [...perHook].filter(([, n]) => n >= PER_WEBHOOK).map(([hook]) => hook);
    const due = await this.claim(free, busy);
    for (const row of due) {
      const work: Promise<void> = this.deliver(row).finally(() => {
        this.inFlight.delete(work);
        this.poller.kick();
      });
      this.inFlight.set(work, row.webhookId);
    }
    return due.length === free;
  }

  /** Takes up to `limit` due deliveries, leasing them for longer than one attempt can last. */
  private async claim(limit: number, busyWebhooks: string[]): Promise<(Due & { url: string; secret: string })[]> {
    const lease = this.options.timeoutMs * 3;
    const rows = (await this.db('webhook_deliveries')
      .whereIn(
        'id',
        this.db('webhook_deliveries')
          .select('id')
          .where('status', 'pending')
          .where('next_attempt_at', '<=', this.db.fn.now())
          .modify((q) => {
            if (busyWebhooks.length) q.whereNotIn('webhook_id', busyWebhooks);
          })
          .orderBy('next_attempt_at')
          .limit(limit)
          .forUpdate()
          .skipLocked(),
      )
      .update({ attempts: this.db.raw('attempts + 1'), nextAttemptAt: this.db.raw("now() + interval '1 millisecond' * ?", [lease]) })
      .returning(['id', 'webhook_id', 'event', 'payload', 'attempts', 'created_at'])) as Due[];
    if (!rows.length) return [];
    const hooks: { id: string; url: string; secret: string }[] = await this.db('webhooks')
      .whereIn('id', [...new Set(rows.map((r) => r.webhookId))])
      .select('id', 'url', 'secret');
    const byId = new Map(hooks.map((h) => [h.id, h]));
    return rows.filter((r) => byId.has(r.webhookId)).map((r) => ({ ...r, ...byId.get(r.webhookId)!, id: r.id }));
  }

  private async deliver(row: Due & { url: string; secret: string }): Promise<void> {
    const body = typeof row.payload === 'string' ? row.payload : JSON.stringify(row.payload);
    let statusCode: number | null = null;
    let error: string | null = null;
    // A timer of our own, not AbortSignal.timeout(): on Node 20 a timeout signal combined with
    // AbortSignal.any() can be garbage-collected before it fires, leaving the request hanging.
    let timedOut = false;
    const controller = new AbortController();
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, this.options.timeoutMs);
    const onStop = () => controller.abort();
    this.abort.signal.addEventListener('abort', onStop, { once: true });
    try {
      const response = await fetch(row.url, {
        method: 'POST',
        redirect: 'manual',
        headers: {
          'Content-Type': 'application/json',
          'User-Agent': USER_AGENT,
          'X-Confab-Event': row.event,
          'X-Confab-Delivery': row.id,
          [SIGNATURE_HEADER]: signWebhook(row.secret, body),
        },
        body,
        signal: controller.signal,
      });
      statusCode = response.status;
      await response.body?.cancel().catch(() => undefined);
      if (statusCode < 200 || statusCode >= 300) error = `HTTP ${statusCode}`;
    } catch (err) {
      const e = err as Error & { cause?: { code?: string } };
      error = timedOut ? `no answer within ${this.options.timeoutMs} ms` : (e.cause?.code ?? e.message).slice(0, 500);
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener('abort', onStop);
    }
    if (this.stopped && error) return; // aborted by shutdown: the lease hands it to the next claim
    await this.record(row, statusCode, error);
  }

  private async record(row: Due, statusCode: number | null, error: string | null): Promise<void> {
    const common = { lastStatusCode: statusCode, lastError: error };
    if (!error) {
      this.metrics.webhookDeliveries.inc({ outcome: 'delivered' });
      await this.db('webhook_deliveries')
        .where({ id: row.id })
        .update({ ...common, status: 'delivered', deliveredAt: this.db.fn.now() });
      return;
    }
    const age = Date.now() - new Date(row.createdAt).getTime();
    const delay = Math.min(this.options.maxDelayMs, this.options.retryBaseMs * 3 ** (row.attempts - 1)) * (0.8 + Math.random() * 0.4);
    if (age + delay > this.options.giveUpAfterMs) {
      this.metrics.webhookDeliveries.inc({ outcome: 'failed' });
      await this.db('webhook_deliveries')
        .where({ id: row.id })
        .update({ ...common, status: 'failed' });
      this.logger.warn({ delivery: row.id, webhook: row.webhookId, attempts: row.attempts, error }, 'webhook delivery given up');
      return;
    }
    this.metrics.webhookDeliveries.inc({ outcome: 'retry' });
    await this.db('webhook_deliveries')
      .where({ id: row.id })
      .update({ ...common, nextAttemptAt: new Date(Date.now() + delay) });
  }
}
