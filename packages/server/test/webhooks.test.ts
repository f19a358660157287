import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
  AuthSessionDto,
  MessageDto,
  RoomDto,
  SupportConversationDto,
  WebhookDeliveryDto,
  WebhookDto,
  WebhookPayload,
} from '@confab/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { itemAt } from './helpers/items.js';
import { startTestServer, type TestServer } from './helpers/server.js';
import { sleep, until } from './helpers/wait.js';

/**
 * Webhooks end to end: a real server delivers to a real HTTP receiver on loopback, and the test
 * checks what arrived (signed bodies, retries, give-up) and what the admin API says about it.
 */

const ADMIN_TOKEN = randomBytes(24).toString('hex');
// Short timings; giving up after 3 s lets one server show retries that succeed and ones given up.
const TIMING = { pollMs: 100, retryBaseMs: 200, timeoutMs: 1000, giveUpAfterMs: 3000 };
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

// ---------------------------------------------------------------------------------------------
// The receiver: records raw bodies and headers, answers as told.

/** The `data` fields these tests read, across message.created and conversation.created/resolved. */
interface EventData {
  message: MessageDto;
  conversation: SupportConversationDto;
  resolvedBy: string;
}

interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  raw: string;
  /** Null when the body was not JSON. */
  body: WebhookPayload<Partial<EventData>> | null;
  at: number;
}

type Answer = number | 'hang';

