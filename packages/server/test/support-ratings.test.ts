import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

import type {
  AuthSessionDto,
  ConversationRatedEvent,
  ConversationRatingDto,
  PageDto,
  StartConversationResult,
  SupportConversationDto,
  SupportInboxItemDto,
  WebhookDto,
  WebhookPayload,
} from '@confab/protocol';
import { createClient } from '@confab/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import type { App } from '../src/db/models/index.js';
import { type ApiResponse, replyError, startTestServer, type TestServer } from './helpers/server.js';
import { type ClientSocket, connect, waitFor } from './helpers/sockets.js';
import { until } from './helpers/wait.js';

/**
 * Satisfaction ratings (CSAT): the visitor rates a resolved conversation; the rating is stored per
 * resolution, shown in the conversation, announced to agents and sent to webhooks.
 */

const ADMIN_TOKEN = 'admin-token-of-the-support-ratings-test';

let server: TestServer;
let tenant: App;
let otherTenant: App;
let agent: AuthSessionDto;
const sockets: ClientSocket[] = [];

beforeAll(async () => {
  server = await startTestServer({
    env: { ADMIN_TOKEN },
    webhooks: { pollMs: 100, retryBaseMs: 200, timeoutMs: 1000, giveUpAfterMs: 3000 },
  });
  [tenant, otherTenant] = await Promise.all([server.createTenant(), server.createTenant()]);
  agent = await server.member(tenant, 'agent-ana', { role: 'agent', name: 'Ana' });
});

afterAll(async () => {
  for (const socket of sockets) socket.close();
  await server?.close();
});

function api<T = unknown>(session: AuthSessionDto, method: string, path: string, body?: unknown): Promise<ApiResponse<T>> {
  return server.request<T>(method, path, { token: session.accessToken, body });
}

function expectError(res: ApiResponse, status: number, code: string): void {
  expect({ status: res.status, code: replyError(res.body)?.code }, JSON.stringify(res.body)).toEqual({ status, code });
}