class Receiver {
  readonly requests: Received[] = [];
  url = '';
  private answer: (attempt: number) => Answer = () => 200;
  private readonly hanging = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks).toString('utf8');
      let body: Received['body'] = null;
      try {
        body = JSON.parse(raw) as Received['body'];
      } catch {
        // Not JSON: recorded as null, which the tests' assertions then refuse.
      }
      this.requests.push({ path: req.url ?? '', headers: req.headers, raw, body, at: performance.now() });
      const answer = this.answer(this.requests.length);
      if (answer === 'hang') {
        this.hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'content-type': 'text/plain' }).end(answer < 300 ? 'ok' : 'nope');
    });
  });

  static async start(): Promise<Receiver> {
    const receiver = new Receiver();
    await new Promise<void>((resolve) => receiver.server.listen(0, '127.0.0.1', resolve));
    receiver.url = `http://127.0.0.1:${(receiver.server.address() as AddressInfo).port}`;
    return receiver;
  }

  /** Answers 200 from now on. */
  ok(): this {
    this.answer = () => 200;
    return this;
  }

  /** Answers `status` to the next `times` requests, 200 after. */
  failTimes(times: number, status = 500): this {
    let left = times;
    this.answer = () => (left-- > 0 ? status : 200);
    return this;
  }

  always(status: number): this {
    this.answer = () => status;
    return this;
  }

  /** Reads each request and never answers it. */
  hang(): this {
    this.answer = () => 'hang';
    return this;
  }

  at(path: string): Received[] {
    return this.requests.filter((r) => r.path === path);
  }

  get hangingCount(): number {
    return this.hanging.size;
  }

  async close(): Promise<void> {
    for (const res of this.hanging) res.destroy();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/** The receiver's check, written here on purpose (not the server's own verify function). */
function signatureValid(secret: string, raw: string, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const [, timestamp, signature] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header) ?? [];
  if (!timestamp || !signature) return false;
  const expected = createHmac('sha256', secret).update(`${timestamp}.${raw}`).digest();
  const given = Buffer.from(signature, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function signatureTime(header: string | string[] | undefined): number {
  const match = /^t=(\d+),/.exec(String(header));
  return match ? Number(match[1]) : NaN;
}

const waitUntil = <T>(what: string, check: () => T | Promise<T>, timeoutMs = 8_000) => until(what, check, timeoutMs);

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? itemAt(sorted, mid) : (itemAt(sorted, mid - 1) + itemAt(sorted, mid)) / 2;
}

function helpers(server: TestServer) {
  const admin = <T = unknown>(method: string, path: string, body?: unknown) =>
    server.request<T>(method, `/v1/admin/apps${path}`, { token: ADMIN_TOKEN, body });

  return {
    admin,
    async createWebhook(appId: string, url: string, events: string[], active?: boolean): Promise<WebhookDto & { secret: string }> {
      const res = await admin<WebhookDto & { secret: string }>('POST', `/${appId}/webhooks`, {
        url,
        events,
        ...(active === undefined ? {} : { active }),
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    },
    async deliveries(appId: string, webhookId: string, status?: string): Promise<WebhookDeliveryDto[]> {
      const res = await admin<{ items: WebhookDeliveryDto[] }>(
        'GET',
        `/${appId}/webhooks/${webhookId}/deliveries?limit=100${status ? `&status=${status}` : ''}`,
      );
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      return res.body.items;
    },
    async groupRoom(owner: AuthSessionDto): Promise<RoomDto> {
      const res = await server.request<RoomDto>('POST', '/v1/rooms', { token: owner.accessToken, body: { kind: 'group', name: 'Team' } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    },
    async send(session: AuthSessionDto, roomId: string, text: string) {
      return server.request<MessageDto>('POST', `/v1/rooms/${roomId}/messages`, {
        token: session.accessToken,
        body: { clientId: randomUUID(), text },
      });
    },
    async startConversation(visitor: AuthSessionDto, text: string) {
      const res = await server.request<RoomDto & { message: MessageDto }>('POST', '/v1/support/conversations', {
        token: visitor.accessToken,
        body: { text, clientId: randomUUID() },
      });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      return res.body;
    },
  };
}

// ---------------------------------------------------------------------------------------------

describe('webhooks', () => {
  let server: TestServer;
  let h: ReturnType<typeof helpers>;

  beforeAll(async () => {
    server = await startTestServer({ env: { ADMIN_TOKEN }, webhooks: TIMING });
    h = helpers(server);
  });

  afterAll(() => server?.close());

  it('delivers conversation.created, message.created (visitor and system) and conversation.resolved, signed with the secret', async () => {
    const receiver = await Receiver.start();
    try {
      const tenant = await server.createTenant();
      const agent = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana' });
      const visitor = await server.guest(tenant, 'Vera');
      // No agent is connected: the away message follows the first message, as a system message.
      const settings = await h.admin('PATCH', `/${tenant.id}/settings`, { awayMessage: 'We are away, back soon' });
      expect(settings.status, JSON.stringify(settings.body)).toBe(200);
      const hook = await h.createWebhook(tenant.id, `${receiver.url}/hook`, [
        'message.created',
        'conversation.created',
        'conversation.resolved',
      ]);
      expect(hook.secret).toEqual(expect.any(String));
      expect(hook.secret.length).toBeGreaterThanOrEqual(16);
      expect(hook).toMatchObject({ url: `${receiver.url}/hook`, active: true });

      const started = await h.startConversation(visitor, 'Hello, my order never arrived');
      const resolved = await server.request('POST', `/v1/support/conversations/${started.id}/resolve`, { token: agent.accessToken });
      expect(resolved.status, JSON.stringify(resolved.body)).toBe(200);

      // conversation.created, the visitor's message, the away message, the "resolved" system message, conversation.resolved.
      await waitUntil('5 deliveries', () => receiver.requests.length >= 5);
      await sleep(300); // nothing more should come
      expect(receiver.requests).toHaveLength(5);

      const nowS = Date.now() / 1000;
      for (const r of receiver.requests) {
        expect(r.path).toBe('/hook');
        expect(r.headers['content-type']).toMatch(/^application\/json/);
        expect(signatureValid(hook.secret, r.raw, r.headers['x-confab-signature']), r.raw).toBe(true);
        expect(signatureValid(`${hook.secret}x`, r.raw, r.headers['x-confab-signature'])).toBe(false);
        expect(signatureValid('whsec_wrong', r.raw, r.headers['x-confab-signature'])).toBe(false);
        expect(signatureValid(hook.secret, `${r.raw} `, r.headers['x-confab-signature'])).toBe(false);
        expect(Math.abs(nowS - signatureTime(r.headers['x-confab-signature']))).toBeLessThanOrEqual(300);
        expect(r.body).toMatchObject({ id: expect.stringMatching(UUID), appId: tenant.id, type: r.headers['x-confab-event'] });
        expect(new Date(r.body?.createdAt ?? NaN).toISOString()).toBe(r.body?.createdAt);
        expect(r.headers['x-confab-delivery']).toMatch(UUID);
      }
      // One event, one delivery: distinct event ids and delivery ids.
      expect(new Set(receiver.requests.map((r) => r.body?.id)).size).toBe(5);
      expect(new Set(receiver.requests.map((r) => r.headers['x-confab-delivery'])).size).toBe(5);

      const ofType = (type: string) => receiver.requests.flatMap((r) => (r.body?.type === type ? [r.body] : []));
      expect(ofType('conversation.created')).toHaveLength(1);
      expect(ofType('conversation.resolved')).toHaveLength(1);
      const messages = ofType('message.created').map((b) => b.data.message as MessageDto);
      expect(messages).toHaveLength(3);

      const createdEvent = itemAt(ofType('conversation.created'), 0);
      expect(createdEvent.data.conversation).toMatchObject({ id: started.id, kind: 'support' });

      const visitorMessage = messages.find((m) => m.type === 'text');
      expect(visitorMessage).toMatchObject({
        id: started.message.id,
        roomId: started.id,
        senderId: visitor.user.id,
        text: 'Hello, my order never arrived',
      });
      const system = messages.filter((m) => m.type === 'system');
      expect(system).toHaveLength(2);
      expect(system.find((m) => m.senderId === null)).toMatchObject({ roomId: started.id, text: 'We are away, back soon' });
      expect(system.find((m) => m.senderId === agent.user.id)).toMatchObject({ roomId: started.id, system: { event: 'resolved' } });

      const resolvedEvent = itemAt(ofType('conversation.resolved'), 0);
      expect(resolvedEvent.data.resolvedBy).toBe(agent.user.id);
      expect(resolvedEvent.data.conversation).toMatchObject({ id: started.id, kind: 'support', support: { status: 'resolved' } });

      // The admin API: every delivery delivered at the first attempt with 200, tied to its event.
      const list = await waitUntil('every delivery recorded as delivered', async () => {
        const items = await h.deliveries(tenant.id, hook.id);
        return items.length === 5 && items.every((d) => d.status === 'delivered') ? items : null;
      });
      for (const d of list) {
        const request = receiver.requests.find((r) => r.headers['x-confab-delivery'] === d.id);
        expect(request, `delivery ${d.id} reached the receiver`).toBeDefined();
        expect(d).toMatchObject({
          webhookId: hook.id,
          eventId: request?.body?.id,
          event: request?.body?.type,
          status: 'delivered',
          attempts: 1,
          lastStatusCode: 200,
          lastError: null,
          nextAttemptAt: null,
        });
        expect(d.deliveredAt).not.toBeNull();
      }
      expect(await h.deliveries(tenant.id, hook.id, 'delivered')).toHaveLength(5);
      expect(await h.deliveries(tenant.id, hook.id, 'pending')).toHaveLength(0);
    } finally {
      await receiver.close();
    }
  });

  it('retries a delivery answered 500 with backoff, with the same event id, until it is delivered', async () => {
    const receiver = (await Receiver.start()).failTimes(2, 500);
    try {
      const tenant = await server.createTenant();
      const ana = await server.member(tenant, 'ana');
      const hook = await h.createWebhook(tenant.id, `${receiver.url}/retry`, ['message.created']);
      const room = await h.groupRoom(ana);
      const sent = await h.send(ana, room.id, 'try again');
      expect(sent.status).toBe(201);

      const delivery = await waitUntil('the third attempt to be recorded as delivered', async () => {
        const [item, ...more] = await h.deliveries(tenant.id, hook.id);
        return !more.length && item?.status === 'delivered' ? item : null;
      });
      expect(receiver.requests).toHaveLength(3);
      const first = itemAt(receiver.requests, 0);
      const second = itemAt(receiver.requests, 1);
      const third = itemAt(receiver.requests, 2);
      for (const r of receiver.requests) {
        expect(signatureValid(hook.secret, r.raw, r.headers['x-confab-signature'])).toBe(true);
        expect(r.body?.id).toBe(first.body?.id);
        expect(r.headers['x-confab-delivery']).toBe(delivery.id);
        expect(r.raw).toBe(first.raw);
        expect(r.body?.data.message?.id).toBe(sent.body.id);
      }
      // Backoff: ~retryBaseMs, then ~3× that (±20% jitter); the second wait is the longer one.
      const gap1 = second.at - first.at;
      const gap2 = third.at - second.at;
      expect(gap1).toBeGreaterThanOrEqual(TIMING.retryBaseMs * 0.8 - 50);
      expect(gap2).toBeGreaterThanOrEqual(TIMING.retryBaseMs * 3 * 0.8 - 50);
      expect(gap2).toBeGreaterThan(gap1);

      expect(delivery).toMatchObject({
        eventId: first.body?.id,
        event: 'message.created',
        status: 'delivered',
        attempts: 3,
        lastStatusCode: 200,
        lastError: null,
        nextAttemptAt: null,
      });
      expect(delivery.deliveredAt).not.toBeNull();
      await sleep(300);
      expect(receiver.requests).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });

  it('keeps message sends fast while the receiver hangs: no send waits for the webhook timeout', async () => {
    const receiver = (await Receiver.start()).hang();
    try {
      const hooked = await server.createTenant();
      const plain = await server.createTenant();
      const ana = await server.member(hooked, 'ana');
      const bob = await server.member(plain, 'bob');
      const hook = await h.createWebhook(hooked.id, `${receiver.url}/hang`, ['message.created']);
      const hookedRoom = await h.groupRoom(ana);
      const plainRoom = await h.groupRoom(bob);

      // Warm up both, and have a delivery hanging at the receiver before measuring.
      expect((await h.send(ana, hookedRoom.id, 'warm-up')).status).toBe(201);
      expect((await h.send(bob, plainRoom.id, 'warm-up')).status).toBe(201);
      await waitUntil('a delivery hanging at the receiver', () => receiver.hangingCount >= 1);

      const N = 20;
      const hookedMs: number[] = [];
      const plainMs: number[] = [];
      const timed = async (into: number[], session: AuthSessionDto, roomId: string, text: string) => {
        const t0 = performance.now();
        const res = await h.send(session, roomId, text);
        into.push(performance.now() - t0);
        expect(res.status, JSON.stringify(res.body)).toBe(201);
      };
      for (let i = 0; i < N; i++) {
        await timed(hookedMs, ana, hookedRoom.id, `hooked ${i}`);
        await timed(plainMs, bob, plainRoom.id, `plain ${i}`);
      }
      const summary = `hooked ms ${hookedMs.map(Math.round).join(',')} / plain ms ${plainMs.map(Math.round).join(',')}`;
      expect(Math.max(...hookedMs), summary).toBeLessThan(500);
      expect(median(hookedMs), summary).toBeLessThanOrEqual(3 * median(plainMs) + 20);
      expect(receiver.hangingCount).toBeGreaterThanOrEqual(1);

      // Every send was queued; none is delivered; the timed-out ones wait for a retry.
      const items = await h.deliveries(hooked.id, hook.id);
      expect(items).toHaveLength(N + 1);
      expect(items.every((d) => d.status === 'pending' && d.deliveredAt === null)).toBe(true);
      const retrying = await waitUntil('a timed-out delivery waiting for its retry', async () =>
        (await h.deliveries(hooked.id, hook.id)).find((d) => d.attempts >= 1 && d.status === 'pending' && d.lastError !== null),
      );
      expect(retrying.lastError).toMatch(/1000 ms/);
      expect(retrying.lastStatusCode).toBeNull();
      expect(retrying.nextAttemptAt).not.toBeNull();
      expect(await h.deliveries(hooked.id, hook.id, 'delivered')).toHaveLength(0);

      // Clean up: the hanging endpoint's deliveries go with it.
      expect((await h.admin('DELETE', `/${hooked.id}/webhooks/${hook.id}`)).status).toBe(204);
    } finally {
      await receiver.close();
    }
  });

  it('queues only subscribed events of active webhooks of the app; PATCH active:false stops new deliveries', async () => {
    const receiver = await Receiver.start();
    try {
      const a = await server.createTenant();
      const b = await server.createTenant();
      const all = ['message.created', 'conversation.created', 'conversation.resolved'];
      const aMessages = await h.createWebhook(a.id, `${receiver.url}/a-messages`, ['message.created']);
      const aInactive = await h.createWebhook(a.id, `${receiver.url}/a-inactive`, all, false);
      expect(aInactive.active).toBe(false);
      const bAll = await h.createWebhook(b.id, `${receiver.url}/b-all`, all);

      const anaA = await server.member(a, 'ana');
      const visitorA = await server.guest(a);
      const visitorB = await server.guest(b);
      const roomA = await h.groupRoom(anaA);
      const startedA = await h.startConversation(visitorA, 'hi from A');
      const sentA = await h.send(anaA, roomA.id, 'team message in A');
      expect(sentA.status).toBe(201);
      const startedB = await h.startConversation(visitorB, 'hi from B');

      // Queued in the same transaction as the event: the admin API shows them at once.
      const queuedA = await h.deliveries(a.id, aMessages.id);
      expect(queuedA.map((d) => d.event)).toEqual(['message.created', 'message.created']);
      expect(await h.deliveries(a.id, aInactive.id)).toEqual([]);
      expect((await h.deliveries(b.id, bAll.id)).map((d) => d.event).sort()).toEqual(['conversation.created', 'message.created']);

      await waitUntil('A and B deliveries', () => receiver.at('/a-messages').length >= 2 && receiver.at('/b-all').length >= 2);
      await sleep(300);
      expect(receiver.at('/a-inactive')).toEqual([]);
      const toA = receiver.at('/a-messages');
      expect(toA).toHaveLength(2);
      expect(toA.every((r) => r.body?.appId === a.id && r.body.type === 'message.created')).toBe(true);
      expect(toA.map((r) => r.body?.data.message?.id).sort()).toEqual([startedA.message.id, sentA.body.id].sort());
      expect(toA.every((r) => signatureValid(aMessages.secret, r.raw, r.headers['x-confab-signature']))).toBe(true);
      const toB = receiver.at('/b-all');
      expect(toB).toHaveLength(2);
      expect(toB.every((r) => r.body?.appId === b.id)).toBe(true);
      expect(toB.map((r) => r.body?.type).sort()).toEqual(['conversation.created', 'message.created']);
      expect(toB.find((r) => r.body?.type === 'conversation.created')?.body?.data.conversation?.id).toBe(startedB.id);
      // B's secret signs B's deliveries; A's does not.
      expect(toB.every((r) => signatureValid(bAll.secret, r.raw, r.headers['x-confab-signature']))).toBe(true);
      expect(toB.some((r) => signatureValid(aMessages.secret, r.raw, r.headers['x-confab-signature']))).toBe(false);
      expect(receiver.requests).toHaveLength(4);

      // Deactivate; a control webhook shows the next message is delivered, just not to it.
      const patched = await h.admin('PATCH', `/${a.id}/webhooks/${aMessages.id}`, { active: false });
      expect(patched.status, JSON.stringify(patched.body)).toBe(200);
      expect(patched.body).toMatchObject({ id: aMessages.id, active: false, events: ['message.created'] });
      const listed = await h.admin<{ items: WebhookDto[] }>('GET', `/${a.id}/webhooks`);
      expect(listed.body.items.find((w) => w.id === aMessages.id)?.active).toBe(false);
      await h.createWebhook(a.id, `${receiver.url}/a-control`, ['message.created']);
      const after = await h.send(anaA, roomA.id, 'after deactivation');
      expect(after.status).toBe(201);
      expect(await h.deliveries(a.id, aMessages.id)).toHaveLength(2);
      await waitUntil('the control delivery', () => receiver.at('/a-control').length >= 1);
      expect(receiver.at('/a-control')[0]?.body?.data.message?.id).toBe(after.body.id);
      await sleep(300);
      expect(receiver.at('/a-messages')).toHaveLength(2);
      expect(receiver.at('/a-inactive')).toEqual([]);
      expect(receiver.at('/b-all')).toHaveLength(2);
    } finally {
      await receiver.close();
    }
  });

  describe('admin API', () => {
    it('refuses requests without the admin token or with a wrong one (401)', async () => {
      const tenant = await server.createTenant();
      const base = `/v1/admin/apps/${tenant.id}/webhooks`;
      const body = { url: 'http://127.0.0.1:9/hook', events: ['message.created'] };
      expect((await server.request('GET', base)).status).toBe(401);
      expect((await server.request('POST', base, { body })).status).toBe(401);
      expect((await server.request('GET', base, { token: `${ADMIN_TOKEN}x` })).status).toBe(401);
      expect((await server.request('POST', base, { token: 'wrong-token-wrong-token', body })).status).toBe(401);
      // A user's own token, even an app admin's, is not the operator's.
      const appAdmin = await server.member(tenant, 'app-admin', { role: 'admin' });
      expect((await server.request('GET', base, { token: appAdmin.accessToken })).status).toBe(401);
      expect((await h.admin<{ items: WebhookDto[] }>('GET', `/${tenant.id}/webhooks`)).body.items).toEqual([]);
    });

    it('validates url and events (422) and answers 404 for an unknown app', async () => {
      const tenant = await server.createTenant();
      const good = { url: 'https://example.com/hook', events: ['message.created'] };
      for (const body of [
        { ...good, url: 'ftp://example.com/hook' },
        { ...good, url: 'not a url' },
        { ...good, url: '' },
        { events: good.events },
        { url: good.url },
        { ...good, events: ['message.deleted'] },
        { ...good, events: ['message.created', 'bogus'] },
        { ...good, events: [] },
      ]) {
        const res = await h.admin('POST', `/${tenant.id}/webhooks`, body);
        expect(res.status, JSON.stringify(body)).toBe(422);
        expect(res.body).toMatchObject({ error: { code: 'validation_failed' } });
      }
      expect((await h.admin<{ items: WebhookDto[] }>('GET', `/${tenant.id}/webhooks`)).body.items).toEqual([]);
      const hook = await h.createWebhook(tenant.id, good.url, good.events);
      expect((await h.admin('PATCH', `/${tenant.id}/webhooks/${hook.id}`, { url: 'ftp://example.com' })).status).toBe(422);
      expect((await h.admin('PATCH', `/${tenant.id}/webhooks/${hook.id}`, { events: ['nope'] })).status).toBe(422);

      expect((await h.admin('POST', '/no-such-app/webhooks', good)).status).toBe(404);
      expect((await h.admin('GET', '/no-such-app/webhooks')).status).toBe(404);
    });

    it('shows the signing secret only in the create reply', async () => {
      const tenant = await server.createTenant();
      const url = 'https://example.com/hook';
      const hook = await h.createWebhook(tenant.id, url, ['message.created']);
      expect(hook).toMatchObject({
        id: expect.stringMatching(UUID),
        url,
        events: ['message.created'],
        active: true,
        secret: expect.any(String),
      });
      const list = await h.admin<{ items: WebhookDto[] }>('GET', `/${tenant.id}/webhooks`);
      expect(list.status).toBe(200);
      expect(list.body.items).toHaveLength(1);
      expect(list.body.items[0]).toMatchObject({ id: hook.id, url, events: ['message.created'], active: true, createdAt: hook.createdAt });
      expect(list.body.items[0]).not.toHaveProperty('secret');
      expect(JSON.stringify(list.body)).not.toContain(hook.secret);
      const patched = await h.admin('PATCH', `/${tenant.id}/webhooks/${hook.id}`, { events: ['message.created', 'conversation.created'] });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ id: hook.id, events: ['message.created', 'conversation.created'] });
      expect(patched.body).not.toHaveProperty('secret');
      // Another webhook gets another secret.
      const second = await h.createWebhook(tenant.id, url, ['message.created']);
      expect(second.secret).not.toBe(hook.secret);
    });

    it('answers 404 for a webhook of another app, an unknown webhook, and a deleted one (DELETE 204 once)', async () => {
      const tenant = await server.createTenant();
      const other = await server.createTenant();
      const hook = await h.createWebhook(tenant.id, 'https://example.com/hook', ['message.created']);

      expect((await h.admin('PATCH', `/${other.id}/webhooks/${hook.id}`, { active: false })).status).toBe(404);
      expect((await h.admin('GET', `/${other.id}/webhooks/${hook.id}/deliveries`)).status).toBe(404);
      expect((await h.admin('DELETE', `/${other.id}/webhooks/${hook.id}`)).status).toBe(404);
      expect((await h.admin('DELETE', `/${tenant.id}/webhooks/${randomUUID()}`)).status).toBe(404);
      expect((await h.admin('GET', `/${tenant.id}/webhooks/${randomUUID()}/deliveries`)).status).toBe(404);
      // Still there, untouched.
      expect((await h.admin<{ items: WebhookDto[] }>('GET', `/${tenant.id}/webhooks`)).body.items).toMatchObject([
        { id: hook.id, active: true },
      ]);

      expect((await h.admin('DELETE', `/${tenant.id}/webhooks/${hook.id}`)).status).toBe(204);
      expect((await h.admin<{ items: WebhookDto[] }>('GET', `/${tenant.id}/webhooks`)).body.items).toEqual([]);
      expect((await h.admin('DELETE', `/${tenant.id}/webhooks/${hook.id}`)).status).toBe(404);
      expect((await h.admin('PATCH', `/${tenant.id}/webhooks/${hook.id}`, { active: true })).status).toBe(404);
      expect((await h.admin('GET', `/${tenant.id}/webhooks/${hook.id}/deliveries`)).status).toBe(404);
    });

    it('redelivers a delivered row: the receiver gets the same event id again; a deleted webhook gets nothing', async () => {
      const receiver = await Receiver.start();
      try {
        const tenant = await server.createTenant();
        const hook = await h.createWebhook(tenant.id, `${receiver.url}/again`, ['message.created']);
        const ana = await server.member(tenant, 'ana');
        const room = await h.groupRoom(ana);
        expect((await h.send(ana, room.id, 'deliver me twice')).status).toBe(201);
        const delivered = await waitUntil('the first delivery', async () => {
          const [item, ...more] = await h.deliveries(tenant.id, hook.id, 'delivered');
          return !more.length ? item : null;
        });
        expect(receiver.requests).toHaveLength(1);

        expect((await h.admin('POST', `/${tenant.id}/webhooks/${hook.id}/deliveries/${randomUUID()}/redeliver`)).status).toBe(404);
        const again = await h.admin<WebhookDeliveryDto>('POST', `/${tenant.id}/webhooks/${hook.id}/deliveries/${delivered.id}/redeliver`);
        expect(again.status, JSON.stringify(again.body)).toBe(200);
        expect(again.body).toMatchObject({ id: delivered.id, eventId: delivered.eventId, status: 'pending' });
        await waitUntil('the redelivery', () => receiver.requests.length >= 2);
        const first = itemAt(receiver.requests, 0);
        const second = itemAt(receiver.requests, 1);
        expect(second.body?.id).toBe(first.body?.id);
        expect(second.body?.id).toBe(delivered.eventId);
        expect(second.raw).toBe(first.raw);
        expect(second.headers['x-confab-delivery']).toBe(delivered.id);
        expect(signatureValid(hook.secret, second.raw, second.headers['x-confab-signature'])).toBe(true);
        const redelivered = await waitUntil('the redelivery recorded', async () => {
          const [item, ...more] = await h.deliveries(tenant.id, hook.id);
          return !more.length && item?.status === 'delivered' && item.attempts === 2 ? item : null;
        });
        expect(redelivered).toMatchObject({ id: delivered.id, lastStatusCode: 200, lastError: null });

        // Once deleted, neither redelivery nor new events reach it.
        expect((await h.admin('DELETE', `/${tenant.id}/webhooks/${hook.id}`)).status).toBe(204);
        expect((await h.admin('POST', `/${tenant.id}/webhooks/${hook.id}/deliveries/${delivered.id}/redeliver`)).status).toBe(404);
        expect((await h.send(ana, room.id, 'nobody listens')).status).toBe(201);
        await sleep(400);
        expect(receiver.requests).toHaveLength(2);
      } finally {
        await receiver.close();
      }
    });
  });

  it('marks a delivery failed once retrying would pass giveUpAfterMs, and stops sending it', async () => {
    const receiver = (await Receiver.start()).always(500);
    try {
      const tenant = await server.createTenant();
      const hook = await h.createWebhook(tenant.id, `${receiver.url}/down`, ['message.created']);
      const ana = await server.member(tenant, 'ana');
      const room = await h.groupRoom(ana);
      expect((await h.send(ana, room.id, 'into the void')).status).toBe(201);

      const failed = await waitUntil('the delivery to be given up', async () => {
        const [item, ...more] = await h.deliveries(tenant.id, hook.id);
        return !more.length && item?.status === 'failed' ? item : null;
      });
      expect(failed).toMatchObject({ status: 'failed', lastStatusCode: 500, nextAttemptAt: null, deliveredAt: null });
      expect(failed.lastError).toMatch(/500/);
      expect(failed.attempts).toBeGreaterThanOrEqual(2);
      expect(receiver.requests).toHaveLength(failed.attempts);
      expect(new Set(receiver.requests.map((r) => r.body?.id))).toEqual(new Set([failed.eventId]));
      // Given up within giveUpAfterMs of the event (plus one poll and the last attempt).
      expect(itemAt(receiver.requests, -1).at - itemAt(receiver.requests, 0).at).toBeLessThan(TIMING.giveUpAfterMs + 500);
      expect(await h.deliveries(tenant.id, hook.id, 'failed')).toHaveLength(1);
      expect(await h.deliveries(tenant.id, hook.id, 'pending')).toHaveLength(0);

      await sleep(800);
      expect(receiver.requests).toHaveLength(failed.attempts);

      // The endpoint is fixed: a redelivery of the given-up row gets through.
      receiver.ok();
      const again = await h.admin('POST', `/${tenant.id}/webhooks/${hook.id}/deliveries/${failed.id}/redeliver`);
      expect(again.status).toBe(200);
      const delivered = await waitUntil('the redelivery', async () => {
        const [item] = await h.deliveries(tenant.id, hook.id);
        return item?.status === 'delivered' ? item : null;
      });
      expect(delivered).toMatchObject({ id: failed.id, eventId: failed.eventId, lastStatusCode: 200, attempts: failed.attempts + 1 });
      expect(itemAt(receiver.requests, -1).body?.id).toBe(failed.eventId);
    } finally {
      await receiver.close();
    }
  });
});