async function start(visitor: AuthSessionDto, text = 'My parcel is late'): Promise<StartConversationResult> {
  const res = await api<StartConversationResult>(visitor, 'POST', '/v1/support/conversations', { text, clientId: crypto.randomUUID() });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function act(id: string, action: 'resolve' | 'reopen', by = agent): Promise<SupportConversationDto> {
  const res = await api<SupportConversationDto>(by, 'POST', `/v1/support/conversations/${id}/${action}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

const rate = (session: AuthSessionDto, id: string, body: unknown) =>
  api<ConversationRatingDto>(session, 'PUT', `/v1/support/conversations/${id}/rating`, body);

async function conversation(session: AuthSessionDto, id: string): Promise<SupportConversationDto> {
  const res = await api<SupportConversationDto>(session, 'GET', `/v1/support/conversations/${id}`);
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body;
}

async function storedRatings(roomId: string): Promise<{ score: number; comment: string | null; resolvedAt: Date }[]> {
  return server.db('conversation_ratings').where({ roomId }).orderBy('resolved_at').select('score', 'comment', 'resolved_at');
}

/** An HTTP receiver on loopback that records the webhook bodies POSTed to it. */
async function startReceiver() {
  const bodies: WebhookPayload<ConversationRatedEvent>[] = [];
  const http = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookPayload<ConversationRatedEvent>);
      res.writeHead(200).end('ok');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`,
    bodies,
    close: () => new Promise<void>((resolve) => http.close(() => resolve())),
  };
}

describe('satisfaction ratings', () => {
  it('stores the visitor’s rating of a resolved conversation, shows it in the conversation, tells agents and webhooks', async () => {
    const receiver = await startReceiver();
    try {
      const hook = await server.request<WebhookDto>('POST', `/v1/admin/apps/${tenant.id}/webhooks`, {
        token: ADMIN_TOKEN,
        body: { url: receiver.url, events: ['conversation.rated'] },
      });
      expect(hook.status, JSON.stringify(hook.body)).toBe(201);
      const visitor = await server.guest(tenant, 'Vera');
      const started = await start(visitor);
      expect(started.rating).toBeNull();
      const resolved = await act(started.id, 'resolve');
      expect(resolved.rating).toBeNull();

      const agentSocket = await connect(server, agent);
      sockets.push(agentSocket);
      const heard = waitFor<SupportConversationDto>(agentSocket, 'support:conversation', (c) => c.id === started.id && !!c.rating);

      // Through the SDK, as the widget does.
      const client = createClient({ url: server.url, app: tenant.id, transports: ['websocket'] });
      await client.connectSession(visitor);
      const rating = await client.support.rate(started.id, { score: 4, comment: '  quick and kind  ' });
      client.close();
      expect(rating).toMatchObject({
        conversationId: started.id,
        score: 4,
        comment: 'quick and kind',
        resolvedAt: resolved.support.resolvedAt,
      });
      expect(new Date(rating.createdAt).toISOString()).toBe(rating.createdAt);

      const rows = await storedRatings(started.id);
      expect(rows).toHaveLength(1);
      expect(rows[0]).toMatchObject({ score: 4, comment: 'quick and kind' });
      expect(new Date(rows[0]!.resolvedAt).toISOString()).toBe(resolved.support.resolvedAt);

      // In the conversation, for agents, the inbox, and the visitor themself.
      expect((await conversation(agent, started.id)).rating).toEqual(rating);
      expect((await conversation(visitor, started.id)).rating).toEqual(rating);
      const inbox = await api<PageDto<SupportInboxItemDto>>(agent, 'GET', '/v1/support/conversations?status=resolved');
      expect(inbox.body.items.find((c) => c.id === started.id)?.rating).toEqual(rating);

      // Live to agents.
      expect((await heard).rating).toEqual(rating);

      // The webhook, delivered to the receiver.
      const delivered = await until(
        'conversation.rated delivered',
        () => receiver.bodies.find((b) => b.type === 'conversation.rated'),
        8_000,
      );
      expect(delivered).toMatchObject({ appId: tenant.id, type: 'conversation.rated' });
      expect(delivered.data.rating).toEqual(rating);
      expect(delivered.data.conversation).toMatchObject({ id: started.id, support: { status: 'resolved' } });
      expect(delivered.data.conversation.rating).toEqual(rating);
    } finally {
      await receiver.close();
    }
  });

  it('replaces the rating when the visitor rates the same resolution again', async () => {
    const visitor = await server.guest(tenant);
    const started = await start(visitor);
    await act(started.id, 'resolve');
    const first = await rate(visitor, started.id, { score: 2, comment: 'slow' });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    const second = await rate(visitor, started.id, { score: 5 });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body).toMatchObject({ score: 5, comment: null, createdAt: first.body.createdAt, resolvedAt: first.body.resolvedAt });
    expect(Date.parse(second.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(first.body.updatedAt));
    expect(await storedRatings(started.id)).toEqual([expect.objectContaining({ score: 5, comment: null })]);
    expect((await conversation(agent, started.id)).rating).toMatchObject({ score: 5, comment: null });
  });

  it('refuses a conversation that is not resolved, with conflict', async () => {
    const visitor = await server.guest(tenant);
    const started = await start(visitor);
    expectError(await rate(visitor, started.id, { score: 3 }), 409, 'conflict');
    await api(agent, 'PATCH', `/v1/rooms/${started.id}`, { status: 'pending' });
    expectError(await rate(visitor, started.id, { score: 3 }), 409, 'conflict');
    expect(await storedRatings(started.id)).toEqual([]);
  });

  it('lets only the conversation’s visitor rate: agents and other visitors are forbidden, another app gets not_found', async () => {
    const visitor = await server.guest(tenant);
    const otherVisitor = await server.guest(tenant);
    const started = await start(visitor);
    await act(started.id, 'resolve');
    expectError(await rate(agent, started.id, { score: 5 }), 403, 'forbidden');
    expectError(await rate(otherVisitor, started.id, { score: 1 }), 403, 'forbidden');
    const admin = await server.member(tenant, undefined, { role: 'admin' });
    expectError(await rate(admin, started.id, { score: 5 }), 403, 'forbidden');
    const foreignVisitor = await server.guest(otherTenant);
    const foreignAgent = await server.member(otherTenant, undefined, { role: 'agent' });
    expectError(await rate(foreignVisitor, started.id, { score: 1 }), 404, 'not_found');
    expectError(await rate(foreignAgent, started.id, { score: 1 }), 404, 'not_found');
    expectError(await rate(visitor, crypto.randomUUID(), { score: 1 }), 404, 'not_found');
    // A room that is not a support conversation.
    const member = await server.member(tenant);
    const room = await api<{ id: string }>(member, 'POST', '/v1/rooms', { kind: 'group', name: 'Not support' });
    expect(room.status, JSON.stringify(room.body)).toBe(201);
    expectError(await rate(member, room.body.id, { score: 1 }), 404, 'not_found');
    expect(await storedRatings(started.id)).toEqual([]);
    expect((await conversation(visitor, started.id)).rating).toBeNull();
  });

  it('validates the score (a whole number 1–5) and the comment (at most 1000 characters)', async () => {
    const visitor = await server.guest(tenant);
    const started = await start(visitor);
    await act(started.id, 'resolve');
    for (const body of [
      { score: 0 },
      { score: 6 },
      { score: 2.5 },
      { score: '4' },
      {},
      { score: 3, comment: 'x'.repeat(1001) },
      { score: 3, comment: 5 },
    ]) {
      expectError(await rate(visitor, started.id, body), 422, 'validation_failed');
    }
    expectError(await rate(visitor, 'not-an-id', { score: 3 }), 404, 'not_found');
    expect(await storedRatings(started.id)).toEqual([]);
    // The limits themselves pass.
    const edge = await rate(visitor, started.id, { score: 1, comment: 'y'.repeat(1000) });
    expect(edge.status, JSON.stringify(edge.body)).toBe(200);
    expect(edge.body.comment).toHaveLength(1000);
    expect((await rate(visitor, started.id, { score: 5, comment: '' })).body).toMatchObject({ score: 5, comment: null });
  });

  it('asks for a new rating after the conversation is reopened and resolved again, and keeps the old one', async () => {
    const visitor = await server.guest(tenant);
    const started = await start(visitor);
    await act(started.id, 'resolve');
    expect((await rate(visitor, started.id, { score: 2, comment: 'meh' })).status).toBe(200);

    const reopened = await act(started.id, 'reopen');
    expect(reopened.rating).toBeNull();
    expectError(await rate(visitor, started.id, { score: 4 }), 409, 'conflict');

    const again = await act(started.id, 'resolve');
    expect(again.rating).toBeNull();
    const second = await rate(visitor, started.id, { score: 5, comment: 'sorted now' });
    expect(second.status, JSON.stringify(second.body)).toBe(200);
    expect(second.body.resolvedAt).toBe(again.support.resolvedAt);

    const rows = await storedRatings(started.id);
    expect(rows.map((r) => [r.score, r.comment])).toEqual([
      [2, 'meh'],
      [5, 'sorted now'],
    ]);
    expect((await conversation(agent, started.id)).rating).toMatchObject({ score: 5, comment: 'sorted now' });
  });
});
